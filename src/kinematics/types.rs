//! The kinematics stage's types: its settings, its errors, and the clean per-sample [`Signals`] it hands to the
//! rep stage (units and signs as in the parent module's doc).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::*;

/// Settings of the kinematics stage (see each constant for the reasoning behind the default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KinematicsConfig {
    /// Low-pass cut-off in Hz.
    pub cutoff_hz: f64,
    /// Longest gap filled by interpolation, in seconds.
    pub max_fill_s: f64,
    /// The camera was held in the hand: the picture is steadied on the planted foot before anything is
    /// measured (`kinematics/steady.rs`; docs/metrics.md, "A hand-held camera").
    #[serde(default)]
    pub hand_held: bool,
}

impl Default for KinematicsConfig {
    fn default() -> Self {
        Self { cutoff_hz: filter::DEFAULT_CUTOFF_HZ, max_fill_s: filter::DEFAULT_MAX_FILL_S, hand_held: false }
    }
}

/// Errors of the kinematics stage.
#[derive(Debug, Error)]
pub enum KinematicsError {
    /// The track has no frames at all.
    #[error("the track has no frames")]
    NoFrames,
    /// Frame times do not increase.
    #[error("frame times do not increase (frame {frame} at {t_s} s)")]
    BadTimes {
        /// The offending frame index.
        frame: u64,
        /// Its time.
        t_s: f64,
    },
    /// The median frame interval gives a rate genu does not analyse.
    #[error(
        "frames come {rate_hz:.3e} times a second: genu analyses {MIN_RATE_HZ} to {MAX_RATE_HZ} frames per second"
    )]
    BadRate {
        /// The rate from the median frame interval, Hz.
        rate_hz: f64,
    },
    /// The frame times jump far beyond the clip's own frame interval.
    #[error(
        "frame times jump by {gap_s:.3} s after frame {frame} ({frames} frames span {span_s:.3} s): the timestamps are broken"
    )]
    TimeJump {
        /// The frame after which the largest jump happens.
        frame: u64,
        /// The jump, seconds.
        gap_s: f64,
        /// Frames in the track.
        frames: usize,
        /// Time from the first to the last frame, seconds.
        span_s: f64,
    },
    /// No frame holds a usable pose.
    #[error("no person in the track")]
    NoSubject,
    /// The subject is too small in the frame to measure.
    #[error(
        "the person is too small to measure: legs {leg_px:.0} px long (at least {MIN_LEG_PX} px): film closer or at a higher resolution"
    )]
    SubjectTooSmall {
        /// Median hip–ankle length, pixels.
        leg_px: f64,
    },
}

/// Where a knee flexion value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlexionSource {
    /// The 2D angle in a side view.
    #[serde(rename = "sagittal_2d")]
    Sagittal2d,
    /// An estimate from the model's 3D world landmarks (oblique views; less accurate).
    #[serde(rename = "world_3d")]
    World3d,
    /// Frontal views: the thigh's and shank's depth extents solved from their standing lengths and their
    /// extents in the subject's frontal plane (the knee in front of the hip and the ankle). BlazePose's world
    /// landmarks read a 30 %-depth squat as about 35–50° of flexion; this reads the segments themselves.
    #[serde(rename = "segment_lengths")]
    SegmentLengths,
}

/// A metric that could not be measured, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    /// Metric name (as in the CSV columns).
    pub metric: String,
    /// Why.
    pub reason: String,
}

/// Per-leg series, one value per grid sample (`None` = not measured).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LegSignals {
    /// FPPA in degrees (valgus positive).
    pub fppa_deg: Vec<Option<f64>>,
    /// How far FPPA could be off (degrees), where it has a value: the change a yaw anywhere within
    /// [`yaw::yaw_uncertainty_deg`] of the measured one would make, plus [`FPPA_BASE_ERROR_DEG`].
    #[serde(default)]
    pub fppa_uncertainty_deg: Vec<Option<f64>>,
    /// Knee over second toe, % of standing shank (medial positive).
    pub kto_pct_shank: Vec<Option<f64>>,
    /// How far knee over toe could be off (% of shank), where it has a value: the yaw's share plus
    /// [`KTO_BASE_ERROR_PCT`].
    #[serde(default)]
    pub kto_uncertainty_pct_shank: Vec<Option<f64>>,
    /// The foot's toe-out angle (degrees, toes outward positive; frontal views from the front): see
    /// `FOOT_TO_SHANK` in the metric stage (`kinematics/metrics.rs`).
    #[serde(default)]
    pub toe_out_deg: Vec<Option<f64>>,
    /// Knee flexion in degrees.
    pub knee_flexion_deg: Vec<Option<f64>>,
    /// Source of each knee flexion value.
    pub knee_flexion_source: Vec<Option<FlexionSource>>,
    /// Hip height minus knee height, % of leg length (positive = hip below knee).
    pub hip_below_knee_pct_leg: Vec<Option<f64>>,
    /// Ankle height relative to standing, % of leg length (positive = lower in the image).
    pub ankle_drop_pct_leg: Vec<Option<f64>>,
}

