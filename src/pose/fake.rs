//! Scripted stand-ins for the BlazePose networks ([`FakePoseModels`]), so the tracker's logic (choosing the
//! subject, following it, losing it, finding it again, keeping other people apart) can be tested without
//! models or video.
//!
//! The scene is a list of [`ScriptedPerson`]s, each present over a range of frames at a position that may
//! drift. The frame a call is about is read from the image itself: [`scene_frame`] writes the frame index
//! into the first pixel, so the fake needs no clock of its own.

use image::RgbImage;

use super::detector::Detection;
use super::geometry::Roi;
use super::landmarker::{Landmark, LandmarkResult, ALIGN_CENTRE, ALIGN_SCALE, MODEL_LANDMARKS};
use super::{PoseError, PoseModels};
use crate::video::{Frame, Pixels};

/// A person of the scripted scene.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScriptedPerson {
    /// First frame the person is in view.
    pub from: u64,
    /// First frame the person is no longer in view.
    pub until: u64,
    /// Hip centre at frame `from` (pixels).
    pub hip: [f32; 2],
    /// Pixels moved per frame.
    pub velocity: [f32; 2],
    /// Hip centre to the top of the head (pixels): the distance between the alignment points.
    pub size: f32,
}

impl ScriptedPerson {
    /// A person standing still at `hip` over frames `from..until`.
    pub fn still(from: u64, until: u64, hip: [f32; 2], size: f32) -> Self {
        Self { from, until, hip, velocity: [0.0, 0.0], size }
    }

    /// Where the hip centre is at frame `index`, if the person is in view then.
    pub fn hip_at(&self, index: u64) -> Option<[f32; 2]> {
        (self.from..self.until).contains(&index).then(|| {
            let k = (index - self.from) as f32;
            [self.hip[0] + k * self.velocity[0], self.hip[1] + k * self.velocity[1]]
        })
    }
}

/// A frame of the scripted scene: `width` x `height`, time `index / fps`, its index written into pixel (0, 0).
pub fn scene_frame(index: u64, fps: f64, width: u32, height: u32) -> Frame {
    let mut rgb = RgbImage::new(width, height);
    let b = (index as u32).to_le_bytes();
    rgb.put_pixel(0, 0, image::Rgb([b[0], b[1], b[2]]));
    Frame { index, pts_s: index as f64 / fps, pixels: Pixels::Rgb(rgb) }
}

fn frame_index(img: &Pixels) -> u64 {
    let p = img.to_rgb().get_pixel(0, 0).0;
    u64::from(u32::from_le_bytes([p[0], p[1], p[2], 0]))
}

/// The networks' stand-in: detections of everyone in view (largest first), and landmarks of whoever stands in
/// the region asked about (a pose flag of 0 when nobody does). Every call is recorded.
#[derive(Debug, Clone, Default)]
pub struct FakePoseModels {
    /// The scene.
    pub people: Vec<ScriptedPerson>,
    /// The frames the detector ran on, in order.
    pub detector_frames: Vec<u64>,
    /// Landmark model runs.
    pub landmark_runs: usize,
}

impl FakePoseModels {
    /// A fake showing `people`.
    pub fn new(people: Vec<ScriptedPerson>) -> Self {
        Self { people, ..Self::default() }
    }
}

impl PoseModels for FakePoseModels {
    fn detect(&mut self, frame: &Pixels) -> Result<Vec<Detection>, PoseError> {
        let index = frame_index(frame);
        self.detector_frames.push(index);
        let mut found: Vec<(f32, Detection)> = self
            .people
            .iter()
            .filter_map(|p| {
                let [x, y] = p.hip_at(index)?;
                let detection = Detection {
                    score: 0.9,
                    face_box: [x - 0.1 * p.size, y - p.size, x + 0.1 * p.size, y - 0.8 * p.size],
                    keypoints: [[x, y], [x, y - p.size], [x, y - 0.6 * p.size], [x, y - 0.9 * p.size]],
                };
                Some((p.size, detection))
            })
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        Ok(found.into_iter().map(|(_, d)| d).collect())
    }

