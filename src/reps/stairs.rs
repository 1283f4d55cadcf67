//! Stairs: whether a clip is a flight of stairs and which way it goes, and its step cycles from foot landings.
//!
//! A flight filmed from the side or from below moves the hip a long way up or down in the picture. Filmed along
//! the flight from its top (the subject climbing toward the camera, or going down away from it) the hip barely
//! moves in the picture: the subject rises while coming nearer a camera that looks down. What tells such a clip
//! from a walk on level ground is the hip's direction in the picture against the subject's growth: walking
//! toward a camera held above the hips lowers the hip in the picture as the subject grows; climbing toward it
//! raises it (and going down and away lowers it as the subject shrinks, where a level walk away raises it).
//!
//! Landings come from each ankle's movement in the picture measured in trunk lengths, so the same rule holds
//! whatever the subject's distance: a foot's movements between two movements of the other foot make one step.

use super::segment::{each_foot_stepped_alone, median_around, size_change, smoothed_ankle};
use super::*;
use crate::kinematics::geometry::{dist, median_of};
use crate::kinematics::pitch::MIN_PITCH_DEG;
use crate::kinematics::{hip_mid_y, FlexionSource};

/// Stairs: the hip's net vertical travel in the picture over the clip must exceed this (% of leg length).
pub const STAIRS_MIN_TRAVEL_PCT: f64 = 60.0;
/// Stairs filmed along the flight: the subject's trunk grows (or shrinks) by more than
/// [`DEPTH_TRAVEL_MAX_RATIO`] over the clip, each foot steps on its own, no squat rep is found, and the hip moves
/// at least this many trunk lengths in the picture the way a level walk cannot: up while the subject comes
/// nearer (an ascent toward a camera at the top of the flight), down while going away (a descent). Rendered
/// flights filmed from their top: 0.53 up while coming 1.6 times nearer, 0.59 down while going 0.62 times as
/// far; a rendered level walk toward an eye-height camera: 0.41 down while coming 1.3 times nearer.
pub const STAIRS_MIN_DEPTH_RISE_TRUNK: f64 = 0.2;
/// Stairs filmed from the side or below: a foot is moving when its vertical speed exceeds this (leg lengths per
/// second).
pub const STAIRS_SWING_SPEED: f64 = 0.4;
/// Stairs filmed from the side or below: a swing counts as a step only when the foot ends at least this far (%
/// of leg length) above or below where it started: a stair's rise is 17–20 cm, 20–25 % of a leg; this is half
/// the smallest.
pub const STAIRS_MIN_FOOT_TRAVEL_PCT: f64 = 10.0;
/// Stairs filmed along the flight: an ankle is moving when it moves faster than this in the picture (trunk lengths per second). Planted
/// feet of the rendered flights move 0.0–0.2; swinging ones peak at 0.5–0.9 filmed from the top of the flight
/// and far faster from the side.
pub const STAIRS_SWING_SPEED_TRUNK: f64 = 0.3;
/// Stairs: a moving foot has landed once it has stayed below [`STAIRS_SWING_SPEED`] (or
/// [`STAIRS_SWING_SPEED_TRUNK`]) this long (seconds):
/// landmark jitter makes a planted foot cross the speed for a frame or two.
pub const STAIRS_MIN_STILL_S: f64 = 0.1;
/// Stairs filmed along the flight: a movement of one foot counts when it takes the ankle at least this far
/// (trunk lengths): smaller ones are jitter.
pub const STAIRS_MIN_MOVE_TRUNK: f64 = 0.03;
/// Stairs filmed along the flight: a movement of one foot counts only when the other ankle ends it less than
/// this share of the moving ankle's reach from where it was (a planted ankle's landmark jumps while the other
/// leg swings past it, and comes back; a body moving as a whole, or a zoom, moves both feet for good). On the
/// rendered flights filmed from their top, steps move the other ankle up to 0.72 of their reach (a stance ankle
/// rising as its heel leaves the step in a descent); movements of both feet alike, 0.74–1.16.
pub const STAIRS_MAX_OTHER_SHARE: f64 = 0.8;
/// Stairs filmed along the flight: a foot's movements between two movements of the other foot, each starting
/// at most [`STAIRS_MAX_STALL_S`] after the one before stopped, are one step (a swing seen from the top of the
/// flight goes up and then down in the picture, and stalls between) when together they take the ankle at least
/// this far from where it started (trunk lengths). Steps filmed from the top of a flight move a foot 0.07–0.5
/// trunk lengths (from the side 0.5–1.3).
pub const STAIRS_MIN_STEP_TRUNK: f64 = 0.06;
/// See [`STAIRS_MIN_STEP_TRUNK`] (seconds). The stall between the two halves of a rendered swing lasts 0.1–0.2 s.
pub const STAIRS_MAX_STALL_S: f64 = 0.3;
/// Stairs: no step cycle is shorter than this (seconds). Fast stair climbing is about 2 steps per second
/// (0.5 s a step); 0.3 s leaves room for running up, and drops the 0.07 s "cycles" that landmark jitter made on
/// a real phone clip.
pub const STAIRS_MIN_STEP_S: f64 = 0.3;

