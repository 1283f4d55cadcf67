//! The rep stage's result types: each value with the moment it was taken at or the reason it is absent, per
//! leg and per rep, left/right comparisons and statistics across reps.

use serde::{Deserialize, Serialize};

use super::{KTO_DRIFT_ERROR_PCT, KTO_OVER_TOE_BAND_PCT};
use crate::kinematics::{FlexionSource, Side, Sides, View};

/// The exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Decide from the landmarks.
    #[default]
    Auto,
    /// Bilateral squat.
    Squat,
    /// Single-leg squat.
    SingleLegSquat,
    /// Step-down from a step.
    StepDown,
    /// Lunge or split squat: both feet on the floor, one ahead of the other, the back knee lowered toward the
    /// floor. The rep's measured leg (its `stance`) is the front leg, which carries the load.
    Lunge,
    /// Stair climbing or descending.
    Stairs,
}

impl std::str::FromStr for Task {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "squat" => Ok(Self::Squat),
            "single-leg-squat" => Ok(Self::SingleLegSquat),
            "step-down" => Ok(Self::StepDown),
            "lunge" | "split-squat" => Ok(Self::Lunge),
            "stairs" => Ok(Self::Stairs),
            o => Err(format!("unknown task '{o}' (auto, squat, single-leg-squat, step-down, lunge, stairs)")),
        }
    }
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Squat => "squat",
            Self::SingleLegSquat => "single-leg-squat",
            Self::StepDown => "step-down",
            Self::Lunge => "lunge",
            Self::Stairs => "stairs",
        })
    }
}

/// A moment of a rep, auditable back to the video.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    /// Grid sample.
    pub sample: usize,
    /// Source frame index.
    pub frame: u64,
    /// Time in seconds.
    pub t_s: f64,
}

/// One measured value with where it was taken, or why it is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The value.
    pub value: Option<f64>,
    /// Where it was taken.
    pub at: Option<Moment>,
    /// Why it is absent.
    pub reason: Option<String>,
}

impl Value {
    pub(crate) fn absent(reason: impl Into<String>) -> Self {
        Self { value: None, at: None, reason: Some(reason.into()) }
    }

    pub(crate) fn missing() -> Self {
        Self::absent("not recorded")
    }
}

/// Where the knee is relative to the second toe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KtoCategory {
    /// Knee lateral to the toe.
    Lateral,
    /// Knee over the toe.
    OverToe,
    /// Knee medial to the toe, and it got there during the rep (drifted medially by more than the band from
    /// where it stood): the knee caves in.
    MedialToToe,
    /// Knee medial to the toe, but it stood there already (drift within the band): a static alignment (feet
    /// turned out, a narrow stance), not a knee that caves in during the rep.
    MedialAtRest,
    /// Knee medial to the toe, but whether it got there during the rep cannot be told: its drift is within
    /// genu's drift error of the band (or unknown). Neither red nor reassuring.
    MedialUnclear,
}

impl KtoCategory {
    /// The drift limits (% of shank) of a medial knee: below the first it stood there
    /// ([`KtoCategory::MedialAtRest`]), above the second it caved in ([`KtoCategory::MedialToToe`]):
    /// [`KTO_OVER_TOE_BAND_PCT`] minus and plus [`KTO_DRIFT_ERROR_PCT`].
    pub fn drift_limits() -> (f64, f64) {
        (KTO_OVER_TOE_BAND_PCT - KTO_DRIFT_ERROR_PCT, KTO_OVER_TOE_BAND_PCT + KTO_DRIFT_ERROR_PCT)
    }

