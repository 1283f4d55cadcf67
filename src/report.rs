//! Outputs of an analysis: tidy CSV (one row per rep per leg), per-frame CSV and a JSON summary with
//! provenance; the HTML report ([`html`]) and the overlay video ([`overlay`]).
//!
//! CSV conventions: long format, units in column names, no comment lines, empty cells for values the view or
//! the task cannot support (the reason is in the `*_note` column), the same schema from `genu analyze` and
//! `genu batch`. Every file is written atomically (temporary file, then rename).

mod findings;
pub mod html;
pub mod index;
pub mod overlay;

pub use findings::{findings, ASYMMETRY_MIN_DEG, YAW_BANNER_DEG};

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::fsx::write_atomic;
use crate::kinematics::Side;
use crate::pose::Producer;
use crate::reps::{KtoCategory, Rep, Value};
use crate::video::ClipInfo;

/// Columns of `reps.csv`, in order (documented in docs/outputs.md).
pub const REPS_CSV_HEADER: &[&str] = &[
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
    "kto_medial_peak_pct_shank",
    "kto_standing_pct_shank",
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
    /// Stance leg of a single-leg task (`left`, `right`), empty for bilateral tasks.
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
    /// Most medial knee over toe in the loaded phase.
    pub kto_medial_peak_pct_shank: Option<f64>,
    /// Knee over toe while standing next to the rep.
    pub kto_standing_pct_shank: Option<f64>,
    /// Most medial knee over toe minus the standing value (medial drift during the rep).
    pub kto_drift_pct_shank: Option<f64>,
    /// Time of that peak.
    pub t_kto_peak_s: Option<f64>,
    /// Frame of that peak.
    pub frame_kto_peak: Option<u64>,
    /// `lateral`, `over_toe`, `medial_to_toe` (drifted there during the rep) or `medial_at_rest` (stood there).
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

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn category_name(c: Option<KtoCategory>) -> String {
    match c {
        Some(KtoCategory::Lateral) => "lateral".into(),
        Some(KtoCategory::OverToe) => "over_toe".into(),
        Some(KtoCategory::MedialToToe) => "medial_to_toe".into(),
        Some(KtoCategory::MedialAtRest) => "medial_at_rest".into(),
        None => String::new(),
    }
}

fn view_code(v: crate::kinematics::View) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The rows of `reps.csv` for one clip.
pub fn rep_rows(clip: &str, analysis: &Analysis) -> Vec<RepRow> {
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
        kto_medial_peak_pct_shank: l.kto_medial_peak_pct_shank.value,
        kto_standing_pct_shank: l.kto_standing_pct_shank.value,
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

/// Serialise rows as CSV. The header comes from the row type's field names; with no rows, `header` (which
/// the tests check against the field names) is written alone, so an empty result still has its columns.
pub fn rows_to_csv<T: Serialize>(header: &[&str], rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().has_headers(!rows.is_empty()).from_writer(Vec::new());
    if rows.is_empty() {
        w.write_record(header)?;
    }
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Columns of `frames.csv`.
pub const FRAMES_CSV_HEADER: &[&str] = &[
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
pub fn frame_rows(clip: &str, a: &Analysis) -> Vec<FrameRow> {
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

/// Write `reps.csv`, `frames.csv` and `summary.json` into `dir`.
pub fn write_tables(dir: &Path, summary: &Summary) -> std::io::Result<()> {
    let clip = &summary.provenance.input.file_name;
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    write_atomic(
        &dir.join("reps.csv"),
        &rows_to_csv(REPS_CSV_HEADER, &rep_rows(clip, &summary.analysis)).map_err(csv_err)?,
    )?;
    write_atomic(
        &dir.join("frames.csv"),
        &rows_to_csv(FRAMES_CSV_HEADER, &frame_rows(clip, &summary.analysis)).map_err(csv_err)?,
    )?;
    write_atomic(&dir.join("summary.json"), &serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_track, AnalysisConfig};
    use crate::synthetic::{generate, SynthSpec};

    #[test]
    fn csv_header_matches_the_row_fields() {
        let (track, _) = generate(&SynthSpec::default());
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        let bytes = rows_to_csv(REPS_CSV_HEADER, &rep_rows("x.mp4", &a)).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(REPS_CSV_HEADER.join(",").as_str()));
        let n_cols = REPS_CSV_HEADER.len();
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 6, "3 reps x 2 legs");
        let empty = rows_to_csv::<RepRow>(REPS_CSV_HEADER, &[]).expect("csv");
        assert_eq!(String::from_utf8(empty).expect("utf-8").trim_end(), REPS_CSV_HEADER.join(","));
        let frames_header = String::from_utf8(rows_to_csv(FRAMES_CSV_HEADER, &frame_rows("x.mp4", &a)).expect("csv"))
            .expect("utf-8")
            .lines()
            .next()
            .map(str::to_string);
        assert_eq!(frames_header, Some(FRAMES_CSV_HEADER.join(",")));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            assert_eq!(rec.expect("record").len(), n_cols);
        }
        // Serde field names and the declared header agree.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let back: Vec<RepRow> = reader.deserialize().collect::<Result<_, _>>().expect("round trip");
        assert_eq!(back, rep_rows("x.mp4", &a));
        let frames = rows_to_csv(FRAMES_CSV_HEADER, &frame_rows("x.mp4", &a)).expect("csv");
        let mut reader = csv::Reader::from_reader(frames.as_slice());
        let back: Vec<FrameRow> = reader.deserialize().collect::<Result<_, _>>().expect("round trip");
        assert_eq!(back.len(), a.signals.len());
    }

    #[test]
    fn findings_speak_plainly() {
        let (track, _) = generate(&SynthSpec { fppa_bottom_deg: [4.0, 20.0], ..SynthSpec::default() });
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        let f = findings(&a).join(" ");
        assert!(f.contains("3 repetitions of squat found"), "{f}");
        assert!(f.contains("right knee caves in more"), "{f}");
    }
}
