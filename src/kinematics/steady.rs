//! A moving camera: the picture steadied on its background where the pose stage could read the background's
//! motion ([`on_background`]), or on the planted foot when asked (`--hand-held`, [`steady`]).
//!
//! The background: each frame's shift of the picture's background (`pose/background.rs`) is the camera's own
//! motion, measured apart from the subject and the landmarks' noise. It is used where it is read on nearly the
//! whole clip ([`MIN_SHIFT_COVERAGE`]) and moves by at least [`MIN_CAMERA_MOVE_LEG`] of the leg; on the real
//! development clips, all filmed from a still camera, it moves 0.0–0.1 % of the leg.
//!
//! The planted foot (`--hand-held`):
//! A phone held in the hand drifts: 3–6 cm up and down move the hip in the picture as much as a shallow rep does,
//! so depths, bottoms, the stand between reps and the task are read wrong (rendered single-leg squats merged,
//! bottoms a second late, step-downs read as squats). A planted foot does not move in the world, so what it does
//! in the picture is the camera's. The anchor is the ankle that moved less over the clip (summed over windows of
//! ±[`ANCHOR_WINDOW_S`]: the free foot of a single-leg task is lifted or lowered on every rep, the stance foot only
//! drifts with the camera); the camera's offset is the sum of the anchor's moves from sample to sample, except
//! while it steps on its own ([`STEP_LEG`]: a walk's steps are the subject's), and every image point is moved
//! back by it.
//!
//! Opt-in, because genu cannot tell a drifting phone from landmark noise: on the real development clips the
//! planted ankle's motion disagrees with the hip's by as much as on the rendered hand-held clips. Limits, each
//! seen on rendered clips: the ankle landmark rises as the knee bends, so depth reads a few % of leg shallower; a
//! zoom moves the feet (far from the picture's centre) more than the hip; a clip whose stance leg changes keeps
//! one anchor, the stance foot of its commoner side; a walk that glides both feet together is the camera's. On
//! the real development clips, all filmed still: alternating forward lunges lose two of ten reps and six their
//! task (the anchor steps out with the front foot every other lunge), jump squats read 12 % of leg deeper (both
//! feet leave the floor together, as a camera would move them), a lateral step-down clip loses one of eleven.

use super::clean::Cleaned;
use super::filter::{range_of, running_median};
use super::geometry::{dist, median_of, percentile};
use super::input::Raw;
use super::side::{Joint, Side, Sides};

/// Half-width (seconds) of the window the feet's motion is compared over to choose the anchor: longer than a
/// single-leg squat's descent (the free foot's lift shows in it), shorter than a hand-held sway.
pub const ANCHOR_WINDOW_S: f64 = 1.5;
/// Window (seconds) over which a step of the anchor foot is told from the camera's drift ([`STEP_LEG`]).
pub const STEP_S: f64 = 0.3;
/// The anchor foot steps when, over [`STEP_S`], it moves at least this fraction of its leg's length while the
/// other foot moves under a third of that: the rep stage's step (`STEP_ALONE_MIN_TRUNK`, 0.08 trunk lengths)
/// in leg lengths.
pub const STEP_LEG: f64 = 0.05;
/// Half-width (seconds) of the running median taken of each ankle before its steps are summed.
pub const ANCHOR_SMOOTH_HALF_S: f64 = 0.1;

/// Share of the valid samples whose background shift must have been read for the picture to be steadied on it:
/// where the background is lost often (a plain wall; a barbell's plates, which move with the subject, beyond
/// the subject's box) the shifts that remain are not trusted.
pub const MIN_SHIFT_COVERAGE: f64 = 0.8;
/// The background's shift must span at least this fraction of the standing leg's length in the picture
/// (robust range: 2nd to 98th percentile, either axis) for the picture to be steadied: below it the camera's
/// motion changes no depth by more than a percent of leg, and correcting for it would add its noise.
pub const MIN_CAMERA_MOVE_LEG: f64 = 0.01;
/// Half-width (seconds) of the running median taken of the background's shift: one frame's mismatch (another
/// person crossing behind) is dropped.
pub const SHIFT_SMOOTH_HALF_S: f64 = 0.1;

/// Moves every image point of `c` back by the background's shift (the camera's motion, read on `raw`'s frames)
/// where it is read on enough of the clip and moved far enough ([`MIN_SHIFT_COVERAGE`], [`MIN_CAMERA_MOVE_LEG`]);
/// returns how far it moved (robust range, the larger axis, fraction of the leg), or `None` when nothing was done.
/// `coverage` is [`background_coverage`] of `c` and `raw`.
pub(crate) fn on_background(c: &mut Cleaned, raw: &Raw, leg_px: f64, coverage: f64) -> Option<f64> {
    let n = c.len();
    let shift_of = |i: usize| shift_at(c, raw, i);
    if coverage < MIN_SHIFT_COVERAGE || leg_px <= 0.0 {
        return None;
    }
    let half = (SHIFT_SMOOTH_HALF_S * c.rate_hz).round() as usize;
    let axes = [0, 1].map(|axis| {
        let v: Vec<Option<f64>> = (0..n).map(|i| shift_of(i).map(|s| s[axis])).collect();
        held(&running_median(&v, half))
    });
    // Per axis: the robust range (2nd to 98th percentile) and the median the points are steadied toward.
    let spread = axes.each_ref().map(|a| {
        let at = |p: f64| percentile(a, p).unwrap_or(0.0);
        (at(98.0) - at(2.0), at(50.0))
    });
    let moved = spread[0].0.max(spread[1].0) / leg_px;
    if moved < MIN_CAMERA_MOVE_LEG {
        return None;
    }
    let centre = spread.map(|s| s.1);
    for series in &mut c.img_series {
        for (axis, values) in series.iter_mut().enumerate() {
            values.iter_mut().zip(&axes[axis]).for_each(|(v, s)| *v -= s - centre[axis]);
        }
    }
    Some(moved)
}

