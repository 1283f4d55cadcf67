//! Standing references (segment lengths, hip height, stance width, the local standing level) and camera roll
//! from the standing frames.
//!
//! In: clean per-sample leg points. Out: [`Standing`], the per-sample standing level, and a roll estimate with
//! the cues it rests on.

use serde::{Deserialize, Serialize};

use super::clean::Cleaned;
use super::geometry::{dist, median_of, percentile};
use super::side::{Leg, LegPoints, Side, Sides};
use super::types::Unavailable;

/// Standing samples: hip within this fraction of the leg length of its highest (5th percentile) position.
pub const STANDING_BAND: f64 = 0.03;

/// Percentile of hip height taken as the standing level.
pub const STANDING_PERCENTILE: f64 = 5.0;

/// Camera roll larger than this is not believed (a raised foot, a step or a slope under the heels) and is not
/// corrected.
pub const MAX_ROLL_DEG: f64 = 15.0;

/// The heel line and the standing body's axis must agree within this (degrees) for the roll to be corrected:
/// a real camera roll turns both alike, while a raised or turned foot, a step or a sideways lean moves only one.
/// On the synthetic standing figure both are exact; BlazePose's heel jitter is well under a degree over a second.
pub const ROLL_AGREE_DEG: f64 = 3.0;

/// Fewest standing samples the roll is estimated from.
pub const MIN_ROLL_SAMPLES: usize = 5;

/// At least this fraction of the standing frontal frames must have both feet flat relative to the body (the two
/// roll cues agreeing) for the roll to be corrected: otherwise the feet are mostly not both planted (a step, a
/// table, a single-leg stance) and the heel line says nothing about the camera.
pub const ROLL_MIN_FLAT_FRACTION: f64 = 0.5;

/// The standing hip height is taken over this many seconds either side of each sample, so that a subject who
/// steps closer or turns mid-clip keeps a true zero of hip drop.
pub const STANDING_WINDOW_S: f64 = 4.0;

/// The local standing level is computed once per block of this many seconds (and shared by its samples): it
/// changes over seconds, and per sample it would cost a window sort each.
pub const LOCAL_STANDING_BLOCK_S: f64 = 0.25;

/// Standing reference lengths, measured on the samples where the subject stands tallest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// Knee–ankle length per leg (pixels).
    pub shank_px: Sides<f64>,
    /// Hip–ankle length per leg (pixels).
    pub leg_px: Sides<f64>,
    /// Hip midpoint height while standing (pixels, y down).
    pub hip_y_px: f64,
    /// Distance between the ankles while standing (pixels).
    pub stance_width_px: f64,
    /// Number of standing samples used.
    pub samples: usize,
}

/// What the roll cues say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RollEstimate {
    /// Both cues agree; the heel line's value is used.
    Agreed {
        /// Camera roll, degrees (positive = the image is turned clockwise).
        roll_deg: f64,
    },
    /// The heel line and the body axis disagree.
    Disagree {
        /// Roll from the heel line.
        feet_deg: f64,
        /// Roll from the standing body's axis.
        body_deg: f64,
    },
    /// Too few frontal standing frames.
    NoStanding,
}

/// Camera roll from standing frames `idx`: the median heel-line angle and the median tilt of the ankle-mid to
/// hip-mid axis from vertical (same sign convention: a picture turned clockwise by θ gives θ for both).
pub(crate) fn estimate_roll(idx: &[usize], legs: &dyn Fn(usize) -> LegPoints) -> RollEstimate {
    let fold = |a: f64| {
        if a > std::f64::consts::FRAC_PI_2 {
            a - std::f64::consts::PI
        } else if a < -std::f64::consts::FRAC_PI_2 {
            a + std::f64::consts::PI
        } else {
            a
        }
    };
    // Per frame: the heel line's angle (folded so that front and back views agree) and the body axis's tilt.
    let cues: Vec<(f64, f64)> = idx
        .iter()
        .map(|&i| {
            let p = legs(i);
            let (l, r) = (p.left(), p.right());
            let feet = fold((l.heel[1] - r.heel[1]).atan2(l.heel[0] - r.heel[0])).to_degrees();
            let hip = [(l.hip[0] + r.hip[0]) / 2.0, (l.hip[1] + r.hip[1]) / 2.0];
            let ankle = [(l.ankle[0] + r.ankle[0]) / 2.0, (l.ankle[1] + r.ankle[1]) / 2.0];
            (feet, (hip[0] - ankle[0]).atan2(ankle[1] - hip[1]).to_degrees())
        })
        .filter(|(f, b)| f.is_finite() && b.is_finite())
        .collect();
    if cues.len() < MIN_ROLL_SAMPLES {
        return RollEstimate::NoStanding;
    }
    // Frames with both feet flat relative to the standing body: the two cues agree there. (A test against the
    // image's horizontal would reject the very frames a rolled camera shows.)
    let flat: Vec<f64> = cues.iter().filter(|(f, b)| (f - b).abs() <= ROLL_AGREE_DEG).map(|(f, _)| *f).collect();
    if flat.len() >= MIN_ROLL_SAMPLES && flat.len() as f64 >= ROLL_MIN_FLAT_FRACTION * cues.len() as f64 {
        if let Some(roll_deg) = median_of(flat) {
            return RollEstimate::Agreed { roll_deg };
        }
    }
    match (median_of(cues.iter().map(|c| c.0)), median_of(cues.iter().map(|c| c.1))) {
        (Some(feet_deg), Some(body_deg)) => RollEstimate::Disagree { feet_deg, body_deg },
        _ => RollEstimate::NoStanding,
    }
}

