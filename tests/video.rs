//! The video stage on clips made here with the ffmpeg CLI: rotation, timestamps, and bad input.

mod common;

use std::path::Path;

use common::{ffmpeg, ffmpeg_frames, scratch_dir};
use genu::video::{Pixels, VideoError, VideoOptions, VideoReader};

/// Mean absolute difference between two RGB buffers.
fn mad(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (f64::from(*x) - f64::from(*y)).abs()).sum::<f64>() / a.len() as f64
}

fn decode_all(
    path: &Path,
    options: VideoOptions,
) -> Result<(Vec<genu::video::Frame>, genu::video::ClipInfo), VideoError> {
    let mut reader = VideoReader::open(path, options)?;
    let mut frames = Vec::new();
    loop {
        let mut f = reader.new_frame();
        if !reader.read_into(&mut f)? {
            break;
        }
        frames.push(f);
    }
    Ok((frames, reader.finish()))
}

/// A 320x240 source clip with an asymmetric picture, so that a wrong rotation shows.
fn source_clip(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("rot_src.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-threads",
        "1",
        src.to_str().expect("utf-8"),
    ]);
    src
}

#[test]
fn rotated_clips_decode_upright() {
    let dir = scratch_dir();
    let src = source_clip(&dir);
    for rotate in ["90", "270", "180"] {
        let clip = dir.join(format!("rot_{rotate}.mp4"));
        ffmpeg(&[
            "-i",
            src.to_str().expect("utf-8"),
            "-c",
            "copy",
            "-metadata:s:v:0",
            &format!("rotate={rotate}"),
            clip.to_str().expect("utf-8"),
        ]);
        let (frames, info) = decode_all(&clip, VideoOptions::default()).expect("decodes");
        let (w, h) = if rotate == "180" { (320, 240) } else { (240, 320) };
        assert_eq!((info.width, info.height), (w, h), "rotate={rotate}");
        assert_eq!((info.coded_width, info.coded_height), (320, 240));
        assert_eq!(frames.len(), 30);
        // The ffmpeg CLI applies the display matrix the way players do: genu's frames must look the same.
        let reference = ffmpeg_frames(&clip, w, h);
        let rgb = frames[10].pixels.to_rgb();
        assert!(matches!(frames[10].pixels, Pixels::Rgb(_)));
        let d = mad(rgb.as_raw(), &reference[10]);
        assert!(d < 4.0, "rotate={rotate}: mean abs difference {d:.1} from the ffmpeg CLI's upright frame");
        // And clearly differ from the unrotated orientation read the wrong way round.
        if rotate == "180" {
            let unrotated = ffmpeg_frames(&src, 320, 240);
            assert!(mad(rgb.as_raw(), &unrotated[10]) > 20.0);
        }
        // The decoder's own planes, handed over as stored, read upright the same way.
        let (planar, _) = decode_all(&clip, VideoOptions { yuv: true, ..Default::default() }).expect("decodes");
        assert!(matches!(planar[10].pixels, Pixels::Yuv(_)));
        assert_eq!((planar[10].pixels.width(), planar[10].pixels.height()), (w, h));
        let from_planes = planar[10].pixels.to_rgb();
        let d = mad(from_planes.as_raw(), &reference[10]);
        assert!(d < 4.0, "rotate={rotate}: planes read {d:.1} from the ffmpeg CLI's upright frame");
        let d = mad(from_planes.as_raw(), rgb.as_raw());
        eprintln!("rotate={rotate}: planes against the converted frame {d:.2}");
        assert!(d < 0.8, "rotate={rotate}: planes read {d:.2} from genu's own converted frame");
    }
}

#[test]
fn variable_frame_rate_keeps_true_timestamps() {
    let dir = scratch_dir();
    // 10 frames at 10 fps, then 20 frames at 40 fps: intervals of 100 ms then 25 ms.
    let a = dir.join("vfr_a.mkv");
    let b = dir.join("vfr_b.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=10:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        a.to_str().expect("utf-8"),
    ]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=40:duration=0.5",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        b.to_str().expect("utf-8"),
    ]);
    let list = dir.join("vfr_list.txt");
    std::fs::write(&list, format!("file '{}'\nfile '{}'\n", a.display(), b.display())).expect("write list");
    let clip = dir.join("vfr.mkv");
    ffmpeg(&[
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list.to_str().expect("utf-8"),
        "-c",
        "copy",
        clip.to_str().expect("utf-8"),
    ]);
    let (frames, info) = decode_all(&clip, VideoOptions::default()).expect("decodes");
    assert_eq!(frames.len(), 30);
    let dt: Vec<f64> = frames.windows(2).map(|w| w[1].pts_s - w[0].pts_s).collect();
    assert!((dt[2] - 0.100).abs() < 0.002, "early interval {:.4}", dt[2]);
    assert!((dt[20] - 0.025).abs() < 0.002, "late interval {:.4}", dt[20]);
    assert!((frames[29].pts_s - 1.475).abs() < 0.003, "last timestamp {}", frames[29].pts_s);
    assert_eq!(info.variable_frame_rate, Some(true));
    assert_eq!(info.frame_count, Some(30));
}

