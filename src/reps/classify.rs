//! What a rep is: a lunge from where the knees and feet sit at the bottom (`lunge_front`), otherwise the task
//! and stance leg from what the feet do ([`stance_of`]); the data quality, and the gate that flags a rep the
//! findings must not rest on ([`flag_of`]).

use super::*;
use crate::kinematics::filter::range_of;
use crate::kinematics::geometry::median_of;

/// A lunge or split squat lowers the back knee toward the floor while the front knee stays at about shank
/// height: at the bottom the two knees' heights in the picture differ by at least this fraction of the standing
/// leg length. Chosen on the real clips at hand (both halves of the development clips were looked at; see
/// docs/metrics.md) and the rendered lunges: a static split squat filmed 45° oblique 0.55, alternating forward
/// lunges from the side 0.39–0.59, rendered split squats 0.24 (hip drop 22 % of leg, from the front; 0.25 missed
/// it) to 0.51; bilateral squats 0.00–0.17 (jump squats from the side, the far knee guessed), step-downs
/// 0.01–0.06. A single-leg squat's lifted knee is higher too (0.26–0.36), but its foot is off the floor
/// ([`LUNGE_MAX_FRONT_ANKLE_RISE`]).
pub const LUNGE_MIN_KNEE_STEP: f64 = 0.2;
/// In a lunge both feet stay on the floor: at the bottom the front (higher-knee) leg's ankle is no more than
/// this far (% of leg) above where it stood, and the back one no more than [`LUNGE_MAX_BACK_ANKLE_DROP`] below.
/// Each ankle is compared with its own standing place, so the rule holds from the front, the side and behind.
/// Measured at the bottom of the rendered and real lunges: front ankle −10.2 to −0.8 (the foot nearer or further
/// than the hip moves in the picture), back ankle −21.5 to +3.2 (its heel rises); the lifted free foot of a
/// single-leg squat (its knee also the higher) −27.7 to −35.7.
pub const LUNGE_MAX_FRONT_ANKLE_RISE: f64 = 18.0;
/// See [`LUNGE_MAX_FRONT_ANKLE_RISE`]: a pistol squat's free foot held forward, low in the picture, and a
/// step-down's lowered free foot sit 9–22 % of leg below their standing place; a lunge's back foot at most 3.2.
pub const LUNGE_MAX_BACK_ANKLE_DROP: f64 = 8.0;

/// The median over `window` of how much lower the left knee is than the right in the picture (a fraction of the
/// standing leg length).
fn knee_step(s: &Signals, window: std::ops::RangeInclusive<usize>) -> Option<f64> {
    let st = s.standing?;
    let leg = (st.leg_px[Side::Left] + st.leg_px[Side::Right]) / 2.0;
    median_of(window.filter_map(|i| s.points.get(i)).map(|p| (p[Side::Left].knee[1] - p[Side::Right].knee[1]) / leg))
}

/// The leg with the higher knee for a [`knee_step`] (the front leg of a lunge).
fn higher_knee(step: f64) -> Side {
    if step > 0.0 {
        Side::Right
    } else {
        Side::Left
    }
}

/// The front leg of a lunge or split squat (the rep's loaded leg), when the rep is one: at its bottom one knee
/// sits [`LUNGE_MIN_KNEE_STEP`] lower than the other (the back knee, lowered toward the floor), and neither foot
/// has left the floor ([`LUNGE_MAX_FRONT_ANKLE_RISE`], [`LUNGE_MAX_BACK_ANKLE_DROP`]).
pub(crate) fn lunge_front(s: &Signals, start: usize, bottom: usize, end: usize) -> Option<Side> {
    let window = bottom_phase(s, bottom, start, end);
    let knee = knee_step(s, window.clone())?;
    let front = higher_knee(knee);
    let ankle = |side: Side| median_of(window.clone().filter_map(|i| s.legs[side].ankle_drop_pct_leg[i]));
    let (front_drop, back_drop) = (ankle(front)?, ankle(front.other())?);
    (knee.abs() >= LUNGE_MIN_KNEE_STEP
        && front_drop >= -LUNGE_MAX_FRONT_ANKLE_RISE
        && back_drop <= LUNGE_MAX_BACK_ANKLE_DROP)
        .then_some(front)
}

