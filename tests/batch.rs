//! `genu analyze CLIP` and `genu batch`: the files users get, the same rows either way, bad files in a folder,
//! a killed run resumed, and shards merged.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::{demo_walk, ffmpeg, files_below, genu, sports2d_demo};
use genu::report::REPS_CSV_HEADER;
use predicates::prelude::*;

/// Short clips cut from the sports2d demo (real people): the walk used by the pose tests, and two more.
fn clips(dir: &Path) -> Vec<PathBuf> {
    let demo = sports2d_demo();
    let walk = dir.join("walk.mp4");
    demo_walk(&walk);
    let mut out = vec![walk];
    for (name, start, len) in [("box.mp4", "0", "2"), ("jump.mp4", "5.4", "2.2")] {
        let p = dir.join(name);
        ffmpeg(&[
            "-ss",
            start,
            "-i",
            demo.to_str().expect("utf-8"),
            "-t",
            len,
            "-an",
            "-vf",
            "scale=884:-2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-threads",
            "1",
            p.to_str().expect("utf-8"),
        ]);
        out.push(p);
    }
    out
}

fn csv_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn clip_folder(out: &Path, name: &str) -> PathBuf {
    std::fs::read_dir(out)
        .expect("output folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{name}.")))
        })
        .unwrap_or_else(|| panic!("no result folder for {name} in {}", out.display()))
}

