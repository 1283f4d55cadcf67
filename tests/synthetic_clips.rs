//! End to end on the project's own rendered clips with known valgus (fixtures/synth, made by
//! tools/synth/synth.py): decoding, pose, kinematics and reps together, against the generator's truth.

mod common;

use std::path::{Path, PathBuf};

use common::genu;

/// FPPA at the bottom, frontal camera at knee height: the accuracy benchmark (`make accuracy`) measured a
/// mean absolute error of 0.9–2.4 degrees for this view (1.1 for this programme); 3 degrees is the issue's
/// target.
const FPPA_TOL_DEG: f64 = 3.0;
/// Knee over toe at the bottom: BlazePose's knee and foot-index landmarks sit on the skin, not at the rig's
/// joint centre and toe tip; the benchmark's error for this view is 0.2–1.8 % of shank. Tighter than the ±5 %
/// over-toe band, so a value on the wrong side of a category's edge fails here.
const KTO_TOL_PCT: f64 = 3.0;
/// Rep bottoms found within this of the programmed bottoms (seconds).
const BOTTOM_TOL_S: f64 = 0.2;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/synth").join(name)
}

fn analyse(name: &str) -> (Vec<std::collections::HashMap<String, String>>, serde_json::Value) {
    let (rows, truth, _) = findings(name);
    (rows, truth)
}

fn num(row: &std::collections::HashMap<String, String>, col: &str) -> Option<f64> {
    row.get(col).and_then(|v| v.parse().ok())
}

#[test]
fn frontal_clip_with_right_knee_valgus() {
    let (rows, truth) = analyse("front_valgus_r16.mp4");
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len(), "rows: {rows:?}");
    for (k, tr) in reps.iter().enumerate() {
        let rep = (k + 1).to_string();
        for (side, leg) in ["left", "right"].iter().enumerate() {
            let row = rows.iter().find(|r| r["rep"] == rep && r["leg"] == *leg).expect("row");
            let bottom = num(row, "t_bottom_s").expect("bottom");
            assert!(
                (bottom - tr["bottom_s"].as_f64().unwrap_or(0.0)).abs() <= BOTTOM_TOL_S,
                "rep {rep}: bottom {bottom}"
            );
            let fppa = num(row, "fppa_bottom_deg").expect("FPPA measured");
            let want = tr["fppa_deg"][side].as_f64().expect("truth");
            // The camera is square, but genu measures its yaw (about -2.5° here, from BlazePose's world hips) and
            // corrects for it: the error stays within the uncertainty it states for the value, or the frontal
            // benchmark's 3° where that is larger.
            let stated = num(row, "fppa_uncertainty_deg").expect("uncertainty stated");
            let tol = FPPA_TOL_DEG.max(stated);
            let limit = genu::kinematics::MAX_FPPA_YAW_SHARE_DEG + genu::kinematics::FPPA_BASE_ERROR_DEG;
            assert!(stated <= limit, "rep {rep} {leg}: uncertainty {stated}");
            assert!((fppa - want).abs() <= tol, "rep {rep} {leg}: FPPA {fppa:.1} vs {want:.1} (± {tol:.1})");
            let kto = num(row, "kto_bottom_pct_shank").expect("KTO measured");
            let want = tr["kto_pct_shank"][side].as_f64().expect("truth");
            assert!((kto - want).abs() <= KTO_TOL_PCT, "rep {rep} {leg}: KTO {kto:.1} vs {want:.1}");
        }
        let peak = |leg: &str| {
            rows.iter()
                .find(|r| r["rep"] == rep && r["leg"] == leg)
                .and_then(|r| num(r, "fppa_peak_deg"))
                .unwrap_or_else(|| panic!("rep {rep}: {leg} peak FPPA measured"))
        };
        assert!(peak("right") > peak("left") + 5.0, "the right knee caves in more");
    }
}

#[test]
fn side_view_clip_counts_reps_and_leaves_valgus_empty() {
    let (rows, truth) = analyse("side_squat.mp4");
    assert_eq!(rows.len(), 2 * truth["reps"].as_array().map_or(0, Vec::len));
    for row in &rows {
        assert_eq!(row["fppa_bottom_deg"], "");
        assert!(row["fppa_note"].contains("frontal view"), "{}", row["fppa_note"]);
        assert!(num(row, "knee_flexion_deg").is_some_and(|k| k > 30.0));
        assert_eq!(row["knee_flexion_source"], "sagittal_2d");
    }
}

