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
/// joint centre and toe tip; the benchmark's error for this view is 0.2–1.8 % of shank.
const KTO_TOL_PCT: f64 = 5.0;
/// Rep bottoms found within this of the programmed bottoms (seconds).
const BOTTOM_TOL_S: f64 = 0.2;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/synth").join(name)
}

fn analyse(name: &str) -> (Vec<std::collections::HashMap<String, String>>, serde_json::Value) {
    let out = tempfile::tempdir().expect("tempdir");
    genu()
        .arg("analyze")
        .arg(fixture(name))
        .arg("-o")
        .arg(out.path())
        .args(["--no-overlay", "--no-report"])
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(out.path().join("reps.csv")).expect("reps.csv");
    let rows = reader.deserialize().collect::<Result<Vec<_>, _>>().expect("rows");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(&format!("{name}.truth.json"))).expect("truth")).expect("json");
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
            assert!((fppa - want).abs() <= FPPA_TOL_DEG, "rep {rep} {leg}: FPPA {fppa:.1} vs {want:.1}");
            let kto = num(row, "kto_bottom_pct_shank").expect("KTO measured");
            let want = tr["kto_pct_shank"][side].as_f64().expect("truth");
            assert!((kto - want).abs() <= KTO_TOL_PCT, "rep {rep} {leg}: KTO {kto:.1} vs {want:.1}");
        }
        let left = rows.iter().find(|r| r["rep"] == rep && r["leg"] == "left").and_then(|r| num(r, "fppa_peak_deg"));
        let right = rows.iter().find(|r| r["rep"] == rep && r["leg"] == "right").and_then(|r| num(r, "fppa_peak_deg"));
        assert!(right > left, "the right knee caves in more");
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
