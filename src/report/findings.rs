//! Plain-language findings from an analysis: what a clinician reads first. Every sentence rests on reported
//! values only, names its reps, and says when the filming limits what can be said.

use crate::analysis::Analysis;
use crate::kinematics::pitch::{turned_back, MAX_PITCH_DEG, MIN_PITCH_DEG};
use crate::kinematics::{view_name, FlexionSource, Side, View};
use crate::reps::{tasks_in_order, KtoCategory, Rep, Stat, Task, TaskStats};

use super::left_right::{left_right_findings, stance_asymmetry_finding};

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

/// Rep numbers in words: "rep 4", "reps 1, 2, 5" or "reps 3–6".
pub fn rep_list(numbers: &[usize]) -> String {
    let consecutive = numbers.windows(2).all(|w| w[1] == w[0] + 1);
    match numbers {
        [one] => format!("rep {one}"),
        [first, .., last] if consecutive && numbers.len() > 2 => format!("reps {first}–{last}"),
        _ => format!("reps {}", numbers.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")),
    }
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
            crate::kinematics::MAX_FPPA_YAW_SHARE_DEG
        ));
    }
    // Said where a per-leg value is given (not on stairs filmed along the flight, which give none).
    let per_leg = reps.iter().any(|r| {
        r.view.is_frontal()
            && r.legs.iter().any(|l| l.fppa_bottom_deg.value.is_some() || l.kto_bottom_pct_shank.value.is_some())
    });
    match a.signals.camera_pitch_deg.filter(|p| *p >= MIN_PITCH_DEG && per_leg && !from_behind) {
        Some(p) if turned_back(p) => out.push(format!(
            "Filming: the camera looked down onto the knees by about {p:.0} degrees (held above knee height), which makes knees that travel toward it read valgus; per-leg values are turned back for it (genu reads the angle from BlazePose's standing shanks, to about ±3 degrees). Film at knee height for the most direct reading."
        )),
        Some(p) => out.push(format!(
            "Filming: the camera seemed to look down onto the knees by about {p:.0} degrees, more than genu turns back ({MAX_PITCH_DEG:.0}); per-leg values are as the picture shows them and may read knees that travel toward the camera as valgus. Film at knee height."
        )),
        None => {}
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
    if let Some(drift) = a.planted_drift_pct_leg.filter(|_| a.config.kinematics.hand_held) {
        out.push(format!(
            "Filming: the camera moved: the background could not be read (a plain wall?) and the planted feet moved sideways together by {drift:.0} % of the leg's length during the reps, as a hand-held phone moves them. The picture was steadied on the planted foot before anything was measured (as --hand-held does): depths can read a few % of leg off what a still camera gives. Film from a tripod or a phone propped up for the most direct reading."
        ));
    } else if a.config.kinematics.hand_held {
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