#[test]
fn single_leg_squat_finds_the_stance_leg_and_its_valgus() {
    let (rows, truth) = analyse("single_leg_left12.mp4");
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len());
    for (k, tr) in reps.iter().enumerate() {
        let rep = (k + 1).to_string();
        let left = rows.iter().find(|r| r["rep"] == rep && r["leg"] == "left").expect("left row");
        let right = rows.iter().find(|r| r["rep"] == rep && r["leg"] == "right").expect("right row");
        assert_eq!(left["task"], "single-leg-squat");
        assert_eq!(left["stance_leg"], "left");
        let fppa = num(left, "fppa_bottom_deg").expect("stance FPPA");
        let want = tr["fppa_deg"][0].as_f64().expect("truth");
        assert!((fppa - want).abs() <= FPPA_TOL_DEG, "rep {rep}: FPPA {fppa:.1} vs {want:.1}");
        assert_eq!(right["fppa_bottom_deg"], "", "the free leg has no FPPA");
        assert!(right["fppa_note"].contains("free leg"));
    }
}

/// Every programmed rep of the fixture `name` is found (one row per leg) as a step-down on `stance`.
fn every_rep_a_step_down_on(name: &str, stance: &str) {
    let (rows, truth) = analyse(name);
    assert_eq!(rows.len(), 2 * truth["reps"].as_array().map_or(0, Vec::len), "{rows:?}");
    for row in &rows {
        assert_eq!(row["task"], "step-down", "{row:?}");
        assert_eq!(row["stance_leg"], stance, "{row:?}");
    }
}

#[test]
fn step_down_is_a_step_down_on_the_right_leg() {
    // The free foot reaches down past the box while its leg hangs: a step-down, not a single-leg squat (the
    // single-leg fixture above, free foot held forward, must stay a single-leg squat).
    every_rep_a_step_down_on("step_down_right_chest.mp4", "right");
}

#[test]
fn a_step_down_filmed_by_a_hand_held_camera_is_still_a_step_down() {
    // The camera drifts up to 10 cm sideways and 5 cm up and down: the planted foot travels in the picture nearly
    // as far as the lowered one, which a still-camera rule read as two bilateral squats.
    every_rep_a_step_down_on("step_down_left_handheld.mp4", "left");
}

#[test]
fn a_hand_held_step_down_steadied_on_the_planted_foot_keeps_its_bottoms() {
    // The same clip with `--hand-held`: the picture is steadied on the left ankle, and each rep's bottom is found
    // where the subject's was (the drift moves the hip in the picture by a third of the rep's depth).
    let (rows, truth, summary) = run_with("step_down_left_handheld.mp4", &["--hand-held"]);
    assert_eq!(summary["analysis"]["config"]["kinematics"]["hand_held"], true, "{}", summary["analysis"]["config"]);
    let said = summary["findings"].as_array().expect("findings");
    assert!(said.iter().any(|f| f.as_str().is_some_and(|f| f.starts_with("Filming: hand-held"))), "{said:?}");
    every_rep_found(&rows, &truth, "step-down", "left");
}

#[test]
fn a_hand_held_single_leg_squat_against_a_plain_wall_is_steadied_on_its_planted_foot() {
    // Nothing behind the subject to read the camera's motion on; the phone drifts 12 cm sideways. The planted
    // foot moves sideways in the picture during every rep, so genu steadies on it without being asked: every
    // bottom where the subject's was (unsteadied, two of the three were 0.3 and 0.5 s off).
    let (rows, truth, summary) = run("single_leg_left_handheld_wall.mp4");
    let a = &summary["analysis"];
    assert!(
        a["signals"]["background_coverage"].as_f64().is_some_and(|c| c < 0.5),
        "{}",
        a["signals"]["background_coverage"]
    );
    let drift = a["planted_drift_pct_leg"].as_f64().expect("the drift read on the planted foot");
    assert!(drift >= genu::reps::MIN_DRIFT_PCT_LEG, "drift {drift} % of leg");
    assert_eq!(a["config"]["kinematics"]["hand_held"], true, "{}", a["config"]);
    let said = summary["findings"].as_array().expect("findings");
    let banner = "Filming: the camera moved: the background could not be read";
    assert!(said.iter().any(|f| f.as_str().is_some_and(|f| f.starts_with(banner))), "{said:?}");
    every_rep_found(&rows, &truth, "single-leg-squat", "left");
}

#[test]
fn a_still_camera_against_a_plain_wall_is_not_taken_for_a_hand_held_one() {
    for name in ["single_leg_left12.mp4", "front_valgus_r16.mp4"] {
        let (_, _, summary) = run(name);
        let a = &summary["analysis"];
        let drift = a["planted_drift_pct_leg"].as_f64().expect("the planted feet read");
        assert!(drift < genu::reps::MIN_DRIFT_PCT_LEG / 2.0, "{name}: drift {drift} % of leg");
        assert_eq!(a["config"]["kinematics"]["hand_held"], false, "{name}");
        let said = summary["findings"].as_array().expect("findings");
        assert!(!said.iter().any(|f| f.as_str().is_some_and(|f| f.contains("camera moved"))), "{name}: {said:?}");
    }
}