#[test]
fn working_resolution_scales_down_only() {
    let dir = scratch_dir();
    let clip = dir.join("big.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1920x1080:rate=30:duration=0.2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().expect("utf-8"),
    ]);
    let (frames, info) = decode_all(&clip, VideoOptions { max_side: 640, ..Default::default() }).expect("decodes");
    assert_eq!((info.width, info.height), (1920, 1080));
    assert_eq!((info.work_width, info.work_height), (640, 360));
    assert_eq!((frames[0].pixels.width(), frames[0].pixels.height()), (640, 360));
    let reference = ffmpeg_frames(&clip, 640, 360);
    assert!(mad(frames[3].pixels.to_rgb().as_raw(), &reference[3]) < 4.0);
    // A frame that needs scaling is converted even when planes are asked for.
    let (frames, _) =
        decode_all(&clip, VideoOptions { max_side: 640, yuv: true, ..Default::default() }).expect("decodes");
    assert!(matches!(frames[0].pixels, Pixels::Rgb(_)));
}

#[test]
fn bad_inputs_give_one_clear_error() {
    let dir = scratch_dir();
    let empty = dir.join("empty.mp4");
    std::fs::write(&empty, b"").expect("write");
    let err = VideoReader::open(&empty, VideoOptions::default()).expect_err("empty");
    assert!(matches!(err, VideoError::Empty { .. }), "{err}");

    let text = dir.join("notes.mp4");
    std::fs::write(&text, b"this is a text file, not a video\n".repeat(50)).expect("write");
    let err = VideoReader::open(&text, VideoOptions::default()).expect_err("text");
    assert!(matches!(err, VideoError::NotAVideo { .. }), "{err}");
    assert!(err.to_string().contains("notes.mp4"), "{err}");

    let audio = dir.join("tone.m4a");
    ffmpeg(&["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", audio.to_str().expect("utf-8")]);
    let err = VideoReader::open(&audio, VideoOptions::default()).expect_err("audio only");
    assert!(matches!(err, VideoError::NoVideoStream { .. }), "{err}");

    let missing = dir.join("missing.mp4");
    let err = VideoReader::open(&missing, VideoOptions::default()).expect_err("missing");
    assert!(matches!(err, VideoError::Io { .. }), "{err}");
}

#[test]
fn truncated_clip_reports_how_far_it_got() {
    let dir = scratch_dir();
    let make = |name: &str, faststart: bool| {
        let path = dir.join(name);
        let mut args = vec!["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4", "-c:v", "libx264"];
        args.extend(["-pix_fmt", "yuv420p"]);
        if faststart {
            args.extend(["-movflags", "+faststart"]);
        }
        args.push(path.to_str().expect("utf-8"));
        ffmpeg(&args);
        let bytes = std::fs::read(&path).expect("read");
        let cut = dir.join(format!("cut_{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() * 45 / 100]).expect("write");
        cut
    };
    // Index at the front (as phones and most editors write): decoding stops early, and says where.
    let cut = make("full_fast.mp4", true);
    match decode_all(&cut, VideoOptions::default()) {
        Err(err @ VideoError::Truncated { .. }) => {
            let text = err.to_string();
            assert!(text.contains("cut_full_fast.mp4") && text.contains("frames"), "{text}");
        }
        Err(other) => panic!("expected a truncation error, got: {other}"),
        Ok((frames, _)) => panic!("a clip cut to 45% decoded without error ({} frames)", frames.len()),
    }
    // Index at the end: the cut file has no index at all, cannot be opened, and the error says why.
    let cut = make("full_slow.mp4", false);
    match VideoReader::open(&cut, VideoOptions::default()) {
        Err(err @ VideoError::Unfinished { .. }) => {
            let text = err.to_string();
            assert!(text.contains("cut_full_slow.mp4") && text.contains("moov"), "{text}");
        }
        Err(other) => panic!("expected an unfinished-MP4 error, got: {other}"),
        Ok(_) => panic!("a clip without its index opened"),
    }
}
