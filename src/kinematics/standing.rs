//! Standing references (segment lengths, hip height, stance width, the local standing level) and camera roll
//! from the standing frames.
//!
//! In: clean per-sample leg points. Out: [`Standing`], the per-sample standing level, and a roll estimate with
//! the cues it rests on.

use serde::{Deserialize, Serialize};

use super::clean::Cleaned;
use super::geometry::{dist, median_of, midpoint, percentile};
use super::side::{Leg, LegPoints, Side, Sides};
use super::types::Unavailable;

/// Standing samples: hip within this fraction of the leg length of its highest (5th percentile) position.
pub const STANDING_BAND: f64 = 0.03;

/// Percentile of hip height taken as the standing level.
pub const STANDING_PERCENTILE: f64 = 5.0;

/// Camera roll larger than this is not believed (a raised foot, a step or a slope under the heels) and is not
/// corrected.
pub const MAX_ROLL_DEG: f64 = 15.0;

/// A roll cue agrees with a frame's estimate (the median of its cues) within this (degrees). A real camera roll
/// turns every cue alike; a turned or raised foot, a sideways lean, a tilted pelvis or a step moves one or two.
/// On the rendered clips the cues' own errors stay within about 3° of the truth (the heel line reads up to 2.9°
/// off at 10° of yaw filmed from chest height, where the perspective tilts the floor), so 3° keeps those frames.
pub const ROLL_AGREE_DEG: f64 = 3.0;

/// A frame counts for the roll when all of its cues but this many agree with their median: one cue may be off
/// (a turned-out foot moves the heel line), two may not (a raised foot moves both foot lines, and then the
/// median is no longer a majority's).
pub const ROLL_MAX_ODD_CUES: usize = 1;

/// Fewest cues a frame must have for its roll to count (a missing shoulder leaves four).
pub const ROLL_MIN_CUES: usize = 4;

/// Fewest standing samples the roll is estimated from.
pub const MIN_ROLL_SAMPLES: usize = 5;

/// At least this fraction of the standing frontal frames must have consistent cues for the roll to be corrected:
/// otherwise the feet are mostly not both planted (a step, a table, a single-leg stance) or the body is not
/// upright, and the lines say nothing sure about the camera.
pub const ROLL_MIN_FLAT_FRACTION: f64 = 0.5;

/// Names of the roll cues, in the order they are read (heel, ankle and hip lines; body and trunk axes).
pub const ROLL_CUE_NAMES: [&str; 5] = ["heel line", "ankle line", "hip line", "body axis", "trunk axis"];

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
    /// Enough standing frames whose cues agree.
    Agreed {
        /// Camera roll, degrees (positive = the image is turned clockwise).
        roll_deg: f64,
        /// How far the cues' medians lie from it on average (degrees): the estimate's uncertainty.
        spread_deg: f64,
    },
    /// The cues disagree on too many frames: each cue's median over the standing frames (`NaN` when missing).
    Disagree {
        /// Per cue, in the order of [`ROLL_CUE_NAMES`].
        cues_deg: [f64; 5],
    },
    /// Too few frontal standing frames.
    NoStanding,
}

/// The roll cues of one standing frame (degrees; a picture turned clockwise by θ reads θ on each): three lines
/// that are level in a square standing body (heels, ankles, hips; folded so front and back views agree) and two
/// axes that are vertical (ankle midpoint to hip midpoint, hip midpoint to shoulder midpoint). `NaN` where a
/// point is missing.
pub(crate) fn roll_cues(p: &LegPoints, shoulders: Sides<[f64; 2]>) -> [f64; 5] {
    let fold = |a: f64| {
        if a > std::f64::consts::FRAC_PI_2 {
            a - std::f64::consts::PI
        } else if a < -std::f64::consts::FRAC_PI_2 {
            a + std::f64::consts::PI
        } else {
            a
        }
    };
    let line = |l: [f64; 2], r: [f64; 2]| fold((l[1] - r[1]).atan2(l[0] - r[0])).to_degrees();
    let axis = |low: [f64; 2], high: [f64; 2]| (high[0] - low[0]).atan2(low[1] - high[1]).to_degrees();
    let (l, r) = (p.left(), p.right());
    let hip = midpoint(l.hip, r.hip);
    [
        line(l.heel, r.heel),
        line(l.ankle, r.ankle),
        line(l.hip, r.hip),
        axis(midpoint(l.ankle, r.ankle), hip),
        axis(hip, midpoint(shoulders[Side::Left], shoulders[Side::Right])),
    ]
}

