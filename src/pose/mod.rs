//! The pose stage: decoded frames in, a [`PoseTrack`] of one person's 33 landmarks out.
//!
//! BlazePose as MediaPipe runs it: the detector finds people on the first frame (and whenever tracking is
//! lost); the landmark model looks at a rotated square region around the subject; each frame's alignment
//! landmarks (33, 34) place the next frame's region, so the detector is not needed while the pose flag stays
//! above 0.5. Details and constants: [`detector`], [`landmarker`], [`geometry`].
//!
//! Unlike MediaPipe, the tracker keeps to one person: the subject is chosen once ([`SubjectChoice`]); while
//! tracking, the detector still runs twice a second to keep account of everyone else in view; after a loss, a
//! person is taken for the subject only if the subject could have moved there in the time since last seen and
//! nobody else seen recently explains the sighting better ([`subject::Seen`]). Every detector run, loss,
//! rejection and re-acquisition is recorded in [`PoseTrack::events`].
//!
//! The networks sit behind the [`PoseModels`] trait, so the tracking logic is testable with a fake.

pub mod background;
pub mod detector;
pub mod fake;
pub mod geometry;
pub mod landmarker;
pub mod one_euro;
pub mod subject;
pub mod track;

use std::path::Path;

use ndarray::Array4;
use ort::value::TensorRef;
use thiserror::Error;

use self::detector::Detection;
use self::geometry::{Border, Letterbox, Roi, Warp};
use self::landmarker::{LandmarkResult, BODY_LANDMARKS, POSE_FLAG_THRESHOLD};
use self::subject::Seen;
pub use self::subject::SubjectChoice;
pub use self::track::{EventKind, FrameSource, Pose, PoseFrame, PoseTrack, Producer, TrackError, TrackEvent};
use crate::models::{LandmarkVariant, LoadedModel, ModelDir, ModelError, ModelKind};
use crate::runtime::Runtime;
use crate::video::{DecodeThread, Frame, Pixels, VideoError, VideoOptions};

/// Errors of the pose stage.
#[derive(Debug, Error)]
pub enum PoseError {
    /// The clip could not be decoded.
    #[error(transparent)]
    Video(#[from] VideoError),
    /// A model could not be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// ONNX Runtime failed while running a model.
    #[error("inference failed ({model}): {source}")]
    Inference {
        /// Which model.
        model: ModelKind,
        /// ONNX Runtime's error.
        source: ort::Error,
    },
    /// A track file could not be read or written.
    #[error(transparent)]
    Track(#[from] TrackError),
    /// The caller asked to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// The clip has more frames than one track may hold.
    #[error("'{path}': more than {max} frames: cut the clip into parts (genu holds one clip's track in memory)")]
    TooLong {
        /// The clip.
        path: std::path::PathBuf,
        /// The limit ([`track::MAX_TRACK_FRAMES`]).
        max: usize,
    },
}

/// The two networks of BlazePose, as the tracker uses them.
pub trait PoseModels {
    /// People in the frame, best first, in the frame's pixels.
    fn detect(&mut self, frame: &Pixels) -> Result<Vec<Detection>, PoseError>;
    /// The landmark model's reading of region `roi` of the frame.
    fn landmarks(&mut self, frame: &Pixels, roi: &Roi) -> Result<LandmarkResult, PoseError>;
}

impl<T: PoseModels + ?Sized> PoseModels for &mut T {
    fn detect(&mut self, frame: &Pixels) -> Result<Vec<Detection>, PoseError> {
        (**self).detect(frame)
    }
    fn landmarks(&mut self, frame: &Pixels, roi: &Roi) -> Result<LandmarkResult, PoseError> {
        (**self).landmarks(frame, roi)
    }
}

/// BlazePose on ONNX Runtime: the detector and one landmark model, with reusable input buffers.
#[derive(Debug)]
pub struct BlazePose {
    detector: LoadedModel,
    landmark: LoadedModel,
    anchors: Vec<[f32; 2]>,
    /// Reused NHWC input tensors (1 x 224 x 224 x 3 and 1 x 256 x 256 x 3).
    det_input: Array4<f32>,
    lm_input: Array4<f32>,
}

impl Producer {
    /// genu's own producer record: these models, and the settings that shaped the track.
    pub fn genu(models: &BlazePose, settings: serde_json::Value) -> Self {
        Self {
            tool: "genu".into(),
            version: crate::VERSION.into(),
            landmark_model: models.landmark.kind.file_name().into(),
            landmark_model_sha256: Some(models.landmark.sha256.clone()),
            detector_sha256: Some(models.detector.sha256.clone()),
            settings,
        }
    }
}

impl BlazePose {
    /// Load the detector and the `variant` landmark model from `dir`, each with `threads` intra-op threads.
    pub fn load(
        runtime: &Runtime,
        dir: &ModelDir,
        variant: LandmarkVariant,
        threads: usize,
    ) -> Result<Self, ModelError> {
        let detector = dir.load(runtime, ModelKind::Detector, threads)?;
        let landmark = dir.load(runtime, ModelKind::Landmark(variant), threads)?;
        Ok(Self {
            detector,
            landmark,
            anchors: detector::anchors(),
            det_input: Array4::zeros((1, detector::INPUT_SIZE, detector::INPUT_SIZE, 3)),
            lm_input: Array4::zeros((1, landmarker::INPUT_SIZE, landmarker::INPUT_SIZE, 3)),
        })
    }

    /// The loaded landmark model (file, hash).
    pub fn landmark_model(&self) -> &LoadedModel {
        &self.landmark
    }

    /// The loaded detector model (file, hash).
    pub fn detector_model(&self) -> &LoadedModel {
        &self.detector
    }
}

fn output<'a>(
    outputs: &'a ort::session::SessionOutputs<'_>,
    name: &str,
    model: ModelKind,
) -> Result<&'a [f32], PoseError> {
    let value = outputs
        .get(name)
        .ok_or_else(|| PoseError::Inference { model, source: ort::Error::new(format!("output '{name}' missing")) })?;
    value.try_extract_tensor::<f32>().map(|(_, data)| data).map_err(|source| PoseError::Inference { model, source })
}