#[test]
fn a_single_leg_squat_filmed_by_a_turning_hand_is_steadied_on_its_background() {
    // A hand turns the phone: the picture drifts by a quarter of the leg, which read the clip as two lunges on the
    // right leg. The room's wall and floor give the camera's motion; steadied on them, the three single-leg squats
    // on the left leg are found where they were, with no option asked for.
    let (rows, truth, summary) = run("single_leg_left_turning_hand_room.mp4");
    let moved = summary["analysis"]["signals"]["camera_moved_pct_leg"].as_f64().expect("camera motion read");
    assert!(moved >= 10.0, "the camera moved {moved} % of leg");
    let said = summary["findings"].as_array().expect("findings");
    assert!(said.iter().any(|f| f.as_str().is_some_and(|f| f.starts_with("Filming: the camera moved"))), "{said:?}");
    every_rep_found(&rows, &truth, "single-leg-squat", "left");
}

/// Every rep of the truth found once, as `task` on stance leg `stance`, its bottom within [`BOTTOM_TOL_S`].
fn every_rep_found(
    rows: &[std::collections::HashMap<String, String>],
    truth: &serde_json::Value,
    task: &str,
    stance: &str,
) {
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len(), "{rows:?}");
    for (k, tr) in reps.iter().enumerate() {
        let row = rows.iter().find(|r| r["rep"] == (k + 1).to_string() && r["leg"] == "left").expect("row");
        assert_eq!((row["task"].as_str(), row["stance_leg"].as_str()), (task, stance), "{row:?}");
        let (bottom, want) = (num(row, "t_bottom_s").expect("bottom"), tr["bottom_s"].as_f64().expect("truth"));
        assert!((bottom - want).abs() <= BOTTOM_TOL_S, "rep {}: bottom {bottom} for {want}", k + 1);
    }
}

#[test]
fn a_still_camera_is_not_steadied() {
    // The subject walks in and dips while setting up, the camera holds still: nothing is taken for its motion.
    let (_, _, summary) = run("walk_in_setup_2reps.mp4");
    assert!(summary["analysis"]["signals"]["camera_moved_pct_leg"].is_null(), "{}", summary["analysis"]["signals"]);
}

/// Knee flexion of a lunge's front knee from the side: on the rendered lunges (`accuracy.py --set lunge`) genu
/// read it 8–12° short of the rig's joint-centre angle (true 82–92°); 15° bounds that, while a back knee taken for
/// the front one would be 20° or more off.
const LUNGE_FLEXION_TOL_DEG: f64 = 15.0;

#[test]
fn a_split_squat_from_the_side_measures_the_front_knee() {
    let (rows, truth) = analyse("lunge_side_left.mp4");
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len(), "{rows:?}");
    for (k, tr) in reps.iter().enumerate() {
        let rep = (k + 1).to_string();
        let row = |leg: &str| rows.iter().find(|r| r["rep"] == rep && r["leg"] == leg).expect("row");
        let (front, back) = (row("left"), row("right"));
        assert_eq!((front["task"].as_str(), front["stance_leg"].as_str()), ("lunge", "left"), "{front:?}");
        let bottom = num(front, "t_bottom_s").expect("bottom");
        let want_t = tr["bottom_s"].as_f64().expect("truth");
        assert!((bottom - want_t).abs() <= BOTTOM_TOL_S, "rep {rep}: bottom {bottom} for {want_t}");
        // The generator writes one truth frame per video frame from t = 0.
        let fps = truth["settings"]["fps"].as_f64().expect("fps");
        let want = truth["frames"][(want_t * fps).round() as usize]["knee_flexion_deg"][0].as_f64().expect("truth");
        let flexion = num(front, "knee_flexion_deg").expect("front knee flexion");
        assert!((flexion - want).abs() <= LUNGE_FLEXION_TOL_DEG, "rep {rep}: flexion {flexion:.1} vs {want:.1}");
        assert!(num(back, "knee_flexion_deg").is_none() && back["fppa_note"].contains("back leg of a lunge"));
    }
}

#[test]
fn a_split_squat_from_the_front_withholds_what_it_cannot_read() {
    // The front leg is found and named; its knee flexion (the thigh points at the camera) is withheld, the back
    // leg has no values, no left/right finding is made from one measured leg per rep.
    let (rows, truth, said) = findings("lunge_front_left8.mp4");
    assert_eq!(rows.len(), 2 * truth["reps"].as_array().map_or(0, Vec::len), "{rows:?}");
    for row in &rows {
        assert_eq!((row["task"].as_str(), row["stance_leg"].as_str()), ("lunge", "left"), "{row:?}");
        assert!(num(row, "knee_flexion_deg").is_none(), "{row:?}");
        assert!(num(row, "kasr_bottom").is_none() && num(row, "fppa_mean_bottom_deg").is_none());
        if row["leg"] == "right" {
            assert!(num(row, "fppa_bottom_deg").is_none() && num(row, "kto_bottom_pct_shank").is_none());
        }
    }
    assert!(said.iter().any(|f| f.contains("of lunge found")), "{said:#?}");
    assert!(!said.iter().any(|f| f.contains("caves in more")), "{said:#?}");
}