/// Clean per-sample signals of a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Grid rate in Hz (the clip's measured frame rate).
    pub rate_hz: f64,
    /// Sample times in seconds.
    pub t_s: Vec<f64>,
    /// Nearest source frame of each sample.
    pub frame: Vec<u64>,
    /// Whether the sample has data (observed, or inside a filled short gap).
    pub valid: Vec<bool>,
    /// Whether the sample was filled across a short gap.
    pub filled: Vec<bool>,
    /// Whether the legs (both hips, knees and ankles) were inside the frame, present, in the sample.
    pub in_frame: Vec<bool>,
    /// Mean visibility of the lower-body landmarks (0–1).
    pub visibility: Vec<f64>,
    /// View of each sample.
    pub view: Vec<View>,
    /// Pelvis yaw in degrees (0 facing or backing the camera, 90 side-on).
    pub pelvis_yaw_deg: Vec<Option<f64>>,
    /// Signed camera yaw relative to the subject's frontal plane, smoothed (degrees; positive when the camera
    /// stands toward the subject's left; see [`yaw`]). Frontal metrics are rectified by it.
    #[serde(default)]
    pub camera_yaw_deg: Vec<Option<f64>>,
    /// How far the camera looked down onto the knees (degrees, measured from the standing world shanks; see
    /// `kinematics/pitch.rs`); `None` where it could not be read (no standing on both feet, a view from behind).
    /// Frontal metrics are turned back by it when it is between 5.5 and 25 degrees.
    #[serde(default)]
    pub camera_pitch_deg: Option<f64>,
    /// The view of most samples.
    pub clip_view: View,
    /// Camera roll removed, in degrees (positive = the image was turned clockwise).
    pub roll_deg: f64,
    /// How sure the removed roll is (degrees): the mean distance of its cues (heel, ankle and hip lines, body and
    /// trunk axes) from it; `None` when no roll was removed.
    #[serde(default)]
    pub roll_uncertainty_deg: Option<f64>,
    /// How far the camera moved during the clip (% of the leg's length in the picture: the robust range of the
    /// background's shift, the larger axis) where every point was steadied on the background before anything
    /// was measured (`kinematics/steady.rs`); `None` when the camera held still or its motion was not read.
    #[serde(default)]
    pub camera_moved_pct_leg: Option<f64>,
    /// Share of the valid samples whose background shift the pose stage read (0–1): below
    /// `MIN_SHIFT_COVERAGE` (0.8; a plain wall) a moving camera is not seen on the background.
    #[serde(default)]
    pub background_coverage: f64,
    /// Frames whose left/right labels were swapped back.
    pub swaps_corrected: usize,
    /// Samples replaced by the Hampel filter (summed over the image and world coordinates).
    pub outliers_replaced: usize,
    /// Stretches without data longer than the fill limit, as (start, end) seconds.
    pub long_gaps: Vec<(f64, f64)>,
    /// Standing references.
    pub standing: Option<Standing>,
    /// Hip drop, % of standing leg length.
    pub hip_drop_pct_leg: Vec<Option<f64>>,
    /// Pelvic obliquity in degrees (left hip higher positive).
    pub pelvic_obliquity_deg: Vec<Option<f64>>,
    /// Pelvic shift, % of stance width (toward the subject's left positive).
    pub pelvic_shift_pct_stance: Vec<Option<f64>>,
    /// Mean of the left and right FPPA as the camera sees them (degrees, valgus positive): a camera yaw moves
    /// both knees the same way in the picture, adding to one leg's FPPA what it takes from the other's, so
    /// this mean holds where the per-leg values cannot (frontal views).
    #[serde(default)]
    pub fppa_mean_deg: Vec<Option<f64>>,
    /// Knee-to-ankle separation ratio: horizontal distance between the knees over that between the ankles
    /// (below 1: knees closer together than the feet). Yaw-robust (frontal views).
    #[serde(default)]
    pub kasr: Vec<Option<f64>>,
    /// Trunk length in the picture: shoulder midpoint to hip midpoint (pixels). It hardly changes with the legs'
    /// bending, so it measures the subject's size: how far they are from the camera (or the camera's zoom).
    #[serde(default)]
    pub trunk_px: Vec<Option<f64>>,
    /// Per-leg series, `[left, right]`.
    pub legs: Sides<LegSignals>,
    /// Metrics that could not be measured on some or all samples, and why.
    pub unavailable: Vec<Unavailable>,
    /// Clean lower-body points per sample, per leg (hip, knee, ankle, heel, toe) as (x, y) pixels after roll
    /// correction; `NaN` where missing (written as null). Reps read the feet and hips from these.
    #[serde(default)]
    pub points: Vec<LegPoints>,
    /// Samples where a new shot of an edited clip starts (a camera cut), in order; empty for one shot.
    #[serde(default)]
    pub cuts: Vec<usize>,
    /// Why each frontal value is missing at each sample, for the reason a rep quotes (not written).
    #[serde(skip)]
    pub(crate) missing: reasons::Missing,
}

impl Signals {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t_s.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }
}
