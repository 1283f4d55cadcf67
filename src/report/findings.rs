//! Plain-language findings from an analysis: what a clinician reads first. Every sentence rests on reported
//! values only, names its reps, and says when the filming limits what can be said.

use crate::analysis::Analysis;
use crate::kinematics::{view_name, FlexionSource, Side, View};
use crate::reps::{tasks_in_order, KtoCategory, Rep, Stat, Task, TaskStats};

/// The smallest left/right difference in FPPA (degrees) reported as a finding: the smallest detectable
/// difference of 2D FPPA is 7.5–8.9° (Munro, Herrington & Carolan 2012); a smaller difference is within what
/// filming and landmark noise make of two identical knees.
pub const ASYMMETRY_MIN_DEG: f64 = 8.0;
/// Camera yaw (degrees, either way) from which the findings say that the filming limits what can be said.
pub const YAW_BANNER_DEG: f64 = 5.0;

/// The largest camera yaw of the frontal reps (a clip may turn to a side view on purpose), when it reaches
/// [`YAW_BANNER_DEG`].
fn largest_yaw(reps: &[Rep]) -> Option<f64> {
    reps.iter()
        .filter(|r| r.view.is_frontal())
        .filter_map(|r| r.camera_yaw_deg)
        .filter(|y| y.abs() >= YAW_BANNER_DEG)
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
}

/// Fewest reps with both legs measured at the same moment that a left/right finding rests on: the difference must
/// exceed its own variation across reps, which one rep cannot show. (On a rendered squat filmed 15° off square from
/// chest height, a single rep's FPPA at 60° of flexion differed by 15.2° between two knees programmed alike; the
/// two reps at 45° differed by 10.7°, within what the filming can tell apart.)
pub const ASYMMETRY_MIN_REPS: usize = 2;