/// The roll to remove (degrees) for an estimate, and the reason when none is removed: the cues disagree, there
/// is no frontal standing, or they agree on more than [`MAX_ROLL_DEG`] (a slope or a lean, not a camera).
pub(crate) fn roll_correction(estimate: RollEstimate) -> (f64, Option<Unavailable>) {
    let note = |reason: String| Some(Unavailable { metric: "roll_deg".into(), reason });
    match estimate {
        RollEstimate::Agreed { roll_deg } if roll_deg.abs() <= MAX_ROLL_DEG => (roll_deg, None),
        RollEstimate::Agreed { roll_deg } => (
            0.0,
            note(format!("the floor and body tilt {roll_deg:.1} degrees, more than a camera's roll: not corrected")),
        ),
        RollEstimate::Disagree { feet_deg, body_deg } => (
            0.0,
            note(format!(
                "camera roll not corrected: the heel line says {feet_deg:.1} degrees and the standing body's axis {body_deg:.1} (they must agree within {ROLL_AGREE_DEG:.0}; feet not both flat, a step or a slope)"
            )),
        ),
        RollEstimate::NoStanding => {
            (0.0, note("too few standing frames in a frontal view: camera roll not corrected".into()))
        }
    }
}

/// Every sample's leg points with the camera roll `roll_deg` removed: turned about the centre of the
/// `width` x `height` picture.
pub(crate) fn unrolled_points(c: &Cleaned, roll_deg: f64, width: f64, height: f64) -> Vec<LegPoints> {
    let (cx, cy) = (width / 2.0, height / 2.0);
    let (s, co) = (-roll_deg.to_radians()).sin_cos();
    let unroll = |p: [f64; 2]| -> [f64; 2] {
        let (dx, dy) = (p[0] - cx, p[1] - cy);
        [cx + co * dx - s * dy, cy + s * dx + co * dy]
    };
    (0..c.len()).map(|i| c.legs_at(i).map(|leg| Leg::from_fn(|j| unroll(leg.get(j))))).collect()
}

/// Both ankles higher than this (fraction of leg length) above their floor level in the standing window
/// (their 95th-percentile image height there) means the feet are off the floor: a jump, not a stand.
pub const AIRBORNE_RISE: f64 = 0.08;
/// Longest flight (seconds) either side of a sample with both feet up for it to count as a jump: a jump squat's
/// flight lasts 0.3–0.5 s.
pub const AIRBORNE_MAX_S: f64 = 0.6;

/// Height of the hip midpoint (pixels, y down).
pub(crate) fn hip_mid_y(p: &LegPoints) -> f64 {
    (p.left().hip[1] + p.right().hip[1]) / 2.0
}

/// The standing samples, found before roll correction (which changes hip height negligibly): valid samples
/// whose hip midpoint is within [`STANDING_BAND`] of a leg length of its highest ([`STANDING_PERCENTILE`])
/// position.
pub(crate) fn standing_samples(c: &Cleaned) -> Vec<usize> {
    let n = c.len();
    let legs: Vec<LegPoints> = (0..n).map(|i| c.legs_at(i)).collect();
    let hip_y: Vec<f64> = legs.iter().map(hip_mid_y).collect();
    let leg_est = median_of(
        legs.iter().map(|p| (dist(p.left().hip, p.left().ankle) + dist(p.right().hip, p.right().ankle)) / 2.0),
    );
    match (percentile(&hip_y, STANDING_PERCENTILE), leg_est) {
        (Some(top), Some(leg)) => (0..n).filter(|&i| c.valid[i] && hip_y[i] <= top + STANDING_BAND * leg).collect(),
        _ => Vec::new(),
    }
}

