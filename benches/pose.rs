//! Pose-stage speed against its limits and against MediaPipe Python, in one run.
//!
//! Run with `make bench-pose` (or `cargo bench --bench pose` after `make build`). For three 10 s H.264 clips
//! made from the sports2d demo clip (1280x720, 1920x1080, and a portrait phone clip: 1080x1920 upright, stored
//! turned with a display matrix) it measures:
//! * decode only: the decoding thread as the pose stage runs it (decoding; no colour conversion or rotation
//!   where the frame needs no scaling, since the crops are sampled from the decoder's planes), frames per second
//!   and CPU per frame;
//! * inference only: the landmark model on a fixed region of the clip's first frame, plus the detector at the
//!   rate the tracker runs it while following someone (every [`genu::pose::SURVEY_INTERVAL_S`]), on one ONNX
//!   Runtime thread, without sampling their input crops: the CPU per frame no pose pass can go below;
//! * crops only: sampling those inputs from the frame;
//! * background only: reading the camera's motion from the picture's background
//!   ([`genu::pose::background::BackgroundTracker`], run on every frame), on the clip's first 30 frames;
//! * `genu pose` as a user runs it (a separate process, start-up and model loading included), with one and with
//!   the default two inference threads: wall time, frames per second, CPU per frame, peak resident memory;
//! * MediaPipe Python 0.10.14 (`tools/mediapipe_track.py`, full model, `make reference-venv`) the same way.
//!
//! and then the ratios the pose stage is judged by: genu's CPU per frame over inference-only CPU per frame, and
//! MediaPipe's wall time over genu's. Process runs alternate genu and MediaPipe and keep the median of
//! `GENU_BENCH_REPEAT` (default 3). Peak memory is also taken on a 60 s clip.
//!
//! Timings on shared machines are noisy: compare the figures of one run with each other.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;
use common::{demo_copy, demo_portrait, measure, median_cost, mediapipe_python, process_cpu_s, root, Cost};

use genu::models::{LandmarkVariant, ModelDir};
use genu::pose::background::BackgroundTracker;
use genu::pose::geometry::{warp_into, Border, Letterbox, Roi, Warp};
use genu::pose::{detector, landmarker};
use genu::pose::{BlazePose, PoseModels, SURVEY_INTERVAL_S};
use genu::runtime::Runtime;
use genu::video::{DecodeThread, VideoOptions};

