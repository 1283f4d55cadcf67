//! One clip's whole job: pose, analysis and every output file, plus the completion marker that lets a batch
//! skip clips already done.
//!
//! In: a clip, an output folder, [`JobSettings`] and loaded models. Out, in the folder: `track.json`,
//! `reps.csv`, `frames.csv`, `summary.json`, `report.html`, `overlay.mp4` (unless turned off) and, written
//! last, `genu-done.json` naming the input's SHA-256 and the settings' fingerprint. Every file is written
//! atomically, so a job killed half-way leaves no file a re-run would trust: without the marker the clip is
//! done again.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis::{analyze_track, Analysis, AnalysisConfig};
use crate::fsx::write_atomic;
use crate::kinematics::{view_name, KinematicsError};
use crate::models::{sha256_file, LandmarkVariant};
use crate::pose::{track_clip, BlazePose, EventKind, PoseError, PoseTrack, Producer, SubjectChoice, TrackerOptions};
use crate::report::{
    findings, frames_csv, html, overlay, reps_csv, summary, write_tables, InputFile, Provenance, Summary,
};
use crate::video::VideoOptions;

/// Name of the completion marker.
pub const DONE_FILE: &str = "genu-done.json";
/// Files every finished job leaves (besides the marker); the overlay and report are added when enabled.
pub const TABLE_FILES: [&str; 4] = [TRACK_FILE, reps_csv::FILE, frames_csv::FILE, summary::FILE];
/// File name of the pose track in a clip's folder.
pub const TRACK_FILE: &str = "track.json";

/// Everything that shapes a clip's results.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JobSettings {
    /// Landmark model.
    pub model: LandmarkVariant,
    /// Subject choice.
    #[serde(with = "subject_text")]
    pub subject: SubjectChoice,
    /// Working size of the frames.
    pub max_side: u32,
    /// ONNX Runtime threads per model.
    pub threads: usize,
    /// Analysis settings.
    pub analysis: AnalysisConfig,
    /// Write `overlay.mp4`.
    pub overlay: bool,
    /// Longest side of `overlay.mp4` in pixels (never more than the input's).
    #[serde(default = "default_overlay_max_side")]
    pub overlay_max_side: u32,
    /// Write `report.html`.
    pub report: bool,
}

fn default_overlay_max_side() -> u32 {
    overlay::OVERLAY_MAX_SIDE
}

mod subject_text {
    use crate::pose::SubjectChoice;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &SubjectChoice, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&match v {
            SubjectChoice::Largest => "largest".to_string(),
            SubjectChoice::Central => "central".to_string(),
            SubjectChoice::Near { x, y } => format!("{x},{y}"),
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SubjectChoice, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            model: LandmarkVariant::Full,
            subject: SubjectChoice::Largest,
            max_side: crate::video::DEFAULT_MAX_SIDE,
            threads: crate::pose::DEFAULT_THREADS,
            analysis: AnalysisConfig::default(),
            overlay: true,
            overlay_max_side: overlay::OVERLAY_MAX_SIDE,
            report: true,
        }
    }
}

impl JobSettings {
    /// The settings that change results, as JSON (threads do not, so they are left out); a re-run with a
    /// different fingerprint redoes the clip.
    pub fn fingerprint(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("threads");
        }
        serde_json::json!({ "genu": crate::VERSION, "settings": v })
    }

    /// The output files a finished job has.
    pub fn expected_files(&self) -> Vec<&'static str> {
        let mut files = TABLE_FILES.to_vec();
        if self.report {
            files.push(html::FILE);
        }
        if self.overlay {
            files.push(overlay::FILE);
        }
        files
    }
}