/// The front leg of a rep the user says is a lunge: the leg whose knee is higher at the bottom (`None` without
/// standing references or knees).
pub(crate) fn front_leg(s: &Signals, start: usize, bottom: usize, end: usize) -> Option<Side> {
    knee_step(s, bottom_phase(s, bottom, start, end)).map(higher_knee)
}

/// Knee flexion of a lunge's front leg seen from the front or behind is left empty, with the FPPA read at 45° and
/// 60° of it: its thigh points at the camera, and the flexion solved from the segments' foreshortening read
/// 10–31° short on every rendered lunge filmed so (true 80–95°). From the side it is measured in the picture.
pub(crate) fn withhold_lunge_flexion(leg: &mut LegRep) {
    const WHY: &str = "lunge filmed from the front or behind: the front thigh points at the camera and its knee flexion (and the FPPA at 45 and 60 degrees of it) cannot be read; film from the side for knee flexion";
    leg.knee_flexion_deg = Value::absent(WHY);
    leg.knee_flexion_source = None;
    leg.fppa_at_45_deg = Value::absent(WHY);
    leg.fppa_at_45_uncertainty_deg = None;
    leg.fppa_at_60_deg = Value::absent(WHY);
    leg.fppa_at_60_uncertainty_deg = None;
}

/// Which leg is planted during a rep, and what the free foot does: `(stance, task)`.
pub(crate) fn stance_of(s: &Signals, start: usize, bottom: usize, end: usize) -> Option<(Side, Task)> {
    // From the side the far foot is hidden and its landmark wanders: do not read a lifted foot into it.
    if majority_view(&s.view[start..=end]).is_sagittal() {
        return None;
    }
    let moves = s.legs.as_ref().map(|leg| range_of(&leg.ankle_drop_pct_leg, start..=end));
    let (l, r) = ((*moves.left())?, (*moves.right())?);
    let (stance, free_move, stance_move) = if l <= r { (Side::Left, r, l) } else { (Side::Right, l, r) };
    let free = stance.other();
    let free_at_bottom = s.legs[free].ankle_drop_pct_leg[bottom]?;
    let stance_at_bottom = s.legs[stance].ankle_drop_pct_leg[bottom]?;
    // One foot moves while the other stays put (or moves only as the camera moves both); where it ends up tells a
    // step-down from a single-leg squat.
    let still = free_move - stance_move >= FREE_FOOT_MIN_PCT && free_move >= FREE_FOOT_MIN_RATIO * stance_move;
    if !still && !camera_moved_the_stance_foot(s, stance, start, end) {
        return None;
    }
    // Lowered past the stance foot AND hanging: a step-down. A pistol's free foot, held forward, may also sit
    // low in the picture (nearer the camera), but its leg no longer hangs.
    let hang = s.standing.zip(s.points.get(bottom)).and_then(|(st, p)| {
        let h = (p[free].ankle[1] - p[free].hip[1]) / st.leg_px[free];
        (st.leg_px[free] > 0.0 && h.is_finite()).then_some(h)
    });
    let task = if free_at_bottom > stance_at_bottom && hang.is_none_or(|h| h >= STEP_DOWN_MIN_HANG) {
        Task::StepDown
    } else {
        Task::SingleLegSquat
    };
    Some((stance, task))
}

/// Whether the stance foot's travel during a rep is the camera's: a hand-held camera that drifts or zooms moves
/// both feet in the picture, so the planted foot seems to travel nearly as far as the free one (a rendered
/// step-down filmed by a camera drifting 10 cm: stance ankle 8–10 % of leg, free 13–17 %). It is, when the free
/// foot moved relative to the stance foot (which the camera cannot do) at least [`CAMERA_FREE_FOOT_MIN_PCT`] and at
/// least [`CAMERA_APART_MIN_DEPTH_SHARE`] of the rep's depth, and the stance foot never moved on its own (as each
/// foot does on stairs and in a walk, [`feet_that_moved_alone`]).
///
/// [`feet_that_moved_alone`]: super::segment::feet_that_moved_alone
fn camera_moved_the_stance_foot(s: &Signals, stance: Side, start: usize, end: usize) -> bool {
    let (free, planted) = (&s.legs[stance.other()].ankle_drop_pct_leg, &s.legs[stance].ankle_drop_pct_leg);
    let apart: Vec<Option<f64>> = (start..=end).map(|i| Some((*free.get(i)?)? - (*planted.get(i)?)?)).collect();
    let depth = s.hip_drop_pct_leg[start..=end].iter().flatten().copied().fold(0.0, f64::max);
    range_of(&apart, 0..=apart.len().saturating_sub(1))
        .is_some_and(|r| r >= CAMERA_FREE_FOOT_MIN_PCT && r >= CAMERA_APART_MIN_DEPTH_SHARE * depth)
        && !super::segment::feet_that_moved_alone(s, start, end)[stance]
}