/// "Caves in more" only when the left/right difference of FPPA, averaged over the reps where both legs were
/// measured (at least [`ASYMMETRY_MIN_REPS`]), exceeds [`ASYMMETRY_MIN_DEG`], twice its own spread across reps,
/// and the two values' combined uncertainty; the reps it rests on and the moment (the bottom, or 60° / 45° of
/// knee flexion on the descent when the bottom could not be measured, as in deep squats) are named. With the
/// sentence, the knee it says caves in more, if it says so.
fn asymmetry_finding(reps: &[Rep]) -> Option<(Option<Side>, String)> {
    // Per moment: (rep number, left − right, the two values' summed uncertainty, the left value) of each rep with
    // both legs.
    type Pairs = Vec<(usize, f64, f64, f64)>;
    let at_each: Vec<(&str, Pairs)> = MOMENTS
        .iter()
        .map(|(when, pick)| {
            let both = reps
                .iter()
                .filter_map(|r| {
                    let ((l, ul), (rr, ur)) = (pick(r.legs.left()), pick(r.legs.right()));
                    let l = l?;
                    Some((r.number, l - rr?, ul.unwrap_or(0.0) + ur.unwrap_or(0.0), l))
                })
                .collect();
            (*when, both)
        })
        .collect();
    let Some((when, both)) = at_each.iter().find(|(_, both)| both.len() >= ASYMMETRY_MIN_REPS) else {
        return at_each.iter().any(|(_, both)| !both.is_empty()).then(|| {
            (None, "Left and right are not compared: the valgus of both knees was measured together in only one rep, and one rep cannot show whether a difference is more than rep-to-rep variation.".to_string())
        });
    };
    let n = both.len() as f64;
    let mean = both.iter().map(|b| b.1).sum::<f64>() / n;
    let (left, right) = (both.iter().map(|b| b.3).sum::<f64>() / n, both.iter().map(|b| b.3 - b.1).sum::<f64>() / n);
    let sd = (both.iter().map(|b| (b.1 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let uncertainty = both.iter().map(|b| b.2).sum::<f64>() / n;
    let threshold = ASYMMETRY_MIN_DEG.max(2.0 * sd).max(uncertainty);
    let which: Vec<String> = both.iter().map(|b| b.0.to_string()).collect();
    let reps_text = format!("reps {}", which.join(", "));
    Some(if mean.abs() >= threshold {
        let larger = if mean > 0.0 { Side::Left } else { Side::Right };
        let caves_in = left.max(right) > 0.0;
        (
            caves_in.then_some(larger),
            format!(
                "{}: FPPA {when} differs by {:.1} degrees on average (left minus right; {reps_text}; more than the {:.0} degrees 2D video and this filming can tell apart).",
                which_knee(larger, caves_in),
                mean,
                threshold.floor()
            ),
        )
    } else {
        (
            None,
            format!(
                "{NO_DIFFERENCE} in knee valgus beyond what 2D video and this filming can tell apart: {:+.1} degrees {when} on average (left minus right; {reps_text}), within {:.0} degrees.",
                mean,
                threshold.ceil()
            ),
        )
    })
}

/// Each rep's knee-over-toe drifts (% of shank, toward the midline positive, `[left, right]`), where both knees'
/// were measured.
fn drift_pairs(reps: &[Rep]) -> Vec<(usize, [f64; 2])> {
    reps.iter()
        .filter_map(|r| Some((r.number, [r.legs.left().kto_drift_pct_shank?, r.legs.right().kto_drift_pct_shank?])))
        .collect()
}

/// Which knee caves in, from knee over toe: in every rep (at least [`ASYMMETRY_MIN_REPS`]) with both knees'
/// drifts measured (`pairs`), one knee moved toward the midline by more than the drift that marks a knee caving
/// in (its standing position to its most medial, [`KtoCategory::drift_limits`]: 8 % of shank) while the other
/// moved less than the drift of a knee that stood still (2 %): the two lie beyond genu's drift error (±3 %) of
/// each other's side of the 5 % rule. A drift is one knee's own displacement, far less moved by the camera's yaw
/// than the angle: on the rendered sets (60 clips with two or more squats) it named the programmed knee on 5 and
/// never the other, nor a knee of a symmetric programme. Returns the knee and the sentence.
fn drift_asymmetry_finding(pairs: &[(usize, [f64; 2])]) -> Option<(Side, String)> {
    if pairs.len() < ASYMMETRY_MIN_REPS {
        return None;
    }
    let (still, caved) = KtoCategory::drift_limits();
    let side = Side::BOTH
        .into_iter()
        .find(|&side| pairs.iter().all(|(_, d)| d[side.index()] > caved && d[side.other().index()] < still))?;
    let numbers: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    Some((
        side,
        format!(
            "Knee over toe tells the knees apart: the {} knee caves in during the rep and the {} does not (the {0} knee moves {:.1} % of shank toward the midline from where it stood, the {1} {:.1} %, on average over {}; in every one of them more than {caved:.0} % against less than {still:.0} %, beyond genu's error on either).",
            side.name(),
            side.other().name(),
            mean_drift(pairs, side),
            mean_drift(pairs, side.other()),
            rep_list(&numbers)
        ),
    ))
}

/// One knee's mean drift over `pairs` (% of shank).
fn mean_drift(pairs: &[(usize, [f64; 2])], side: Side) -> f64 {
    pairs.iter().map(|(_, d)| d[side.index()]).sum::<f64>() / pairs.len() as f64
}

/// The verdict of a left/right difference whose knee with the larger FPPA is `larger_side`: that knee "caves in
/// more" only when it is in valgus (`in_valgus`: its mean FPPA above 0°); when both knees stay in varus (knees
/// pushed out, feet turned out, a deep squat's thighs seen from the front), the other knee is the one that goes
/// out further, and neither caves in.
fn which_knee(larger_side: Side, in_valgus: bool) -> String {
    if in_valgus {
        format!("The {} knee caves in more", larger_side.name())
    } else {
        format!(
            "The {} knee goes out further (neither knee goes into valgus: both stay at or below 0 degrees)",
            larger_side.other().name()
        )
    }
}

/// How the angle's finding starts when it finds no left/right difference.
const NO_DIFFERENCE: &str = "No left/right difference";

/// The FPPA moments a left/right comparison is made at, in order of preference: the bottom, or 60° / 45° of knee
/// flexion on the descent when the bottom could not be measured (as in deep squats). Each gives the value and its
/// uncertainty.
type Pick = fn(&crate::reps::LegRep) -> (Option<f64>, Option<f64>);
const MOMENTS: [(&str, Pick); 3] = [
    ("at the bottom", |l| (l.fppa_bottom_deg.value, l.fppa_uncertainty_deg)),
    ("at 60 degrees of knee flexion", |l| (l.fppa_at_60_deg.value, l.fppa_at_60_uncertainty_deg)),
    ("at 45 degrees of knee flexion", |l| (l.fppa_at_45_deg.value, l.fppa_at_45_uncertainty_deg)),
];

/// Rep numbers in words: "rep 4", "reps 1, 2, 5" or "reps 3–6".
pub fn rep_list(numbers: &[usize]) -> String {
    let consecutive = numbers.windows(2).all(|w| w[1] == w[0] + 1);
    match numbers {
        [one] => format!("rep {one}"),
        [first, .., last] if consecutive && numbers.len() > 2 => format!("reps {first}–{last}"),
        _ => format!("reps {}", numbers.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// One-leg tasks (single-leg squat, step-down, lunge, stairs) load one leg per rep, so left and right are compared
/// between the reps on each leg: "caves in more" only when the two legs' mean FPPA, each over at least
/// [`ASYMMETRY_MIN_REPS`] reps, differ by more than [`ASYMMETRY_MIN_DEG`], twice the spread of one rep's value
/// on each leg combined (√(SD²ₗ + SD²ᵣ)), and the values' mean combined uncertainty. Both legs at the same moment.
fn stance_asymmetry_finding(reps: &[Rep]) -> Option<String> {
    if !Side::BOTH.iter().all(|side| reps.iter().any(|r| r.stance == Some(*side))) {
        return None;
    }
    // Per moment and leg: (rep number, value, uncertainty) of each rep standing on that leg.
    type Values = Vec<(usize, f64, f64)>;
    let on = |side: Side, pick: Pick| -> Values {
        reps.iter()
            .filter(|r| r.stance == Some(side))
            .filter_map(|r| {
                let (v, u) = pick(&r.legs[side]);
                Some((r.number, v?, u.unwrap_or(0.0)))
            })
            .collect()
    };
    let found = MOMENTS.iter().find_map(|(when, pick)| {
        let (l, r) = (on(Side::Left, *pick), on(Side::Right, *pick));
        (l.len() >= ASYMMETRY_MIN_REPS && r.len() >= ASYMMETRY_MIN_REPS).then_some((*when, l, r))
    });
    let Some((when, l, r)) = found else {
        // Said only when each leg has a value to compare; otherwise the per-leg notes say why there is none.
        let some =
            MOMENTS.iter().any(|(_, pick)| !on(Side::Left, *pick).is_empty() && !on(Side::Right, *pick).is_empty());
        return some.then(|| format!(
            "Left and right are not compared: the valgus of each leg was measured in fewer than {ASYMMETRY_MIN_REPS} reps standing on it, too few to show whether a difference is more than rep-to-rep variation."
        ));
    };
    let stats = |v: &Values| {
        let n = v.len() as f64;
        let mean = v.iter().map(|x| x.1).sum::<f64>() / n;
        let var = v.iter().map(|x| (x.1 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, v.iter().map(|x| x.2).sum::<f64>() / n)
    };
    let ((ml, vl, ul), (mr, vr, ur)) = (stats(&l), stats(&r));
    let diff = ml - mr;
    let threshold = ASYMMETRY_MIN_DEG.max(2.0 * (vl + vr).sqrt()).max(ul + ur);
    let numbers = |v: &Values| rep_list(&v.iter().map(|x| x.0).collect::<Vec<_>>());
    // A lunge's measured leg is its front leg; the other tasks' is the leg stood on.
    let (on_left, on_right) = if reps.iter().any(|r| r.task == Task::Lunge) {
        ("with the left leg in front", "with the right")
    } else {
        ("standing on the left leg", "on the right")
    };
    let both = format!(
        "FPPA {when} averages {ml:.1} degrees {on_left} ({}) and {mr:.1} {on_right} ({})",
        numbers(&l),
        numbers(&r)
    );
    Some(if diff.abs() >= threshold {
        format!(
            "{}: {both}, {:.1} degrees apart (more than the {:.0} degrees 2D video and this filming can tell apart).",
            which_knee(if diff > 0.0 { Side::Left } else { Side::Right }, ml.max(mr) > 0.0),
            diff.abs(),
            threshold.floor()
        )
    } else {
        format!(
            "{NO_DIFFERENCE} in knee valgus beyond what 2D video and this filming can tell apart: {both}, within {:.0} degrees.",
            threshold.ceil()
        )
    })
}

/// The left/right findings of one task's reps: from FPPA ([`asymmetry_finding`]) and from knee over toe
/// ([`drift_asymmetry_finding`]). The knee the angle says caves in more must also be the one that moved further
/// toward the midline, where both knees' drifts are known in enough reps: otherwise one of the two is wrong (a
/// camera turned a couple of degrees more than measured moves the two knees' angles apart, 13° on a rendered
/// deep squat programmed alike) and no left/right finding is made.
fn left_right_findings(reps: &[Rep]) -> Vec<String> {
    let (named, angle) = asymmetry_finding(reps).unzip();
    let pairs = drift_pairs(reps);
    if let Some(side) = named.flatten().filter(|&side| {
        pairs.len() >= ASYMMETRY_MIN_REPS && mean_drift(&pairs, side) < mean_drift(&pairs, side.other())
    }) {
        return vec![format!(
            "Left and right disagree: the angle (FPPA) says the {} knee caves in more, but knee over toe moves the {} knee further toward the midline ({:.1} against {:.1} % of shank on average): no left/right finding is made.",
            side.name(),
            side.other().name(),
            mean_drift(&pairs, side.other()),
            mean_drift(&pairs, side)
        )];
    }
    let Some((_, drift)) = drift_asymmetry_finding(&pairs) else { return angle.into_iter().collect() };
    // The angle's "no difference" is the angle's alone where knee over toe tells the knees apart.
    let angle = angle.map(|a| a.replacen(NO_DIFFERENCE, "The angle (FPPA) shows no left/right difference", 1));
    angle.into_iter().chain(std::iter::once(drift)).collect()
}

/// Yaw-robust bilateral findings: the mean of the two knees' FPPA and the knee-to-ankle separation ratio.
fn bilateral_findings(reps: &[Rep]) -> Vec<String> {
    let mut out = Vec::new();
    let mean: Vec<f64> = reps.iter().filter_map(|r| r.fppa_mean_bottom_deg.value).collect();
    if !mean.is_empty() {
        let m = mean.iter().sum::<f64>() / mean.len() as f64;
        out.push(format!(
            "Both knees together: FPPA at the bottom averages {m:.1} degrees ({}; the mean of left and right, which the camera angle does not change).",
            if m >= 0.0 { "valgus" } else { "varus" }
        ));
    }
    let kasr: Vec<f64> = reps.iter().filter_map(|r| r.kasr_bottom.value).collect();
    if !kasr.is_empty() {
        let k = kasr.iter().sum::<f64>() / kasr.len() as f64;
        out.push(format!(
            "Knee-to-ankle separation ratio at the bottom: {k:.2} ({}).",
            if k < 1.0 {
                "the knees come closer together than the ankles"
            } else {
                "the knees stay as wide as the ankles or wider"
            }
        ));
    }
    out
}

/// Knee over toe and peak FPPA of each leg over one task's `reps`.
fn leg_findings(reps: &[Rep], group: &TaskStats) -> Vec<String> {
    let mut out = Vec::new();
    for side in Side::BOTH {
        let measured: Vec<&Rep> = reps.iter().filter(|r| r.legs[side].kto_category.is_some()).collect();
        if measured.is_empty() {
            continue;
        }
        let count = |c: KtoCategory| measured.iter().filter(|r| r.legs[side].kto_category == Some(c)).count();
        let (medial, at_rest, unclear) =
            (count(KtoCategory::MedialToToe), count(KtoCategory::MedialAtRest), count(KtoCategory::MedialUnclear));
        let leg = side.name();
        let n = measured.len();
        let reps = if n == 1 { "rep" } else { "reps" };
        let band = crate::reps::KTO_OVER_TOE_BAND_PCT;
        let (lo, hi) = KtoCategory::drift_limits();
        let unclear_note = || {
            format!(
                "whether the knee moved there during the rep cannot be told (its drift from standing was {lo:.0}–{hi:.0} % of shank, within genu's error of the {band:.0} % rule, or could not be measured)"
            )
        };
        out.push(if medial > 0 {
            let more = if unclear > 0 { format!("; in {unclear} more it sits medial, but {}", unclear_note()) } else { String::new() };
            format!(
                "The {leg} knee drifts medial to the second toe in {medial} of {n} {reps} (it moves more than {hi:.0} % of shank toward the midline from where it stood){more}."
            )
        } else if unclear > 0 {
            format!("The {leg} knee sits medial to the second toe in {} of {n} {reps}; in {unclear} of them {}.", unclear + at_rest, unclear_note())
        } else if at_rest > 0 {
            format!(
                "The {leg} knee sits medial to the second toe in {at_rest} of {n} {reps}, but it stood there already: a static alignment (feet turned out, stance), not a knee that caves in during the rep."
            )
        } else {
            format!(
                "The {leg} knee stays over or outside the second toe in {}.",
                if n == 1 { "the one measured rep".to_string() } else { format!("all {n} measured reps") }
            )
        });
        if let Some(st) = group.legs[side].fppa_peak_deg {
            let kind = if st.mean > 0.0 { "valgus" } else { "varus" };
            out.push(format!(
                "{} knee frontal-plane projection angle at its peak: {:.1} degrees on average ({kind}){}.",
                side.title(),
                st.mean,
                st.sd.map_or(String::new(), |sd| format!(", SD {sd:.1}"))
            ));
        } else if let Some(line) = flexion_matched_fppa(&measured, side) {
            out.push(line);
        } else if let Some(why) = no_fppa_reason(&measured, side) {
            out.push(format!(
                "{} knee frontal-plane projection angle: not given in any measured rep: {why}.",
                side.title()
            ));
        }
    }
    out
}

/// Where a leg has no peak FPPA (a deep squat: the thigh points at the camera at the bottom), its FPPA at 60°
/// of knee flexion on the descent, else at 45°, over the reps that have it: the clinical reading, and the one
/// that holds there.
fn flexion_matched_fppa(reps: &[&Rep], side: Side) -> Option<String> {
    let at = |deg: u32| {
        let pick = |r: &&Rep| {
            let l = &r.legs[side];
            if deg == 60 {
                l.fppa_at_60_deg.value
            } else {
                l.fppa_at_45_deg.value
            }
        };
        Stat::of(reps.iter().map(pick)).map(|st| (deg, st))
    };
    let (deg, st) = at(60).or_else(|| at(45))?;
    let kind = if st.mean > 0.0 { "valgus" } else { "varus" };
    let why = reps.iter().find_map(|r| r.legs[side].fppa_peak_deg.reason.clone()).unwrap_or_default();
    let why = if why.starts_with(crate::kinematics::FORESHORTENED_REASON) {
        "deeper in the rep the thigh points at the camera, where a 2D angle means nothing".to_string()
    } else {
        why
    };
    Some(format!(
        "{} knee frontal-plane projection angle at {deg} degrees of knee flexion on the descent: {:.1} degrees on average ({kind}){} over {} {} (no peak or bottom value: {why}).",
        side.title(),
        st.mean,
        st.sd.map_or(String::new(), |sd| format!(", SD {sd:.1},")),
        st.n,
        if st.n == 1 { "rep" } else { "reps" },
    ))
}

/// Why a leg has no FPPA at all (peak, bottom, 45° or 60° of knee flexion) in `reps`, where it has none: the
/// first rep's reason at 45° of knee flexion, else at its bottom.
fn no_fppa_reason(reps: &[&Rep], side: Side) -> Option<String> {
    let any = |r: &&Rep| {
        let l = &r.legs[side];
        [&l.fppa_peak_deg, &l.fppa_bottom_deg, &l.fppa_at_45_deg, &l.fppa_at_60_deg].iter().any(|v| v.value.is_some())
    };
    if reps.iter().any(any) {
        return None;
    }
    // At 45° of flexion the thigh has not yet turned toward the camera: its reason is the more basic one, unless
    // the knee never bent that far.
    let l = &reps.first()?.legs[side];
    [&l.fppa_at_45_deg, &l.fppa_bottom_deg]
        .iter()
        .filter_map(|v| v.reason.clone())
        .find(|r| !r.starts_with(crate::reps::NOT_REACHED))
}

/// Knee flexion at the bottom of the reps filmed from the side, the way a side view is filmed for: the loaded
/// leg's in one-leg tasks, else the leg nearer the camera (the far one is partly hidden behind it).
fn side_view_flexion(reps: &[Rep]) -> Option<String> {
    let leg_of = |r: &Rep| {
        r.stance.or(match r.view {
            View::SagittalLeft => Some(Side::Left),
            View::SagittalRight => Some(Side::Right),
            _ => None,
        })
    };
    let measured: Vec<(Side, f64)> = reps
        .iter()
        .filter(|r| r.view.is_sagittal())
        .filter_map(|r| {
            let side = leg_of(r)?;
            let l = &r.legs[side];
            (l.knee_flexion_source == Some(FlexionSource::Sagittal2d)).then_some(())?;
            Some((side, l.knee_flexion_deg.value?))
        })
        .collect();
    let st = Stat::of(measured.iter().map(|(_, v)| Some(*v)))?;
    let sides: Vec<Side> = Side::BOTH.into_iter().filter(|s| measured.iter().any(|(m, _)| m == s)).collect();
    let which = match (sides.as_slice(), reps.iter().any(|r| r.stance.is_some())) {
        ([one], true) => format!("the {} leg, which bears the load", one.name()),
        ([one], false) => format!("the {} leg, nearer the camera", one.name()),
        (_, true) => "the leg bearing the load".to_string(),
        _ => "the leg nearer the camera".to_string(),
    };
    Some(format!(
        "Knee flexion at the bottom, seen from the side ({which}; 0 = straight): {:.0} degrees on average over {} {}{}.",
        st.mean,
        st.n,
        if st.n == 1 { "rep" } else { "reps" },
        st.sd.map_or(String::new(), |sd| format!(", SD {sd:.0}"))
    ))
}

/// A task as a heading of its findings.
fn task_title(task: Task) -> &'static str {
    match task {
        Task::Squat | Task::Auto => "Bilateral squat",
        Task::SingleLegSquat => "Single-leg squat",
        Task::StepDown => "Step-down",
        Task::Lunge => "Lunge",
        Task::Stairs => "Stairs",
    }
}

/// Plain-language findings a clinician can read, e.g. "left knee drifts medial to the second toe in 4 of 5
/// reps".
pub fn findings(a: &Analysis) -> Vec<String> {
    let all = &a.reps.reps;
    // Flagged reps are counted and listed, but no finding rests on them.
    let sound: Vec<Rep> = all.iter().filter(|r| r.flag.is_none()).cloned().collect();
    let reps = &sound;
    let mut out = Vec::new();
    let not_counted =
        a.reps.ignored.iter().map(|ig| format!("Not counted as a rep: {:.1} s: {}.", ig.bottom.t_s, ig.reason));
    if all.is_empty() {
        out.push(a.reps.note.clone().unwrap_or_else(|| "no repetitions found".into()));
        out.extend(not_counted);
        return out;
    }
    let complete = all.iter().filter(|r| r.complete).count();
    // The tasks of all reps, flagged or not.
    let tasks = tasks_in_order(all.iter().map(|r| r.task));
    let what = if tasks.len() > 1 {
        let each: Vec<String> = tasks
            .iter()
            .map(|t| {
                let numbers: Vec<usize> = all.iter().filter(|r| r.task == *t).map(|r| r.number).collect();
                format!("{} {t} ({})", numbers.len(), rep_list(&numbers))
            })
            .collect();
        format!(": {}", each.join(", "))
    } else {
        String::new()
    };
    out.push(format!(
        "{} {}{} found{}{what}.",
        all.len(),
        if all.len() == 1 { "repetition" } else { "repetitions" },
        if tasks.len() > 1 { String::new() } else { format!(" of {}", a.reps.task) },
        if complete < all.len() {
            format!(" ({} cut by the start or end of the clip)", all.len() - complete)
        } else {
            String::new()
        }
    ));
    out.extend(not_counted);
    out.extend(all.iter().filter_map(|r| {
        r.flag.as_ref().map(|why| format!("Rep {} is flagged and left out of the findings below: {why}.", r.number))
    }));
    if reps.is_empty() {
        out.push("Every rep is flagged: no finding can be made from this clip.".into());
        return out;
    }
    // A clip may mix tasks (bilateral squats, then single-leg squats): each task's reps are judged on their own.
    let by_task = if a.reps.by_task.is_empty() { TaskStats::per_task(all) } else { a.reps.by_task.clone() };
    let mixed = by_task.len() > 1;
    for group in &by_task {
        let reps: Vec<Rep> = reps.iter().filter(|r| r.task == group.task).cloned().collect();
        let mut said = leg_findings(&reps, group);
        said.extend(left_right_findings(&reps));
        said.extend(stance_asymmetry_finding(&reps));
        said.extend(bilateral_findings(&reps));
        if let Some(d) = group.depth_pct_leg {
            said.push(format!("Depth: the hip drops {:.0} % of leg length on average.", d.mean));
        }
        said.extend(side_view_flexion(&reps));
        if mixed && !said.is_empty() {
            out.push(format!("{} ({}):", task_title(group.task), rep_list(&group.reps)));
        }
        out.extend(said);
    }
    let from_behind = a.signals.clip_view == crate::kinematics::View::FrontalBack;
    if from_behind {
        out.push(format!(
            "Filming: the subject is filmed from behind (left and right are the subject's). From behind BlazePose misreads the camera's angle by up to {:.0} degrees and cannot see the toes, so per-leg valgus and knee over toe are left empty (in a bilateral squat the mean of both knees and the knee-to-ankle separation ratio still hold). Film from the front for per-leg results.",
            crate::kinematics::BACK_YAW_ERROR_DEG
        ));
    } else if let Some(y) = largest_yaw(reps).filter(|_| !a.signals.clip_view.is_sagittal()) {
        // (Not on a side view, filmed so on purpose for depth and flexion: the line below says what it cannot give.)
        out.push(format!(
            "Filming: the camera stood about {:.0} degrees to the subject's {} of square. Per-leg values are corrected for it where that is reliable and left empty where the angle could move them by more than {:.0} degrees; film square to the subject for per-leg results.",
            y.abs(),
            if y > 0.0 { "left" } else { "right" },
            crate::kinematics::MAX_FPPA_UNCERTAINTY_DEG
        ));
    }
    let along_flight = |r: &Rep| {
        r.stance.is_some_and(|s| r.legs[s].fppa_bottom_deg.reason.as_deref() == Some(crate::reps::ALONG_FLIGHT))
    };
    if reps.iter().any(along_flight) {
        out.push(
            "Filming: the stairs are filmed along the flight from its top, so the steps, their timing and the stance leg are given but no per-leg value: the subject's size changes from step to step and the camera looks down onto the bent knee. Film the flight from the front at knee height or from the side for knee values.".into(),
        );
    }
    if let Some(moved) = a.signals.camera_moved_pct_leg {
        out.push(format!(
            "Filming: the camera moved during the clip (by up to {moved:.0} % of the leg's length in the picture); every point was steadied on the picture's background before anything was measured."
        ));
    }
    if a.config.kinematics.hand_held {
        out.push(
            "Filming: hand-held (--hand-held): the picture was steadied on the planted foot before anything was measured. Depths read a few % of leg shallower than from a still camera; lunges, jumps, walks and a change of stance leg are not steadied right.".into(),
        );
    }
    if !a.signals.clip_view.is_frontal() {
        let some_frontal = reps.iter().any(|r| r.legs.iter().any(|l| l.fppa_peak_deg.value.is_some()));
        out.push(if some_frontal {
            format!(
                "Most of the clip is filmed {}: knee valgus and knee-over-toe are measured only where the view is frontal.",
                view_name(a.signals.clip_view)
            )
        } else {
            format!(
                "The clip is filmed {}: knee valgus and knee-over-toe need a frontal view and are not reported.",
                view_name(a.signals.clip_view)
            )
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_track, AnalysisConfig};
    use crate::synthetic::{generate, SynthSpec};

    /// A synthetic squat's reps, one per entry of `values`, each with its left and right bottom FPPA (±2°) and
    /// knee-over-toe drift set to `(fppa, drift)`.
    fn reps_with(values: &[([f64; 2], [f64; 2])]) -> Vec<Rep> {
        let (track, _) = generate(&SynthSpec::default());
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        assert!(a.reps.reps.len() >= values.len());
        a.reps
            .reps
            .iter()
            .zip(values)
            .map(|(r, (fppa, drift))| {
                let mut r = r.clone();
                for side in Side::BOTH {
                    let leg = &mut r.legs[side];
                    leg.fppa_bottom_deg.value = Some(fppa[side.index()]);
                    leg.fppa_uncertainty_deg = Some(2.0);
                    leg.kto_drift_pct_shank = Some(drift[side.index()]);
                }
                r
            })
            .collect()
    }

    fn said_by_knee_over_toe(said: &[String]) -> bool {
        said.iter().any(|f| f.starts_with("Knee over toe tells the knees apart"))
    }

    #[test]
    fn knee_over_toe_names_the_knee_that_moves_toward_the_midline() {
        // The angles 1–2.5° apart; the right knee drifts 9–10 % of shank in each rep, the left under 1 %.
        let said = left_right_findings(&reps_with(&[([5.0, 6.0], [0.5, 10.0]), ([4.0, 6.5], [0.8, 9.0])]));
        assert!(
            said.iter().any(|f| f.starts_with("Knee over toe tells the knees apart: the right knee caves in")),
            "{said:?}"
        );
        assert!(said.iter().any(|f| f.starts_with("The angle (FPPA) shows no left/right difference")), "{said:?}");
        // The left knee drifting 3 % in one rep (within genu's error of the 5 % rule): no finding.
        assert!(!said_by_knee_over_toe(&left_right_findings(&reps_with(&[
            ([5.0, 6.0], [3.0, 10.0]),
            ([4.0, 6.5], [0.8, 9.0])
        ]))));
        // Both knees drifting (a symmetric valgus), or one rep only: no finding.
        assert!(!said_by_knee_over_toe(&left_right_findings(&reps_with(&[
            ([5.0, 6.0], [9.0, 10.0]),
            ([4.0, 6.5], [8.5, 9.0])
        ]))));
        assert!(!said_by_knee_over_toe(&left_right_findings(&reps_with(&[([5.0, 6.0], [0.5, 10.0])]))));
    }

    #[test]
    fn angle_and_knee_over_toe_naming_different_knees_give_no_finding() {
        let said = left_right_findings(&reps_with(&[([20.0, 5.0], [0.5, 10.0]), ([21.0, 4.0], [0.8, 9.0])]));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("Left and right disagree: the angle (FPPA) says the left knee"), "{said:?}");
        // The angle naming the right knee while knee over toe moves the left further, though neither drift is
        // decisive (a rendered deep squat programmed alike, filmed 8 degrees off square): no finding.
        let said = left_right_findings(&reps_with(&[([-8.6, 8.6], [3.1, 0.1]), ([-4.9, 4.5], [4.5, 5.2])]));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].starts_with("Left and right disagree: the angle (FPPA) says the right knee"), "{said:?}");
        // Both naming the right knee: both are said.
        let said = left_right_findings(&reps_with(&[([5.0, 20.0], [0.5, 10.0]), ([4.0, 21.0], [0.8, 9.0])]));
        assert!(said.iter().any(|f| f.starts_with("The right knee caves in more")), "{said:?}");
        assert!(said_by_knee_over_toe(&said), "{said:?}");
    }
}
