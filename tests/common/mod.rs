//! Helpers shared by the integration tests: fixture clips made with the ffmpeg CLI, and a clean `genu`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

/// `genu` with an environment that cannot leak settings in from the caller.
pub fn genu() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("genu").expect("binary built");
    cmd.env_remove("GENU_ORT_LIB").env_remove("GENU_MODELS").env_remove("ORT_DYLIB_PATH");
    cmd
}

/// Run the ffmpeg CLI with `args` (quiet, overwrite), panicking with its message on failure.
pub fn ffmpeg(args: &[&str]) {
    let out = StdCommand::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("the ffmpeg CLI is installed by `make setup`");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Decode a clip to raw RGB frames with the ffmpeg CLI (which applies the display rotation), scaled to
/// `w x h`.
pub fn ffmpeg_frames(clip: &Path, w: u32, h: u32) -> Vec<Vec<u8>> {
    let out = StdCommand::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(clip)
        .args(["-vf", &format!("scale={w}:{h}:flags=area"), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout.chunks((w * h * 3) as usize).map(<[u8]>::to_vec).collect()
}

/// The project's folder of generated test clips (git-ignored), created on first use.
pub fn scratch_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("test-clips");
    std::fs::create_dir_all(&dir).expect("create target/test-clips");
    dir
}

/// The sports2d demo clip that `make setup` extracts from the `sports2d` wheel on PyPI.
pub fn sports2d_demo() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/sports2d/demo.mp4");
    assert!(p.is_file(), "{} is missing: run `make setup` (it fetches the sports2d wheel from PyPI)", p.display());
    p
}

/// Writes to `out` the short walk that `scripts/demo_cut.sh` cuts from the sports2d demo clip (the clip the
/// MediaPipe reference track in `fixtures/` was made from).
pub fn demo_walk(out: &Path) {
    let status = StdCommand::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo_cut.sh"))
        .arg(sports2d_demo())
        .arg(out)
        .status()
        .expect("bash");
    assert!(status.success(), "scripts/demo_cut.sh failed");
}

/// Every file below `dir` (recursively).
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out
}