/// How a clip reads as stairs: its direction, and whether the subject travels toward or away from the camera
/// (filmed along the flight) rather than up or down in the picture.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StairClip {
    /// Climbing (else descending).
    pub(crate) ascent: bool,
    /// Filmed along the flight: the subject's size in the picture changes over the clip.
    pub(crate) along: bool,
    /// Why the clip is stairs and which way, in words.
    pub(crate) reason: String,
}

/// Net vertical travel of the hip midpoint over the clip (first tenth against last tenth of the samples), % of
/// the standing leg length, positive upward (a stair ascent).
/// In a clip cut into shots, the travels within each shot are summed: a cut frames the subject anew.
pub(crate) fn hip_travel_pct(s: &Signals) -> Option<f64> {
    let st = s.standing?;
    let leg = st.leg_px.left().max(*st.leg_px.right());
    if leg <= 0.0 {
        return None;
    }
    let n = s.points.len();
    let starts = std::iter::once(0).chain(s.cuts.iter().copied().filter(|&c| c < n));
    let travels: Vec<f64> = starts
        .filter_map(|a| {
            let shot = crate::kinematics::shot_of(&s.cuts, a, n);
            let y: Vec<f64> = s.points[shot].iter().map(hip_mid_y).filter(|v| v.is_finite()).collect();
            let k = (y.len() / 10).max(1);
            (y.len() >= 2 * k).then(|| {
                let head = y[..k].iter().sum::<f64>() / k as f64;
                let tail = y[y.len() - k..].iter().sum::<f64>() / k as f64;
                (head - tail) / leg * 100.0
            })
        })
        .collect();
    (!travels.is_empty()).then(|| travels.iter().sum())
}

/// A clip whose hip travels far up or down in the picture: stairs, that way.
pub(crate) fn vertical_stairs(s: &Signals) -> Option<StairClip> {
    let travel = hip_travel_pct(s).filter(|t| t.abs() >= STAIRS_MIN_TRAVEL_PCT)?;
    Some(StairClip {
        ascent: travel > 0.0,
        along: false,
        reason: format!(
            "the hip travels {:.0} % of leg length over the clip ({})",
            travel.abs(),
            if travel > 0.0 { "up: ascent" } else { "down: descent" }
        ),
    })
}

/// A flight filmed along its length (see [`STAIRS_MIN_DEPTH_RISE_TRUNK`]): the subject comes nearer or goes
/// away stepping one foot at a time, and the hip moves in the picture the way a level walk cannot. Not when the
/// camera is measured level (a pitch under [`MIN_PITCH_DEG`] while the subject stood): a camera at the top of a
/// flight looks down onto the climber (the rendered ascents read 9.6–45°), while a level walk toward a camera
/// below the hips, which moves the hip in the picture as a climb does, reads about 0° (0.4° on the rendered one
/// filmed from 0.5 m; 5.4° on one from 0.3 m, a thin margin). From behind the pitch is not measured and the
/// hip's movement decides alone.
pub(crate) fn along_stairs(s: &Signals) -> Option<StairClip> {
    if s.camera_pitch_deg.is_some_and(|p| p < MIN_PITCH_DEG) {
        return None;
    }
    let (ratio, rise) = travel_along(s)?;
    let nearer = ratio > 1.0;
    if (nearer && rise < STAIRS_MIN_DEPTH_RISE_TRUNK) || (!nearer && rise > -STAIRS_MIN_DEPTH_RISE_TRUNK) {
        return None;
    }
    Some(StairClip {
        ascent: nearer,
        along: true,
        reason: format!(
            "the subject {} the camera one foot at a time (trunk {ratio:.2} times as long in the picture at the end) while the hip {} {:.2} trunk lengths in the picture, which a level walk {} does not: {}, filmed from the top of the flight",
            if nearer { "came toward" } else { "went away from" },
            if nearer { "rose" } else { "sank" },
            rise.abs(),
            if nearer { "toward a camera held above the hips" } else { "away from it" },
            if nearer { "ascent" } else { "descent" },
        ),
    })
}

