//! `summary.json`: provenance, clip facts, tracking summary, findings and the whole analysis.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::pose::Producer;
use crate::video::ClipInfo;

/// File name.
pub const FILE: &str = "summary.json";

/// The input file, identified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256.
    pub sha256: String,
}

/// Where a result came from: enough to reproduce it (tool, version, models and their SHA-256, every setting,
/// and the input file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Tool, version, models and settings (the same record the pose track carries).
    #[serde(flatten)]
    pub producer: Producer,
    /// The input clip.
    pub input: InputFile,
}

/// `summary.json`: everything about one clip's analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Provenance.
    pub provenance: Provenance,
    /// The clip's facts.
    pub clip: ClipInfo,
    /// Frames in the clip and frames where the subject was found.
    pub frames: usize,
    /// Frames with the subject.
    pub frames_with_subject: usize,
    /// Tracking losses.
    pub tracking_losses: usize,
    /// The view of most frames, in words.
    pub view: String,
    /// Plain-language findings.
    pub findings: Vec<String>,
    /// The whole analysis (signals, reps, statistics).
    pub analysis: Analysis,
}

/// The file's bytes (pretty JSON; numbers read back exactly).
pub fn bytes(summary: &Summary) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec_pretty(summary)
}