/// A rep whose legs were seen this much less well than the clip's other reps (its mean lower-body landmark
/// visibility below their median by more) cannot have its task read from its feet: a title overlay across the
/// feet of a real lateral step-down (visibility 0.72 against 0.95–0.96 in its ten other reps) hid the free
/// foot's lowering, and the rep read as a bilateral squat. Whole clips filmed from the side sit at 0.68–0.81
/// throughout (the far leg hidden), so reps are compared within their clip, never with a fixed level.
pub const HIDDEN_FEET_VISIBILITY_DROP: f64 = 0.15;
/// Fewest well-seen reps that must agree on one one-leg task and leg before a poorly seen rep takes theirs
/// ([`HIDDEN_FEET_VISIBILITY_DROP`]).
pub const HIDDEN_FEET_MIN_AGREEING: usize = 2;

/// The reps (indices into `reads`, each rep's task and leg as read from its feet) that read as bilateral squats
/// while their legs were seen too poorly to tell ([`HIDDEN_FEET_VISIBILITY_DROP`], `visibility` per rep), in a
/// clip whose well-seen reps, at least [`HIDDEN_FEET_MIN_AGREEING`], all agree on one one-leg task and leg: those
/// take it. Returns the indices changed. A mixed clip, or one of alternating legs, keeps every rep as read.
pub(crate) fn borrow_task_for_hidden_feet(reads: &mut [(Task, Option<Side>)], visibility: &[f64]) -> Vec<usize> {
    let Some(typical) = median_of(visibility.iter().copied()) else { return Vec::new() };
    let hidden = |k: usize| visibility[k] < typical - HIDDEN_FEET_VISIBILITY_DROP;
    let seen: Vec<(Task, Option<Side>)> = (0..reads.len()).filter(|&k| !hidden(k)).map(|k| reads[k]).collect();
    let agreed = seen.first().copied().filter(|first| {
        seen.len() >= HIDDEN_FEET_MIN_AGREEING && first.1.is_some() && seen.iter().all(|read| read == first)
    });
    let Some(agreed) = agreed else { return Vec::new() };
    let changed: Vec<usize> = (0..reads.len()).filter(|&k| hidden(k) && reads[k] == (Task::Squat, None)).collect();
    for &k in &changed {
        reads[k] = agreed;
    }
    changed
}

/// Why an automatically chosen clip task is `task`: how many of the reps' `tasks` look like it, the others by
/// task, and the reps (`borrowed`, indices into `reps`) whose task was taken from the others.
pub(crate) fn auto_task_reason(tasks: &[Task], task: Task, borrowed: &[usize], reps: &[Rep]) -> String {
    format!(
        "{} of {} reps look like a {} ({})",
        tasks.iter().filter(|t| **t == task).count(),
        tasks.len(),
        task,
        match task {
            Task::SingleLegSquat => "one foot lifted",
            Task::StepDown => "one foot lowered past the stance foot",
            Task::Lunge => "feet staggered, the back knee lowered toward the floor",
            _ => "no foot leaves the floor",
        }
    ) + &others(tasks, task)
        + &hidden_feet_note(borrowed, reps)
}

/// The reps whose task was taken from the clip's others ([`borrow_task_for_hidden_feet`]), in words.
fn hidden_feet_note(borrowed: &[usize], reps: &[Rep]) -> String {
    let numbers: Vec<String> = borrowed.iter().map(|&k| reps[k].number.to_string()).collect();
    match numbers.len() {
        0 => String::new(),
        n => format!(
            "; rep{} {}: the legs were seen poorly, so the task is the other reps'",
            if n == 1 { "" } else { "s" },
            numbers.join(", ")
        ),
    }
}