/// The subject's size change over the clip (trunk length at the end over at the start) and the hip's rise in
/// the picture (trunk lengths, up positive), when the size changes by more than [`DEPTH_TRAVEL_MAX_RATIO`] and
/// each foot stepped on its own.
fn travel_along(s: &Signals) -> Option<(f64, f64)> {
    if s.points.len() != s.len() {
        return None;
    }
    let first = (0..s.len()).find(|&i| s.valid[i] && s.trunk_px[i].is_some())?;
    let last = (0..s.len()).rev().find(|&i| s.valid[i] && s.trunk_px[i].is_some())?;
    let ratio = size_change(s, first, last).filter(|r| r.max(1.0 / r) > DEPTH_TRAVEL_MAX_RATIO)?;
    if !each_foot_stepped_alone(s, first, last) {
        return None;
    }
    let around = |i: usize| median_around(s, i, |k| s.valid[k].then(|| hip_mid_y(&s.points[k])));
    let trunk = median_of((first..=last).filter_map(|k| s.trunk_px[k]))?;
    Some((ratio, (around(first)? - around(last)?) / trunk))
}

/// One stair cycle: from a foot's landing to the next landing of the other foot (sample indices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StairCycle {
    /// The landing that starts it.
    pub(crate) start: usize,
    /// The stance leg's deepest bend.
    pub(crate) bottom: usize,
    /// The other foot's landing.
    pub(crate) end: usize,
    /// The leg that landed first and bears the weight.
    pub(crate) stance: Side,
}

/// Landings filmed from the side or below: the ankle moves vertically faster than [`STAIRS_SWING_SPEED`]; it has
/// landed once it has been slower for [`STAIRS_MIN_STILL_S`], and the swing counts only when the foot went up or
/// down by a step's worth ([`STAIRS_MIN_FOOT_TRAVEL_PCT`]).
fn vertical_landings(s: &Signals) -> Vec<(usize, Side)> {
    let dt = 1.0 / s.rate_hz;
    let still_samples = ((STAIRS_MIN_STILL_S * s.rate_hz).round() as usize).max(1);
    let mut landings = Vec::new();
    for side in Side::BOTH {
        let a = &s.legs[side].ankle_drop_pct_leg;
        let mut swing_from: Option<f64> = None;
        let mut still = 0;
        for i in 1..s.len() {
            let (Some(p), Some(c)) = (a[i - 1], a[i]) else { continue };
            if (c - p).abs() / 100.0 / dt > STAIRS_SWING_SPEED {
                swing_from.get_or_insert(p);
                still = 0;
            } else if let Some(from) = swing_from {
                still += 1;
                if still >= still_samples {
                    if (c - from).abs() >= STAIRS_MIN_FOOT_TRAVEL_PCT {
                        landings.push((i + 1 - still, side));
                    }
                    swing_from = None;
                    still = 0;
                }
            }
        }
    }
    landings.sort();
    landings
}

/// One foot's movement: from its first moving sample to where it stopped, and how far it took the ankle from
/// where it started (trunk lengths).
#[derive(Debug, Clone, Copy)]
struct Move {
    from: usize,
    to: usize,
    side: Side,
    reach: f64,
    /// The trunk length (pixels) where it stopped being followed.
    trunk: f64,
}