/// Standing references from the points of the standing samples `idx`; `None` without any.
pub(crate) fn standing_refs(points: &[LegPoints], idx: &[usize]) -> Option<Standing> {
    if idx.is_empty() {
        return None;
    }
    let med = |f: &dyn Fn(&LegPoints) -> f64| median_of(idx.iter().map(|&i| f(&points[i])));
    let shank =
        Sides::new(med(&|p| dist(p.left().knee, p.left().ankle))?, med(&|p| dist(p.right().knee, p.right().ankle))?);
    let leg =
        Sides::new(med(&|p| dist(p.left().hip, p.left().ankle))?, med(&|p| dist(p.right().hip, p.right().ankle))?);
    let hip_y = med(&|p| hip_mid_y(p))?;
    let stance = med(&|p| (p.left().ankle[0] - p.right().ankle[0]).abs())?;
    Some(Standing { shank_px: shank, leg_px: leg, hip_y_px: hip_y, stance_width_px: stance, samples: idx.len() })
}

/// For each sample, the standing hip height and leg length around it: the 5th percentile of the hip height
/// within [`STANDING_WINDOW_S`] either side, and the median leg length of the samples near that height.
/// Computed on blocks of [`LOCAL_STANDING_BLOCK_S`].
pub(crate) fn local_standing(points: &[LegPoints], valid: &[bool], rate_hz: f64, leg_global: f64) -> Vec<(f64, f64)> {
    let n = points.len();
    let hip_y: Vec<f64> = points.iter().map(hip_mid_y).collect();
    // The longer leg: in a single-leg stance the free leg's 2D length shrinks, the stance leg's does not.
    let leg: Vec<f64> =
        points.iter().map(|p| dist(p.left().hip, p.left().ankle).max(dist(p.right().hip, p.right().ankle))).collect();
    let half = (STANDING_WINDOW_S * rate_hz).round() as usize;
    let block = ((LOCAL_STANDING_BLOCK_S * rate_hz).round() as usize).max(1);
    let mut out = vec![(f64::NAN, 0.0); n];
    let mut start = 0;
    while start < n {
        let centre = (start + block / 2).min(n - 1);
        let lo = centre.saturating_sub(half);
        let hi = (centre + half + 1).min(n);
        // Standing is on the floor: samples with both feet off it (a jump's flight) are not candidates, or the
        // apex of a jump squat becomes "standing" and every rep looks 70-80 % deep.
        let floor = Sides::from_fn(|side| {
            let ankles: Vec<f64> = (lo..hi).filter(|&i| valid[i]).map(|i| points[i][side].ankle[1]).collect();
            percentile(&ankles, 100.0 - STANDING_PERCENTILE)
        });
        // Both feet up, once per sample of the window and the flight's reach around it.
        let flight = (AIRBORNE_MAX_S * rate_hz).round() as usize;
        let (ext_lo, ext_hi) = (lo.saturating_sub(flight), (hi + flight).min(n));
        let up: Vec<bool> = (ext_lo..ext_hi)
            .map(|i| {
                Side::BOTH
                    .iter()
                    .all(|&side| floor[side].is_some_and(|f| points[i][side].ankle[1] < f - AIRBORNE_RISE * leg_global))
            })
            .collect();
        let down = |j: usize| valid[j] && !up[j - ext_lo];
        // A flight comes back down: both feet up with the feet on the floor within AIRBORNE_MAX_S before and after
        // (feet that stay up, as on stairs, are standing on something higher).
        let grounded: Vec<bool> = (lo..hi)
            .map(|i| {
                let flying = up[i - ext_lo]
                    && (i.saturating_sub(flight)..i).any(down)
                    && (i + 1..(i + flight + 1).min(n)).any(down);
                !flying
            })
            .collect();
        let grounded = |i: usize| grounded[i - lo];
        let ys: Vec<f64> = (lo..hi).filter(|&i| valid[i] && grounded(i)).map(|i| hip_y[i]).collect();
        let value = percentile(&ys, STANDING_PERCENTILE).map_or((f64::NAN, 0.0), |top| {
            let near = (lo..hi)
                .filter(|&i| valid[i] && grounded(i) && hip_y[i] <= top + STANDING_BAND * leg_global)
                .map(|i| leg[i]);
            (top, median_of(near).unwrap_or(leg_global))
        });
        for slot in &mut out[start..(start + block).min(n)] {
            *slot = value;
        }
        start += block;
    }
    out
}