    /// Category of the most medial knee-over-toe position of a rep and its drift from the leg's standing
    /// position (both % of shank). The rule: lateral below −[`KTO_OVER_TOE_BAND_PCT`], over the toe within
    /// the band, and above it medial — [`KtoCategory::MedialToToe`] when the knee drifted medially by more than
    /// the band plus [`KTO_DRIFT_ERROR_PCT`] during the rep, [`KtoCategory::MedialAtRest`] when it drifted less
    /// than the band minus that error, and [`KtoCategory::MedialUnclear`] in between or when the drift is
    /// unknown.
    pub fn classify(kto: f64, drift: Option<f64>) -> Self {
        let (at_rest_below, caved_above) = Self::drift_limits();
        if kto > KTO_OVER_TOE_BAND_PCT {
            match drift {
                Some(d) if d > caved_above => Self::MedialToToe,
                Some(d) if d < at_rest_below => Self::MedialAtRest,
                _ => Self::MedialUnclear,
            }
        } else if kto < -KTO_OVER_TOE_BAND_PCT {
            Self::Lateral
        } else {
            Self::OverToe
        }
    }
}

/// One leg's numbers for one rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegRep {
    /// FPPA at the bottom (degrees).
    pub fppa_bottom_deg: Value,
    /// Largest FPPA during the rep (most valgus).
    pub fppa_peak_deg: Value,
    /// How far the bottom FPPA could be off because the camera's yaw is only known approximately (degrees).
    #[serde(default)]
    pub fppa_uncertainty_deg: Option<f64>,
    /// FPPA on the descent when the knee first reaches 45° of flexion (the clinical reading of single-leg
    /// squats and step-downs; less sensitive to the camera's yaw than the bottom of a deep squat).
    #[serde(default = "Value::missing")]
    pub fppa_at_45_deg: Value,
    /// Its uncertainty (degrees).
    #[serde(default)]
    pub fppa_at_45_uncertainty_deg: Option<f64>,
    /// FPPA on the descent when the knee first reaches 60° of flexion.
    #[serde(default = "Value::missing")]
    pub fppa_at_60_deg: Value,
    /// Its uncertainty (degrees).
    #[serde(default)]
    pub fppa_at_60_uncertainty_deg: Option<f64>,
    /// Knee over toe at the bottom (% shank).
    pub kto_bottom_pct_shank: Value,
    /// How far the bottom knee over toe could be off (% shank): the yaw's share plus the landmarks' error.
    #[serde(default)]
    pub kto_uncertainty_pct_shank: Option<f64>,
    /// Most medial knee over toe during the rep.
    pub kto_medial_peak_pct_shank: Value,
    /// Knee over toe while standing just before the rep (or just after it, for a rep cut by the clip's
    /// start), % shank.
    #[serde(default = "Value::missing")]
    pub kto_standing_pct_shank: Value,
    /// The foot's toe-out while standing next to the rep (degrees, toes outward positive; median of the same
    /// standing samples as `kto_standing_pct_shank`).
    #[serde(default = "Value::missing")]
    pub toe_out_deg: Value,
    /// Drift of the most medial knee over toe from the standing position (% shank, medial positive): how far
    /// the knee moved toward the midline during the rep, whatever the foot's angle.
    #[serde(default)]
    pub kto_drift_pct_shank: Option<f64>,
    /// Category from the most medial value and its drift ([`KtoCategory::classify`]).
    pub kto_category: Option<KtoCategory>,
    /// Hip minus knee height at the bottom (% leg; positive = hip below knee).
    pub hip_below_knee_pct_leg: Value,
    /// Knee flexion at the bottom.
    pub knee_flexion_deg: Value,
    /// How the knee flexion was measured.
    pub knee_flexion_source: Option<FlexionSource>,
}

/// Left minus right of a metric, and the symmetry index where it is meaningful.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Asymmetry {
    /// Left minus right, in the metric's unit.
    pub left_minus_right: f64,
    /// (R − L) / (½ (R + L)) × 100, only when both values are positive magnitudes.
    pub symmetry_index_pct: Option<f64>,
}

impl LegRep {
    /// A leg with every value empty for `reason` (the free leg of a single-leg task, legs out of the frame).
    pub fn withheld(reason: &str) -> Self {
        let absent = || Value::absent(reason);
        LegRep {
            fppa_bottom_deg: absent(),
            fppa_peak_deg: absent(),
            fppa_uncertainty_deg: None,
            fppa_at_45_deg: absent(),
            fppa_at_45_uncertainty_deg: None,
            fppa_at_60_deg: absent(),
            fppa_at_60_uncertainty_deg: None,
            kto_bottom_pct_shank: absent(),
            kto_uncertainty_pct_shank: None,
            kto_medial_peak_pct_shank: absent(),
            kto_standing_pct_shank: absent(),
            toe_out_deg: absent(),
            kto_drift_pct_shank: None,
            kto_category: None,
            hip_below_knee_pct_leg: absent(),
            knee_flexion_deg: absent(),
            knee_flexion_source: None,
        }
    }
}

