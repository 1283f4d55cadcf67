//! `genu info`: the runtime and model checks a user sees, including the three ways set-up can be wrong.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// The project's models folder.
fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// `genu` with an environment that cannot leak settings in from the caller.
fn genu() -> Command {
    let mut cmd = Command::cargo_bin("genu").expect("binary built");
    cmd.env_remove("GENU_ORT_LIB").env_remove("GENU_MODELS").env_remove("ORT_DYLIB_PATH");
    cmd
}

/// Copy the committed models into a fresh folder so a test can break one of them.
fn copy_models() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["pose_detection.onnx", "pose_landmark_lite.onnx", "pose_landmark_full.onnx", "SHA256SUMS"] {
        std::fs::copy(models_dir().join(name), dir.path().join(name)).expect("copy model");
    }
    dir
}

#[test]
fn info_checks_every_committed_model() {
    let out = genu().args(["info", "--json"]).output().expect("run");
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(doc["onnxruntime"]["build_info"].as_str().expect("build info").contains("ORT Build Info"));
    let models = doc["models"].as_array().expect("models");
    for name in ["detector", "landmark-lite", "landmark-full"] {
        let m = models.iter().find(|m| m["model"] == name).expect("model listed");
        assert_eq!(m["contract"], "ok", "{name}: {m}");
        assert_eq!(m["checksum"], "matches SHA256SUMS", "{name}: {m}");
        assert_eq!(m["sha256"].as_str().map(str::len), Some(64));
    }
}

#[test]
fn wrong_ort_lib_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("libonnxruntime.so.1.31.1");
    genu()
        .args(["info", "--ort-lib"])
        .arg(&missing)
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not exist").and(predicate::str::contains("--ort-lib")))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));

    // A file that exists but is not a shared library.
    let bogus = dir.path().join("libbogus.so");
    std::fs::write(&bogus, b"not a library").expect("write");
    genu()
        .args(["info", "--ort-lib"])
        .arg(&bogus)
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("error: cannot load ONNX Runtime from"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn env_var_names_the_library_too() {
    genu()
        .env("GENU_ORT_LIB", "/nonexistent/libonnxruntime.so")
        .arg("info")
        .assert()
        .failure()
        .stderr(predicate::str::contains("GENU_ORT_LIB").and(predicate::str::contains("does not exist")));
}

#[test]
fn missing_model_file_is_one_clear_line() {
    let dir = copy_models();
    std::fs::remove_file(dir.path().join("pose_landmark_full.onnx")).expect("remove");
    genu()
        .args(["info", "--models"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("pose_landmark_full.onnx").and(predicate::str::contains("not found")))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn model_with_wrong_shape_is_one_clear_line() {
    let dir = copy_models();
    // The detector is a valid ONNX model, but its 224x224 input breaks the landmark contract.
    std::fs::copy(dir.path().join("pose_detection.onnx"), dir.path().join("pose_landmark_lite.onnx")).expect("copy");
    genu()
        .args(["info", "--models"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not match the landmark-lite contract"))
        .stderr(predicate::str::contains("[1, 224, 224, 3]"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn corrupt_model_file_is_one_clear_line() {
    let dir = copy_models();
    std::fs::write(dir.path().join("pose_detection.onnx"), b"\x08\x07garbage").expect("write");
    genu()
        .args(["info", "--models"])
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot load model").and(predicate::str::contains("pose_detection.onnx")))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn missing_models_folder_is_reported() {
    genu()
        .args(["info", "--models", "/nonexistent/genu-models"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent/genu-models").and(predicate::str::contains("does not exist")));
}
