//! Cleaning: the track's raw per-frame points in, every coordinate series on a uniform time grid at the clip's
//! own rate out: resampled, short gaps filled (and flagged), outliers replaced (Hampel), low-passed
//! (zero-phase Butterworth), with which samples are valid, which were filled, and where the long gaps are.

use super::filter::{self, fill_gaps, hampel, resample, Grid, LowPass};
use super::geometry::median_of;
use super::input::{check_time_base, Raw, IMAGE_POINTS, WORLD_POINTS};
use super::side::{Joint, Leg, LegPoints, Point, Side, Sides};
use super::types::{KinematicsConfig, KinematicsError};

/// Grid rate (Hz) of a track whose frames give no interval (a single frame): any rate serves one sample.
pub const SINGLE_FRAME_RATE_HZ: f64 = 30.0;
/// A grid sample takes a value from the frames around it when they lie within this many grid steps of it: a
/// little over one, so one dropped or late frame is bridged and a longer gap is left to [`fill_gaps`].
pub const RESAMPLE_REACH_STEPS: f64 = 1.5;

/// The cleaned series of one track.
pub(crate) struct Cleaned {
    /// Samples per second of the grid (the clip's median frame rate).
    pub(crate) rate_hz: f64,
    /// Grid times, seconds.
    pub(crate) t_s: Vec<f64>,
    /// The clip frame nearest each grid sample.
    pub(crate) frame: Vec<u64>,
    /// Samples with a subject (observed or filled).
    pub(crate) valid: Vec<bool>,
    /// Samples filled across a short gap.
    pub(crate) filled: Vec<bool>,
    /// Per image point, `[x, y]` series (pixels).
    pub(crate) img_series: Vec<[Vec<f64>; 2]>,
    /// Per world point, `[x, y, z]` series (metres).
    pub(crate) world_series: Vec<[Vec<f64>; 3]>,
    /// Mean lower-body visibility per sample (0 where missing).
    pub(crate) visibility: Vec<f64>,
    /// Whether the legs are inside the frame per sample.
    pub(crate) in_frame: Vec<bool>,
    /// Gaps longer than the fill limit: (start, end) seconds.
    pub(crate) long_gaps: Vec<(f64, f64)>,
    /// Outliers replaced by the Hampel filter, over all series.
    pub(crate) outliers_replaced: usize,
}

/// Put every series of `raw` on a uniform grid and clean it; refuses broken time bases (see
/// [`check_time_base`]).
pub(crate) fn clean(raw: &Raw, config: &KinematicsConfig) -> Result<Cleaned, KinematicsError> {
    // Uniform grid at the clip's real rate.
    let dts: Vec<f64> = raw.t.windows(2).map(|w| w[1] - w[0]).collect();
    let rate_hz = median_of(dts.iter().copied()).filter(|d| *d > 0.0).map_or(SINGLE_FRAME_RATE_HZ, |d| 1.0 / d);
    check_time_base(raw, &dts, rate_hz)?;
    let grid = Grid::spanning(&raw.t, rate_hz);
    let n = grid.t_s.len();
    let max_run = (config.max_fill_s * rate_hz).round() as usize;
    let observed: Vec<f64> = raw.img.iter().map(|p| if p[0][0].is_finite() { 1.0 } else { f64::NAN }).collect();
    let reach = RESAMPLE_REACH_STEPS / rate_hz;
    let on_grid = resample(&raw.t, &observed, &grid.t_s, reach);
    let mut valid: Vec<bool> = on_grid.iter().map(|v| v.is_finite()).collect();
    let frame = nearest_frames(raw, &grid.t_s);

    // Clean each coordinate series: resample, fill short gaps, Hampel, low-pass.
    let lowpass = LowPass::new(config.cutoff_hz, rate_hz);
    let half = filter::HAMPEL_MIN_HALF.max((filter::HAMPEL_HALF_WINDOW_S * rate_hz).round() as usize);
    let mut outliers_replaced = 0;
    let mut filled = vec![false; n];
    let mut clean = |values: Vec<f64>, min_spread: f64| -> Vec<f64> {
        let mut v = resample(&raw.t, &values, &grid.t_s, reach);
        let f = fill_gaps(&mut v, max_run);
        for (a, b) in filled.iter_mut().zip(f) {
            *a |= b;
        }
        outliers_replaced += hampel(&mut v, half, min_spread);
        if let Some(lp) = &lowpass {
            lp.apply(&mut v);
        }
        v
    };
    let mut img_series: Vec<[Vec<f64>; 2]> = Vec::with_capacity(IMAGE_POINTS.len());
    for k in 0..IMAGE_POINTS.len() {
        let xs = clean(raw.img.iter().map(|p| p[k][0]).collect(), filter::HAMPEL_MIN_SPREAD_PX);
        let ys = clean(raw.img.iter().map(|p| p[k][1]).collect(), filter::HAMPEL_MIN_SPREAD_PX);
        img_series.push([xs, ys]);
    }
    let mut world_series: Vec<[Vec<f64>; 3]> = Vec::with_capacity(WORLD_POINTS.len());
    for k in 0..WORLD_POINTS.len() {
        let m = filter::HAMPEL_MIN_SPREAD_M;
        world_series.push([
            clean(raw.world.iter().map(|p| p[k][0]).collect(), m),
            clean(raw.world.iter().map(|p| p[k][1]).collect(), m),
            clean(raw.world.iter().map(|p| p[k][2]).collect(), m),
        ]);
    }
    for i in 0..n {
        valid[i] = img_series[0][0][i].is_finite();
    }
    let visibility = resample(&raw.t, &raw.visibility, &grid.t_s, reach);
    let in_frame_f: Vec<f64> = raw.in_frame.iter().map(|b| if *b { 1.0 } else { 0.0 }).collect();
    let in_frame: Vec<bool> = resample(&raw.t, &in_frame_f, &grid.t_s, reach).iter().map(|v| *v >= 0.5).collect();
    let visibility: Vec<f64> = visibility.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect();

    let long_gaps = long_gaps(&valid, &grid.t_s, max_run);

    Ok(Cleaned {
        rate_hz,
        t_s: grid.t_s,
        frame,
        valid,
        filled,
        img_series,
        world_series,
        visibility,
        in_frame,
        long_gaps,
        outliers_replaced,
    })
}