/// Camera roll from the cues of the standing frames `idx` ([`roll_cues`]). A frame counts when all its cues but
/// [`ROLL_MAX_ODD_CUES`] agree with their median within [`ROLL_AGREE_DEG`]; the roll is the median of those
/// frames' medians. A median of five cues lets any one or two be off (BlazePose's heels, a turned-out foot, a
/// tilted pelvis) without moving the estimate much; on the rendered clips the heel line alone was off by up to
/// 2.9°, the median of five by at most 0.5°.
pub(crate) fn estimate_roll(idx: &[usize], cues: &dyn Fn(usize) -> [f64; 5]) -> RollEstimate {
    let frames: Vec<[f64; 5]> = idx.iter().map(|&i| cues(i)).collect();
    let usable: Vec<(f64, &[f64; 5])> = frames
        .iter()
        .filter_map(|c| {
            let present: Vec<f64> = c.iter().copied().filter(|v| v.is_finite()).collect();
            (present.len() >= ROLL_MIN_CUES).then(|| median_of(present.iter().copied()).map(|m| (m, c))).flatten()
        })
        .collect();
    if usable.len() < MIN_ROLL_SAMPLES {
        return RollEstimate::NoStanding;
    }
    let consistent: Vec<(f64, &[f64; 5])> = usable
        .iter()
        .copied()
        .filter(|(m, c)| {
            let present = c.iter().filter(|v| v.is_finite()).count();
            let agree = c.iter().filter(|v| (*v - m).abs() <= ROLL_AGREE_DEG).count();
            agree + ROLL_MAX_ODD_CUES >= present
        })
        .collect();
    let cue_medians = |set: &[(f64, &[f64; 5])]| -> [f64; 5] {
        std::array::from_fn(|k| median_of(set.iter().map(|(_, c)| c[k]).filter(|v| v.is_finite())).unwrap_or(f64::NAN))
    };
    if consistent.len() >= MIN_ROLL_SAMPLES && consistent.len() as f64 >= ROLL_MIN_FLAT_FRACTION * usable.len() as f64 {
        if let Some(roll_deg) = median_of(consistent.iter().map(|(m, _)| *m)) {
            let medians = cue_medians(&consistent);
            let dev: Vec<f64> = medians.iter().filter(|v| v.is_finite()).map(|v| (v - roll_deg).abs()).collect();
            let spread_deg = dev.iter().sum::<f64>() / dev.len().max(1) as f64;
            return RollEstimate::Agreed { roll_deg, spread_deg };
        }
    }
    RollEstimate::Disagree { cues_deg: cue_medians(&usable) }
}

