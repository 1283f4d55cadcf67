//! The whole analysis of a pose track: kinematics then repetitions, with the settings that shaped them.
//!
//! In: a [`PoseTrack`] (from `genu pose` or the MediaPipe reference tool) and an [`AnalysisConfig`]. Out: an
//! [`Analysis`] holding the clean per-sample signals and the reps with their per-leg metrics.

use serde::{Deserialize, Serialize};

use crate::kinematics::{
    compute_signals, view_name, KinematicsConfig, KinematicsError, Side, Signals, MIN_SHIFT_COVERAGE,
};
use crate::pose::PoseTrack;
use crate::reps::{find_reps, planted_drift, RepAnalysis, RepConfig, MIN_DRIFT_PCT_LEG};

/// Settings of the analysis; the defaults are documented on each stage's constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct AnalysisConfig {
    /// Signal cleaning.
    pub kinematics: KinematicsConfig,
    /// Repetition finding.
    pub reps: RepConfig,
}

/// Signals and reps of one clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The settings used.
    pub config: AnalysisConfig,
    /// Clean per-sample signals.
    pub signals: Signals,
    /// Reps and statistics.
    pub reps: RepAnalysis,
    /// How far the planted feet moved sideways in the picture during the reps (% of leg, median over the reps;
    /// `reps/drift.rs`), where the camera's motion was not read on the background and the picture was not
    /// steadied on the planted foot; `None` where no rep could tell. From [`MIN_DRIFT_PCT_LEG`] up, the camera
    /// moved.
    #[serde(default)]
    pub planted_drift_pct_leg: Option<f64>,
}

/// Analyse a track. Where the camera's motion could not be read on the background and the planted feet drifted
/// sideways by [`MIN_DRIFT_PCT_LEG`] or more during the reps, the track is analysed once more steadied on the
/// planted foot (as `--hand-held` asks; the returned config says so).
pub fn analyze_track(track: &PoseTrack, config: &AnalysisConfig) -> Result<Analysis, KinematicsError> {
    let signals = compute_signals(track, &config.kinematics)?;
    let reps = find_reps(&signals, &config.reps);
    let unread = !config.kinematics.hand_held && signals.background_coverage < MIN_SHIFT_COVERAGE;
    let planted_drift_pct_leg = if unread { planted_drift(&signals, &reps.reps) } else { None };
    if planted_drift_pct_leg.is_some_and(|d| d >= MIN_DRIFT_PCT_LEG) {
        // The camera moved and its background was not read: steadied on the planted foot, as `--hand-held` does.
        let mut steadied = *config;
        steadied.kinematics.hand_held = true;
        let signals = compute_signals(track, &steadied.kinematics)?;
        let reps = find_reps(&signals, &steadied.reps);
        return Ok(Analysis { config: steadied, signals, reps, planted_drift_pct_leg });
    }
    Ok(Analysis { config: *config, signals, reps, planted_drift_pct_leg })
}

impl Analysis {
    /// A short plain-text table of the reps, for a terminal.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let s = &self.signals;
        let _ = writeln!(
            out,
            "task: {} ({}); view: {}; {} reps; roll corrected {:.1} deg; {} label swaps corrected",
            self.reps.task,
            self.reps.task_reason,
            view_name(s.clip_view),
            self.reps.reps.len(),
            s.roll_deg,
            s.swaps_corrected
        );
        if let Some(note) = &self.reps.note {
            let _ = writeln!(out, "no reps: {note}");
        }
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        let _ = writeln!(
            out,
            "{:>3} {:>8} {:>8} {:>6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7}",
            "rep", "bottom_s", "task", "stance", "depth%", "fppaL_deg", "fppaR_deg", "ktoL_pct", "ktoR_pct", "quality"
        );
        for r in &self.reps.reps {
            let stance = r.stance.map_or("both", Side::name);
            let _ = writeln!(
                out,
                "{:>3} {:>8.2} {:>8} {:>6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7.2}{}",
                r.number,
                r.bottom.t_s,
                r.task.to_string(),
                stance,
                if r.depth_pct_leg.is_finite() { format!("{:.1}", r.depth_pct_leg) } else { "-".to_string() },
                f(r.legs.left().fppa_peak_deg.value),
                f(r.legs.right().fppa_peak_deg.value),
                f(r.legs.left().kto_medial_peak_pct_shank.value),
                f(r.legs.right().kto_medial_peak_pct_shank.value),
                r.quality.score,
                r.flag.as_ref().map_or(String::new(), |why| format!("  flagged: {why}"))
            );
        }
        out
    }
}