#[test]
fn stairs_climbed_toward_a_camera_at_the_top_are_stairs_with_every_step() {
    // Filmed from the top landing, the hip barely moves in the picture while the subject comes 1.6 times nearer:
    // an ascent, one cycle per landing, the landing foot the stance leg, and no per-leg value (the size changes
    // from step to step and the camera looks down onto the bent knee).
    let (rows, truth, summary) = run("stairs_up_top.mp4");
    let said: Vec<&str> = summary["findings"].as_array().expect("findings").iter().filter_map(|f| f.as_str()).collect();
    assert!(said.iter().any(|f| f.starts_with("Filming: the stairs are filmed along the flight")), "{said:#?}");
    assert!(!said.iter().any(|f| f.starts_with("Depth:")), "{said:#?}");
    let reps = &summary["analysis"]["reps"];
    assert_eq!(reps["task"], "stairs", "{reps:#}");
    let reason = reps["task_reason"].as_str().expect("reason");
    assert!(reason.contains("ascent") && reason.contains("from the top"), "{reason}");
    // The camera on the landing looks down onto the climber; the same picture from a camera measured level (a
    // walk toward a phone below the hips moves the hip alike) is no flight.
    let signals = &summary["analysis"]["signals"];
    let pitch = signals["camera_pitch_deg"].as_f64().expect("pitch read");
    assert!(pitch >= genu::kinematics::pitch::MIN_PITCH_DEG, "pitch {pitch}");
    let mut level: genu::kinematics::Signals = serde_json::from_value(signals.clone()).expect("signals");
    level.camera_pitch_deg = Some(0.0);
    let walk = genu::reps::find_reps(&level, &genu::reps::RepConfig::default());
    assert_ne!(walk.task, genu::reps::Task::Stairs, "{}", walk.task_reason);
    let steps = truth["steps"].as_array().expect("steps");
    let stance: Vec<(f64, &str)> = rows
        .iter()
        .filter(|r| r["leg"] == "left")
        .map(|r| (num(r, "t_descent_start_s").expect("start"), r["stance_leg"].as_str()))
        .collect();
    assert_eq!(stance.len(), steps.len(), "{rows:?}");
    for ((start, leg), step) in stance.iter().zip(steps) {
        let want = step["start_s"].as_f64().expect("landing");
        assert!((start - want).abs() <= BOTTOM_TOL_S, "cycle from {start} s for the landing at {want} s");
        let want_leg = if step["stance"] == "L" { "left" } else { "right" };
        assert_eq!(*leg, want_leg, "cycle from {start} s");
    }
    for row in &rows {
        for col in ["fppa_bottom_deg", "kto_bottom_pct_shank", "knee_flexion_deg"] {
            assert!(num(row, col).is_none(), "{col} in {row:?}");
        }
        if row["leg"] == row["stance_leg"] {
            assert!(row["fppa_note"].contains("along the flight"), "{row:?}");
        }
    }
}

#[test]
fn walking_in_and_a_set_up_dip_are_not_reps() {
    // The subject walks in from outside the picture (hips bobbing 6 % of leg at each step), shuffles sideways
    // with a 7 % set-up dip, then squats twice: two reps, at the programmed bottoms, and the rest listed.
    let (rows, truth, said) = findings("walk_in_setup_2reps.mp4");
    let bottoms: Vec<f64> =
        truth["reps"].as_array().expect("reps").iter().filter_map(|r| r["bottom_s"].as_f64()).collect();
    let found: Vec<f64> = rows.iter().filter(|r| r["leg"] == "left").filter_map(|r| num(r, "t_bottom_s")).collect();
    assert_eq!(found.len(), bottoms.len(), "{rows:?}");
    for (f, b) in found.iter().zip(&bottoms) {
        assert!((f - b).abs() <= BOTTOM_TOL_S, "bottom {f} for {b}");
    }
    assert!(rows.iter().all(|r| r["flagged"] == "false" && r["task"] == "squat"), "{rows:?}");
    // Each line not counted says when: "Not counted as a rep: 1.7 s: ...".
    let ignored: Vec<(f64, &String)> = said
        .iter()
        .filter_map(|f| {
            let rest = f.strip_prefix("Not counted as a rep: ")?;
            Some((rest.split(" s:").next()?.parse().ok()?, f))
        })
        .collect();
    let walk_in_ends = truth["settings"]["walk_in"].as_f64().expect("walk-in length");
    let walk_in = ignored
        .iter()
        .any(|(t, f)| *t < walk_in_ends && (f.contains("entering or leaving") || f.contains("walking or a set-up")));
    let set_up = ignored.iter().any(|(t, f)| {
        *t >= walk_in_ends && *t < bottoms[0] && f.contains("walking or a set-up") && f.contains("feet moved")
    });
    assert!(walk_in && set_up, "the walk-in and the set-up dip are listed: {said:#?}");
}