/// Landings filmed along the flight: each foot's movements in the picture (trunk lengths) that count
/// ([`STAIRS_MIN_MOVE_TRUNK`], [`STAIRS_MAX_OTHER_SHARE`]), those between two of the other foot's taken as one
/// step ([`STAIRS_MIN_STEP_TRUNK`]); a step lands where its last movement stops.
fn along_landings(s: &Signals) -> Vec<(usize, Side)> {
    foot_moves(s).iter().map(|m| (m.to, m.side)).collect()
}

/// The steps of [`along_landings`], in the order they end.
fn foot_moves(s: &Signals) -> Vec<Move> {
    let n = s.len();
    if s.points.len() != n || s.trunk_px.len() != n || n < 2 {
        return Vec::new();
    }
    let ankle = Sides::from_fn(|side| [smoothed_ankle(s, side, 0, 0, n - 1), smoothed_ankle(s, side, 1, 0, n - 1)]);
    let at = |side: Side, i: usize| Some([ankle[side][0][i]?, ankle[side][1][i]?]);
    // How far the ankle got from where it was at `a`, over `a..=b`, in trunk lengths at `b`.
    let reach = |side: Side, a: usize, b: usize, trunk: f64| {
        let Some(p0) = at(side, a) else { return 0.0 };
        (a..=b).filter_map(|i| at(side, i)).map(|p| dist(p, p0)).fold(0.0, f64::max) / trunk
    };
    let still_samples = ((STAIRS_MIN_STILL_S * s.rate_hz).round() as usize).max(1);
    let mut moves = Vec::new();
    for side in Side::BOTH {
        let mut from: Option<usize> = None;
        let mut still = 0;
        for i in 1..n {
            let (Some(p), Some(c), Some(trunk)) = (at(side, i - 1), at(side, i), s.trunk_px[i]) else { continue };
            if dist(p, c) / trunk * s.rate_hz > STAIRS_SWING_SPEED_TRUNK {
                from.get_or_insert(i - 1);
                still = 0;
                continue;
            }
            let Some(a) = from else { continue };
            still += 1;
            if still < still_samples {
                continue;
            }
            let b = i + 1 - still;
            let own = reach(side, a, b, trunk);
            let other = at(side.other(), a).zip(at(side.other(), b)).map_or(f64::INFINITY, |(p, q)| dist(p, q) / trunk);
            if own >= STAIRS_MIN_MOVE_TRUNK && other <= STAIRS_MAX_OTHER_SHARE * own {
                moves.push(Move { from: a, to: b, side, reach: own, trunk });
            }
            from = None;
            still = 0;
        }
    }
    moves.sort_by_key(|m| m.to);
    let stall = (STAIRS_MAX_STALL_S * s.rate_hz).round() as usize;
    join_steps(moves, stall, reach)
}

/// Steps from one foot's movements (`moves`, in the order they end): a foot's movements between two of the
/// other foot's, each starting at most `stall` samples after the one before stopped, are one step, reaching as
/// far as `reach(side, from, to, trunk)` says; a movement of the other foot that starts after such a stall began
/// and ends before the swing does is its planted ankle's landmark jumping while this foot swings past (a real
/// step of the other foot waits for this one to land) and is dropped. Steps reaching less than
/// [`STAIRS_MIN_STEP_TRUNK`] are dropped.
fn join_steps(moves: Vec<Move>, stall: usize, reach: impl Fn(Side, usize, usize, f64) -> f64) -> Vec<Move> {
    let mut steps: Vec<Move> = Vec::new();
    for m in moves {
        if let [.., before, inside] = steps[..] {
            if before.side == m.side && inside.side != m.side && m.from <= before.to + stall && inside.from >= before.to
            {
                steps.pop();
            }
        }
        match steps.last_mut() {
            Some(last) if last.side == m.side && m.from <= last.to + stall => {
                *last = Move { from: last.from, reach: reach(m.side, last.from, m.to, m.trunk), ..m };
            }
            _ => steps.push(m),
        }
    }
    steps.retain(|m| m.reach >= STAIRS_MIN_STEP_TRUNK);
    steps
}