/// Errors of one clip's job; each names the clip or the file.
#[derive(Debug, Error)]
pub enum JobError {
    /// Decoding or tracking failed.
    #[error(transparent)]
    Pose(#[from] PoseError),
    /// The analysis failed.
    #[error("'{clip}': {source}")]
    Analysis {
        /// The clip.
        clip: PathBuf,
        /// Why.
        source: KinematicsError,
    },
    /// No person was found in the clip.
    #[error("'{clip}': no person found in the clip")]
    NoPerson {
        /// The clip.
        clip: PathBuf,
    },
    /// An output could not be written.
    #[error("cannot write '{path}': {source}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input could not be read.
    #[error("'{path}': cannot read file: {source}")]
    Read {
        /// The clip.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What a finished job produced.
#[derive(Debug, Clone)]
pub struct JobOutcome {
    /// The summary written to `summary.json`.
    pub summary: Summary,
    /// Seconds spent in the pose stage.
    pub pose_s: f64,
    /// Seconds spent writing the report and the overlay.
    pub outputs_s: f64,
}

/// The completion marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoneMarker {
    /// The input's SHA-256.
    pub input_sha256: String,
    /// The settings' fingerprint.
    pub fingerprint: serde_json::Value,
    /// Files written.
    pub files: Vec<String>,
}

/// Whether `out` already holds a finished job for this input and these settings.
pub fn is_done(out: &Path, input_sha256: &str, settings: &JobSettings) -> bool {
    let Ok(bytes) = std::fs::read(out.join(DONE_FILE)) else { return false };
    let Ok(marker) = serde_json::from_slice::<DoneMarker>(&bytes) else { return false };
    marker.input_sha256 == input_sha256
        && marker.fingerprint == settings.fingerprint()
        && settings.expected_files().iter().all(|f| out.join(f).is_file())
}

/// Identify the input file. Only regular files are accepted (checked before anything is opened, so a FIFO
/// or a device never blocks the job).
pub fn input_file(clip: &Path) -> Result<InputFile, JobError> {
    let read = |source| JobError::Read { path: clip.to_path_buf(), source };
    crate::fsx::require_regular(clip).map_err(read)?;
    let bytes = std::fs::metadata(clip).map_err(read)?.len();
    let sha256 = sha256_file(clip).map_err(read)?;
    let file_name = clip.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(InputFile { file_name, bytes, sha256 })
}

/// Run the whole job for one clip into `out`.
pub fn run_clip(
    clip: &Path,
    out: &Path,
    settings: &JobSettings,
    models: &mut BlazePose,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<JobOutcome, JobError> {
    let input = input_file(clip)?;
    if out.exists() && !out.is_dir() {
        let source = std::io::Error::new(std::io::ErrorKind::AlreadyExists, "it is a file, not a folder");
        return Err(JobError::Write { path: out.to_path_buf(), source });
    }
    std::fs::create_dir_all(out).map_err(|source| JobError::Write { path: out.to_path_buf(), source })?;
    // A stale marker must not survive a partial re-run, nor genu's own temporaries of a run that was killed
    // (only files with genu's temporary prefix: nothing of the user's is touched).
    let _ = std::fs::remove_file(out.join(DONE_FILE));
    crate::fsx::remove_own_temporaries(out);
    let producer = Producer::genu(models, settings.fingerprint());
    let provenance = Provenance { producer: producer.clone(), input };
    let video = VideoOptions { max_side: settings.max_side, ..Default::default() };
    let options = TrackerOptions { choice: settings.subject, ..Default::default() };
    let started = Instant::now();
    let result =
        track_clip(clip, video, models, options, producer, progress).map_err(JobError::from).and_then(|track| {
            let pose_s = started.elapsed().as_secs_f64();
            finish(clip, out, settings, &track, provenance, pose_s, progress)
        });
    // Whatever happened, no temporary of this job stays behind (an unfinished overlay).
    crate::fsx::remove_own_temporaries(out);
    result
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), JobError> {
    write_atomic(path, bytes).map_err(|source| JobError::Write { path: path.to_path_buf(), source })
}

fn finish(
    clip: &Path,
    out: &Path,
    settings: &JobSettings,
    track: &PoseTrack,
    provenance: Provenance,
    pose_s: f64,
    progress: &mut dyn FnMut(u64) -> std::ops::ControlFlow<()>,
) -> Result<JobOutcome, JobError> {
    track
        .write_json(&out.join(TRACK_FILE))
        .map_err(|e| JobError::Write { path: out.join(TRACK_FILE), source: std::io::Error::other(e.to_string()) })?;
    if track.frames_with_pose() == 0 {
        return Err(JobError::NoPerson { clip: clip.to_path_buf() });
    }
    let analysis: Analysis = analyze_track(track, &settings.analysis)
        .map_err(|source| JobError::Analysis { clip: clip.to_path_buf(), source })?;
    let summary = Summary {
        provenance,
        clip: track.clip.clone(),
        frames: track.frames.len(),
        frames_with_subject: track.frames_with_pose(),
        tracking_losses: track.events.iter().filter(|e| e.kind == EventKind::Lost).count(),
        view: view_name(analysis.signals.clip_view).to_string(),
        findings: findings(&analysis),
        analysis,
    };
    write_tables(out, &summary).map_err(|source| JobError::Write { path: out.to_path_buf(), source })?;
    let started = Instant::now();
    if settings.overlay || settings.report {
        // The clip is decoded again and drawn on: the overlay, and each rep's bottom still.
        let overlay_path = out.join(overlay::FILE);
        let target = settings.overlay.then_some(overlay_path.as_path());
        // Ctrl-C still stops the job here, through the pose pass's progress callback (its count stays at the end).
        let frames = track.frames.len() as u64;
        let mut stop = || progress(frames).is_break();
        let stills = overlay::render_pass(clip, settings.overlay_max_side, target, track, &summary.analysis, &mut stop)
            .map_err(|e| match e {
                overlay::OverlayError::Interrupted => JobError::Pose(crate::pose::PoseError::Interrupted),
                e => JobError::Write { path: overlay_path.clone(), source: std::io::Error::other(e.to_string()) },
            })?;
        if settings.report {
            write(&out.join(html::FILE), html::render(&summary, &stills).as_bytes())?;
        }
    }
    let outputs_s = started.elapsed().as_secs_f64();
    let marker = DoneMarker {
        input_sha256: summary.provenance.input.sha256.clone(),
        fingerprint: settings.fingerprint(),
        files: settings.expected_files().iter().map(|s| s.to_string()).collect(),
    };
    write(&out.join(DONE_FILE), &serde_json::to_vec_pretty(&marker).unwrap_or_default())?;
    Ok(JobOutcome { summary, pose_s, outputs_s })
}