#[test]
fn feet_turned_out_30_degrees_keep_knee_over_toe_on_the_foot() {
    // Both feet turned out 30 degrees, the knees tracking over them: the knee sits about 30 % of shank medial of
    // the foot-index landmark (the turned-out toe) in the subject's frame; genu must measure that within the
    // issue's 3 % of shank (mean over the leg-reps; BlazePose reads this figure's right foot about 3 % more
    // lateral than its left, so no single value may be more than 4 % off), never call it a knee caving in,
    // and not mistake the turned-out heels for a rolled camera.
    let (rows, truth, summary) = run("toe_out30.mp4");
    let roll = summary["analysis"]["signals"]["roll_deg"].as_f64().expect("roll");
    assert!(roll.abs() <= 1.5, "a level camera: roll {roll}");
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len(), "{rows:?}");
    let mut errors = Vec::new();
    for (k, tr) in reps.iter().enumerate() {
        for (side, leg) in ["left", "right"].iter().enumerate() {
            let row = rows.iter().find(|r| r["rep"] == (k + 1).to_string() && r["leg"] == *leg).expect("row");
            let kto = num(row, "kto_bottom_pct_shank").expect("knee over toe measured");
            let want = tr["kto_subject_pct_shank"][side].as_f64().expect("truth");
            assert!((kto - want).abs() <= 4.0, "rep {} {leg}: {kto:.1} for {want:.1}", k + 1);
            errors.push((kto - want).abs());
            let standing = num(row, "kto_standing_pct_shank").expect("standing position");
            assert!(standing > 20.0, "the turned-out toe is lateral of the knee already when standing: {standing}");
            // A knee tracking over a turned-out foot moves about 5 % of shank medial of the foot-index line as it
            // bends (the truth's drift from the still stand before rep 1): right at the 5 % rule, so genu may call
            // it standing there or unclear, never a knee caving in (red).
            let category = row["kto_category"].as_str();
            assert!(matches!(category, "medial_at_rest" | "medial_unclear"), "{row:?}");
            // The feet turn out 30 degrees from the model figure's own, which point 2.6 degrees inward.
            let toe_out = num(row, "toe_out_deg").expect("toe-out measured");
            assert!((toe_out - 27.4).abs() <= 6.0, "rep {} {leg}: toe-out {toe_out:.1} for 27.4", k + 1);
        }
    }
    let mae = errors.iter().sum::<f64>() / errors.len() as f64;
    assert!(mae <= 3.0, "knee over toe mean error {mae:.1} % of shank: {errors:?}");
}

/// The findings of a clip, from its summary.
fn findings(name: &str) -> (Vec<std::collections::HashMap<String, String>>, serde_json::Value, Vec<String>) {
    let (rows, truth, summary) = run(name);
    let said = summary["findings"].as_array().expect("findings").iter().filter_map(|f| f.as_str()).map(String::from);
    (rows, truth, said.collect())
}

/// `genu analyze` on a fixture clip: the rows of reps.csv, the clip's truth and summary.json.
fn run(name: &str) -> (Vec<std::collections::HashMap<String, String>>, serde_json::Value, serde_json::Value) {
    run_with(name, &[])
}

/// [`run`] with more arguments for `genu analyze`.
fn run_with(
    name: &str,
    extra: &[&str],
) -> (Vec<std::collections::HashMap<String, String>>, serde_json::Value, serde_json::Value) {
    let out = tempfile::tempdir().expect("tempdir");
    genu()
        .arg("analyze")
        .arg(fixture(name))
        .arg("-o")
        .arg(out.path())
        .args(["--no-overlay", "--no-report"])
        .args(extra)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(out.path().join("reps.csv")).expect("reps.csv");
    let rows = reader.deserialize().collect::<Result<Vec<_>, _>>().expect("rows");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(&format!("{name}.truth.json"))).expect("truth")).expect("json");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).expect("summary")).expect("json");
    (rows, truth, summary)
}