/// Stair cycles: from each foot landing to the next landing of the other foot. `along`: the flight is filmed
/// along its length ([`along_landings`]; else [`vertical_landings`]), where the knee flexion solved from standing
/// segment lengths does not hold (the subject's size changes), so a cycle's deepest bend is where the stance leg
/// is shortest against the trunk.
pub(crate) fn stair_cycles(s: &Signals, along: bool) -> Vec<StairCycle> {
    let landings = if along { along_landings(s) } else { vertical_landings(s) };
    let min_cycle = ((STAIRS_MIN_STEP_S * s.rate_hz).round() as usize).max(2);
    let mut out = Vec::new();
    for w in landings.windows(2) {
        let ((a, side), (b, other)) = (w[0], w[1]);
        // Alternating feet, and no faster than a person can step.
        if side == other || b < a + min_cycle {
            continue;
        }
        let bend = |i: usize| -> Option<f64> {
            if along {
                let p = &s.points[i][side];
                Some(-dist(p.hip, p.ankle) / s.trunk_px[i]?)
            } else {
                s.legs[side].knee_flexion_deg[i]
            }
        };
        let bottom = (a..=b)
            .max_by(|&x, &y| bend(x).unwrap_or(f64::NEG_INFINITY).total_cmp(&bend(y).unwrap_or(f64::NEG_INFINITY)));
        out.push(StairCycle { start: a, bottom: bottom.unwrap_or(a), end: b, stance: side });
    }
    out
}

/// Why a stair step filmed along the flight has no per-leg values: the subject's size in the picture changes from
/// step to step (values read against standing lengths: knee flexion, knee over toe, hip below knee), and the
/// camera looks down the flight onto a bent knee, which tilts its FPPA (rendered ascents: the FPPA genu reads
/// at the stance knee's deepest bend is 7–10° off what a camera square to the subject sees).
pub const ALONG_FLIGHT: &str = "stairs filmed along the flight from its top: the subject's size changes from step to step and the camera looks down onto the bent knee, so no per-leg value is read; film the flight from the front at knee height or from the side";

/// A stair step's knee flexion is read from the side only: from a camera this far (degrees) or nearer to the
/// subject's side. The rendered side views read their yaw 69–92°; from 33° past the side (a flight filmed from
/// behind-oblique) the picture's angle read 18–31° for a stance knee bent about 80°.
pub const STAIRS_FLEXION_MAX_SIDE_OFF_DEG: f64 = 25.0;
/// Why a stair step's knee flexion is left empty away from the side.
pub const STAIRS_FLEXION_SIDE_ONLY: &str = "stairs: knee flexion is read from the side only (from the front or behind the climber's size changes from step to step and the solved flexion erred 12-57 degrees on rendered flights)";

/// Why a stair step's FPPA at 45° or 60° of knee flexion is left empty where the flexion is not read.
pub const STAIRS_FPPA_AT_FLEXION: &str = "stairs: the FPPA at a given knee flexion needs the flexion, which is read from the side only (the FPPA at the stance knee's deepest bend is given)";

/// Leaves the stance leg's knee flexion of a stair step empty unless it was read in the picture from the side
/// (2D, the rep's camera yaw within [`STAIRS_FLEXION_MAX_SIDE_OFF_DEG`] of a side view): from the front the
/// flexion solved from standing segment lengths erred 12–13° on rendered flights (the climber comes nearer or
/// goes away), 1–3° read on a descent's last step; from behind-oblique the picture's angle erred 57°.
/// The FPPA matched to 45° and 60° of flexion goes with it: it is found by the same flexion, so it is read at the
/// wrong moment wherever that flexion is withheld.
pub(crate) fn withhold_flexion_off_side(leg: &mut LegRep, camera_yaw_deg: Option<f64>) {
    let from_side = camera_yaw_deg.is_some_and(|y| (90.0 - y.abs()).abs() <= STAIRS_FLEXION_MAX_SIDE_OFF_DEG);
    if from_side && leg.knee_flexion_source == Some(FlexionSource::Sagittal2d) {
        return;
    }
    if leg.knee_flexion_deg.value.is_some() {
        leg.knee_flexion_deg = Value::absent(STAIRS_FLEXION_SIDE_ONLY);
        leg.knee_flexion_source = None;
    }
    for (value, uncertainty) in [
        (&mut leg.fppa_at_45_deg, &mut leg.fppa_at_45_uncertainty_deg),
        (&mut leg.fppa_at_60_deg, &mut leg.fppa_at_60_uncertainty_deg),
    ] {
        if value.value.is_some() {
            *value = Value::absent(STAIRS_FPPA_AT_FLEXION);
            *uncertainty = None;
        }
    }
}

