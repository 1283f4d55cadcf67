//! Left/right findings: which knee caves in more, from the angle (FPPA) at the same moment of the reps, from
//! each knee's drift toward the midline (knee over toe), and between the reps on each leg of one-leg tasks.

use crate::kinematics::Side;
use crate::reps::{KtoCategory, Rep, Stat, Task};

use super::findings::rep_list;

/// The smallest left/right difference in FPPA (degrees) reported as a finding: the smallest detectable
/// difference of 2D FPPA is 7.5–8.9° (Munro, Herrington & Carolan 2012); a smaller difference is within what
/// filming and landmark noise make of two identical knees.
pub const ASYMMETRY_MIN_DEG: f64 = 8.0;

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
    let stat = |f: fn(&(usize, f64, f64, f64)) -> f64| Stat::of(both.iter().map(|b| Some(f(b))));
    let diff = stat(|b| b.1)?;
    let mean = diff.mean;
    let mean_of = |f| stat(f).map_or(0.0, |s| s.mean);
    let (left, right, uncertainty) = (mean_of(|b| b.3), mean_of(|b| b.3 - b.1), mean_of(|b| b.2));
    let threshold = ASYMMETRY_MIN_DEG.max(2.0 * diff.sd.unwrap_or(0.0)).max(uncertainty);
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

/// One-leg tasks (single-leg squat, step-down, lunge, stairs) load one leg per rep, so left and right are compared
/// between the reps on each leg: "caves in more" only when the two legs' mean FPPA, each over at least
/// [`ASYMMETRY_MIN_REPS`] reps, differ by more than [`ASYMMETRY_MIN_DEG`], twice the spread of one rep's value
/// on each leg combined (√(SD²ₗ + SD²ᵣ)), and the values' mean combined uncertainty. Both legs at the same moment.
pub(super) fn stance_asymmetry_finding(reps: &[Rep]) -> Option<String> {
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
    // (mean, SD, mean uncertainty) of one leg's values.
    let stats = |v: &Values| {
        let of = |f: fn(&(usize, f64, f64)) -> f64| Stat::of(v.iter().map(|x| Some(f(x))));
        let value = of(|x| x.1);
        (value.map_or(0.0, |s| s.mean), value.and_then(|s| s.sd).unwrap_or(0.0), of(|x| x.2).map_or(0.0, |s| s.mean))
    };
    let ((ml, sl, ul), (mr, sr, ur)) = (stats(&l), stats(&r));
    let diff = ml - mr;
    let threshold = ASYMMETRY_MIN_DEG.max(2.0 * sl.hypot(sr)).max(ul + ur);
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
pub(super) fn left_right_findings(reps: &[Rep]) -> Vec<String> {
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