/// Per-leg values under a yawed camera: each FPPA and knee over toe either within the uncertainty it states (the
/// yaw's share of it at most the reporting limit) of the subject-frame truth, or left empty with the camera's yaw as
/// the reason; never a number known to be wrong. The yaw is measured within 3°.
fn per_leg_honest(rows: &[std::collections::HashMap<String, String>], truth: &serde_json::Value, yaw: f64) {
    for (k, tr) in truth["reps"].as_array().expect("reps").iter().enumerate() {
        let rep = (k + 1).to_string();
        for (side, leg) in ["left", "right"].iter().enumerate() {
            let row = rows.iter().find(|r| r["rep"] == rep && r["leg"] == *leg).expect("row");
            let measured_yaw = num(row, "camera_yaw_deg").expect("camera yaw measured");
            assert!((measured_yaw - yaw).abs() <= 3.0, "rep {rep}: yaw {measured_yaw} for {yaw}");
            let want = tr["fppa_subject_deg"][side].as_f64().expect("truth");
            match num(row, "fppa_bottom_deg") {
                Some(fppa) => {
                    let stated = num(row, "fppa_uncertainty_deg").expect("a reported FPPA states its uncertainty");
                    // The yaw's share of it at most the reporting limit, beside the landmarks' own error.
                    let limit = genu::kinematics::MAX_FPPA_YAW_SHARE_DEG + genu::kinematics::FPPA_BASE_ERROR_DEG;
                    assert!(stated <= limit, "rep {rep} {leg}: reported at ±{stated}");
                    assert!((fppa - want).abs() <= stated, "rep {rep} {leg}: FPPA {fppa} ±{stated} for {want}");
                }
                None => assert!(row["fppa_note"].contains("camera yaw"), "rep {rep} {leg}: {}", row["fppa_note"]),
            }
            let want = tr["kto_subject_pct_shank"][side].as_f64().expect("truth");
            match num(row, "kto_bottom_pct_shank") {
                Some(kto) => {
                    let stated = num(row, "kto_uncertainty_pct_shank").expect("a reported KTO states its uncertainty");
                    let limit = genu::kinematics::MAX_KTO_YAW_SHARE_PCT + genu::kinematics::KTO_BASE_ERROR_PCT;
                    assert!(stated <= limit, "rep {rep} {leg}: KTO reported at ±{stated}");
                    assert!((kto - want).abs() <= stated, "rep {rep} {leg}: KTO {kto} ±{stated} for {want}");
                }
                None => assert!(row["kto_note"].contains("camera yaw"), "rep {rep} {leg}: {}", row["kto_note"]),
            }
        }
        // The mean of both knees does not depend on the camera's yaw: within the frontal benchmark's tolerance.
        let row = rows.iter().find(|r| r["rep"] == rep).expect("row");
        let mean = num(row, "fppa_mean_bottom_deg").expect("mean FPPA");
        let want = (tr["fppa_subject_deg"][0].as_f64().unwrap_or(0.0)
            + tr["fppa_subject_deg"][1].as_f64().unwrap_or(0.0))
            / 2.0;
        assert!((mean - want).abs() <= FPPA_TOL_DEG, "rep {rep}: mean FPPA {mean} for {want}");
    }
}

#[test]
fn camera_turned_15_degrees_names_the_right_knee_and_never_the_left() {
    let (rows, truth, said) = findings("yaw15_0_16.mp4");
    per_leg_honest(&rows, &truth, 15.0);
    // The camera alone makes the left knee look 31° valgus and the right 10° varus: genu must not say the left
    // caves in more. The angle cannot tell the knees apart this far off square; knee over toe can: the right knee
    // (programmed 16°) moves toward the midline during the rep, the left (0°) does not.
    assert!(!said.iter().any(|f| f.contains("The left knee caves in")), "{said:#?}");
    assert!(
        said.iter().any(|f| f.starts_with("Knee over toe tells the knees apart: the right knee caves in")),
        "{said:#?}"
    );
    assert!(said.iter().any(|f| f.starts_with("Filming: the camera stood about")), "{said:#?}");
}

#[test]
fn deep_symmetric_squat_at_10_degrees_has_no_asymmetry_finding() {
    let (rows, truth, said) = findings("yaw10_deep_0_0.mp4");
    per_leg_honest(&rows, &truth, 10.0);
    assert!(!said.iter().any(|f| f.contains("caves in more") || f.starts_with("Knee over toe tells")), "{said:#?}");
}

/// Every per-leg valgus and knee-over-toe cell of a clip filmed from behind is empty, with that as the reason
/// (the free leg of a single-leg task has its own).
fn per_leg_withheld_from_behind(rows: &[std::collections::HashMap<String, String>]) {
    for row in rows.iter().filter(|r| r["stance_leg"] == "both" || r["stance_leg"] == r["leg"]) {
        assert_eq!(row["view"], "frontal-back", "{row:?}");
        for (value, note) in [("fppa_bottom_deg", "fppa_note"), ("kto_bottom_pct_shank", "kto_note")] {
            assert_eq!(row[value], "", "{value} withheld: {row:?}");
            assert!(row[note].contains("filmed from behind"), "{note}: {}", row[note]);
        }
        assert_eq!(row["fppa_at_60_deg"], "", "{row:?}");
    }
}

