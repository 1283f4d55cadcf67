//! Ctrl-C and crashes: a batch writes its combined files after every clip, an interrupted batch keeps what is
//! done, lists the rest as interrupted, removes its temporaries and exits 130; an interrupted `analyze` leaves
//! no temporary and no completion marker.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{ffmpeg, files_below};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/synth/front_valgus_r16.mp4")
}

fn spawn(args: &[&std::ffi::OsStr]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_genu"))
        .args(args)
        .env_remove("GENU_ORT_LIB")
        .env_remove("GENU_MODELS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn genu")
}

fn sigint(child: &Child) {
    let pid = i32::try_from(child.id()).expect("pid");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

/// Wait until `ready` holds (polling), failing after two minutes.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn temporaries(dir: &Path) -> Vec<PathBuf> {
    files_below(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(genu::fsx::TEMP_PREFIX)))
        .collect()
}

fn batch_json(out: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&std::fs::read(out.join("batch.json")).ok()?).ok()
}

fn statuses(doc: &serde_json::Value) -> Vec<String> {
    doc["clips"].as_array().into_iter().flatten().map(|c| c["status"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn interrupted_batch_keeps_what_is_done_and_resumes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    for (k, start) in ["0", "2", "4"].iter().enumerate() {
        let clip = input.join(format!("clip{k}.mp4"));
        let fixture = fixture();
        ffmpeg(&[
            "-ss",
            start,
            "-i",
            fixture.to_str().expect("utf-8"),
            "-t",
            "3.5",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            clip.to_str().expect("utf-8"),
        ]);
    }
    let out = tmp.path().join("out");
    let args = [
        "batch".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--jobs".as_ref(),
        "1".as_ref(),
        "--no-overlay".as_ref(),
    ];
    let child = spawn(&args);
    // The combined files appear as soon as the first clip is finished, before the batch ends.
    wait_for("batch.json after the first clip", || batch_json(&out).is_some_and(|d| statuses(&d).len() == 1));
    let first = batch_json(&out).expect("batch.json");
    assert_eq!(statuses(&first), ["done"]);
    let rows = std::fs::read_to_string(out.join("all_reps.csv")).expect("all_reps.csv written after one clip");
    assert!(rows.lines().count() > 1, "{rows}");
    sigint(&child);
    let result = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let doc = batch_json(&out).expect("batch.json after the interruption");
    let st = statuses(&doc);
    assert_eq!(st.len(), 3, "{doc:#}");
    assert!(st.iter().filter(|s| *s == "done").count() >= 1, "{st:?}");
    assert!(st.iter().any(|s| s == "interrupted"), "{st:?}");
    assert!(!st.iter().any(|s| s == "failed"), "{st:?}");
    let failures = std::fs::read_to_string(out.join("failures.csv")).expect("failures.csv");
    assert_eq!(failures.lines().count(), 1, "interruptions are not failures: {failures}");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    let markers = files_below(&out).into_iter().filter(|p| p.ends_with("genu-done.json")).count();
    assert_eq!(markers, st.iter().filter(|s| *s == "done").count());

    // A re-run skips what is done and does the rest.
    let rerun = spawn(&args).wait_with_output().expect("wait");
    assert_eq!(rerun.status.code(), Some(0), "{}", String::from_utf8_lossy(&rerun.stderr));
    let st2 = statuses(&batch_json(&out).expect("batch.json"));
    assert_eq!(st2.iter().filter(|s| *s == "skipped").count(), st.iter().filter(|s| *s == "done").count());
    assert!(st2.iter().all(|s| s == "skipped" || s == "done"), "{st2:?}");
}

#[test]
fn interrupted_analyze_leaves_no_temporaries() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let fixture = fixture();
    let child = spawn(&["analyze".as_ref(), fixture.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    // The overlay being written means the pose pass is done and the second pass under way.
    wait_for("the overlay pass", || !temporaries(&out).is_empty());
    sigint(&child);
    let result = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    assert!(!out.join("genu-done.json").exists());
}