impl PoseModels for BlazePose {
    fn detect(&mut self, frame: &Pixels) -> Result<Vec<Detection>, PoseError> {
        let n = detector::INPUT_SIZE;
        let letterbox = Letterbox::new(frame.width(), frame.height());
        fill(&mut self.det_input, |buf| {
            geometry::warp_into(frame, &letterbox.warp(n), n, Border::Zero, 1.0 / 127.5, -1.0, buf)
        });
        let kind = self.detector.kind;
        let err = |source| PoseError::Inference { model: kind, source };
        let input = TensorRef::from_array_view(&self.det_input).map_err(err)?;
        let outputs = self.detector.session.run(ort::inputs![input]).map_err(err)?;
        let boxes = output(&outputs, "Identity", kind)?;
        let scores = output(&outputs, "Identity_1", kind)?;
        Ok(detector::decode(boxes, scores, &self.anchors, &letterbox))
    }

    fn landmarks(&mut self, frame: &Pixels, roi: &Roi) -> Result<LandmarkResult, PoseError> {
        let n = landmarker::INPUT_SIZE;
        fill(&mut self.lm_input, |buf| {
            geometry::warp_into(frame, &Warp::from_roi(roi, n), n, Border::Replicate, 1.0 / 255.0, 0.0, buf)
        });
        self.landmarks_of_input(roi)
    }
}

impl BlazePose {
    /// The landmark model on the crop already in its input (the last one [`PoseModels::landmarks`] sampled),
    /// read back through `roi`: inference without sampling the crop, which is how `make bench-pose` measures
    /// the model alone.
    pub fn landmarks_of_input(&mut self, roi: &Roi) -> Result<LandmarkResult, PoseError> {
        let kind = self.landmark.kind;
        let err = |source| PoseError::Inference { model: kind, source };
        let input = TensorRef::from_array_view(&self.lm_input).map_err(err)?;
        let outputs = self.landmark.session.run(ort::inputs![input]).map_err(err)?;
        let raw = output(&outputs, "Identity", kind)?;
        let flag = output(&outputs, "Identity_1", kind)?.first().copied().unwrap_or(0.0);
        let heatmap = output(&outputs, "Identity_3", kind)?;
        let world = output(&outputs, "Identity_4", kind)?;
        Ok(landmarker::decode(raw, heatmap, world, flag, roi))
    }
}