#[test]
fn squat_filmed_from_behind_is_not_mirrored_and_gives_only_what_holds() {
    // BlazePose labels a back anatomically while the face's visibility stays high: genu used to take the clip
    // for a front view and swap every frame's labels, mirroring left and right.
    let (rows, truth, said) = findings("behind_16_0.mp4");
    let reps = truth["reps"].as_array().expect("reps");
    assert_eq!(rows.len(), 2 * reps.len(), "every rep found: {rows:?}");
    per_leg_withheld_from_behind(&rows);
    for (k, tr) in reps.iter().enumerate() {
        let row = rows.iter().find(|r| r["rep"] == (k + 1).to_string()).expect("row");
        let mean = num(row, "fppa_mean_bottom_deg").expect("mean FPPA");
        let want = (tr["fppa_subject_deg"][0].as_f64().unwrap_or(f64::NAN)
            + tr["fppa_subject_deg"][1].as_f64().unwrap_or(f64::NAN))
            / 2.0;
        assert!((mean - want).abs() <= FPPA_TOL_DEG, "rep {}: mean FPPA {mean} for {want}", k + 1);
    }
    assert!(said.iter().any(|f| f.starts_with("Filming: the subject is filmed from behind")), "{said:#?}");
    assert!(!said.iter().any(|f| f.contains("caves in more") || f.contains("camera stood")), "{said:#?}");
}

#[test]
fn single_leg_squat_filmed_from_behind_names_the_real_stance_leg() {
    let (rows, truth, _) = findings("behind_single_left12.mp4");
    assert_eq!(rows.len(), 2 * truth["reps"].as_array().map_or(0, Vec::len));
    for row in &rows {
        assert_eq!(row["task"], "single-leg-squat", "{row:?}");
        assert_eq!(row["stance_leg"], "left", "a mirrored back view would make it the right: {row:?}");
    }
    per_leg_withheld_from_behind(&rows);
}

/// The HTML report `genu analyze` writes for a fixture clip.
fn report_of(name: &str) -> String {
    let out = tempfile::tempdir().expect("tempdir");
    genu().arg("analyze").arg(fixture(name)).arg("-o").arg(out.path()).arg("--no-overlay").assert().success();
    std::fs::read_to_string(out.path().join("report.html")).expect("report.html")
}

#[test]
fn report_holds_a_still_of_each_rep_bottom_inline() {
    let html = report_of("front_valgus_r16.mp4");
    assert!(html.contains("<svg"), "plots are inline");
    assert!(html.matches("data:image/png;base64,").count() >= 2, "a still of each of the 2 reps' bottoms");
    // Without an overlay video the decoding pass ends at the last bottom: that one is there too.
    assert!(html.contains("alt=\"rep 1 bottom\"") && html.contains("alt=\"rep 2 bottom\""), "both stills");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "no network resources");
}

/// The rendered squat turned by `deg` degrees (clockwise positive) with the ffmpeg CLI, as a rolled phone would
/// film it, analysed.
fn rolled(name: &str, deg: i32) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let clip = dir.path().join(format!("rolled{deg}.mp4"));
    common::ffmpeg(&[
        "-i",
        fixture(name).to_str().expect("utf-8"),
        "-vf",
        &format!("rotate={deg}*PI/180:fillcolor=gray"),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        clip.to_str().expect("utf-8"),
    ]);
    let out = dir.path().join("out");
    genu().arg("analyze").arg(&clip).arg("-o").arg(&out).args(["--no-overlay", "--no-report"]).assert().success();
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary")).expect("json")
}

#[test]
fn a_rolled_camera_is_measured_and_knee_over_toe_recovered() {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("front_valgus_r16.mp4.truth.json")).expect("truth"))
            .expect("json");
    for deg in [5, -5] {
        let summary = rolled("front_valgus_r16.mp4", deg);
        let roll = summary["analysis"]["signals"]["roll_deg"].as_f64().expect("roll");
        // The target: within 1.5° (the level clip itself reads 0.0°, these 4.9° and -5.1°).
        assert!((roll - f64::from(deg)).abs() <= 1.5, "turned {deg}°: roll {roll}");
        for (rep, tr) in summary["analysis"]["reps"]["reps"]
            .as_array()
            .expect("reps")
            .iter()
            .zip(truth["reps"].as_array().expect("reps"))
        {
            for side in 0..2 {
                let kto = rep["legs"][side]["kto_bottom_pct_shank"]["value"].as_f64().expect("KTO");
                let want = tr["kto_pct_shank"][side].as_f64().expect("truth");
                assert!((kto - want).abs() <= KTO_TOL_PCT, "turned {deg}°, leg {side}: KTO {kto:.1} vs {want:.1}");
            }
        }
    }
}

