//! The overlay video keeps the input's orientation, resolution (up to 1080p) and timing, also for a phone clip
//! stored rotated.

mod common;

use std::path::Path;
use std::process::Command as StdCommand;

use common::{demo_walk, ffmpeg, ffmpeg_frames, genu, scratch_dir};

fn probe(path: &Path) -> (u32, u32, usize, Vec<f64>) {
    let out = StdCommand::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &v["streams"][0];
    let times: Vec<f64> = v["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .filter_map(|f| f["pts_time"].as_str().and_then(|t| t.parse().ok()))
        .collect();
    (s["width"].as_u64().unwrap_or(0) as u32, s["height"].as_u64().unwrap_or(0) as u32, times.len(), times)
}

#[test]
fn rotated_clip_gives_an_upright_overlay_with_the_same_timing() {
    let dir = scratch_dir();
    let walk = dir.join("overlay_walk.mp4");
    demo_walk(&walk);
    // Stored landscape with a display matrix saying "turn 90 degrees": shown portrait.
    let rotated = dir.join("overlay_walk_rot.mp4");
    ffmpeg(&[
        "-i",
        walk.to_str().expect("utf-8"),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        rotated.to_str().expect("utf-8"),
    ]);
    let out = tempfile::tempdir().expect("tempdir");
    genu().arg("analyze").arg(&rotated).arg("-o").arg(out.path()).args(["--no-report"]).assert().success();
    let overlay = out.path().join("overlay.mp4");
    let (w, h, n, times) = probe(&overlay);
    let (_, _, n_in, times_in) = probe(&rotated);
    assert!(h > w, "overlay is {w}x{h}: not portrait like the displayed clip");
    assert_eq!(n, n_in, "frame count");
    for (a, b) in times.iter().zip(&times_in) {
        assert!((a - (b - times_in[0])).abs() < 0.002, "timestamps {a} vs {b}");
    }
    // Upright: the overlay frame looks like the ffmpeg CLI's autorotated frame (apart from the drawing), and
    // clearly unlike the same picture turned the other way.
    let ours = ffmpeg_frames(&overlay, w, h);
    let upright = ffmpeg_frames(&rotated, w, h);
    let wrong = dir.join("overlay_walk_wrong.mp4");
    ffmpeg(&[
        "-i",
        walk.to_str().expect("utf-8"),
        "-vf",
        "transpose=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        wrong.to_str().expect("utf-8"),
    ]);
    let turned = ffmpeg_frames(&wrong, w, h);
    let k = n / 2;
    // Compare the lower part of the frame only: the top carries the text panel and the rep-bottom inset.
    let from = (h as usize * 45 / 100) * w as usize * 3;
    let mad = |a: &[u8], b: &[u8]| {
        a[from..].iter().zip(&b[from..]).map(|(x, y)| f64::from(x.abs_diff(*y))).sum::<f64>() / (a.len() - from) as f64
    };
    let (right, other) = (mad(&ours[k], &upright[k]), mad(&ours[k], &turned[k]));
    eprintln!("difference from the upright picture {right:.1}, from the picture turned the other way {other:.1}");
    assert!(right < 0.5 * other, "difference from the upright picture {right:.1}, from the turned one {other:.1}");
}

/// Every frame of the input, at its own time, in the overlay; `--overlay-size` shrinks it, keeping the shape.
#[test]
fn a_1080p_clip_gives_a_1080p_overlay_with_every_frame_at_its_time() {
    let dir = scratch_dir();
    // The committed synthetic squat (540 x 960, 25 fps) enlarged to a phone's 1080 x 1920.
    let clip = dir.join("overlay_1080p.mp4");
    let fixture = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/synth/front_valgus_r16.mp4");
    ffmpeg(&[
        "-i",
        fixture.to_str().expect("utf-8"),
        "-vf",
        "scale=1080:1920",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        clip.to_str().expect("utf-8"),
    ]);
    let (_, _, n_in, times_in) = probe(&clip);
    let out = tempfile::tempdir().expect("tempdir");
    genu().arg("analyze").arg(&clip).arg("-o").arg(out.path()).arg("--no-report").assert().success();
    let (w, h, n, times) = probe(&out.path().join("overlay.mp4"));
    assert_eq!((w, h), (1080, 1920), "the input's own size");
    assert_eq!(n, n_in, "frame count");
    assert!(n > 100);
    for (a, b) in times.iter().zip(&times_in) {
        assert!((a - (b - times_in[0])).abs() < 0.002, "timestamps {a} vs {b}");
    }

    let small = tempfile::tempdir().expect("tempdir");
    genu()
        .arg("analyze")
        .arg(&clip)
        .arg("-o")
        .arg(small.path())
        .args(["--no-report", "--overlay-size", "960"])
        .assert()
        .success();
    let (w, h, n, _) = probe(&small.path().join("overlay.mp4"));
    assert_eq!((w, h, n), (540, 960, n_in), "shrunk to 960 on the long side, every frame kept");
}