impl Asymmetry {
    pub(crate) fn of(left: Option<f64>, right: Option<f64>) -> Option<Self> {
        let (l, r) = (left?, right?);
        let si = (l > 0.0 && r > 0.0).then(|| (r - l) / (0.5 * (r + l)) * 100.0);
        Some(Self { left_minus_right: l - r, symmetry_index_pct: si })
    }
}

/// Per-rep left/right comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct RepAsymmetry {
    /// Peak FPPA.
    pub fppa_peak_deg: Option<Asymmetry>,
    /// Most medial knee over toe.
    pub kto_medial_peak_pct_shank: Option<Asymmetry>,
    /// Knee flexion at the bottom.
    pub knee_flexion_deg: Option<Asymmetry>,
}

/// What the quality score is made of (each 0–1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Overall score: the product of the parts.
    pub score: f64,
    /// Mean landmark visibility of the lower body.
    pub visibility: f64,
    /// Fraction of samples observed (not gap-filled or missing).
    pub observed: f64,
    /// Fraction of samples with both legs (hips, knees, ankles) inside the frame.
    pub in_frame: f64,
}

/// One repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    /// 1-based rep number.
    pub number: usize,
    /// The task of this rep.
    pub task: Task,
    /// The measured leg of a one-leg task: the stance leg of a single-leg squat, step-down or stair step, the
    /// front leg of a lunge.
    pub stance: Option<Side>,
    /// False for a rep already under way when the clip (or the tracking) started: its descent start is the
    /// first sample seen, not the true start.
    pub complete: bool,
    /// Start of the descent.
    pub descent_start: Moment,
    /// Deepest point.
    pub bottom: Moment,
    /// End of the ascent.
    pub ascent_end: Moment,
    /// Hip drop at the bottom (% leg length); NaN (null in JSON, empty in CSV) for a stair cycle, which has no
    /// standing level to drop from.
    pub depth_pct_leg: f64,
    /// Majority view during the rep.
    pub view: View,
    /// Camera yaw relative to the subject during the rep (median, degrees; positive = camera toward the
    /// subject's left).
    #[serde(default)]
    pub camera_yaw_deg: Option<f64>,
    /// Mean of the left and right FPPA at the bottom as the camera sees them (degrees): robust to camera yaw,
    /// bilateral tasks only.
    #[serde(default = "Value::missing")]
    pub fppa_mean_bottom_deg: Value,
    /// Knee-to-ankle separation ratio at the bottom (bilateral tasks only).
    #[serde(default = "Value::missing")]
    pub kasr_bottom: Value,
    /// `[left, right]`.
    pub legs: Sides<LegRep>,
    /// Left versus right.
    pub asymmetry: RepAsymmetry,
    /// Data quality.
    pub quality: Quality,
    /// Why the rep is flagged, when it is: it stays in the table but is left out of the findings and statistics
    /// (see [`crate::reps::MIN_REP_QUALITY`], [`crate::reps::MIN_LEGS_IN_FRAME`]).
    #[serde(default)]
    pub flag: Option<String>,
}

/// Mean, SD and CV of one metric across reps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Number of reps with a value.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1), `None` for one rep.
    pub sd: Option<f64>,
    /// SD / |mean| × 100, `None` when the mean is near zero.
    pub cv_pct: Option<f64>,
}

impl Stat {
    /// Statistics of the values present.
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> Option<Self> {
        let v: Vec<f64> = values.into_iter().flatten().collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (n > 1).then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
        let cv = sd.filter(|_| mean.abs() > 1e-9).map(|s| s / mean.abs() * 100.0);
        Some(Self { n, mean, sd, cv_pct: cv })
    }
}

