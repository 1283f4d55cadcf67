//! `genu pose` on real video: agreement with MediaPipe, keeping to one person among two, and bad input.
//!
//! The real footage is the `sports2d==0.8.34` demo clip that `make setup` fetches from PyPI.

mod common;

use std::path::{Path, PathBuf};

use common::{demo_walk, ffmpeg, genu, scratch_dir, sports2d_demo};
use genu::pose::{EventKind, PoseTrack};
use predicates::prelude::*;

/// SHA-256 of `scripts/demo_cut.sh`'s output, as recorded in fixtures/README.md when the reference was made.
const WALK_CUT_SHA256: &str = "6006a321c01c78640be90c2fca9e11f8ac29c5223bada4094690db9fe365c027";
/// The bar: median lower-limb landmark distance at most 1 % of hip-to-ankle length.
const MAX_MEDIAN_DISTANCE_OF_LEG: f64 = 0.01;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

fn run_pose(clip: &Path, name: &str) -> PoseTrack {
    let out = scratch_dir().join(name);
    genu().arg("pose").arg(clip).arg("-o").arg(&out).assert().success();
    PoseTrack::read_json(&out).expect("genu's own track reads back")
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f64 {
    f64::from((a[0] - b[0]).hypot(a[1] - b[1]))
}

fn hip_centre(p: &genu::pose::Pose) -> [f32; 2] {
    let (l, r) = (p.xy(23), p.xy(24));
    [(l[0] + r[0]) / 2.0, (l[1] + r[1]) / 2.0]
}

#[test]
fn lower_limb_landmarks_agree_with_mediapipe() {
    let clip = scratch_dir().join("sports2d_walk.mp4");
    demo_walk(&clip);
    let sha = genu::models::sha256_file(&clip).expect("hash");
    assert_eq!(sha, WALK_CUT_SHA256, "the cut differs from the one MediaPipe's reference was made from");

    let ours = run_pose(&clip, "sports2d_walk.genu.json");
    let reference = PoseTrack::read_json(&fixture("sports2d_walk.mediapipe.json")).expect("reference reads");
    assert_eq!(ours.frames.len(), reference.frames.len());
    let mut distances = Vec::new();
    let mut both = 0;
    for (a, b) in ours.frames.iter().zip(&reference.frames) {
        let (Some(pa), Some(pb)) = (&a.pose, &b.pose) else { continue };
        both += 1;
        let leg = (dist(pb.xy(23), pb.xy(27)) + dist(pb.xy(24), pb.xy(28))) / 2.0;
        for k in 23..33 {
            distances.push(dist(pa.xy(k), pb.xy(k)) / leg);
        }
    }
    assert!(both * 10 >= reference.frames.len() * 8, "both found the subject in only {both} frames");
    distances.sort_by(f64::total_cmp);
    let median = distances[distances.len() / 2];
    eprintln!("median lower-limb distance: {:.2} % of leg length over {} landmarks", 100.0 * median, distances.len());
    assert!(median <= MAX_MEDIAN_DISTANCE_OF_LEG, "median {:.2} % of leg length", 100.0 * median);
}

#[test]
fn keeps_to_the_first_person_when_a_second_walks_through() {
    let track = run_pose(&sports2d_demo(), "sports2d_demo.genu.json");
    let people: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("sports2d_demo_people.json")).expect("read")).expect("json");
    let at = |v: &serde_json::Value| -> Option<[f32; 2]> {
        let a = v.as_array()?;
        Some([a[0].as_f64()? as f32, a[1].as_f64()? as f32])
    };
    // The man is the only person in view at the start: he is the subject.
    let acquired = track.events.iter().find(|e| e.kind == EventKind::Acquired).expect("a subject was chosen");
    assert!(acquired.pts_s < 0.5, "subject chosen only at {} s", acquired.pts_s);

    let mut man_frames = 0;
    let mut man_found = 0;
    for (frame, who) in people["frames"].as_object().expect("frames") {
        let i: usize = frame.parse().expect("frame number");
        let (man, woman) = (at(&who["man"]), at(&who["woman"]));
        let pose = track.frames[i].pose.as_ref();
        if let Some(m) = man {
            man_frames += 1;
            if pose.is_some_and(|p| dist(hip_centre(p), m) < 80.0) {
                man_found += 1;
            }
        }
        if let (Some(p), Some(w)) = (pose, woman) {
            let hip = hip_centre(p);
            let to_man = man.map_or(f64::INFINITY, |m| dist(hip, m));
            assert!(
                dist(hip, w) > 150.0 && dist(hip, w) > to_man.min(150.0),
                "frame {i}: the reported subject at {hip:?} is the other person (at {w:?})"
            );
        }
    }
    assert!(man_found * 10 >= man_frames * 9, "the man was reported in {man_found} of {man_frames} annotated frames");

    // Every jump of the reported subject is bracketed by a recorded loss and re-acquisition.
    let mut previous: Option<(usize, [f32; 2])> = None;
    for (i, f) in track.frames.iter().enumerate() {
        let Some(p) = &f.pose else { continue };
        let hip = hip_centre(p);
        if let Some((j, prev)) = previous {
            if dist(hip, prev) > 150.0 {
                let recorded = track
                    .events
                    .iter()
                    .any(|e| e.kind == EventKind::Reacquired && e.frame as usize > j && e.frame as usize <= i);
                assert!(
                    recorded,
                    "frames {j}->{i}: the subject moved {:.0} px without a recorded re-acquisition",
                    dist(hip, prev)
                );
            }
        }
        previous = Some((i, hip));
    }
    let lost = track.events.iter().filter(|e| e.kind == EventKind::Lost).count();
    let back = track.events.iter().filter(|e| e.kind == EventKind::Reacquired).count();
    assert!(
        lost >= 1 && back >= 1,
        "the jump off the box loses the subject and he is found again ({lost} losses, {back} re-acquisitions)"
    );
}

