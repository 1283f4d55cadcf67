//! `reps.csv`: one row per rep per leg (long format), the table clinicians and researchers open.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::kinematics::Side;
use crate::reps::{KtoCategory, Rep, Value};

/// File name.
pub const FILE: &str = "reps.csv";

/// Columns of `reps.csv`, in order (documented in docs/outputs.md).
pub const HEADER: &[&str] = &[
    "clip",
    "rep",
    "leg",
    "task",
    "stance_leg",
    "complete",
    "view",
    "t_descent_start_s",
    "frame_descent_start",
    "t_bottom_s",
    "frame_bottom",
    "t_ascent_end_s",
    "frame_ascent_end",
    "depth_pct_leg",
    "hip_below_knee_pct_leg",
    "fppa_bottom_deg",
    "fppa_uncertainty_deg",
    "fppa_at_45_deg",
    "fppa_at_60_deg",
    "fppa_peak_deg",
    "t_fppa_peak_s",
    "frame_fppa_peak",
    "kto_bottom_pct_shank",
    "kto_uncertainty_pct_shank",
    "kto_medial_peak_pct_shank",
    "kto_standing_pct_shank",
    "toe_out_deg",
    "kto_drift_pct_shank",
    "t_kto_peak_s",
    "frame_kto_peak",
    "kto_category",
    "knee_flexion_deg",
    "knee_flexion_source",
    "fppa_peak_lmr_deg",
    "fppa_peak_si_pct",
    "kto_peak_lmr_pct_shank",
    "camera_yaw_deg",
    "fppa_mean_bottom_deg",
    "kasr_bottom",
    "quality",
    "flagged",
    "flag_reason",
    "fppa_note",
    "kto_note",
];

/// One row of `reps.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepRow {
    /// Clip file name.
    pub clip: String,
    /// Rep number (1-based).
    pub rep: usize,
    /// `left` or `right`.
    pub leg: String,
    /// Task of the rep.
    pub task: String,
    /// Stance leg of a single-leg task, front leg of a lunge (`left`, `right`), empty for bilateral tasks.
    pub stance_leg: String,
    /// Whether the whole rep was seen.
    pub complete: bool,
    /// View during the rep.
    pub view: String,
    /// Descent start time (s).
    pub t_descent_start_s: f64,
    /// Descent start frame.
    pub frame_descent_start: u64,
    /// Bottom time (s).
    pub t_bottom_s: f64,
    /// Bottom frame.
    pub frame_bottom: u64,
    /// Ascent end time (s).
    pub t_ascent_end_s: f64,
    /// Ascent end frame.
    pub frame_ascent_end: u64,
    /// Hip drop at the bottom (% leg length).
    pub depth_pct_leg: Option<f64>,
    /// Hip minus knee height at the bottom (% leg; positive = hip below knee).
    pub hip_below_knee_pct_leg: Option<f64>,
    /// FPPA at the bottom (degrees, valgus positive).
    pub fppa_bottom_deg: Option<f64>,
    /// How far the bottom FPPA could be off because the camera's yaw is known only approximately (degrees).
    pub fppa_uncertainty_deg: Option<f64>,
    /// FPPA on the descent at 45° of knee flexion.
    pub fppa_at_45_deg: Option<f64>,
    /// FPPA on the descent at 60° of knee flexion.
    pub fppa_at_60_deg: Option<f64>,
    /// Largest FPPA in the loaded phase.
    pub fppa_peak_deg: Option<f64>,
    /// Time of the FPPA peak.
    pub t_fppa_peak_s: Option<f64>,
    /// Frame of the FPPA peak.
    pub frame_fppa_peak: Option<u64>,
    /// Knee over second toe at the bottom (% shank, medial positive).
    pub kto_bottom_pct_shank: Option<f64>,
    /// How far the bottom knee over toe could be off (% shank).
    pub kto_uncertainty_pct_shank: Option<f64>,
    /// Most medial knee over toe in the loaded phase.
    pub kto_medial_peak_pct_shank: Option<f64>,
    /// Knee over toe while standing next to the rep.
    pub kto_standing_pct_shank: Option<f64>,
    /// The foot's toe-out while standing next to the rep (degrees, outward positive).
    pub toe_out_deg: Option<f64>,
    /// Most medial knee over toe minus the standing value (medial drift during the rep).
    pub kto_drift_pct_shank: Option<f64>,
    /// Time of that peak.
    pub t_kto_peak_s: Option<f64>,
    /// Frame of that peak.
    pub frame_kto_peak: Option<u64>,
    /// `lateral`, `over_toe`, `medial_to_toe` (drifted there during the rep), `medial_at_rest` (stood there) or
    /// `medial_unclear` (the drift is too close to the rule to tell).
    pub kto_category: String,
    /// Knee flexion at the bottom (degrees).
    pub knee_flexion_deg: Option<f64>,
    /// `sagittal_2d`, `segment_lengths` (frontal) or `world_3d`.
    pub knee_flexion_source: String,
    /// Left minus right peak FPPA (same on both rows of a rep).
    pub fppa_peak_lmr_deg: Option<f64>,
    /// Symmetry index of peak FPPA (%), where both are positive.
    pub fppa_peak_si_pct: Option<f64>,
    /// Left minus right most medial knee over toe.
    pub kto_peak_lmr_pct_shank: Option<f64>,
    /// Camera yaw relative to the subject during the rep (degrees, camera toward the subject's left positive).
    pub camera_yaw_deg: Option<f64>,
    /// Mean of left and right FPPA at the bottom (degrees; yaw-robust; bilateral tasks; same on both rows).
    pub fppa_mean_bottom_deg: Option<f64>,
    /// Knee-to-ankle separation ratio at the bottom (bilateral tasks; same on both rows).
    pub kasr_bottom: Option<f64>,
    /// Rep quality score (0–1).
    pub quality: f64,
    /// Whether the rep is flagged (left out of the findings and the statistics).
    pub flagged: bool,
    /// Why it is flagged.
    pub flag_reason: String,
    /// Why FPPA is empty, if it is.
    pub fppa_note: String,
    /// Why knee over toe is empty, if it is.
    pub kto_note: String,
}

pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn category_name(c: Option<KtoCategory>) -> String {
    match c {
        Some(KtoCategory::Lateral) => "lateral".into(),
        Some(KtoCategory::OverToe) => "over_toe".into(),
        Some(KtoCategory::MedialToToe) => "medial_to_toe".into(),
        Some(KtoCategory::MedialAtRest) => "medial_at_rest".into(),
        Some(KtoCategory::MedialUnclear) => "medial_unclear".into(),
        None => String::new(),
    }
}

pub(crate) fn view_code(v: crate::kinematics::View) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The rows of `reps.csv` for one clip.
pub fn rows(clip: &str, analysis: &Analysis) -> Vec<RepRow> {
    let mut rows = Vec::new();
    for rep in &analysis.reps.reps {
        for side in Side::BOTH {
            rows.push(rep_row(clip, rep, side));
        }
    }
    rows
}

fn rep_row(clip: &str, r: &Rep, side: Side) -> RepRow {
    let l = &r.legs[side];
    let note = |v: &Value| v.reason.clone().unwrap_or_default();
    RepRow {
        clip: clip.to_string(),
        rep: r.number,
        leg: side.name().into(),
        task: r.task.to_string(),
        stance_leg: r.stance.map(|s| s.name().to_string()).unwrap_or_default(),
        complete: r.complete,
        view: view_code(r.view),
        t_descent_start_s: r.descent_start.t_s,
        frame_descent_start: r.descent_start.frame,
        t_bottom_s: r.bottom.t_s,
        frame_bottom: r.bottom.frame,
        t_ascent_end_s: r.ascent_end.t_s,
        frame_ascent_end: r.ascent_end.frame,
        depth_pct_leg: finite(r.depth_pct_leg),
        hip_below_knee_pct_leg: l.hip_below_knee_pct_leg.value,
        fppa_bottom_deg: l.fppa_bottom_deg.value,
        fppa_uncertainty_deg: l.fppa_uncertainty_deg,
        fppa_at_45_deg: l.fppa_at_45_deg.value,
        fppa_at_60_deg: l.fppa_at_60_deg.value,
        fppa_peak_deg: l.fppa_peak_deg.value,
        t_fppa_peak_s: l.fppa_peak_deg.at.map(|m| m.t_s),
        frame_fppa_peak: l.fppa_peak_deg.at.map(|m| m.frame),
        kto_bottom_pct_shank: l.kto_bottom_pct_shank.value,
        kto_uncertainty_pct_shank: l.kto_uncertainty_pct_shank,
        kto_medial_peak_pct_shank: l.kto_medial_peak_pct_shank.value,
        kto_standing_pct_shank: l.kto_standing_pct_shank.value,
        toe_out_deg: l.toe_out_deg.value,
        kto_drift_pct_shank: l.kto_drift_pct_shank,
        t_kto_peak_s: l.kto_medial_peak_pct_shank.at.map(|m| m.t_s),
        frame_kto_peak: l.kto_medial_peak_pct_shank.at.map(|m| m.frame),
        kto_category: category_name(l.kto_category),
        knee_flexion_deg: l.knee_flexion_deg.value,
        knee_flexion_source: l
            .knee_flexion_source
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        fppa_peak_lmr_deg: r.asymmetry.fppa_peak_deg.map(|a| a.left_minus_right),
        fppa_peak_si_pct: r.asymmetry.fppa_peak_deg.and_then(|a| a.symmetry_index_pct),
        kto_peak_lmr_pct_shank: r.asymmetry.kto_medial_peak_pct_shank.map(|a| a.left_minus_right),
        camera_yaw_deg: r.camera_yaw_deg,
        fppa_mean_bottom_deg: r.fppa_mean_bottom_deg.value,
        kasr_bottom: r.kasr_bottom.value,
        quality: r.quality.score,
        flagged: r.flag.is_some(),
        flag_reason: r.flag.clone().unwrap_or_default(),
        fppa_note: if l.fppa_bottom_deg.value.is_none() { note(&l.fppa_bottom_deg) } else { String::new() },
        kto_note: if l.kto_bottom_pct_shank.value.is_none() { note(&l.kto_bottom_pct_shank) } else { String::new() },
    }
}

/// The file's bytes for one clip (`clip`: the input's file name, the first column).
pub fn bytes(clip: &str, analysis: &Analysis) -> Result<Vec<u8>, csv::Error> {
    super::rows_to_csv(HEADER, &rows(clip, analysis))
}