    fn landmarks(&mut self, frame: &Pixels, roi: &Roi) -> Result<LandmarkResult, PoseError> {
        let index = frame_index(frame);
        self.landmark_runs += 1;
        let inside = self
            .people
            .iter()
            .filter_map(|p| p.hip_at(index).map(|h| (h, p.size)))
            .map(|(h, size)| (h, size, (h[0] - roi.cx).hypot(h[1] - roi.cy)))
            .filter(|(_, _, d)| *d <= roi.size / 2.0)
            .min_by(|a, b| a.2.total_cmp(&b.2));
        let point = |x: f32, y: f32| Landmark { x, y, z: 0.0, visibility: 0.99, presence: 0.99 };
        let (flag, [x, y], size) = inside.map_or((0.0, [roi.cx, roi.cy], roi.size / 2.0), |(h, s, _)| (0.99, h, s));
        let mut landmarks = [point(x, y); MODEL_LANDMARKS];
        landmarks[ALIGN_SCALE] = point(x, y - size);
        landmarks[ALIGN_CENTRE] = point(x, y);
        Ok(LandmarkResult { pose_flag: flag, landmarks, world: [[0.0; 3]; MODEL_LANDMARKS] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{EventKind, FrameSource, PoseFrame, Tracker, TrackerOptions};

    const FPS: f64 = 30.0;

    /// Run the tracker over `frames` frames of the scene; the frames found and the tracker's events.
    fn run(people: Vec<ScriptedPerson>, frames: u64) -> (Vec<PoseFrame>, Vec<crate::pose::TrackEvent>, FakePoseModels) {
        let mut tracker = Tracker::new(FakePoseModels::new(people), TrackerOptions::default(), 1.0);
        let out: Vec<PoseFrame> =
            (0..frames).map(|i| tracker.process(&scene_frame(i, FPS, 640, 480)).expect("frame")).collect();
        let (models, events) = tracker.into_parts();
        (out, events, models)
    }

    fn hip(frame: &PoseFrame) -> Option<[f32; 2]> {
        frame.pose.as_ref().map(|p| [p.landmarks[0][0], p.landmarks[0][1]])
    }

    fn kinds(events: &[crate::pose::TrackEvent], kind: EventKind) -> Vec<u64> {
        events.iter().filter(|e| e.kind == kind).map(|e| e.frame).collect()
    }

    #[test]
    fn acquires_then_follows_without_the_detector() {
        let (frames, events, models) = run(vec![ScriptedPerson::still(0, 60, [320.0, 300.0], 120.0)], 60);
        assert_eq!(frames[0].source, FrameSource::Detection);
        assert!(frames[1..].iter().all(|f| f.source == FrameSource::Tracking), "{:?}", frames[1].source);
        assert!(frames.iter().all(|f| hip(f) == Some([320.0, 300.0])));
        assert_eq!(kinds(&events, EventKind::Acquired), vec![0]);
        // Survey timing: while tracking, the detector runs every 0.5 s (15 frames at 30 fps), not every frame.
        assert_eq!(models.detector_frames, vec![0, 15, 30, 45]);
    }

    #[test]
    fn a_subject_who_leaves_is_lost_and_found_again() {
        let person = |from, until| ScriptedPerson::still(from, until, [300.0, 300.0], 120.0);
        let (frames, events, _) = run(vec![person(0, 20), person(40, 60)], 60);
        assert!(frames[..20].iter().all(|f| f.pose.is_some()));
        assert!(frames[20..40].iter().all(|f| f.pose.is_none() && f.source == FrameSource::None));
        assert!(frames[40..].iter().all(|f| f.pose.is_some()));
        assert_eq!(kinds(&events, EventKind::Lost), vec![20]);
        assert_eq!(kinds(&events, EventKind::Reacquired), vec![40]);
    }

    #[test]
    fn a_walking_subject_is_followed() {
        let walker = ScriptedPerson { from: 0, until: 45, hip: [100.0, 300.0], velocity: [8.0, 0.0], size: 120.0 };
        let (frames, events, _) = run(vec![walker], 45);
        for (i, f) in frames.iter().enumerate() {
            assert_eq!(hip(f), walker.hip_at(i as u64), "frame {i}");
        }
        assert!(kinds(&events, EventKind::Lost).is_empty());
    }

    #[test]
    fn another_person_is_never_reported_as_the_subject() {
        // The subject (left) is followed; a larger person walks in on the right at frame 10 and stays. When the
        // subject leaves at frame 30, the other person must not become the subject.
        let subject = ScriptedPerson::still(0, 30, [160.0, 300.0], 100.0);
        let other = ScriptedPerson::still(10, 60, [500.0, 300.0], 140.0);
        let (frames, events, _) = run(vec![subject, other], 60);
        assert!(frames[..30].iter().all(|f| hip(f) == Some([160.0, 300.0])), "the subject stays the subject");
        assert!(
            frames[30..].iter().all(|f| f.pose.is_none()),
            "{:?}",
            frames[30..].iter().map(hip).collect::<Vec<_>>()
        );
        assert_eq!(kinds(&events, EventKind::Lost), vec![30]);
        assert!(kinds(&events, EventKind::Reacquired).is_empty());
    }

    #[test]
    fn the_first_choice_follows_the_rule() {
        // Largest by default: the bigger of two people present from the start.
        let small = ScriptedPerson::still(0, 10, [150.0, 300.0], 80.0);
        let big = ScriptedPerson::still(0, 10, [480.0, 300.0], 130.0);
        let (frames, _, _) = run(vec![small, big], 10);
        assert!(frames.iter().all(|f| hip(f) == Some([480.0, 300.0])));
    }
}
