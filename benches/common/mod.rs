//! Helpers shared by the benchmark binaries: the project root, clips made from the sports2d demo clip, and the
//! cost of a child process.

// Each benchmark binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (where `Cargo.toml` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `out` from the sports2d demo clip (fetched by `make setup`) unless it exists: scaled to `scale`
/// (`W:H`), the input looped `loops` extra times and cut at `seconds` when given, H.264 without audio.
pub fn demo_copy(out: &Path, scale: &str, loops: u32, seconds: Option<&str>) {
    demo_encode(out, &format!("scale={scale}"), loops, seconds, &[]);
}

/// Writes `out` as a phone writes a portrait clip unless it exists: 1080 x 1920 upright, stored as 1920 x 1080
/// frames turned a quarter counter-clockwise with a display matrix that turns them back, `seconds` long.
pub fn demo_portrait(out: &Path, loops: u32, seconds: &str) {
    let filter = "scale=-2:1920,crop=1080:1920,transpose=2";
    demo_encode(out, filter, loops, Some(seconds), &["-metadata:s:v", "rotate=90"]);
}

fn demo_encode(out: &Path, filter: &str, loops: u32, seconds: Option<&str>, extra: &[&str]) {
    if out.is_file() {
        return;
    }
    let demo = root().join(".cache/sports2d/demo.mp4");
    assert!(demo.is_file(), "run `make setup` first (fetches the sports2d demo clip)");
    let loops = loops.to_string();
    let mut args = vec!["-stream_loop", &loops, "-i", demo.to_str().expect("utf-8")];
    if let Some(seconds) = seconds {
        args.extend(["-t", seconds]);
    }
    args.extend(["-vf", filter, "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20"]);
    args.extend(["-pix_fmt", "yuv420p"]);
    args.extend(extra);
    args.push(out.to_str().expect("utf-8"));
    let ok = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(&args).status().map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "ffmpeg {args:?} failed");
}

/// What one finished child process cost: wall seconds, CPU seconds (user + system) and peak resident memory.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Wall-clock seconds from spawn to exit.
    pub wall_s: f64,
    /// User + system CPU seconds of the process and its threads.
    pub cpu_s: f64,
    /// Peak resident set size in MiB.
    pub peak_rss_mib: f64,
}

/// Run `program args` to completion with its output discarded and return what it cost, from the kernel's
/// accounting of the child (`wait4`); `None` if it could not start or failed.
// The child is reaped by `wait4` (which also returns its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn measure(program: &Path, args: &[&std::ffi::OsStr]) -> Option<Cost> {
    let t = std::time::Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child, reaped exactly once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_s = t.elapsed().as_secs_f64();
    if r != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return None;
    }
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    Some(Cost {
        wall_s,
        cpu_s: secs(usage.ru_utime) + secs(usage.ru_stime),
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
    })
}

/// CPU seconds (user + system) this process has used so far, all threads together.
pub fn process_cpu_s() -> f64 {
    // SAFETY: plain-data struct filled in by getrusage for this process.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The median of `values` (the middle one of an odd count, the lower middle of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get((values.len().max(1) - 1) / 2).copied().unwrap_or(f64::NAN)
}

/// Each figure's median over `runs` (`None` for no runs).
pub fn median_cost(runs: &[Cost]) -> Option<Cost> {
    (!runs.is_empty()).then(|| Cost {
        wall_s: median(runs.iter().map(|c| c.wall_s).collect()),
        cpu_s: median(runs.iter().map(|c| c.cpu_s).collect()),
        peak_rss_mib: median(runs.iter().map(|c| c.peak_rss_mib).collect()),
    })
}

/// The reference implementation's Python (`make reference-venv`), if it is installed.
pub fn mediapipe_python() -> Option<PathBuf> {
    let python = root().join("tools/.venv-mp/bin/python");
    python.is_file().then_some(python)
}
