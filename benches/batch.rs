//! Throughput of `genu batch --jobs 2`: clips per hour and CPU use, with and without the overlay video and the
//! HTML report, on a folder of clips made from the sports2d demo clip (1080p and 720p).
//!
//! `make bench-batch` (or `cargo bench --bench batch` after `make build`). Timings on shared machines are
//! noisy: compare the two runs of one invocation with each other.

use std::process::Command;
use std::time::Instant;

mod common;
use common::{demo_copy, root};

/// Wall seconds and CPU seconds (user + system) of one `genu` run, measured on the child process.
// The child is reaped by `wait4` (which also returns its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str]) -> (f64, f64) {
    let t = Instant::now();
    let child = Command::new(root().join("target/release/genu"))
        .args(args)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("build the release binary first (`make build`)");
    let mut status = 0;
    // SAFETY: plain-data struct filled by wait4 for our own child, reaped once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t.elapsed().as_secs_f64(), secs(usage.ru_utime) + secs(usage.ru_stime))
}

fn main() {
    let dir = root().join("target/bench-batch");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    for (name, scale) in [
        ("a_1080p.mp4", "1920:1080"),
        ("b_720p.mp4", "1280:720"),
        ("c_720p.mp4", "1280:720"),
        ("d_1080p.mp4", "1920:1080"),
    ] {
        demo_copy(&input.join(name), scale, 0, None);
    }
    let clips = std::fs::read_dir(&input).map(|d| d.count()).unwrap_or(0) as f64;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as f64;
    // Alternate the two configurations three times and keep each one's best: the machine is shared.
    let configs: [(&str, &[&str]); 2] = [
        ("pose + analysis + CSV/JSON", &["--no-overlay", "--no-report"]),
        ("everything (+ overlay.mp4, report.html)", &[]),
    ];
    let mut best = [(f64::INFINITY, f64::INFINITY); 2];
    for _ in 0..3 {
        for (k, (_, extra)) in configs.iter().enumerate() {
            let out = dir.join(format!("out{k}"));
            let mut args = vec![
                "batch",
                input.to_str().expect("utf-8"),
                "-o",
                out.to_str().expect("utf-8"),
                "--jobs",
                "2",
                "--force",
            ];
            args.extend(extra.iter());
            let (wall, cpu) = run(&args);
            best[k] = (best[k].0.min(wall), best[k].1.min(cpu));
        }
    }
    for (k, (label, _)) in configs.iter().enumerate() {
        let (wall, cpu) = best[k];
        println!(
            "{label:42} {clips:.0} clips in {wall:6.1} s = {:7.0} clips/hour, {cpu:6.1} CPU s, CPU use {:4.0} % of {cores:.0} cores",
            clips / wall * 3600.0,
            100.0 * cpu / (wall * cores)
        );
    }
    println!(
        "overlay + report cost {:.0} % wall time, {:.0} % CPU time on top of pose + analysis (best of 3 each)",
        100.0 * (best[1].0 / best[0].0 - 1.0),
        100.0 * (best[1].1 / best[0].1 - 1.0)
    );
}