/// Run `write` on the tensor's memory (always contiguous: the arrays are created in standard layout).
fn fill(tensor: &mut Array4<f32>, write: impl FnOnce(&mut [f32])) {
    if let Some(buf) = tensor.as_slice_mut() {
        write(buf);
    }
}

/// At most this many frames are reserved up front from the container's declared count (about 40 s at 60 fps);
/// longer clips grow the list as frames arrive.
const INITIAL_FRAME_CAPACITY: usize = 2400;

/// ONNX Runtime threads per model by default. Decoding runs on its own thread beside them; on a 2-core machine
/// two inference threads still gain about 10 % end to end (measured with `make bench-pose`).
pub const DEFAULT_THREADS: usize = 2;

/// Settings of the tracker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerOptions {
    /// How the subject is chosen on the first frame with people.
    pub choice: SubjectChoice,
    /// At most this many detections are examined when looking for the subject again.
    pub max_candidates: usize,
    /// While the subject is tracked, the detector still runs this often (seconds) to keep account of the other
    /// people in view, so that none of them is later taken for the subject.
    pub survey_interval_s: f64,
}

/// Detections examined when re-acquiring the subject.
pub const MAX_CANDIDATES: usize = 3;
/// Default [`TrackerOptions::survey_interval_s`]: twice a second costs one detector run per 15 frames at 30 fps.
pub const SURVEY_INTERVAL_S: f64 = 0.5;

/// A detection's region is re-placed from the landmarks found in it when they turn it by more than this
/// (20 degrees)...
pub const REFINE_TURN_RAD: f32 = 0.35;
/// ...or move its centre by more than this fraction of its size...
pub const REFINE_SHIFT: f32 = 0.2;
/// ...at most this many times per detection.
pub const REFINE_STEPS: usize = 2;

impl Default for TrackerOptions {
    fn default() -> Self {
        Self { choice: SubjectChoice::Largest, max_candidates: MAX_CANDIDATES, survey_interval_s: SURVEY_INTERVAL_S }
    }
}

/// A found person: the landmark result, the region it came from and where the person is.
struct Found {
    result: LandmarkResult,
    source: FrameSource,
    roi: Roi,
    seen: Seen,
}

fn seen_of(result: &LandmarkResult, t_s: f64) -> Seen {
    let [c, s] = result.alignment_points();
    Seen { centre: c, size: (s[0] - c[0]).hypot(s[1] - c[1]), t_s }
}

fn people(n: usize) -> String {
    format!("{n} {}", if n == 1 { "person" } else { "people" })
}

/// Follows one person through a clip, frame by frame.
pub struct Tracker<M> {
    models: M,
    options: TrackerOptions,
    /// Working-frame pixels to reported pixels.
    scale: f32,
    next_roi: Option<Roi>,
    roi_filter: one_euro::PointFilter,
    /// The subject's last sighting (working pixels); `None` until the subject is chosen.
    last: Option<Seen>,
    /// Other people seen recently.
    others: Vec<Seen>,
    last_survey_s: f64,
    present: bool,
    events: Vec<TrackEvent>,
    /// The camera's motion, read from the background.
    background: background::BackgroundTracker,
}