/// The three clips (10 s each) and a 60 s one for peak memory.
fn clips(dir: &Path) -> (Vec<(&'static str, PathBuf)>, PathBuf) {
    let path = |name: &str| dir.join(format!("bench_{name}.mp4"));
    demo_copy(&path("720p"), "1280:720", 1, Some("10"));
    demo_copy(&path("1080p"), "1920:1080", 1, Some("10"));
    demo_portrait(&path("portrait"), 1, "10");
    demo_copy(&path("720p-60s"), "1280:720", 7, Some("60"));
    (vec![("720p", path("720p")), ("1080p", path("1080p")), ("portrait", path("portrait"))], path("720p-60s"))
}

/// Frames, frames per second and CPU milliseconds per frame of the decoding thread alone.
fn decode_only(clip: &Path) -> (u64, f64, f64) {
    let cpu = process_cpu_s();
    let t = Instant::now();
    let mut d = DecodeThread::open(clip, VideoOptions { yuv: true, ..Default::default() }).expect("open");
    let mut n = 0u64;
    while let Some(f) = d.next_frame() {
        d.recycle(f.expect("frame"));
        n += 1;
    }
    let (wall, cpu) = (t.elapsed().as_secs_f64(), process_cpu_s() - cpu);
    (n, n as f64 / wall, 1e3 * cpu / n as f64)
}

/// CPU milliseconds per call, on the clip's first frame.
struct Calls {
    /// The landmark model alone, on a crop already sampled.
    landmark: f64,
    /// The landmark model's crop alone.
    crop: f64,
    /// The detector with its letterbox.
    detector: f64,
    /// The detector's letterbox alone.
    letterbox: f64,
    /// The background's shift against a reference frame.
    background: f64,
}

/// What the models cost per call, and what sampling their inputs costs, on the clip's first frame.
fn inference_only(models: &mut BlazePose, clip: &Path) -> Calls {
    let mut d = DecodeThread::open(clip, VideoOptions { yuv: true, ..Default::default() }).expect("open");
    let frame = d.next_frame().expect("a frame").expect("decodes").pixels;
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    // Where the detector finds someone, else a region in the middle.
    let roi = models.detect(&frame).expect("detect").first().map(|d| d.roi()).unwrap_or(Roi {
        cx: w / 2.0,
        cy: h / 2.0,
        size: w.min(h) * 0.8,
        rotation: 0.0,
    });
    let per_call = |n: u32, run: &mut dyn FnMut()| {
        run();
        let cpu = process_cpu_s();
        for _ in 0..n {
            run();
        }
        1e3 * (process_cpu_s() - cpu) / f64::from(n)
    };
    models.landmarks(&frame, &roi).expect("landmarks");
    let landmark = per_call(150, &mut || {
        models.landmarks_of_input(&roi).expect("landmarks");
    });
    let detector = per_call(40, &mut || {
        models.detect(&frame).expect("detect");
    });
    let (n, m) = (landmarker::INPUT_SIZE, detector::INPUT_SIZE);
    let mut buf = vec![0f32; n * n * 3];
    let crop = per_call(150, &mut || {
        warp_into(&frame, &Warp::from_roi(&roi, n), n, Border::Replicate, 1.0 / 255.0, 0.0, &mut buf);
    });
    let letterbox = Letterbox::new(frame.width(), frame.height()).warp(m);
    let letterbox = per_call(40, &mut || warp_into(&frame, &letterbox, m, Border::Zero, 1.0, 0.0, &mut buf));
    // The background against the first frame, on the frames after it, the subject's box where the model looks.
    let later: Vec<_> = std::iter::from_fn(|| d.next_frame()).take(30).map(|f| f.expect("decodes").pixels).collect();
    let subject = [roi.cx - roi.size / 4.0, roi.cy - roi.size / 2.0, roi.cx + roi.size / 4.0, roi.cy + roi.size / 2.0];
    let mut tracker = BackgroundTracker::new();
    tracker.shift(&frame, Some(subject));
    let mut k = 0;
    let background = per_call(150, &mut || {
        tracker.shift(&later[k % later.len()], Some(subject));
        k += 1;
    });
    Calls { landmark, crop, detector, letterbox, background }
}

fn genu_pose(clip: &Path, out: &Path, threads: &str) -> Option<Cost> {
    let genu = root().join("target/release/genu");
    assert!(genu.is_file(), "build the release binary first (`make build`)");
    let args = [clip.as_os_str(), OsStr::new("-o"), out.as_os_str(), OsStr::new("--threads"), OsStr::new(threads)];
    measure(&genu, &[&[OsStr::new("pose")], &args[..]].concat())
}

fn mediapipe(clip: &Path, out: &Path) -> Option<Cost> {
    let python = mediapipe_python()?;
    let script = root().join("tools/mediapipe_track.py");
    measure(&python, &[script.as_os_str(), clip.as_os_str(), OsStr::new("-o"), out.as_os_str()])
}

/// The median run of each configuration, runs alternating between configurations.
fn alternate(repeat: usize, runs: &mut [&mut dyn FnMut() -> Option<Cost>]) -> Vec<Option<Cost>> {
    let mut costs: Vec<Vec<Cost>> = vec![Vec::new(); runs.len()];
    for _ in 0..repeat {
        for (k, run) in runs.iter_mut().enumerate() {
            costs[k].extend(run());
        }
    }
    costs.iter().map(|c| median_cost(c)).collect()
}

fn line(label: &str, cost: Option<Cost>, frames: u64, inference_ms: f64) -> serde_json::Value {
    let Some(c) = cost else {
        println!("  {label:24} n/a (for MediaPipe: `make reference-venv`)");
        return serde_json::Value::Null;
    };
    let cpu_ms = 1e3 * c.cpu_s / frames as f64;
    println!(
        "  {label:24} {:6.2} s {:6.1} fps {:6.1} ms CPU/frame = {:4.2}x inference only   peak {:4.0} MiB",
        c.wall_s,
        frames as f64 / c.wall_s,
        cpu_ms,
        cpu_ms / inference_ms,
        c.peak_rss_mib
    );
    serde_json::json!({ "wall_s": c.wall_s, "fps": frames as f64 / c.wall_s, "cpu_ms_per_frame": cpu_ms,
        "cpu_over_inference": cpu_ms / inference_ms, "peak_rss_mib": c.peak_rss_mib })
}

fn main() {
    let dir = root().join("target/bench-clips");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let repeat = std::env::var("GENU_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(3usize).max(1);
    let runtime = Runtime::discover(None).expect("ONNX Runtime (run `make setup`)");
    let mut models = BlazePose::load(&runtime, &ModelDir::locate(None), LandmarkVariant::Full, 1).expect("models");
    let (clips, long) = clips(&dir);
    let mut report = Vec::new();
    for (name, clip) in &clips {
        let (frames, dec_fps, dec_ms) = decode_only(clip);
        let calls = inference_only(&mut models, clip);
        let fps = frames as f64 / 10.0;
        let surveys_per_frame = 1.0 / (fps * SURVEY_INTERVAL_S).max(1.0);
        let (lm_ms, det_ms) = (calls.landmark, calls.detector - calls.letterbox);
        let inference_ms = lm_ms + det_ms * surveys_per_frame;
        let crops_ms = calls.crop + calls.letterbox * surveys_per_frame;
        let out = |tag: &str| dir.join(format!("{name}.{tag}.json"));
        let costs = alternate(
            repeat,
            &mut [
                &mut || genu_pose(clip, &out("genu1"), "1"),
                &mut || genu_pose(clip, &out("genu2"), "2"),
                &mut || mediapipe(clip, &out("mediapipe")),
            ],
        );
        println!("{name}: {frames} frames (median of {repeat} runs)");
        println!("  {:24} {dec_fps:15.1} fps {dec_ms:6.1} ms CPU/frame", "decode only");
        println!(
            "  {:24} {:22} {inference_ms:6.1} ms CPU/frame (landmark {lm_ms:.1} ms, detector {det_ms:.1} ms x \
             {surveys_per_frame:.3})",
            "inference only, 1 thread", ""
        );
        println!("  {:24} {:22} {crops_ms:6.1} ms CPU/frame (landmark crop {:.1} ms)", "crops only", "", calls.crop);
        println!(
            "  {:24} {:22} {:6.2} ms CPU/frame = {:4.2}x inference only",
            "background only",
            "",
            calls.background,
            calls.background / inference_ms
        );
        let g1 = line("genu pose --threads 1", costs[0], frames, inference_ms);
        let g2 = line("genu pose (2 threads)", costs[1], frames, inference_ms);
        let mp = line("MediaPipe Python", costs[2], frames, inference_ms);
        if let (Some(mp), Some(a), Some(b)) = (costs[2], costs[0], costs[1]) {
            println!(
                "  genu vs MediaPipe: wall {:.2}x (1 thread), {:.2}x (2 threads) faster; CPU {:.2}x, {:.2}x less",
                mp.wall_s / a.wall_s,
                mp.wall_s / b.wall_s,
                mp.cpu_s / a.cpu_s,
                mp.cpu_s / b.cpu_s
            );
        }
        report.push(serde_json::json!({ "clip": name, "frames": frames,
            "decode_only": { "fps": dec_fps, "cpu_ms_per_frame": dec_ms },
            "inference_only": { "cpu_ms_per_frame": inference_ms, "landmark_ms": lm_ms, "detector_ms": det_ms },
            "crops_only": { "cpu_ms_per_frame": crops_ms, "landmark_crop_ms": calls.crop },
            "background_only": { "cpu_ms_per_frame": calls.background },
            "genu_threads_1": g1, "genu_threads_2": g2, "mediapipe": mp }));
    }
    let rss = genu_pose(&long, &dir.join("720p-60s.genu.json"), "2").map(|c| c.peak_rss_mib);
    if let Some(mib) = rss {
        println!("peak RSS of `genu pose` on a 60 s 720p clip: {mib:.0} MiB");
    }
    report.push(serde_json::json!({ "clip": "720p-60s", "peak_rss_mib": rss }));
    let path = dir.join("pose-bench.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report).expect("json")).expect("write report");
    println!("figures written to {}", path.display());
}
