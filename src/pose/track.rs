//! The pose track: what the pose stage writes and the kinematics stage reads (JSON, versioned).
//!
//! Coordinates are full-resolution frame pixels after rotation (x right, y down), the frame of
//! [`ClipInfo::width`] x [`ClipInfo::height`]. Each landmark is stored as `[x, y, z, visibility, presence]`
//! (z relative to the hips, same pixel scale; visibility and presence are probabilities); world landmarks
//! as `[x, y, z]` in metres with the origin between the hips. The format is documented in
//! `docs/track-format.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::geometry::Roi;
use crate::video::ClipInfo;

/// Value of the `format` field of every track file.
pub const TRACK_FORMAT: &str = "genu-pose-track";
/// Version of the track format this build writes and reads.
pub const TRACK_VERSION: u32 = 1;
/// Most frames one track may hold: 72 000 frames is 40 min at 30 fps or 20 min at 60 fps, far beyond any
/// exercise clip. Measured: a 99 990-frame track took 393 MB to analyse (about 4 kB a frame for the track, its
/// grid and every signal), so this limit keeps any clip or track under about 300 MB. Longer clips are refused
/// with a message saying to cut them.
pub const MAX_TRACK_FRAMES: usize = 72_000;
/// Largest track file read (bytes): a full-length track written by genu is about 3 kB a frame.
pub const MAX_TRACK_BYTES: u64 = 1 << 30;
/// Landmark coordinates further than this many frame sizes outside the frame are not a pose but a broken file
/// (BlazePose places occluded joints a little outside the frame, never kilometres away).
pub const MAX_COORD_FRAMES: f32 = 10.0;
/// World landmarks further than this from the hips (metres) are not a human body.
pub const MAX_WORLD_M: f32 = 10.0;
/// Visibility and presence are probabilities; values outside [0, 1] by more than this are rejected.
const PROBABILITY_SLACK: f32 = 1e-3;

/// The 33 BlazePose body landmarks, in model order. Odd indices from 1 are the subject's left side.
pub const LANDMARK_NAMES: [&str; 33] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// Who made the track and with what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Producer {
    /// `genu` or `mediapipe` (the reference tool).
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// Landmark model file name.
    pub landmark_model: String,
    /// SHA-256 of the landmark model file, when known.
    pub landmark_model_sha256: Option<String>,
    /// SHA-256 of the detector model file, when known.
    pub detector_sha256: Option<String>,
    /// Settings that shaped the track.
    pub settings: serde_json::Value,
}

/// How a frame's pose was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameSource {
    /// The detector ran on this frame and its region was used.
    Detection,
    /// The region came from the previous frame's landmarks.
    Tracking,
    /// No subject in this frame.
    None,
    /// Produced by an external reference (MediaPipe), which does not say.
    Reference,
}

/// The subject's pose in one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pose {
    /// Probability that the landmark crop holds a person (absent for reference tracks, which do not say).
    pub pose_flag: Option<f32>,
    /// The region the landmark model looked at, in frame pixels (absent for reference tracks).
    pub roi: Option<Roi>,
    /// 33 body landmarks, each `[x, y, z, visibility, presence]`.
    pub landmarks: Vec<[f32; 5]>,
    /// 33 world landmarks, each `[x, y, z]` in metres.
    pub world: Vec<[f32; 3]>,
}

impl Pose {
    /// Landmark `i` as (x, y).
    pub fn xy(&self, i: usize) -> [f32; 2] {
        let l = self.landmarks[i];
        [l[0], l[1]]
    }

    /// Visibility of landmark `i`.
    pub fn visibility(&self, i: usize) -> f32 {
        self.landmarks[i][3]
    }
}

/// One frame of the track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoseFrame {
    /// Frame index in the clip.
    pub index: u64,
    /// Presentation time in seconds.
    pub pts_s: f64,
    /// How the pose was found.
    pub source: FrameSource,
    /// The subject's pose, absent when the subject was not found (or another person was seen).
    pub pose: Option<Pose>,
    /// Where the picture's background has moved since the first frame the subject was seen in (`[x, y]`, the landmarks'
    /// pixels): the camera's own motion (`pose/background.rs`); absent where the background could not be
    /// matched (a plain wall) and in tracks written before it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_shift: Option<[f32; 2]>,
}

/// Something that happened to the subject's tracking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The subject was chosen.
    Acquired,
    /// The detector ran (first frame, or because tracking was lost).
    Detection,
    /// The subject was not found from this frame on.
    Lost,
    /// The subject was found again.
    Reacquired,
    /// A person was found but rejected as not being the subject.
    Rejected,
}

/// A tracking event, for auditing what the tracker did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackEvent {
    /// Frame index.
    pub frame: u64,
    /// Time in seconds.
    pub pts_s: f64,
    /// What happened.
    pub kind: EventKind,
    /// Why, in words.
    pub detail: String,
}