impl<M: PoseModels> Tracker<M> {
    /// A tracker using `models`; landmarks are multiplied by `scale` when reported (working → full pixels).
    pub fn new(models: M, options: TrackerOptions, scale: f32) -> Self {
        Self {
            models,
            options,
            scale,
            next_roi: None,
            roi_filter: one_euro::PointFilter::default(),
            last: None,
            others: Vec::new(),
            last_survey_s: f64::NEG_INFINITY,
            present: false,
            events: Vec::new(),
            background: background::BackgroundTracker::new(),
        }
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[TrackEvent] {
        &self.events
    }

    /// Give back the models and the recorded events.
    pub fn into_parts(self) -> (M, Vec<TrackEvent>) {
        (self.models, self.events)
    }

    fn event(&mut self, frame: &Frame, kind: EventKind, detail: String) {
        self.events.push(TrackEvent { frame: frame.index, pts_s: frame.pts_s, kind, detail });
    }

    /// Remember the people in `detections` except those at the indices in `not_others` (the subject, or people
    /// who may be the subject).
    fn remember_others(&mut self, detections: &[Detection], not_others: &[usize], t_s: f64) {
        let fresh: Vec<Seen> = detections
            .iter()
            .enumerate()
            .filter(|(i, _)| !not_others.contains(i))
            .map(|(_, d)| Seen::of_detection(d, t_s))
            .collect();
        // Keep earlier sightings that are recent and not explained by a fresh one.
        self.others.retain(|o| t_s - o.t_s <= subject::OTHERS_MEMORY_S && !fresh.iter().any(|f| o.reaches(f)));
        self.others.extend(fresh);
    }

    /// While tracking: run the detector to keep account of the other people in view.
    fn survey(&mut self, frame: &Frame, subject: Seen) -> Result<(), PoseError> {
        let detections = self.models.detect(&frame.pixels)?;
        self.last_survey_s = frame.pts_s;
        let own = (0..detections.len())
            .map(|i| (i, subject.reach_ratio(&Seen::of_detection(&detections[i], frame.pts_s))))
            .filter(|(_, r)| *r <= 1.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        self.remember_others(&detections, own.as_slice(), frame.pts_s);
        let others = detections.len() - usize::from(own.is_some());
        self.event(
            frame,
            EventKind::Detection,
            format!("survey while tracking: {} besides the subject", people(others)),
        );
        Ok(())
    }

    /// Run the detector and look for the subject (or choose one, the first time).
    fn search(&mut self, frame: &Frame) -> Result<Option<Found>, PoseError> {
        let img = &frame.pixels;
        let t = frame.pts_s;
        let detections = self.models.detect(img)?;
        let Some(last) = self.last else {
            // Not chosen yet: pick by the user's rule.
            let Some(i) = self.options.choice.pick(&detections, img.width() as f32, img.height() as f32) else {
                self.event(frame, EventKind::Detection, format!("{} detected", people(0)));
                return Ok(None);
            };
            let (result, roi) = self.landmarks_from_detection(img, &detections[i])?;
            if result.pose_flag <= POSE_FLAG_THRESHOLD {
                let detail = format!("{} detected; no pose in the chosen one's region", people(detections.len()));
                self.event(frame, EventKind::Detection, detail);
                return Ok(None);
            }
            self.remember_others(&detections, &[i], t);
            let how = match self.options.choice {
                SubjectChoice::Largest => "largest",
                SubjectChoice::Central => "most central",
                SubjectChoice::Near { .. } => "nearest the given point",
            };
            self.event(frame, EventKind::Detection, format!("{} detected", people(detections.len())));
            self.event(
                frame,
                EventKind::Acquired,
                format!("subject chosen as the {how} of {}", people(detections.len())),
            );
            let seen = seen_of(&result, t);
            return Ok(Some(Found { result, source: FrameSource::Detection, roi, seen }));
        };
        self.others.retain(|o| t - o.t_s <= subject::OTHERS_MEMORY_S);
        // Candidates: people the subject could have reached, not better explained by someone else seen recently.
        let mut candidates: Vec<(usize, f32)> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for (i, d) in detections.iter().enumerate().take(self.options.max_candidates) {
            let s = Seen::of_detection(d, t);
            let ratio = last.reach_ratio(&s);
            let other = self.others.iter().any(|o| o.reaches(&s) && o.reach_ratio(&s) < ratio);
            let at = format!("({:.0}, {:.0})", s.centre[0] * self.scale, s.centre[1] * self.scale);
            if ratio > 1.0 {
                notes.push(format!("{at} is out of the subject's reach ({ratio:.1}x)"));
            } else if other {
                notes.push(format!("{at} is another person seen before"));
            } else {
                candidates.push((i, ratio));
            }
        }
        candidates.sort_by(|a, b| a.1.total_cmp(&b.1));
        // Anyone within the subject's reach may be the subject: never remember them as someone else.
        let maybe_subject: Vec<usize> = candidates.iter().map(|(i, _)| *i).collect();
        for (i, _) in candidates {
            let (result, roi) = self.landmarks_from_detection(img, &detections[i])?;
            if result.pose_flag <= POSE_FLAG_THRESHOLD {
                let k = detections[i].keypoints[0];
                notes.push(format!(
                    "({:.0}, {:.0}) has no clear pose (flag {:.2})",
                    k[0] * self.scale,
                    k[1] * self.scale,
                    result.pose_flag
                ));
                continue;
            }
            self.remember_others(&detections, &maybe_subject, t);
            let detail = format!("{} detected; subject among them", people(detections.len()));
            self.event(frame, EventKind::Detection, detail);
            let seen = seen_of(&result, t);
            return Ok(Some(Found { result, source: FrameSource::Detection, roi, seen }));
        }
        self.remember_others(&detections, &maybe_subject, t);
        let mut detail = format!("{} detected", people(detections.len()));
        if !detections.is_empty() {
            detail.push_str(&format!(
                "; subject not found (last seen {:.2} s ago): {}",
                t - last.t_s,
                notes.join("; ")
            ));
        }
        self.event(frame, EventKind::Detection, detail);
        Ok(None)
    }

    /// Find the subject in one frame.
    pub fn process(&mut self, frame: &Frame) -> Result<PoseFrame, PoseError> {
        let t = frame.pts_s;
        let mut found = None;
        if let Some(roi) = self.next_roi.take() {
            let result = self.models.landmarks(&frame.pixels, &roi)?;
            if result.pose_flag > POSE_FLAG_THRESHOLD {
                let seen = seen_of(&result, t);
                match self.last {
                    Some(last) if !last.reaches(&seen) => {
                        let detail = format!(
                            "tracked region jumped {:.0} px in {:.3} s, too far for the subject: dropped",
                            (seen.centre[0] - last.centre[0]).hypot(seen.centre[1] - last.centre[1]) * self.scale,
                            t - last.t_s
                        );
                        self.event(frame, EventKind::Rejected, detail);
                    }
                    _ => found = Some(Found { result, source: FrameSource::Tracking, roi, seen }),
                }
            }
        }
        match &found {
            Some(f) if t - self.last_survey_s >= self.options.survey_interval_s => {
                let seen = f.seen;
                self.survey(frame, seen)?;
            }
            Some(_) => {}
            None => found = self.search(frame)?,
        }
        let Some(found) = found else {
            self.roi_filter.reset();
            if self.present {
                self.present = false;
                self.event(frame, EventKind::Lost, "subject not found".into());
            }
            let camera_shift = self.camera_shift(frame, None);
            return Ok(PoseFrame { index: frame.index, pts_s: t, source: FrameSource::None, pose: None, camera_shift });
        };
        if let (false, Some(last)) = (self.present, self.last) {
            let moved = (found.seen.centre[0] - last.centre[0]).hypot(found.seen.centre[1] - last.centre[1]);
            let detail = format!(
                "subject found again after {:.2} s, {:.1} body sizes from where last seen",
                t - last.t_s,
                moved / last.size.max(1e-3)
            );
            self.event(frame, EventKind::Reacquired, detail);
        }
        self.present = true;
        self.last = Some(found.seen);
        if found.source == FrameSource::Detection {
            self.roi_filter.reset();
            self.last_survey_s = t;
        }
        self.next_roi = Some(self.next_region(&found, t));
        let subject = subject_box(&found.result);
        let camera_shift = self.camera_shift(frame, Some(subject));
        Ok(PoseFrame {
            index: frame.index,
            pts_s: t,
            source: found.source,
            pose: Some(self.report(&found)),
            camera_shift,
        })
    }

    /// The background's shift in `frame` ([`background`]), in the landmarks' pixels.
    fn camera_shift(&mut self, frame: &Frame, subject: Option<[f32; 4]>) -> Option<[f32; 2]> {
        let k = self.scale;
        self.background.shift(&frame.pixels, subject).map(|s| s.map(|v| v * k))
    }

    /// The region for the next frame, from the alignment points smoothed as MediaPipe smooths them.
    fn next_region(&mut self, found: &Found, t: f64) -> Roi {
        let mut points = found.result.alignment_points();
        self.roi_filter.apply(&mut points, t, found.roi.size);
        Roi::from_alignment(points[0], points[1])
    }

    /// The landmark model on a detection's region, with the region corrected from the landmarks' own alignment
    /// points when they disagree with it (a person half in view often gets a badly rotated detection, and the
    /// landmark model then keeps that rotation for many frames).
    fn landmarks_from_detection(
        &mut self,
        img: &Pixels,
        detection: &Detection,
    ) -> Result<(LandmarkResult, Roi), PoseError> {
        let mut roi = detection.roi();
        let mut result = self.models.landmarks(img, &roi)?;
        for _ in 0..REFINE_STEPS {
            if result.pose_flag <= POSE_FLAG_THRESHOLD {
                break;
            }
            let [c, s] = result.alignment_points();
            let own = Roi::from_alignment(c, s);
            let turn = geometry::normalize_angle(own.rotation - roi.rotation).abs();
            let shift = (own.cx - roi.cx).hypot(own.cy - roi.cy) / roi.size.max(1e-3);
            if turn <= REFINE_TURN_RAD && shift <= REFINE_SHIFT {
                break;
            }
            roi = own;
            result = self.models.landmarks(img, &roi)?;
        }
        Ok((result, roi))
    }

    fn report(&self, found: &Found) -> Pose {
        let k = self.scale;
        let r = &found.result;
        Pose {
            pose_flag: Some(r.pose_flag),
            roi: Some(found.roi.scaled(k)),
            landmarks: r.landmarks[..BODY_LANDMARKS]
                .iter()
                .map(|l| [l.x * k, l.y * k, l.z * k, l.visibility, l.presence])
                .collect(),
            world: r.world[..BODY_LANDMARKS].to_vec(),
        }
    }
}

/// The box `[x0, y0, x1, y1]` (working pixels) around the body landmarks of `result`.
fn subject_box(result: &LandmarkResult) -> [f32; 4] {
    result.landmarks[..BODY_LANDMARKS]
        .iter()
        .fold([f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY], |[x0, y0, x1, y1], l| {
            [x0.min(l.x), y0.min(l.y), x1.max(l.x), y1.max(l.y)]
        })
}

/// Run the pose stage over a whole clip: decode on one thread, track on this one.
///
/// `progress` is called after each frame with the number of frames done; returning `Break` stops the stage
/// with [`PoseError::Interrupted`]. Clips longer than [`track::MAX_TRACK_FRAMES`] are refused part-way, so
/// memory is bounded by the frames decoded, never by what the container declares.
pub fn track_clip<M: PoseModels>(
    clip: &Path,
    video: VideoOptions,
    models: &mut M,
    options: TrackerOptions,
    producer: Producer,
    progress: &mut dyn FnMut(u64) -> std::ops::ControlFlow<()>,
) -> Result<PoseTrack, PoseError> {
    // The models' crops are sampled straight from the decoder's planes where the frame needs no scaling.
    let mut decoder = DecodeThread::open(clip, VideoOptions { yuv: true, ..video })?;
    let info = decoder.info().clone();
    let mut tracker = Tracker::new(models, options, info.work_to_full() as f32);
    // The container's frame count is a claim, not a fact (a header can say 2^31): it only sizes the first
    // allocation, within bounds.
    let claimed = info.frame_count.unwrap_or(0).min(INITIAL_FRAME_CAPACITY as u64) as usize;
    let mut frames = Vec::with_capacity(claimed);
    while let Some(frame) = decoder.next_frame() {
        let frame = frame?;
        if frames.len() >= track::MAX_TRACK_FRAMES {
            return Err(PoseError::TooLong { path: clip.to_path_buf(), max: track::MAX_TRACK_FRAMES });
        }
        frames.push(tracker.process(&frame)?);
        if progress(frame.index + 1).is_break() {
            return Err(PoseError::Interrupted);
        }
        decoder.recycle(frame);
    }
    let info = decoder.finish();
    let (_, events) = tracker.into_parts();
    let mut track = PoseTrack::new(producer, info);
    track.frames = frames;
    track.events = events;
    Ok(track)
}
