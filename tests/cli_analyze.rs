//! `genu analyze --pose`: a saved track in, a per-rep table (or JSON) out; bad tracks give one clear line.

mod common;

use common::{genu, scratch_dir};
use genu::synthetic::{generate, SynthSpec};
use predicates::prelude::*;

fn write_track(name: &str, spec: &SynthSpec) -> std::path::PathBuf {
    let (track, _) = generate(spec);
    let path = scratch_dir().join(name);
    track.write_json(&path).expect("write track");
    path
}

#[test]
fn analyses_a_saved_track() {
    let track = write_track("analyze_ok.json", &SynthSpec::default());
    let out = scratch_dir().join("analyze_ok.analysis.json");
    genu()
        .args(["analyze", "--pose"])
        .arg(&track)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 reps").and(predicate::str::contains("frontal (from the front)")));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("analysis written")).expect("json");
    assert_eq!(doc["reps"]["reps"].as_array().map(Vec::len), Some(3));
    let fppa = doc["reps"]["reps"][0]["legs"][1]["fppa_bottom_deg"]["value"].as_f64().expect("right FPPA");
    assert!((fppa - 16.0).abs() < 0.2, "{fppa}");
    // The bottom's frame and time are there to audit.
    assert!(doc["reps"]["reps"][0]["bottom"]["frame"].as_u64().is_some());

    // `--format json` prints the same analysis, whole and parseable: the same reps with the same values.
    let printed = genu().args(["analyze", "--format", "json", "--pose"]).arg(&track).assert().success();
    let printed: serde_json::Value = serde_json::from_slice(&printed.get_output().stdout).expect("stdout is JSON");
    assert_eq!(printed["reps"], doc["reps"]);
    assert_eq!(printed["signals"]["t_s"], doc["signals"]["t_s"]);
}

#[test]
fn bad_tracks_give_one_line() {
    let dir = scratch_dir();
    let good = write_track("analyze_src.json", &SynthSpec::default());
    let text = std::fs::read_to_string(&good).expect("read");

    let wrong_version = dir.join("analyze_v9.json");
    std::fs::write(&wrong_version, text.replacen("\"version\":1", "\"version\":9", 1)).expect("write");
    let truncated = dir.join("analyze_cut.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).expect("write");
    let nan = dir.join("analyze_nan.json");
    std::fs::write(&nan, text.replacen("\"pts_s\":0.0", "\"pts_s\":NaN", 1)).expect("write");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["frames"] = serde_json::json!([]);
    let empty = dir.join("analyze_empty.json");
    std::fs::write(&empty, serde_json::to_vec(&doc).expect("json")).expect("write");
    let missing = dir.join("analyze_missing.json");

    for (path, cause) in [
        (&wrong_version, "version 9 is not supported"),
        (&truncated, "not a genu pose track"),
        (&nan, "not a genu pose track"),
        (&empty, "the track has no frames"),
        (&missing, "No such file"),
    ] {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        genu()
            .args(["analyze", "--pose"])
            .arg(path)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(name).and(predicate::str::contains(cause)))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
}
