//! Pose-stage throughput, reported as ratios against its limits and against MediaPipe Python.
//!
//! Run with `make bench-pose` (or `cargo bench --bench pose`). For a 1080p and a 720p H.264 clip made from the
//! sports2d demo clip it measures, in one run on the same machine:
//! * decode only: frames/s of the decoding thread alone (the upper limit set by the video);
//! * inference only: frames/s of the landmark model on a fixed crop (the upper limit set by the model);
//! * `genu pose` end to end (decode, detection, landmarks, tracking), in process;
//! * MediaPipe Python (`tools/mediapipe_track.py`, full model) end to end, when `make reference-venv` has been
//!   run;
//!   and the peak resident memory of the `genu pose` process on a 10 s and a 60 s clip.
//!
//! Timings on shared machines are noisy: compare the figures of one run with each other.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod common;
use common::{demo_copy, root};

use genu::models::{LandmarkVariant, ModelDir};
use genu::pose::geometry::Roi;
use genu::pose::{track_clip, BlazePose, PoseModels, Producer, TrackerOptions};
use genu::runtime::Runtime;
use genu::video::{DecodeThread, VideoOptions};

/// Clips made from the sports2d demo: scaled to 1080p and 720p, and looped to 10 s and 60 s.
fn clips(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for (name, scale, loops, seconds) in [
        ("1080p", "1920:1080", 0, "7.6"),
        ("720p", "1280:720", 0, "7.6"),
        ("720p-10s", "1280:720", 1, "10"),
        ("720p-60s", "1280:720", 7, "60"),
    ] {
        let path = dir.join(format!("bench_{name}.mp4"));
        demo_copy(&path, scale, loops, Some(seconds));
        out.push((name.to_string(), path));
    }
    out
}

fn decode_only(clip: &Path) -> f64 {
    let mut d = DecodeThread::open(clip, VideoOptions::default()).expect("open");
    let t = Instant::now();
    let mut n = 0u64;
    while let Some(f) = d.next_frame() {
        d.recycle(f.expect("frame"));
        n += 1;
    }
    n as f64 / t.elapsed().as_secs_f64()
}

fn inference_only(models: &mut BlazePose, clip: &Path) -> (f64, f64) {
    let mut d = DecodeThread::open(clip, VideoOptions::default()).expect("open");
    let frame = d.next_frame().expect("a frame").expect("decodes");
    let (w, h) = (frame.rgb.width() as f32, frame.rgb.height() as f32);
    let roi = Roi { cx: w / 2.0, cy: h / 2.0, size: h * 0.8, rotation: 0.0 };
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        models.landmarks(&frame.rgb, &roi).expect("landmarks");
    }
    let landmark_fps = f64::from(n) / t.elapsed().as_secs_f64();
    let n = 50;
    let t = Instant::now();
    for _ in 0..n {
        models.detect(&frame.rgb).expect("detect");
    }
    (landmark_fps, f64::from(n) / t.elapsed().as_secs_f64())
}

fn end_to_end(runtime: &Runtime, dir: &ModelDir, clip: &Path) -> (f64, usize) {
    let threads =
        std::env::var("GENU_BENCH_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(genu::pose::DEFAULT_THREADS);
    let mut models = BlazePose::load(runtime, dir, LandmarkVariant::Full, threads).expect("models");
    let producer = Producer {
        tool: "bench".into(),
        version: genu::VERSION.into(),
        landmark_model: "full".into(),
        landmark_model_sha256: None,
        detector_sha256: None,
        settings: serde_json::json!({}),
    };
    let t = Instant::now();
    let track =
        track_clip(clip, VideoOptions::default(), &mut models, TrackerOptions::default(), producer, None, &mut |_| {
            std::ops::ControlFlow::Continue(())
        })
        .expect("pose");
    (track.frames.len() as f64 / t.elapsed().as_secs_f64(), track.frames_with_pose())
}

fn mediapipe(clip: &Path, out: &Path) -> Option<f64> {
    let python = root().join("tools/.venv-mp/bin/python");
    if !python.is_file() {
        return None;
    }
    let t = Instant::now();
    let status = Command::new(python)
        .arg(root().join("tools/mediapipe_track.py"))
        .arg(clip)
        .arg("-o")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let wall = t.elapsed().as_secs_f64();
    if !status.success() {
        return None;
    }
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(out).ok()?).ok()?;
    let frames = doc["frames"].as_array()?.len() as f64;
    // The tool's own figure excludes interpreter start-up and model loading, like genu's in-process figure.
    doc["producer"]["settings"]["end_to_end_fps"].as_f64().or(Some(frames / wall))
}

/// Peak resident memory (MiB) of `genu pose` on a clip, from the kernel's accounting of the child.
// The child is reaped by `wait4` (which also returns its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn peak_rss_mib(clip: &Path, out: &Path) -> f64 {
    let genu = root().join("target/release/genu");
    assert!(genu.is_file(), "build the release binary first (`make build`)");
    let child = Command::new(genu).arg("pose").arg(clip).arg("-o").arg(out).stderr(std::process::Stdio::null()).spawn();
    let child = child.expect("spawn genu");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child, reaped exactly once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    let dir = root().join("target/bench-clips");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let runtime = Runtime::discover(None).expect("ONNX Runtime (run `make setup`)");
    let models_dir = ModelDir::locate(None);
    let mut models =
        BlazePose::load(&runtime, &models_dir, LandmarkVariant::Full, genu::pose::DEFAULT_THREADS).expect("models");
    let clips = clips(&dir);
    let mut report = Vec::new();
    println!(
        "{:8} {:>10} {:>12} {:>12} {:>10} {:>12} {:>10} {:>10}",
        "clip", "decode fps", "landmark fps", "detector fps", "genu fps", "mediapipe fps", "genu/mp", "genu/dec"
    );
    for (name, clip) in clips.iter().take(2) {
        let dec = decode_only(clip);
        let (lm, det) = inference_only(&mut models, clip);
        let (genu_fps, found) = end_to_end(&runtime, &models_dir, clip);
        let mp = mediapipe(clip, &dir.join(format!("{name}.mediapipe.json")));
        let mp_text = mp.map_or("n/a".to_string(), |v| format!("{v:.1}"));
        let ratio = mp.map_or("n/a".to_string(), |v| format!("{:.2}x", genu_fps / v));
        println!(
            "{name:8} {dec:>10.1} {lm:>12.1} {det:>12.1} {genu_fps:>10.1} {mp_text:>12} {ratio:>10} {:>9.0}%",
            100.0 * genu_fps / dec
        );
        report.push(serde_json::json!({ "clip": name, "decode_fps": dec, "landmark_fps": lm, "detector_fps": det,
            "genu_fps": genu_fps, "frames_with_pose": found, "mediapipe_fps": mp }));
    }
    for (name, clip) in clips.iter().skip(2) {
        let mib = peak_rss_mib(clip, &dir.join(format!("{name}.genu.json")));
        println!("peak RSS of `genu pose` on {name}: {mib:.0} MiB");
        report.push(serde_json::json!({ "clip": name, "peak_rss_mib": mib }));
    }
    let path = dir.join("pose-bench.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report).expect("json")).expect("write report");
    println!("figures written to {}", path.display());
}
