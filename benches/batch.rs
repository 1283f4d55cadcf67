//! Batch throughput in clips per hour: `genu batch --jobs 2` (with and without the overlay video and the HTML
//! report) beside MediaPipe Python run as two parallel processes on the same clips, as a researcher with a
//! folder of clips would run either.
//!
//! `make bench-batch` (or `cargo bench --bench batch` after `make build`). The folder holds four clips made from
//! the sports2d demo clip: two 1920x1080, one 1280x720 and one portrait phone clip (1080x1920, stored turned).
//! MediaPipe needs `make reference-venv`. Runs alternate between the configurations, `GENU_BENCH_REPEAT`
//! times (default 3), and keep each one's median. Timings on shared machines are noisy: compare the figures of
//! one run with each other.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;
use common::{demo_copy, demo_portrait, measure, median_cost, mediapipe_python, root, Cost};

/// `genu batch` over `input`: wall seconds of the whole batch, CPU seconds of the process.
fn genu_batch(input: &Path, out: &Path, extra: &[&str]) -> Option<Cost> {
    let mut args: Vec<&OsStr> = vec![OsStr::new("batch"), input.as_os_str(), OsStr::new("-o"), out.as_os_str()];
    args.extend(["--jobs", "2", "--force"].map(OsStr::new));
    args.extend(extra.iter().map(OsStr::new));
    let genu = root().join("target/release/genu");
    assert!(genu.is_file(), "build the release binary first (`make build`)");
    measure(&genu, &args)
}

/// MediaPipe on every clip, two processes at a time (each worker takes every other clip): wall seconds of the
/// whole, CPU seconds of all processes, the largest peak memory.
fn mediapipe_batch(clips: &[PathBuf], out: &Path) -> Option<Cost> {
    let python = mediapipe_python()?;
    let script = root().join("tools/mediapipe_track.py");
    std::fs::create_dir_all(out).ok()?;
    let t = Instant::now();
    let costs: Vec<Option<Cost>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (python, script) = (&python, &script);
                s.spawn(move || {
                    clips
                        .iter()
                        .skip(w)
                        .step_by(2)
                        .map(|clip| {
                            let json = out.join(clip.file_name().expect("name")).with_extension("json");
                            measure(python, &[script.as_os_str(), clip.as_os_str(), OsStr::new("-o"), json.as_os_str()])
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    let wall_s = t.elapsed().as_secs_f64();
    let costs: Vec<Cost> = costs.into_iter().collect::<Option<_>>()?;
    let cpu_s = costs.iter().map(|c| c.cpu_s).sum();
    let peak_rss_mib = costs.iter().map(|c| c.peak_rss_mib).fold(0.0, f64::max);
    Some(Cost { wall_s, cpu_s, peak_rss_mib })
}

fn main() {
    let dir = root().join("target/bench-batch");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    demo_copy(&input.join("a_1080p.mp4"), "1920:1080", 0, None);
    demo_copy(&input.join("b_720p.mp4"), "1280:720", 0, None);
    demo_portrait(&input.join("c_portrait.mp4"), 0, "7.6");
    demo_copy(&input.join("d_1080p.mp4"), "1920:1080", 0, None);
    let mut clips: Vec<PathBuf> = std::fs::read_dir(&input).expect("read").flatten().map(|e| e.path()).collect();
    clips.sort();
    let n = clips.len() as f64;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
    let repeat = std::env::var("GENU_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(3usize).max(1);
    let labels = [
        "genu: pose + analysis + CSV/JSON",
        "genu: everything (+ overlay.mp4, report.html)",
        "MediaPipe Python, 2 processes (pose only)",
    ];
    let mut runs: Vec<Vec<Cost>> = vec![Vec::new(); 3];
    for _ in 0..repeat {
        runs[0].extend(genu_batch(&input, &dir.join("out0"), &["--no-overlay", "--no-report"]));
        runs[1].extend(genu_batch(&input, &dir.join("out1"), &[]));
        runs[2].extend(mediapipe_batch(&clips, &dir.join("mediapipe")));
    }
    let mid: Vec<Option<Cost>> = runs.iter().map(|r| median_cost(r)).collect();
    println!("{n:.0} clips (two 1080p, one 720p, one portrait 1080x1920; 7.6 s each), median of {repeat} runs:");
    let mut report = Vec::new();
    for (label, b) in labels.iter().zip(&mid) {
        let Some(b) = b else {
            println!("  {label:46} n/a (for MediaPipe: `make reference-venv`)");
            continue;
        };
        println!(
            "  {label:46} {:6.1} s = {:6.0} clips/hour, {:6.1} CPU s, CPU use {:3.0} % of {cores:.0} cores",
            b.wall_s,
            n / b.wall_s * 3600.0,
            b.cpu_s,
            100.0 * b.cpu_s / (b.wall_s * cores)
        );
        report.push(serde_json::json!({ "run": label, "wall_s": b.wall_s, "cpu_s": b.cpu_s,
            "clips_per_hour": n / b.wall_s * 3600.0 }));
    }
    if let (Some(pose), Some(all)) = (mid[0], mid[1]) {
        println!(
            "  overlay + report cost {:.0} % wall time, {:.0} % CPU time on top of pose + analysis",
            100.0 * (all.wall_s / pose.wall_s - 1.0),
            100.0 * (all.cpu_s / pose.cpu_s - 1.0)
        );
    }
    if let (Some(pose), Some(all), Some(mp)) = (mid[0], mid[1], mid[2]) {
        println!(
            "  genu clips/hour over MediaPipe's: {:.2}x without the overlay and report, {:.2}x with them",
            mp.wall_s / pose.wall_s,
            mp.wall_s / all.wall_s
        );
    }
    let path = dir.join("batch-bench.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report).expect("json")).expect("write report");
    println!("figures written to {}", path.display());
}