/// A stair clip's reps, one per cycle ([`stair_cycles`]); `clip`: how the clip reads as stairs, when it
/// does (filmed along the flight, the values read against standing lengths are withheld).
pub(crate) fn stair_reps(s: &Signals, clip: Option<&StairClip>) -> Vec<Rep> {
    let along = clip.is_some_and(|c| c.along);
    stair_cycles(s, along)
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            let ex = Excursion { start: c.start, bottom: c.bottom, end: c.end, complete: true, rising: true };
            // The hip's drop from a standing level means nothing on a flight of stairs: no depth.
            let mut rep = build_rep(s, k + 1, Task::Stairs, Some(c.stance), ex, f64::NAN);
            if along {
                rep.legs[c.stance] = LegRep::withheld(ALONG_FLIGHT);
            } else {
                withhold_flexion_off_side(&mut rep.legs[c.stance], rep.camera_yaw_deg);
            }
            rep
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::{compute_signals, KinematicsConfig};
    use crate::synthetic::{generate, SynthSpec};

    /// A clip's signals where the subject's trunk goes from 100 px to `grow` times that, the hips from y = 400 px
    /// to `400 + hip_dy`, and the feet step in turn (left at 1.0 s, right at 1.8 s, ... four steps), each ankle
    /// rising 15 px in the picture and coming back down, as a step seen from the top of a flight does; the camera
    /// looking down 20° as one on the landing does.
    fn along(grow: f64, hip_dy: f64) -> Signals {
        let (track, _) = generate(&SynthSpec::default());
        let mut s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
        s.camera_pitch_deg = Some(20.0);
        let n = s.len();
        for i in 0..n {
            let t = s.t_s[i];
            let u = i as f64 / (n - 1) as f64;
            s.trunk_px[i] = Some(100.0 * (1.0 + (grow - 1.0) * u));
            for side in Side::BOTH {
                let first = if side == Side::Left { 1.0 } else { 1.8 };
                let lift: f64 = (0..2)
                    .map(|k| first + 1.6 * f64::from(k))
                    .map(|a| if t > a && t < a + 0.4 { (std::f64::consts::PI * (t - a) / 0.4).sin() } else { 0.0 })
                    .sum();
                let x = if side == Side::Left { 300.0 } else { 200.0 };
                s.points[i][side].ankle = [x, 700.0 - 15.0 * lift];
                s.points[i][side].hip = [x, 400.0 + hip_dy * u];
            }
        }
        s
    }

    #[test]
    fn stair_knee_flexion_is_kept_from_the_side_only() {
        let leg = |source: FlexionSource| {
            let mut l = LegRep::withheld("none");
            l.knee_flexion_deg = Value { value: Some(70.0), at: None, reason: None };
            l.knee_flexion_source = Some(source);
            l.fppa_at_45_deg = Value { value: Some(6.0), at: None, reason: None };
            l.fppa_at_45_uncertainty_deg = Some(2.0);
            l
        };
        // From the side, either way round, within 25 degrees: kept.
        for yaw in [90.0, -70.0, 112.0] {
            let mut l = leg(FlexionSource::Sagittal2d);
            withhold_flexion_off_side(&mut l, Some(yaw));
            assert_eq!(l.knee_flexion_deg.value, Some(70.0), "yaw {yaw}");
        }
        // Behind-oblique, from the front, no yaw, or solved rather than seen: empty with the reason.
        for (yaw, source) in [
            (Some(123.0), FlexionSource::Sagittal2d),
            (Some(0.0), FlexionSource::SegmentLengths),
            (None, FlexionSource::Sagittal2d),
            (Some(85.0), FlexionSource::World3d),
        ] {
            let mut l = leg(source);
            withhold_flexion_off_side(&mut l, yaw);
            assert_eq!(l.knee_flexion_deg.value, None, "{yaw:?} {source:?}");
            assert_eq!(l.knee_flexion_deg.reason.as_deref(), Some(STAIRS_FLEXION_SIDE_ONLY));
            assert_eq!(l.knee_flexion_source, None);
            assert_eq!(l.fppa_at_45_deg.value, None, "{yaw:?} {source:?}");
            assert_eq!(l.fppa_at_45_deg.reason.as_deref(), Some(STAIRS_FPPA_AT_FLEXION));
            assert_eq!(l.fppa_at_45_uncertainty_deg, None);
        }
        // An FPPA the knee never reached keeps its own reason.
        let mut l = leg(FlexionSource::SegmentLengths);
        l.fppa_at_60_deg = Value::absent("the knee did not reach 60 degrees");
        withhold_flexion_off_side(&mut l, Some(0.0));
        assert_eq!(l.fppa_at_60_deg.reason.as_deref(), Some("the knee did not reach 60 degrees"));
    }

    #[test]
    fn a_planted_ankle_jumping_while_the_other_foot_swings_is_no_step() {
        // The left foot's swing in two halves, each too short for a step (0.05 trunk lengths), with a stall of
        // 7 samples between them, during which the right ankle's landmark jumps 0.066 and comes back; then the
        // right foot's real step, 12 samples after the left landed.
        let mv = |side, from, to, reach| Move { from, to, side, reach, trunk: 100.0 };
        let moves = vec![
            mv(Side::Left, 30, 35, 0.05),
            mv(Side::Right, 37, 42, 0.066),
            mv(Side::Left, 42, 45, 0.04),
            mv(Side::Right, 57, 70, 0.18),
        ];
        // The whole swing reaches 0.07 from where it started.
        let reach = |_: Side, from: usize, to: usize, _: f64| if (from, to) == (30, 45) { 0.07 } else { 0.0 };
        let steps = join_steps(moves.clone(), 9, reach);
        let ends: Vec<(Side, usize)> = steps.iter().map(|m| (m.side, m.to)).collect();
        assert_eq!(ends, vec![(Side::Left, 45), (Side::Right, 70)], "{steps:?}");
        // With a stall longer than `stall`, the halves stay apart: the right ankle's movement is then a step.
        let steps = join_steps(moves, 5, reach);
        let ends: Vec<(Side, usize)> = steps.iter().map(|m| (m.side, m.to)).collect();
        assert_eq!(ends, vec![(Side::Right, 42), (Side::Right, 70)], "{steps:?}");
    }

    #[test]
    fn a_flight_filmed_from_its_top_against_a_level_walk() {
        // Coming 1.6 times nearer while the hips rise 60 px in the picture: an ascent toward the camera.
        let mut up = along(1.6, -60.0);
        let clip = along_stairs(&up).expect("stairs");
        assert!(clip.ascent && clip.along, "{clip:?}");
        // The same picture from a camera measured level is a walk toward a camera below the hips; from behind
        // (no pitch read) the hip decides alone.
        up.camera_pitch_deg = Some(0.5);
        assert!(along_stairs(&up).is_none());
        up.camera_pitch_deg = None;
        assert!(along_stairs(&up).is_some());
        up.camera_pitch_deg = Some(20.0);
        let cycles = stair_cycles(&up, true);
        let stances: Vec<Side> = cycles.iter().map(|c| c.stance).collect();
        assert_eq!(stances, vec![Side::Left, Side::Right, Side::Left], "{cycles:?}");
        for c in &cycles {
            let start = up.t_s[c.start];
            assert!([1.4, 2.2, 3.0].iter().any(|l| (start - l).abs() < 0.15), "cycle from {start} s");
        }
        // Going away while the hips sink: a descent from the top of the flight.
        let down = along(1.0 / 1.6, 60.0);
        assert!(along_stairs(&down).is_some_and(|c| !c.ascent));
        // The same steps coming nearer while the hips go down in the picture (a level walk toward a camera held
        // above them), or going away while they rise: not stairs.
        assert_eq!(along_stairs(&along(1.6, 40.0)), None);
        assert_eq!(along_stairs(&along(1.0 / 1.6, -40.0)), None);
        // No size change (stepping in place): not stairs filmed along the flight.
        assert_eq!(along_stairs(&along(1.0, -60.0)), None);
    }
}
