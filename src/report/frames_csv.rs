//! `frames.csv`: one row per time sample of the clean signals.

use serde::{Deserialize, Serialize};

use super::reps_csv::view_code;
use crate::analysis::Analysis;

/// File name.
pub const FILE: &str = "frames.csv";

/// Columns of `frames.csv`.
pub const HEADER: &[&str] = &[
    "clip",
    "sample",
    "frame",
    "t_s",
    "valid",
    "filled",
    "view",
    "hip_drop_pct_leg",
    "fppa_left_deg",
    "fppa_right_deg",
    "kto_left_pct_shank",
    "kto_right_pct_shank",
    "knee_flexion_left_deg",
    "knee_flexion_right_deg",
    "hip_below_knee_left_pct_leg",
    "hip_below_knee_right_pct_leg",
    "pelvic_obliquity_deg",
    "pelvic_shift_pct_stance",
    "visibility",
    "in_frame",
];

/// One row of `frames.csv` (one grid sample).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameRow {
    /// Clip file name.
    pub clip: String,
    /// Grid sample.
    pub sample: usize,
    /// Nearest source frame.
    pub frame: u64,
    /// Time (s).
    pub t_s: f64,
    /// Has data.
    pub valid: bool,
    /// Gap-filled.
    pub filled: bool,
    /// View code.
    pub view: String,
    /// Hip drop (% leg).
    pub hip_drop_pct_leg: Option<f64>,
    /// Left FPPA.
    pub fppa_left_deg: Option<f64>,
    /// Right FPPA.
    pub fppa_right_deg: Option<f64>,
    /// Left knee over toe.
    pub kto_left_pct_shank: Option<f64>,
    /// Right knee over toe.
    pub kto_right_pct_shank: Option<f64>,
    /// Left knee flexion.
    pub knee_flexion_left_deg: Option<f64>,
    /// Right knee flexion.
    pub knee_flexion_right_deg: Option<f64>,
    /// Left hip below knee.
    pub hip_below_knee_left_pct_leg: Option<f64>,
    /// Right hip below knee.
    pub hip_below_knee_right_pct_leg: Option<f64>,
    /// Pelvic obliquity.
    pub pelvic_obliquity_deg: Option<f64>,
    /// Pelvic shift.
    pub pelvic_shift_pct_stance: Option<f64>,
    /// Lower-body visibility.
    pub visibility: f64,
    /// All lower-body landmarks in the frame.
    pub in_frame: bool,
}

/// The rows of `frames.csv`.
pub fn rows(clip: &str, a: &Analysis) -> Vec<FrameRow> {
    let s = &a.signals;
    let (l, r) = (s.legs.left(), s.legs.right());
    (0..s.len())
        .map(|i| FrameRow {
            clip: clip.to_string(),
            sample: i,
            frame: s.frame[i],
            t_s: s.t_s[i],
            valid: s.valid[i],
            filled: s.filled[i],
            view: view_code(s.view[i]),
            hip_drop_pct_leg: s.hip_drop_pct_leg[i],
            fppa_left_deg: l.fppa_deg[i],
            fppa_right_deg: r.fppa_deg[i],
            kto_left_pct_shank: l.kto_pct_shank[i],
            kto_right_pct_shank: r.kto_pct_shank[i],
            knee_flexion_left_deg: l.knee_flexion_deg[i],
            knee_flexion_right_deg: r.knee_flexion_deg[i],
            hip_below_knee_left_pct_leg: l.hip_below_knee_pct_leg[i],
            hip_below_knee_right_pct_leg: r.hip_below_knee_pct_leg[i],
            pelvic_obliquity_deg: s.pelvic_obliquity_deg[i],
            pelvic_shift_pct_stance: s.pelvic_shift_pct_stance[i],
            visibility: s.visibility[i],
            in_frame: s.in_frame[i],
        })
        .collect()
}

/// The file's bytes for one clip.
pub fn bytes(clip: &str, analysis: &Analysis) -> Result<Vec<u8>, csv::Error> {
    super::rows_to_csv(HEADER, &rows(clip, analysis))
}