/// The reps of a mixed clip that are not of its `task`, by task: "; the other 2: squat (2)".
fn others(tasks: &[Task], task: Task) -> String {
    let rest: Vec<Task> = tasks.iter().copied().filter(|t| *t != task).collect();
    if rest.is_empty() {
        return String::new();
    }
    let list: Vec<String> = tasks_in_order(rest.iter().copied())
        .into_iter()
        .map(|t| format!("{t} ({})", rest.iter().filter(|r| **r == t).count()))
        .collect();
    format!("; the other {}: {}", rest.len(), list.join(", "))
}

pub(crate) fn quality(s: &Signals, r: std::ops::RangeInclusive<usize>) -> Quality {
    let idx: Vec<usize> = r.collect();
    let n = idx.len().max(1) as f64;
    let visibility = idx.iter().map(|&i| s.visibility[i]).sum::<f64>() / n;
    let observed = idx.iter().filter(|&&i| s.valid[i] && !s.filled[i]).count() as f64 / n;
    let in_frame = idx.iter().filter(|&&i| s.in_frame[i]).count() as f64 / n;
    Quality { score: visibility * observed * in_frame, visibility, observed, in_frame }
}

/// Why a rep is flagged (kept in the table, left out of the findings and the statistics), if it is: the legs out
/// of the frame for long, a low quality score, or no view.
pub(crate) fn flag_of(quality: &Quality, view: crate::kinematics::View) -> Option<String> {
    if quality.in_frame < MIN_LEGS_IN_FRAME {
        Some(format!(
            "legs out of the frame in {:.0} % of the rep: its per-leg values would be guesses and are left empty",
            (1.0 - quality.in_frame) * 100.0
        ))
    } else if quality.score < MIN_REP_QUALITY {
        Some(format!(
            "data quality {:.2} is below {MIN_REP_QUALITY} (landmark visibility {:.2}, {:.0} % of samples observed)",
            quality.score,
            quality.visibility,
            quality.observed * 100.0
        ))
    } else if view == crate::kinematics::View::Unknown {
        Some("the view could not be told during the rep".into())
    } else {
        None
    }
}

