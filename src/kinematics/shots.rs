//! Camera cuts: where an edited clip (an instructional video) goes from one shot to the next, framed anew.
//!
//! A cut moves the subject in the picture in one frame further than a body moves, changes its size in one
//! frame, or turns it by a right angle (a front shot to a side shot), while the frames either side move little.
//! Found on the track's own points, before cleaning smooths the jump into a ramp. The standing level of a shot
//! is taken within that shot: framed higher in the next shot, the subject would otherwise read deep in this one.

use super::input::Raw;
use super::yaw::hip_yaw_deg;
use super::*;

/// A cut moves the hip midpoint at least this many trunk lengths between two frames ...
pub const CUT_MIN_JUMP_TRUNK: f64 = 0.5;
/// ... or changes the trunk's length in the picture by this factor (either way) ...
pub const CUT_MIN_SCALE: f64 = 1.25;
/// ... or turns the world hip line by at least this many degrees (and at most 180 less: a left/right label
/// swap turns it by half a turn, a cut from a front to a side shot by about a quarter).
pub const CUT_MIN_TURN_DEG: f64 = 45.0;
/// ... while each of the steps between the [`CUT_CONTEXT`] frames either side changes it by at most this
/// share of the cut's change (a body moving fast moves as far on the frames next to it).
pub const CUT_MAX_CONTEXT_SHARE: f64 = 0.2;
/// Frames either side of a cut whose steps must be small.
pub const CUT_CONTEXT: usize = 3;
/// Frames further apart than this (seconds) are not judged: the subject was not seen in between.
pub const CUT_MAX_GAP_S: f64 = 0.25;

/// One seen frame's hip midpoint, trunk length (pixels), world hip-line angle, and whether its legs are in the
/// picture.
struct Seen {
    t: f64,
    in_frame: bool,
    hip: [f64; 2],
    trunk: f64,
    turn: Option<f64>,
}

/// The grid samples (of `grid_t`) at which a new shot starts, in order.
pub(crate) fn cuts(raw: &Raw, grid_t: &[f64]) -> Vec<usize> {
    let seen: Vec<Seen> = (0..raw.t.len())
        .filter_map(|i| {
            let p = &raw.img[i];
            let mid = |a: [f64; 2], b: [f64; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
            let (hip, shoulders) = (mid(p[0], p[1]), mid(p[10], p[11]));
            let trunk = geometry::dist(hip, shoulders);
            (trunk.is_finite() && trunk > 0.0).then(|| Seen {
                t: raw.t[i],
                in_frame: raw.in_frame[i],
                hip,
                trunk,
                turn: hip_yaw_deg(raw.world[i][0], raw.world[i][1]),
            })
        })
        .collect();
    // Each step's change, as a share of what a cut needs (1 = a cut's worth), per kind.
    let step = |a: &Seen, b: &Seen| -> [f64; 3] {
        let jump = geometry::dist(a.hip, b.hip) / a.trunk.min(b.trunk) / CUT_MIN_JUMP_TRUNK;
        let scale = (b.trunk / a.trunk).ln().abs() / CUT_MIN_SCALE.ln();
        let turn = a.turn.zip(b.turn).map_or(0.0, |(x, y)| {
            let d = (y - x + 180.0).rem_euclid(360.0) - 180.0;
            // Near half a turn is a label swap, not a cut.
            d.abs().min(180.0 - d.abs()) / CUT_MIN_TURN_DEG
        });
        [jump, scale, turn]
    };
    let steps: Vec<Option<[f64; 3]>> =
        seen.windows(2).map(|w| (w[1].t - w[0].t <= CUT_MAX_GAP_S).then(|| step(&w[0], &w[1]))).collect();
    let mut out = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        let Some(s) = s else { continue };
        let (lo, hi) = (k.saturating_sub(CUT_CONTEXT), (k + CUT_CONTEXT + 1).min(steps.len()));
        let calm = |kind: usize| {
            (lo..hi).filter(|&j| j != k).all(|j| steps[j].is_some_and(|o| o[kind] <= CUT_MAX_CONTEXT_SHARE * s[kind]))
        };
        // The new shot shows the legs: a subject leaving the picture leaves BlazePose guessing them, in jumps.
        if seen[k + 1].in_frame && (0..3).any(|kind| s[kind] >= 1.0 && calm(kind)) {
            let t = seen[k + 1].t;
            let i = grid_t.partition_point(|&g| g < t);
            if i > 0 && i < grid_t.len() && out.last() != Some(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// The range of samples of the shot that holds sample `i`, in a clip of `n` samples cut at `cuts`.
pub(crate) fn shot_of(cuts: &[usize], i: usize, n: usize) -> std::ops::Range<usize> {
    let k = cuts.partition_point(|&c| c <= i);
    let start = if k == 0 { 0 } else { cuts[k - 1] };
    let end = cuts.get(k).copied().unwrap_or(n);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shots_hold_their_samples() {
        assert_eq!(shot_of(&[], 5, 10), 0..10);
        assert_eq!(shot_of(&[4, 8], 3, 10), 0..4);
        assert_eq!(shot_of(&[4, 8], 4, 10), 4..8);
        assert_eq!(shot_of(&[4, 8], 9, 10), 8..10);
    }
}