/// Per-leg statistics across reps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegStats {
    /// FPPA at the bottom.
    pub fppa_bottom_deg: Option<Stat>,
    /// Peak FPPA.
    pub fppa_peak_deg: Option<Stat>,
    /// Knee over toe at the bottom.
    pub kto_bottom_pct_shank: Option<Stat>,
    /// Most medial knee over toe.
    pub kto_medial_peak_pct_shank: Option<Stat>,
    /// Knee flexion at the bottom.
    pub knee_flexion_deg: Option<Stat>,
    /// Reps with the knee medial to the toe.
    pub reps_medial_to_toe: usize,
}

impl LegStats {
    /// One leg's statistics over `reps`.
    pub fn of<'a>(reps: impl Iterator<Item = &'a Rep> + Clone, side: Side) -> Self {
        let stat = |pick: fn(&LegRep) -> &Value| Stat::of(reps.clone().map(|r| pick(&r.legs[side]).value));
        LegStats {
            fppa_bottom_deg: stat(|l| &l.fppa_bottom_deg),
            fppa_peak_deg: stat(|l| &l.fppa_peak_deg),
            kto_bottom_pct_shank: stat(|l| &l.kto_bottom_pct_shank),
            kto_medial_peak_pct_shank: stat(|l| &l.kto_medial_peak_pct_shank),
            knee_flexion_deg: stat(|l| &l.knee_flexion_deg),
            reps_medial_to_toe: reps.filter(|r| r.legs[side].kto_category == Some(KtoCategory::MedialToToe)).count(),
        }
    }
}

/// Statistics over the reps of one task: a clip may hold more than one (bilateral squats, then single-leg squats
/// on each leg), and a squat's valgus or depth is not a single-leg squat's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskStats {
    /// The task.
    pub task: Task,
    /// The numbers of its reps that are not flagged (the ones the statistics are over).
    pub reps: Vec<usize>,
    /// Depth across those reps.
    pub depth_pct_leg: Option<Stat>,
    /// `[left, right]` statistics.
    pub legs: Sides<LegStats>,
}

impl TaskStats {
    /// The statistics of each task among the reps that are not flagged, in the order the tasks first appear.
    pub fn per_task(reps: &[Rep]) -> Vec<Self> {
        tasks_in_order(reps.iter().filter(|r| r.flag.is_none()).map(|r| r.task))
            .into_iter()
            .map(|task| {
                let mine = reps.iter().filter(move |r| r.flag.is_none() && r.task == task);
                TaskStats {
                    task,
                    reps: mine.clone().map(|r| r.number).collect(),
                    depth_pct_leg: Stat::of(mine.clone().map(|r| Some(r.depth_pct_leg).filter(|d| d.is_finite()))),
                    legs: Sides::from_fn(|side| LegStats::of(mine.clone(), side)),
                }
            })
            .collect()
    }
}

/// The different tasks among `tasks`, in the order they first appear.
pub fn tasks_in_order(tasks: impl Iterator<Item = Task>) -> Vec<Task> {
    let mut out: Vec<Task> = Vec::new();
    for t in tasks {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The rep stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepAnalysis {
    /// The task found (or given): the task of most reps.
    pub task: Task,
    /// Why the task was chosen.
    pub task_reason: String,
    /// The reps.
    pub reps: Vec<Rep>,
    /// Depth across the reps of the clip's task (see `by_task` for every task of a mixed clip).
    pub depth_pct_leg: Option<Stat>,
    /// `[left, right]` statistics over the reps of the clip's task.
    pub legs: Sides<LegStats>,
    /// The statistics of each task in the clip (one entry unless the clip mixes tasks).
    #[serde(default)]
    pub by_task: Vec<TaskStats>,
    /// Why no rep was found, when none was.
    pub note: Option<String>,
    /// Hip excursions that were not counted as reps, and why.
    #[serde(default)]
    pub ignored: Vec<Ignored>,
}

/// A hip excursion that is not a rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    /// Its deepest point.
    pub bottom: Moment,
    /// Hip drop there (% of leg).
    pub depth_pct_leg: f64,
    /// Why it is not a rep, in words.
    pub reason: String,
}