#[test]
fn clip_without_a_person_says_so() {
    let clip = scratch_dir().join("nobody.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=30:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().expect("utf-8"),
    ]);
    let out = scratch_dir().join("nobody.json");
    genu()
        .arg("pose")
        .arg(&clip)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no person found").and(predicate::str::contains("nobody.mp4")));
    let track = PoseTrack::read_json(&out).expect("the track is still written");
    assert_eq!(track.frames.len(), 30);
    assert_eq!(track.frames_with_pose(), 0);
}

#[test]
fn bad_inputs_give_one_line_each() {
    let dir = scratch_dir();
    let empty = dir.join("pose_empty.mp4");
    std::fs::write(&empty, b"").expect("write");
    let text = dir.join("pose_text.mp4");
    std::fs::write(&text, b"not a video at all\n".repeat(100)).expect("write");
    let audio = dir.join("pose_audio.m4a");
    ffmpeg(&["-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:a", "aac", audio.to_str().expect("utf-8")]);
    let full = dir.join("pose_full.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30:duration=3",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        full.to_str().expect("utf-8"),
    ]);
    let bytes = std::fs::read(&full).expect("read");
    let truncated = dir.join("pose_truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let missing = dir.join("pose_missing.mp4");

    for (clip, cause) in [
        (&empty, "empty"),
        (&text, "not a video"),
        (&audio, "no video stream"),
        (&truncated, "truncated"),
        (&missing, "No such file"),
    ] {
        let name = clip.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        genu()
            .arg("pose")
            .arg(clip)
            .arg("-o")
            .arg(dir.join("unused.json"))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(name).and(predicate::str::contains(cause)))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
}

#[test]
fn unwritable_output_is_one_line() {
    let clip = scratch_dir().join("nobody_short.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30:duration=0.2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().expect("utf-8"),
    ]);
    genu()
        .arg("pose")
        .arg(&clip)
        .args(["-o", "/nonexistent-folder/track.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/nonexistent-folder/track.json"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

/// Lower-limb landmarks (hips to feet) of the landmark model on the same regions, read once from the frames
/// converted to RGB and once from the decoder's planes: the pose stage samples its crops from the planes, and
/// that must not move what the model sees.
#[test]
fn crops_from_the_decoders_planes_read_as_from_rgb_frames() {
    use genu::models::{LandmarkVariant, ModelDir};
    use genu::pose::{BlazePose, PoseModels};
    use genu::video::{Pixels, VideoOptions, VideoReader};

    let clip = scratch_dir().join("sports2d_walk_planes.mp4");
    demo_walk(&clip);
    let runtime = genu::runtime::Runtime::discover(None).expect("ONNX Runtime (run `make setup`)");
    let mut models = BlazePose::load(&runtime, &ModelDir::locate(None), LandmarkVariant::Full, 1).expect("models");
    let mut rgb = VideoReader::open(&clip, VideoOptions::default()).expect("opens");
    let mut planar = VideoReader::open(&clip, VideoOptions { yuv: true, ..Default::default() }).expect("opens");
    let (mut a, mut b) = (rgb.new_frame(), planar.new_frame());
    let (mut distances, mut flags) = (Vec::new(), Vec::new());
    let mut index = 0;
    while rgb.read_into(&mut a).expect("decodes") {
        assert!(planar.read_into(&mut b).expect("decodes"));
        assert!(matches!(b.pixels, Pixels::Yuv(_)), "a 4:2:0 clip at full size is handed over as planes");
        index += 1;
        if index % 5 != 0 {
            continue;
        }
        let Some(roi) = models.detect(&a.pixels).expect("detects").first().map(|d| d.roi()) else { continue };
        let (ra, rb) =
            (models.landmarks(&a.pixels, &roi).expect("runs"), models.landmarks(&b.pixels, &roi).expect("runs"));
        flags.push((ra.pose_flag - rb.pose_flag).abs());
        let xy = |r: &genu::pose::landmarker::LandmarkResult, k: usize| [r.landmarks[k].x, r.landmarks[k].y];
        let leg = (dist(xy(&ra, 23), xy(&ra, 27)) + dist(xy(&ra, 24), xy(&ra, 28))) / 2.0;
        for k in 23..33 {
            distances.push(dist(xy(&ra, k), xy(&rb, k)) / leg);
        }
    }
    assert!(distances.len() >= 100, "only {} landmarks compared", distances.len());
    distances.sort_by(f64::total_cmp);
    let (median, p95) = (distances[distances.len() / 2], distances[distances.len() * 95 / 100]);
    let worst_flag = flags.iter().copied().fold(0.0f32, f32::max);
    eprintln!(
        "planes against RGB: median {:.3} %, 95th percentile {:.3} % of leg length over {} landmarks",
        100.0 * median,
        100.0 * p95,
        distances.len()
    );
    eprintln!("pose flag up to {worst_flag:.4} apart");
    assert!(worst_flag < 0.02, "the pose flag moved {worst_flag:.4}");
    assert!(median < 0.002 && p95 < 0.01, "median {:.3} %, 95th {:.3} % of leg length", 100.0 * median, 100.0 * p95);
}
