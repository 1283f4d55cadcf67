//! Helpers shared by the benchmark binaries: the project root and clips made from the sports2d demo clip.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (where `Cargo.toml` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `out` from the sports2d demo clip (fetched by `make setup`) unless it exists: scaled to `scale`
/// (`W:H`), the input looped `loops` extra times and cut at `seconds` when given, H.264 without audio.
pub fn demo_copy(out: &Path, scale: &str, loops: u32, seconds: Option<&str>) {
    if out.is_file() {
        return;
    }
    let demo = root().join(".cache/sports2d/demo.mp4");
    assert!(demo.is_file(), "run `make setup` first (fetches the sports2d demo clip)");
    let loops = loops.to_string();
    let scale = format!("scale={scale}");
    let mut args = vec!["-stream_loop", &loops, "-i", demo.to_str().expect("utf-8")];
    if let Some(seconds) = seconds {
        args.extend(["-t", seconds]);
    }
    args.extend(["-vf", &scale, "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20"]);
    args.extend(["-pix_fmt", "yuv420p", out.to_str().expect("utf-8")]);
    let ok = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(&args).status().map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "ffmpeg {args:?} failed");
}