/// The clip frame nearest each grid time.
fn nearest_frames(raw: &Raw, grid_t: &[f64]) -> Vec<u64> {
    grid_t
        .iter()
        .map(|&t| {
            let j = raw.t.partition_point(|&x| x < t);
            let pick = if j == 0 {
                0
            } else if j >= raw.t.len() || (t - raw.t[j - 1]) <= (raw.t[j] - t) {
                j - 1
            } else {
                j
            };
            raw.frame[pick.min(raw.frame.len() - 1)]
        })
        .collect()
}

/// Runs of invalid samples longer than `max_run`, as (start, end) grid times.
fn long_gaps(valid: &[bool], t_s: &[f64], max_run: usize) -> Vec<(f64, f64)> {
    let mut gaps = Vec::new();
    let mut i = 0;
    while i < valid.len() {
        if valid[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < valid.len() && !valid[i] {
            i += 1;
        }
        if i - start > max_run {
            gaps.push((t_s[start], t_s[i - 1]));
        }
    }
    gaps
}

impl Cleaned {
    /// Number of grid samples.
    pub(crate) fn len(&self) -> usize {
        self.t_s.len()
    }

    /// Image point of a joint at sample `i`, before roll correction (`NaN` where missing).
    pub(crate) fn image(&self, side: Side, joint: Joint, i: usize) -> Point {
        let s = &self.img_series[2 * joint.index() + side.index()];
        [s[0][i], s[1][i]]
    }

    /// Both legs' image points at sample `i`, before roll correction.
    pub(crate) fn legs_at(&self, i: usize) -> LegPoints {
        Sides::from_fn(|side| Leg::from_fn(|joint| self.image(side, joint, i)))
    }

    /// Both shoulders' image points at sample `i`, before roll correction (they follow the leg points in
    /// [`IMAGE_POINTS`]).
    pub(crate) fn shoulders_at(&self, i: usize) -> Sides<Point> {
        let k = 2 * Joint::ALL.len();
        Sides::from_fn(|side| {
            let s = &self.img_series[k + side.index()];
            [s[0][i], s[1][i]]
        })
    }

    /// World point of a joint at sample `i` (metres, BlazePose's hip-centred frame).
    pub(crate) fn world(&self, side: Side, joint: Joint, i: usize) -> [f64; 3] {
        let s = &self.world_series[2 * joint.index() + side.index()];
        [s[0][i], s[1][i], s[2][i]]
    }
}