/// The leg whose ankle moves least during samples `start..=end` (for a single-leg task given by the user).
pub(crate) fn planted_leg(s: &Signals, start: usize, end: usize) -> Side {
    let moves = s.legs.as_ref().map(|leg| range_of(&leg.ankle_drop_pct_leg, start..=end).unwrap_or(f64::INFINITY));
    if moves.left() <= moves.right() {
        Side::Left
    } else {
        Side::Right
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::{compute_signals, KinematicsConfig};
    use crate::synthetic::{generate, SynthRep, SynthSpec};

    /// A bilateral squat clip's signals (reps `depth_pct` deep) and its first rep, with the ankles moved:
    /// `offset(side, u)` (pixels, down positive) is added to each ankle's height, `u` running 0..1 over the rep
    /// and 0 outside it.
    fn feet_moved(depth_pct: f64, offset: impl Fn(Side, f64) -> f64) -> (Signals, Excursion) {
        let spec = SynthSpec { reps: vec![SynthRep::plain(depth_pct); 3], ..SynthSpec::default() };
        let (track, _) = generate(&spec);
        let mut s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
        let ex = excursions(&s.hip_drop_pct_leg, s.rate_hz, DEFAULT_MIN_DEPTH_PCT)[0];
        let leg = s.standing.expect("standing").leg_px;
        for i in 0..s.len() {
            let u = (i as f64 - ex.start as f64) / (ex.end - ex.start) as f64;
            for side in Side::BOTH {
                let dy = if (0.0..=1.0).contains(&u) { offset(side, u) } else { 0.0 };
                s.points[i][side].ankle[1] += dy;
                if let Some(d) = s.legs[side].ankle_drop_pct_leg[i].as_mut() {
                    *d += dy / leg[side] * 100.0;
                }
            }
        }
        (s, ex)
    }

    /// Up and back down over the rep: 0 at its ends, 1 at its middle.
    fn bump(u: f64) -> f64 {
        (std::f64::consts::PI * u).sin().powi(2)
    }

    #[test]
    fn a_step_down_filmed_by_a_drifting_camera_keeps_its_stance_foot() {
        // A step-down 15 % of leg deep: the right foot is lowered 14 % of leg (about 56 px) relative to the left
        // while the camera dips the whole picture 44 px and back: the planted foot travels 11 % of leg, too
        // far for the still-camera ratio.
        let (s, ex) = feet_moved(15.0, |side, u| {
            let camera = 44.0 * (std::f64::consts::PI * u).sin();
            camera + if side == Side::Right { 56.0 * bump(u) } else { 0.0 }
        });
        let moves = s.legs.as_ref().map(|l| range_of(&l.ankle_drop_pct_leg, ex.start..=ex.end).expect("seen"));
        assert!(*moves.right() < FREE_FOOT_MIN_RATIO * *moves.left(), "{moves:?}");
        assert!(camera_moved_the_stance_foot(&s, Side::Left, ex.start, ex.end));
        assert_eq!(stance_of(&s, ex.start, ex.bottom, ex.end).map(|(side, _)| side), Some(Side::Left));
        // The same feet under a squat three times as deep: ankle landmarks wandering apart by a fraction of the
        // depth, not a foot lowered.
        let (deep, ex) = feet_moved(45.0, |side, u| {
            let camera = 44.0 * (std::f64::consts::PI * u).sin();
            camera + if side == Side::Right { 56.0 * bump(u) } else { 0.0 }
        });
        assert!(!camera_moved_the_stance_foot(&deep, Side::Left, ex.start, ex.end));
    }

    #[test]
    fn feet_that_wander_apart_or_step_in_turn_are_not_a_drifting_camera() {
        // Ankle landmarks drifting in opposite directions (a squat filmed from behind): no stance foot.
        let (apart, ex) =
            feet_moved(30.0, |side, u| if side == Side::Right { 30.0 * bump(u) } else { -25.0 * bump(u) });
        assert!(!camera_moved_the_stance_foot(&apart, Side::Left, ex.start, ex.end));
        assert_eq!(stance_of(&apart, ex.start, ex.bottom, ex.end), None);
        // Each foot in turn moves on its own (stairs, a walk): the planted one's travel is its own.
        let (turns, ex) = feet_moved(30.0, |side, u| match side {
            Side::Left => 30.0 * ((u - 0.2) / 0.1).clamp(0.0, 1.0),
            Side::Right => 60.0 * ((u - 0.6) / 0.1).clamp(0.0, 1.0),
        });
        assert!(!camera_moved_the_stance_foot(&turns, Side::Left, ex.start, ex.end));
        assert_eq!(stance_of(&turns, ex.start, ex.bottom, ex.end), None);
    }

    #[test]
    fn a_rep_with_hidden_feet_takes_the_task_its_clip_agrees_on() {
        let step_left = (Task::StepDown, Some(Side::Left));
        let squat = (Task::Squat, None);
        // A title overlay over the feet of the first of five left step-downs: it read as a squat.
        let mut reads = vec![squat, step_left, step_left, step_left, step_left];
        let seen = [0.72, 0.95, 0.96, 0.96, 0.96];
        assert_eq!(borrow_task_for_hidden_feet(&mut reads, &seen), vec![0]);
        assert!(reads.iter().all(|r| *r == step_left));
        // Seen as well as the others (or a whole clip seen poorly, as from the side): the feet are believed.
        let mut reads = vec![squat, step_left, step_left];
        assert!(borrow_task_for_hidden_feet(&mut reads, &[0.85, 0.95, 0.96]).is_empty());
        let mut side_view = vec![squat, squat, squat];
        assert!(borrow_task_for_hidden_feet(&mut side_view, &[0.70, 0.71, 0.68]).is_empty());
        assert_eq!(side_view, vec![squat; 3]);
        // The well-seen reps disagree (a mixed clip, legs in turn), or too few agree: nothing is borrowed.
        let step_right = (Task::StepDown, Some(Side::Right));
        let mut mixed = vec![squat, step_left, step_right, step_left];
        assert!(borrow_task_for_hidden_feet(&mut mixed, &[0.6, 0.95, 0.95, 0.95]).is_empty());
        let mut alone = vec![squat, step_left];
        assert!(borrow_task_for_hidden_feet(&mut alone, &[0.6, 0.95]).is_empty());
        // Bilateral squats seen well lend nothing; a poorly seen one-leg read is kept as read.
        let mut squats = vec![squat, squat, squat];
        assert!(borrow_task_for_hidden_feet(&mut squats, &[0.6, 0.95, 0.95]).is_empty());
        let single = (Task::SingleLegSquat, Some(Side::Left));
        let mut kept = vec![single, step_left, step_left];
        assert!(borrow_task_for_hidden_feet(&mut kept, &[0.6, 0.95, 0.95]).is_empty());
        assert_eq!(kept[0], single);
    }
}