/// The roll to remove (degrees), its uncertainty (the cues' spread; `None` when nothing is removed), and the
/// reason when none is removed: the cues disagree, there is no frontal standing, or they agree on more than
/// [`MAX_ROLL_DEG`] (a slope or a lean, not a camera).
pub(crate) fn roll_correction(estimate: RollEstimate) -> (f64, Option<f64>, Option<Unavailable>) {
    let note = |reason: String| Some(Unavailable { metric: "roll_deg".into(), reason });
    match estimate {
        RollEstimate::Agreed { roll_deg, spread_deg } if roll_deg.abs() <= MAX_ROLL_DEG => {
            (roll_deg, Some(spread_deg), None)
        }
        RollEstimate::Agreed { roll_deg, .. } => (
            0.0,
            None,
            note(format!("the floor and body tilt {roll_deg:.1} degrees, more than a camera's roll: not corrected")),
        ),
        RollEstimate::Disagree { cues_deg } => {
            let said: Vec<String> = ROLL_CUE_NAMES
                .iter()
                .zip(cues_deg)
                .filter(|(_, v)| v.is_finite())
                .map(|(name, v)| format!("{name} {v:.1}"))
                .collect();
            (
                0.0,
                None,
                note(format!(
                    "camera roll not corrected: the standing frames' level lines and vertical axes disagree ({}; all but one must agree within {ROLL_AGREE_DEG:.0} degrees on half of the frames; feet not both planted, a lean, a step or a slope)",
                    said.join(", ")
                )),
            )
        }
        RollEstimate::NoStanding => {
            (0.0, None, note("too few standing frames in a frontal view: camera roll not corrected".into()))
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

/// Whether any valid sample of `range` has the legs inside the picture. Where one has, the samples without
/// them are no standing: a subject walking out of the picture leaves BlazePose guessing the legs beyond its
/// edge (on a rendered walk-out, hips 130 px above where they stood and legs 130 px long for 290).
fn legs_in_picture(valid: &[bool], in_frame: &[bool], range: std::ops::Range<usize>) -> bool {
    range.into_iter().any(|i| valid[i] && in_frame[i])
}

/// The standing samples, found before roll correction (which changes hip height negligibly): valid samples
/// whose hip midpoint is within [`STANDING_BAND`] of a leg length of its highest ([`STANDING_PERCENTILE`])
/// position, among the samples with the legs in the picture when the clip has any ([`legs_in_picture`]).
/// Frontal and other views are taken apart when the clip has at least [`VIEW_GROUP_MIN_S`] of each: a clip cut
/// from a front shot to a side shot frames the subject differently, and the highest hip of one shot would leave
/// the other without a standing (a real instructional clip, front – side – front: every standing sample came
/// from the side shot, so its front shots had no standing with both feet planted for the camera's yaw).
pub(crate) fn standing_samples(c: &Cleaned, view: &[super::View]) -> Vec<usize> {
    let n = c.len();
    let whole = legs_in_picture(&c.valid, &c.in_frame, 0..n);
    let keep: Vec<usize> = (0..n).filter(|&i| !whole || c.in_frame[i]).collect();
    let min = (VIEW_GROUP_MIN_S * c.rate_hz).ceil() as usize;
    let frontal = |i: &&usize| view.get(**i).is_some_and(|v| v.is_frontal());
    let (front, other): (Vec<usize>, Vec<usize>) = keep.iter().partition(frontal);
    let valid = |g: &[usize]| g.iter().filter(|&&i| c.valid[i]).count();
    let mut out = if valid(&front) >= min && valid(&other) >= min {
        let mut both = standing_among(c, &front);
        both.extend(standing_among(c, &other));
        both
    } else {
        standing_among(c, &keep)
    };
    out.sort_unstable();
    out
}

/// Both a frontal and another view must last this long (seconds of valid samples) for their standings to be
/// found apart ([`standing_samples`]).
pub const VIEW_GROUP_MIN_S: f64 = 2.0;

/// The valid standing samples among the samples `idx`.
fn standing_among(c: &Cleaned, idx: &[usize]) -> Vec<usize> {
    let legs: Vec<LegPoints> = idx.iter().map(|&i| c.legs_at(i)).collect();
    let hip_y: Vec<f64> = legs.iter().map(hip_mid_y).collect();
    let leg_est = median_of(
        legs.iter().map(|p| (dist(p.left().hip, p.left().ankle) + dist(p.right().hip, p.right().ankle)) / 2.0),
    );
    match (percentile(&hip_y, STANDING_PERCENTILE), leg_est) {
        (Some(top), Some(leg)) => (0..idx.len())
            .filter(|&k| c.valid[idx[k]] && hip_y[k] <= top + STANDING_BAND * leg)
            .map(|k| idx[k])
            .collect(),
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
/// Computed on blocks of [`LOCAL_STANDING_BLOCK_S`], each within its shot (see `shots`). Only samples with the legs inside the picture (`in_frame`)
/// stand for the window where it has any ([`legs_in_picture`]): on a rendered walk-out the standing level taken
/// from the guessed legs made the clip's single-leg squats 30–90 % deep.
pub(crate) fn local_standing(
    points: &[LegPoints],
    valid: &[bool],
    in_frame: &[bool],
    (rate_hz, cuts): (f64, &[usize]),
    leg_global: f64,
) -> Vec<(f64, f64)> {
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
        // Within the shot: the next shot may frame the subject higher or lower. A block ends at a cut.
        let shot = super::shots::shot_of(cuts, start, n);
        let centre = (start + block / 2).min(shot.end - 1);
        let lo = centre.saturating_sub(half).max(shot.start);
        let hi = (centre + half + 1).min(shot.end);
        let block = block.min(shot.end - start);
        let whole = legs_in_picture(valid, in_frame, lo..hi);
        let usable = |i: usize| valid[i] && (!whole || in_frame[i]);
        // Standing is on the floor: samples with both feet off it (a jump's flight) are not candidates, or the
        // apex of a jump squat becomes "standing" and every rep looks 70-80 % deep.
        let floor = Sides::from_fn(|side| {
            let ankles: Vec<f64> = (lo..hi).filter(|&i| usable(i)).map(|i| points[i][side].ankle[1]).collect();
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
        let down = |j: usize| usable(j) && !up[j - ext_lo];
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
        let ys: Vec<f64> = (lo..hi).filter(|&i| usable(i) && grounded(i)).map(|i| hip_y[i]).collect();
        let value = percentile(&ys, STANDING_PERCENTILE).map_or((f64::NAN, 0.0), |top| {
            let near = (lo..hi)
                .filter(|&i| usable(i) && grounded(i) && hip_y[i] <= top + STANDING_BAND * leg_global)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A square standing figure seen from the front (the subject's left on the image's right), turned clockwise by
    /// `roll_deg` about (300, 300); `lift` raises the left heel and ankle (pixels) and `heel_out` moves the left
    /// heel down (pixels: a turned-out foot whose heel BlazePose places lower).
    fn standing(roll_deg: f64, lift: f64, heel_out: f64) -> [f64; 5] {
        let (s, c) = roll_deg.to_radians().sin_cos();
        let turn =
            |x: f64, y: f64| [300.0 + c * (x - 300.0) - s * (y - 300.0), 300.0 + s * (x - 300.0) + c * (y - 300.0)];
        let leg = |x: f64, up: f64, heel: f64| Leg {
            hip: turn(x, 200.0),
            knee: turn(x, 350.0),
            ankle: turn(x, 500.0 - up),
            heel: turn(x, 510.0 - up + heel),
            toe: turn(x + 5.0, 520.0 - up),
        };
        let points = Sides::new(leg(340.0, lift, heel_out), leg(260.0, 0.0, 0.0));
        roll_cues(&points, Sides::new(turn(360.0, 0.0), turn(240.0, 0.0)))
    }

    #[test]
    fn every_cue_reads_the_turn_of_a_square_figure() {
        for roll in [-10.0, -4.0, 0.0, 7.0] {
            for (name, cue) in ROLL_CUE_NAMES.iter().zip(standing(roll, 0.0, 0.0)) {
                assert!((cue - roll).abs() < 1e-9, "{name}: {cue} for {roll}");
            }
            let est = estimate_roll(&(0..20).collect::<Vec<_>>(), &|_| standing(roll, 0.0, 0.0));
            let RollEstimate::Agreed { roll_deg, spread_deg } = est else { panic!("{est:?}") };
            assert!((roll_deg - roll).abs() < 1e-9 && spread_deg < 1e-9, "{est:?} for {roll}");
        }
    }

    #[test]
    fn one_odd_cue_does_not_move_the_roll() {
        // The heel line alone reads 4.8 degrees off (a turned-out foot): the roll stays the figure's.
        let cues = standing(5.0, 0.0, 7.0);
        assert!((cues[0] - 5.0).abs() > 4.0, "{cues:?}");
        let RollEstimate::Agreed { roll_deg, spread_deg } = estimate_roll(&(0..20).collect::<Vec<_>>(), &|_| cues)
        else {
            panic!("the other four cues agree");
        };
        assert!((roll_deg - 5.0).abs() < 1e-9, "{roll_deg}");
        assert!(spread_deg > 0.5, "the odd cue shows in the uncertainty: {spread_deg}");
    }

    #[test]
    fn a_raised_foot_leaves_the_roll_uncorrected_and_says_why() {
        // The left foot 20 px up (on a step): both foot lines tilt about 14 degrees, the body stays square.
        let est = estimate_roll(&(0..20).collect::<Vec<_>>(), &|_| standing(0.0, 20.0, 0.0));
        let RollEstimate::Disagree { cues_deg } = est else { panic!("{est:?}") };
        assert!(cues_deg[0].abs() > 10.0 && cues_deg[2].abs() < 1e-9, "{cues_deg:?}");
        let (roll, uncertainty, note) = roll_correction(est);
        assert_eq!((roll, uncertainty), (0.0, None));
        let why = note.expect("a reason").reason;
        assert!(why.contains("heel line -14") && why.contains("not corrected"), "{why}");
    }

    #[test]
    fn too_few_frames_or_cues_give_no_roll() {
        assert_eq!(estimate_roll(&[0, 1, 2], &|_| standing(3.0, 0.0, 0.0)), RollEstimate::NoStanding);
        // Without shoulders and one foot line, three cues are not enough for a frame.
        let mut cues = standing(3.0, 0.0, 0.0);
        cues[1] = f64::NAN;
        cues[4] = f64::NAN;
        assert_eq!(estimate_roll(&(0..20).collect::<Vec<_>>(), &|_| cues), RollEstimate::NoStanding);
        // With one cue missing the other four still decide.
        cues[1] = 3.0;
        assert!(matches!(estimate_roll(&(0..20).collect::<Vec<_>>(), &|_| cues), RollEstimate::Agreed { .. }));
    }

    #[test]
    fn legs_guessed_beyond_the_picture_do_not_set_the_standing_level() {
        // 10 s at 30 Hz standing with the hips at y 400 and the ankles at 700; from 6 s the subject has left the
        // picture and BlazePose guesses a short body above it (hips at 270, legs 130 px).
        let leg = |hip: f64, ankle: f64, x: f64| Leg {
            hip: [x, hip],
            knee: [x, (hip + ankle) / 2.0],
            ankle: [x, ankle],
            heel: [x, ankle + 5.0],
            toe: [x + 5.0, ankle + 10.0],
        };
        let n = 300;
        let out = |i: usize| i >= 180;
        let points: Vec<LegPoints> = (0..n)
            .map(|i| {
                let (h, a) = if out(i) { (270.0, 400.0) } else { (400.0, 700.0) };
                Sides::new(leg(h, a, 340.0), leg(h, a, 260.0))
            })
            .collect();
        let valid = vec![true; n];
        let in_frame: Vec<bool> = (0..n).map(|i| !out(i)).collect();
        let near_exit = 170;
        let (top, length) = local_standing(&points, &valid, &in_frame, (30.0, &[]), 300.0)[near_exit];
        assert!((top - 400.0).abs() < 1.0 && (length - 300.0).abs() < 1.0, "{top} {length}");
        // Without knowing which samples show the legs, the guesses set it.
        let (top, _) = local_standing(&points, &valid, &[true; 300], (30.0, &[]), 300.0)[near_exit];
        assert!(top < 300.0, "{top}");
    }
}