/// A whole clip's pose track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoseTrack {
    /// Always [`TRACK_FORMAT`].
    pub format: String,
    /// Format version ([`TRACK_VERSION`]).
    pub version: u32,
    /// Who made it.
    pub producer: Producer,
    /// The clip's facts.
    pub clip: ClipInfo,
    /// Names of the 33 landmarks, in order.
    pub landmark_names: Vec<String>,
    /// Every decoded frame, in order (at most [`MAX_TRACK_FRAMES`]; a file with more is refused while it is
    /// read, before it fills memory).
    #[serde(deserialize_with = "bounded_frames")]
    pub frames: Vec<PoseFrame>,
    /// Tracking events in order.
    pub events: Vec<TrackEvent>,
}

/// Errors reading or writing a track file.
#[derive(Debug, Error)]
pub enum TrackError {
    /// The file could not be read or written.
    #[error("'{path}': {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid track JSON.
    #[error("'{path}': not a genu pose track: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// The file is a track of another format or version.
    #[error("'{path}': track format '{format}' version {version} is not supported (this genu reads '{TRACK_FORMAT}' version {TRACK_VERSION})")]
    Version {
        /// The file.
        path: PathBuf,
        /// Its format field.
        format: String,
        /// Its version field.
        version: u32,
    },
    /// The content breaks the format's rules.
    #[error("'{path}': invalid track: {detail}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl PoseTrack {
    /// An empty track for a clip.
    pub fn new(producer: Producer, clip: ClipInfo) -> Self {
        Self {
            format: TRACK_FORMAT.to_string(),
            version: TRACK_VERSION,
            producer,
            clip,
            landmark_names: LANDMARK_NAMES.iter().map(|s| s.to_string()).collect(),
            frames: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Frames in which the subject was found.
    pub fn frames_with_pose(&self) -> usize {
        self.frames.iter().filter(|f| f.pose.is_some()).count()
    }

    /// Check the rules of the format: a clip with a size, 33 landmarks and world points per pose, frames in
    /// increasing order with finite times, probabilities in [0, 1], coordinates finite and near the frame.
    pub fn validate(&self) -> Result<(), String> {
        if self.landmark_names.len() != LANDMARK_NAMES.len() {
            return Err(format!("{} landmark names, expected {}", self.landmark_names.len(), LANDMARK_NAMES.len()));
        }
        if self.clip.width == 0 || self.clip.height == 0 {
            return Err(format!("the clip's size is {}x{}", self.clip.width, self.clip.height));
        }
        if self.frames.len() > MAX_TRACK_FRAMES {
            return Err(format!("{} frames, more than the {MAX_TRACK_FRAMES} a track may hold", self.frames.len()));
        }
        let (w, h) = (self.clip.width as f32, self.clip.height as f32);
        let reach = MAX_COORD_FRAMES * w.max(h);
        let mut previous: Option<u64> = None;
        for f in &self.frames {
            if previous.is_some_and(|p| f.index <= p) {
                return Err(format!("frame index {} does not increase", f.index));
            }
            previous = Some(f.index);
            if !f.pts_s.is_finite() {
                return Err(format!("frame {} has no finite time", f.index));
            }
            let Some(p) = &f.pose else { continue };
            if p.landmarks.len() != LANDMARK_NAMES.len() || p.world.len() != LANDMARK_NAMES.len() {
                return Err(format!(
                    "frame {} has {} landmarks and {} world points, expected 33",
                    f.index,
                    p.landmarks.len(),
                    p.world.len()
                ));
            }
            let probability = |v: f32| (-PROBABILITY_SLACK..=1.0 + PROBABILITY_SLACK).contains(&v);
            for (i, l) in p.landmarks.iter().enumerate() {
                let name = LANDMARK_NAMES[i];
                if !probability(l[3]) || !probability(l[4]) {
                    return Err(format!(
                        "frame {}: {name} has visibility {} and presence {} (probabilities lie in 0..1)",
                        f.index, l[3], l[4]
                    ));
                }
                let inside = |v: f32, size: f32| v.is_finite() && v > -reach && v < size + reach;
                if !inside(l[0], w) || !inside(l[1], h) || !l[2].is_finite() || l[2].abs() > reach {
                    return Err(format!(
                        "frame {}: {name} at ({}, {}, {}) px is not a position in a {}x{} clip",
                        f.index, l[0], l[1], l[2], self.clip.width, self.clip.height
                    ));
                }
            }
            if let Some((i, v)) =
                p.world.iter().enumerate().find(|(_, v)| v.iter().any(|c| !c.is_finite() || c.abs() > MAX_WORLD_M))
            {
                return Err(format!(
                    "frame {}: world {} at ({}, {}, {}) m is not on a human body",
                    f.index, LANDMARK_NAMES[i], v[0], v[1], v[2]
                ));
            }
        }
        Ok(())
    }

    /// Read a track file, checking format, version and structure.
    ///
    /// Memory stays bounded whatever the file holds: only regular files up to [`MAX_TRACK_BYTES`] are read,
    /// parsed as a stream (never loaded whole), and a frame list longer than [`MAX_TRACK_FRAMES`] stops the
    /// parser.
    pub fn read_json(path: &Path) -> Result<Self, TrackError> {
        let io = |source| TrackError::Io { path: path.into(), source };
        crate::fsx::require_regular(path).map_err(io)?;
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_TRACK_BYTES {
            let detail = format!("{size} bytes, more than the {MAX_TRACK_BYTES} a track file may have");
            return Err(TrackError::Invalid { path: path.into(), detail });
        }
        let reader = || std::fs::File::open(path).map(std::io::BufReader::new).map_err(io);
        // Look at the header first so that a track of another version gets the right message.
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let header: Header =
            serde_json::from_reader(reader()?).map_err(|source| TrackError::Json { path: path.into(), source })?;
        let (format, version) = (header.format.unwrap_or_default(), header.version.unwrap_or(0));
        if format != TRACK_FORMAT || version != TRACK_VERSION {
            return Err(TrackError::Version { path: path.into(), format, version });
        }
        let track: Self =
            serde_json::from_reader(reader()?).map_err(|source| TrackError::Json { path: path.into(), source })?;
        track.validate().map_err(|detail| TrackError::Invalid { path: path.into(), detail })?;
        Ok(track)
    }

    /// Write the track as JSON atomically (a temporary file in the same folder, then a rename).
    pub fn write_json(&self, path: &Path) -> Result<(), TrackError> {
        let io = |source| TrackError::Io { path: path.into(), source };
        let bytes = serde_json::to_vec(self).map_err(|source| TrackError::Json { path: path.into(), source })?;
        crate::fsx::write_atomic(path, &bytes).map_err(io)
    }
}

/// Read the frame list, refusing more than [`MAX_TRACK_FRAMES`] as soon as the limit is passed.
fn bounded_frames<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PoseFrame>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<PoseFrame>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX_TRACK_FRAMES} frames")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(frame) = seq.next_element()? {
                if out.len() == MAX_TRACK_FRAMES {
                    return Err(serde::de::Error::custom(format!(
                        "more than {MAX_TRACK_FRAMES} frames (the most a track may hold)"
                    )));
                }
                out.push(frame);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn clip() -> ClipInfo {
        ClipInfo {
            file_name: "a.mp4".into(),
            width: 100,
            height: 200,
            coded_width: 100,
            coded_height: 200,
            rotation_deg: 0,
            work_width: 100,
            work_height: 200,
            time_base: (1, 30),
            nominal_fps: 30.0,
            measured_fps: Some(30.0),
            variable_frame_rate: Some(false),
            duration_s: Some(1.0),
            codec: "h264".into(),
            frame_count: Some(2),
        }
    }