#[test]
fn analyze_and_batch_write_the_same_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    let clips = clips(&input);
    let single = tmp.path().join("single");
    genu()
        .arg("analyze")
        .arg(&clips[0])
        .arg("-o")
        .arg(&single)
        .assert()
        .success()
        .stdout(predicate::str::contains("task:"))
        .stderr(predicate::str::contains("report.html"));
    for f in ["reps.csv", "frames.csv", "summary.json", "report.html", "overlay.mp4", "track.json", "genu-done.json"] {
        assert!(single.join(f).is_file(), "{f} missing");
    }
    let reps = csv_lines(&single.join("reps.csv"));
    assert_eq!(reps[0], REPS_CSV_HEADER.join(","));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(single.join("summary.json")).expect("read")).expect("json");
    assert_eq!(summary["provenance"]["input"]["file_name"], "walk.mp4");
    assert_eq!(summary["provenance"]["input"]["sha256"].as_str().map(str::len), Some(64));
    assert!(summary["provenance"]["landmark_model_sha256"].as_str().is_some());
    let html = std::fs::read_to_string(single.join("report.html")).expect("html");
    // The walk is a person walking past: no rep, and each hip dip is listed as not counted, with the reason.
    let reps_found = summary["analysis"]["reps"]["reps"].as_array().map_or(0, Vec::len);
    assert_eq!(reps_found, 0, "walking is not a squat");
    let findings: Vec<&str> =
        summary["findings"].as_array().expect("findings").iter().filter_map(|f| f.as_str()).collect();
    assert!(
        findings.iter().any(|f| f.starts_with("Not counted as a rep") && f.contains("both feet moved")),
        "{findings:?}"
    );
    // Each of the three series is an inline SVG plot with its title, or a line saying it is not available
    // (a person walking past is filmed from the side: no frontal values).
    let plots = html.matches("<svg").count();
    assert!(plots >= 1, "the hip drop is plotted");
    assert_eq!(plots + html.matches("not available in this clip").count(), 3, "FPPA, knee over toe, hip drop");
    for title in ["Frontal-plane projection angle", "Knee over second toe", "Hip drop"] {
        assert!(html.contains(title), "{title} missing");
    }
    assert!(
        html.contains("<h2>Provenance</h2>")
            && html.contains(summary["provenance"]["input"]["sha256"].as_str().unwrap_or("?"))
    );
    assert!(html.matches("data:image/png;base64,").count() >= reps_found, "a still per rep, inline");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "no network resources");

    let batch = tmp.path().join("batch");
    genu().args(["batch", "--jobs", "2"]).arg(&input).arg("-o").arg(&batch).assert().success();
    for f in ["all_reps.csv", "failures.csv", "index.html", "batch.json"] {
        assert!(batch.join(f).is_file(), "{f} missing");
    }
    let same = csv_lines(&clip_folder(&batch, "walk.mp4").join("reps.csv"));
    assert_eq!(reps, same, "analyze and batch give different rows for the same clip");
    let all = csv_lines(&batch.join("all_reps.csv"));
    assert_eq!(all[0], REPS_CSV_HEADER.join(","));
    let walk_rows: Vec<&String> = all.iter().filter(|l| l.starts_with("walk.mp4,")).collect();
    assert_eq!(walk_rows.len(), reps.len() - 1);
    let index = std::fs::read_to_string(batch.join("index.html")).expect("index");
    assert!(index.contains("report.html") && index.contains("walk.mp4"));

    // --format csv prints the same rows for pipelines.
    let out = genu()
        .arg("analyze")
        .arg(&clips[0])
        .arg("-o")
        .arg(&single)
        .args(["--format", "csv", "--no-overlay"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect::<Vec<_>>(), reps);

    // --format json prints exactly the summary it wrote.
    let out = genu()
        .arg("analyze")
        .arg(&clips[0])
        .arg("-o")
        .arg(&single)
        .args(["--format", "json", "--no-overlay", "--no-report"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the summary JSON");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(single.join("summary.json")).expect("read")).expect("json");
    assert_eq!(printed, written);
    assert!(printed["analysis"]["reps"]["ignored"].as_array().is_some_and(|i| !i.is_empty()), "the walk's dips");
}

#[test]
fn bad_files_fail_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    let good = clips(&input);
    std::fs::remove_file(&good[2]).expect("rm");
    std::fs::write(input.join("empty.mp4"), b"").expect("write");
    std::fs::write(input.join("notes.mp4"), b"a text file, not a video\n").expect("write");
    let bytes = std::fs::read(&good[0]).expect("read");
    std::fs::write(input.join("truncated.mp4"), &bytes[..bytes.len() / 3]).expect("write");
    std::os::unix::fs::symlink("/nonexistent/clip.mp4", input.join("unreadable.mp4")).expect("symlink");
    // A good clip whose name is not UTF-8.
    use std::os::unix::ffi::OsStrExt;
    let odd = input.join(std::ffi::OsStr::from_bytes(b"odd\xffname.mp4"));
    std::fs::copy(&good[1], &odd).expect("copy");
    let out = tmp.path().join("out");
    genu()
        .args(["batch", "--no-overlay", "--no-report"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("2 failed").not());
    let failures = std::fs::read_to_string(out.join("failures.csv")).expect("failures");
    for (name, cause) in [
        ("empty.mp4", "file is empty"),
        ("notes.mp4", "not a video"),
        ("truncated.mp4", "truncated"),
        ("unreadable.mp4", "No such file"),
    ] {
        let line =
            failures.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} not listed:\n{failures}"));
        assert!(line.contains(cause), "{line}");
    }
    assert_eq!(failures.lines().count(), 5, "header + 4 failures:\n{failures}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).expect("read")).expect("json");
    let done: Vec<&str> = summary["clips"]
        .as_array()
        .expect("clips")
        .iter()
        .filter(|c| c["status"] == "done")
        .filter_map(|c| c["relative"].as_str())
        .collect();
    assert_eq!(done.len(), 3, "{done:?}");
    assert!(done.iter().any(|n| n.starts_with("odd")), "{done:?}");
}

#[test]
fn killed_batch_resumes_without_redoing_or_trusting_half_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    clips(&input);
    let out = tmp.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("genu");
    let mut child = StdCommand::new(&bin)
        .args(["batch", "--jobs", "1", "--no-report"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .env_remove("GENU_ORT_LIB")
        .env_remove("GENU_MODELS")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Kill it once the first clip is complete and the second is under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let markers = std::fs::read_dir(&out)
            .map(|d| d.filter_map(Result::ok).filter(|e| e.path().join("genu-done.json").is_file()).count())
            .unwrap_or(0);
        if markers >= 1 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no clip finished in time");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
    let finished_before: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("genu-done.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!finished_before.is_empty() && finished_before.len() < 3, "{finished_before:?}");

    genu().args(["batch", "--jobs", "1", "--no-report"]).arg(&input).arg("-o").arg(&out).assert().success();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).expect("read")).expect("json");
    let clips = summary["clips"].as_array().expect("clips");
    assert_eq!(clips.len(), 3);
    for c in clips {
        let folder = c["folder"].as_str().expect("folder");
        let expected = if finished_before.iter().any(|f| f == folder) { "skipped" } else { "done" };
        assert_eq!(c["status"], expected, "{folder}");
        // Every output parses: nothing half-written survived.
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(folder).join("summary.json")).expect("summary"))
                .expect("json");
        assert!(s["analysis"].is_object());
        assert!(out.join(folder).join("overlay.mp4").is_file());
    }
    // No temporary files left behind by the killed run.
    let leftovers: Vec<PathBuf> = files_below(&out)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with(genu::fsx::TEMP_PREFIX) || name.starts_with(".tmp") || name.ends_with(".partial")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn shards_merge_to_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    clips(&input);
    let args = ["batch", "--no-overlay", "--no-report", "--jobs", "1"];
    let whole = tmp.path().join("whole");
    genu().args(args).arg(&input).arg("-o").arg(&whole).assert().success();
    let mut parts = Vec::new();
    for k in 1..=2 {
        let p = tmp.path().join(format!("part{k}"));
        genu().args(args).arg(&input).arg("-o").arg(&p).arg("--shard").arg(format!("{k}/2")).assert().success();
        parts.push(p);
    }
    let merged = tmp.path().join("merged");
    genu().arg("merge").args(&parts).arg("-o").arg(&merged).assert().success();
    assert_eq!(csv_lines(&merged.join("all_reps.csv")), csv_lines(&whole.join("all_reps.csv")));
    let shard_sizes: Vec<usize> = parts
        .iter()
        .map(|p| {
            let s: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p.join("batch.json")).expect("read")).expect("json");
            s["clips"].as_array().map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(shard_sizes, vec![2, 1]);
    genu().args(["batch", "--shard", "3/2"]).arg(&input).arg("-o").arg(&merged).assert().code(2);
}