#[test]
fn rolled_single_leg_and_step_down_cameras_read_their_roll() {
    // Single-leg tasks stand on both feet only between reps, and a step-down's free foot hovers over the box's
    // edge: the heel line alone read -7.9 degrees for a -10 degree roll; the median of five cues must hold.
    for (name, deg, stance) in [("single_leg_left12.mp4", -10, 0), ("step_down_right_chest.mp4", 8, 1)] {
        let truth: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixture(&format!("{name}.truth.json"))).expect("truth"))
                .expect("json");
        let summary = rolled(name, deg);
        let signals = &summary["analysis"]["signals"];
        let roll = signals["roll_deg"].as_f64().expect("roll");
        assert!((roll - f64::from(deg)).abs() <= 1.5, "{name} turned {deg}°: roll {roll}");
        assert!(signals["roll_uncertainty_deg"].as_f64().is_some_and(|u| u < 1.5), "{signals:?}");
        let reps = summary["analysis"]["reps"]["reps"].as_array().expect("reps");
        assert_eq!(reps.len(), truth["reps"].as_array().expect("reps").len(), "{name}");
        for (rep, tr) in reps.iter().zip(truth["reps"].as_array().expect("reps")) {
            let want = tr.get("kto_subject_pct_shank").unwrap_or(&tr["kto_pct_shank"])[stance].as_f64().expect("truth");
            let kto = rep["legs"][stance]["kto_bottom_pct_shank"]["value"].as_f64().expect("stance KTO");
            assert!((kto - want).abs() <= KTO_TOL_PCT, "{name} turned {deg}°: stance KTO {kto:.1} vs {want:.1}");
            assert!(rep["legs"][1 - stance]["kto_bottom_pct_shank"]["value"].is_null(), "the free leg has none");
        }
    }
}

#[test]
fn a_clip_of_a_squat_then_single_leg_squats_on_each_leg_names_the_worse_leg() {
    // One squat, two single-leg squats on the left leg, two on the right; the right knee caves in (14 degrees in
    // the subject's frame), the left does not.
    let (rows, truth, said) = findings("mixed_single_right14.mp4");
    let left_rows: Vec<_> = rows.iter().filter(|r| r["leg"] == "left").collect();
    let tasks: Vec<(&str, &str)> = left_rows.iter().map(|r| (r["task"].as_str(), r["stance_leg"].as_str())).collect();
    let sls = "single-leg-squat";
    assert_eq!(tasks, vec![("squat", ""), (sls, "left"), (sls, "left"), (sls, "right"), (sls, "right")]);
    for (r, tr) in left_rows.iter().zip(truth["reps"].as_array().expect("reps")) {
        let t = num(r, "t_bottom_s").expect("bottom");
        assert!((t - tr["bottom_s"].as_f64().expect("truth")).abs() <= BOTTOM_TOL_S, "bottom at {t}");
    }
    assert_eq!(said[0], "5 repetitions found: 1 squat (rep 1), 4 single-leg-squat (reps 2–5).", "{said:#?}");
    let heading = said.iter().position(|f| f == "Single-leg squat (reps 2–5):").expect("heading");
    let worse = said[heading..].iter().find(|f| f.contains("caves in more")).expect("a left/right finding");
    assert!(
        worse.starts_with("The right knee caves in more") && worse.contains("standing on the left leg (reps 2, 3)")
    );
    assert!(!said.iter().any(|f| f.starts_with("The left knee caves in more")), "{said:#?}");
    // Each stance knee's FPPA at the bottom near the subject-frame truth: single-leg stance knees read up to 3.6
    // degrees under it here (the rendered mixed set's held-out stance-knee MAE is about 2 degrees).
    for (r, tr) in
        rows.iter().filter(|r| r["leg"] == r["stance_leg"]).zip(truth["reps"].as_array().expect("reps").iter().skip(1))
    {
        let k = if r["leg"] == "left" { 0 } else { 1 };
        let want = tr["fppa_subject_deg"][k].as_f64().expect("truth");
        let got = num(r, "fppa_bottom_deg").expect("stance knee FPPA");
        assert!((got - want).abs() <= 4.0, "rep {}: {got:.1} against {want:.1}", r["rep"]);
    }
    // The report sets each task's heading apart from the findings under it.
    let html = report_of("mixed_single_right14.mp4");
    assert!(html.contains("<li class=\"task\">Single-leg squat (reps 2–5):</li>"), "task heading in the report");
}