    fn producer() -> Producer {
        Producer {
            tool: "genu".into(),
            version: "0".into(),
            landmark_model: "m".into(),
            landmark_model_sha256: None,
            detector_sha256: None,
            settings: serde_json::json!({}),
        }
    }

    #[test]
    fn round_trip_and_version_check() {
        let mut t = PoseTrack::new(producer(), clip());
        t.frames.push(PoseFrame {
            index: 0,
            pts_s: 0.0,
            source: FrameSource::Detection,
            pose: Some(Pose {
                pose_flag: Some(0.9),
                roi: Some(Roi { cx: 1.0, cy: 2.0, size: 3.0, rotation: 0.1 }),
                landmarks: vec![[1.0, 2.0, 3.0, 0.5, 0.6]; 33],
                world: vec![[0.1, 0.2, 0.3]; 33],
            }),
            camera_shift: Some([1.5, -2.0]),
        });
        t.frames.push(PoseFrame { index: 1, pts_s: 0.033, source: FrameSource::None, pose: None, camera_shift: None });
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("t.json");
        t.write_json(&p).expect("write");
        assert_eq!(PoseTrack::read_json(&p).expect("read"), t);

        let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
        doc["version"] = serde_json::json!(99);
        std::fs::write(&p, serde_json::to_vec(&doc).expect("ser")).expect("write");
        let err = PoseTrack::read_json(&p).expect_err("version");
        assert!(err.to_string().contains("version 99"), "{err}");

        std::fs::write(&p, b"{\"format\": \"genu-pose-track\", \"version\": 1, \"frames\": [").expect("write");
        assert!(matches!(PoseTrack::read_json(&p), Err(TrackError::Json { .. })));
    }
}