/// Share of `c`'s valid samples whose background shift was read (0 when none is valid).
pub(crate) fn background_coverage(c: &Cleaned, raw: &Raw) -> f64 {
    let valid = (0..c.len()).filter(|&i| c.valid[i]).count();
    let seen = (0..c.len()).filter(|&i| c.valid[i] && shift_at(c, raw, i).is_some()).count();
    if valid == 0 {
        0.0
    } else {
        seen as f64 / valid as f64
    }
}

/// The background's shift read on the source frame of `c`'s sample `i`, if it was read.
fn shift_at(c: &Cleaned, raw: &Raw, i: usize) -> Option<[f64; 2]> {
    raw.frame.binary_search(&c.frame[i]).ok().and_then(|k| raw.camera_shift[k])
}

/// `v` with every gap filled by the nearest value before it (or, at the start, after it); zeros when empty.
fn held(v: &[Option<f64>]) -> Vec<f64> {
    let first = v.iter().flatten().next().copied().unwrap_or(0.0);
    let mut last = first;
    v.iter()
        .map(|x| {
            if let Some(x) = x {
                last = *x;
            }
            last
        })
        .collect()
}

/// Moves every image point of `c` back by the camera's offset (`[x, y]` pixels per sample, zero on average over
/// the clip), measured on the planted ankle.
pub(crate) fn steady(c: &mut Cleaned) {
    let n = c.len();
    let half = (ANCHOR_SMOOTH_HALF_S * c.rate_hz).round() as usize;
    let ankle = Sides::from_fn(|side: Side| {
        let series = &c.img_series[2 * Joint::Ankle.index() + side.index()];
        [0, 1].map(|axis| {
            let v: Vec<Option<f64>> =
                (0..n).map(|i| Some(series[axis][i]).filter(|x| c.valid[i] && x.is_finite())).collect();
            running_median(&v, half)
        })
    });
    // How far each ankle moved (x range plus y range) within the window around each sample.
    let w = (ANCHOR_WINDOW_S * c.rate_hz).round() as usize;
    let range = |v: &[Option<f64>], i: usize| range_of(v, i.saturating_sub(w)..=(i + w).min(n - 1));
    let moved = |side: Side, i: usize| -> f64 {
        let [x, y] = &ankle[side];
        range(x, i).zip(range(y, i)).map_or(f64::INFINITY, |(a, b)| a + b)
    };
    let total = |side: Side| (0..n).map(|i| moved(side, i)).filter(|m| m.is_finite()).sum::<f64>();
    let anchor = if total(Side::Left) <= total(Side::Right) { Side::Left } else { Side::Right };
    // A step of the anchor foot is the subject's, not the camera's: over STEP_S it moves at least STEP_LEG of a
    // leg while the other foot moves under a third of that (a camera moves both feet; a single-leg task moves the
    // free foot alone).
    let leg = median_of(
        (0..n).filter(|&i| c.valid[i]).map(|i| dist(c.image(anchor, Joint::Hip, i), c.image(anchor, Joint::Ankle, i))),
    )
    .unwrap_or(f64::INFINITY);
    let step = ((STEP_S * c.rate_hz).round() as usize).max(1);
    let shift = |side: Side, i: usize| -> Option<f64> {
        let (a, b) = (i.saturating_sub(step / 2), (i + step.div_ceil(2)).min(n - 1));
        let [x, y] = &ankle[side];
        Some((x[b]? - x[a]?).hypot(y[b]? - y[a]?))
    };
    let stepping = |i: usize| {
        shift(anchor, i).is_some_and(|m| m >= STEP_LEG * leg && shift(anchor.other(), i).is_some_and(|o| o < m / 3.0))
    };
    let mut offset = vec![[0.0; 2]; n];
    for i in 1..n {
        offset[i] = offset[i - 1];
        if stepping(i) {
            continue;
        }
        for axis in 0..2 {
            if let (Some(now), Some(before)) = (ankle[anchor][axis][i], ankle[anchor][axis][i - 1]) {
                offset[i][axis] += now - before;
            }
        }
    }
    for axis in 0..2 {
        let mean = offset.iter().map(|o| o[axis]).sum::<f64>() / n.max(1) as f64;
        offset.iter_mut().for_each(|o| o[axis] -= mean);
    }
    for series in &mut c.img_series {
        for (axis, values) in series.iter_mut().enumerate() {
            values.iter_mut().zip(&offset).for_each(|(v, o)| *v -= o[axis]);
        }
    }
}
