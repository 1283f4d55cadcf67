//! The kinematics core: a [`PoseTrack`] in, clean per-frame knee [`Signals`] out.
//!
//! Steps, in order: left/right label swaps are corrected (frontal views); every lower-body coordinate is put
//! on a uniform time grid at the clip's real rate, short gaps are filled (flagged) and long ones left empty,
//! outliers are replaced (Hampel) and a zero-phase Butterworth low-pass is applied ([`filter`]); the view is
//! classified per sample from the pelvis's yaw ([`View`]); camera roll is measured from the standing frames' level lines
//! (heels, ankles, hips) and vertical axes (body, trunk) and removed when they agree; then the metrics are computed per sample and per leg.
//!
//! # Conventions (the contract of `DESIGN.md`)
//!
//! * Coordinates are image pixels of the upright frame, x right, y **down**, after removing camera roll.
//! * Left and right are the **subject's** ([`Side`]); every per-leg pair is a [`Sides`], written left first.
//! * *Medial* is toward the body's midline: for the left leg, toward the right hip, and vice versa.
//! * **FPPA** (frontal-plane projection angle, degrees): 180° minus the hip–knee–ankle angle, positive when
//!   the knee lies on the medial side of the hip–ankle line (valgus), negative lateral (varus). Frontal views
//!   only; it is a 2D projection angle, not 3D valgus.
//! * **Knee over second toe** (`kto`, % of standing shank): horizontal distance from the foot-index landmark
//!   (our proxy for the second toe) to the knee, positive when the knee is medial to the toe, divided by the
//!   leg's standing knee–ankle length. Frontal views only.
//! * **Hip drop** (% of standing leg length): how far the hip midpoint is below its standing height.
//! * **Hip below knee** (% of leg length): hip height minus knee height, per side; positive when the hip is
//!   lower than the knee (the parallel criterion is met at 0).
//! * **Knee flexion** (degrees, 0 = straight): the 2D hip–knee–ankle angle in a sagittal view; elsewhere an
//!   estimate from the model's 3D world landmarks, labelled [`FlexionSource::World3d`].
//! * **Pelvic obliquity** (degrees): tilt of the hip line, positive when the subject's left hip is higher.
//!   **Pelvic shift** (% of standing stance width): hip midpoint minus ankle midpoint, positive toward the
//!   subject's left. Frontal views only.
//!
//! A value the view cannot support is `None`, and [`Signals::unavailable`] says why.
//!
//! Files, by the job they do, in the order [`compute_signals`] calls them: `input` (the track as arrays; time
//! checks), `view` (facing, left/right swaps, then the view and camera yaw per sample), `clean` (every series on
//! a uniform grid, cleaned with the [`filter`]s), `standing` (standing samples and references, camera roll),
//! `frontal` (the subject's frontal plane, rectified with [`yaw`]), `metrics` (every per-sample value),
//! `reasons` (why a value is missing). Beside them: `side` (named geometry: [`Side`], [`Sides`], [`Leg`]),
//! `geometry` (angles and offsets), `types` (settings, errors, [`Signals`]).

mod clean;
pub mod filter;
mod frontal;
pub(crate) mod geometry;
mod input;
mod metrics;
pub mod pitch;
pub use metrics::{FOOT_TO_SHANK, TOE_OUT_MAX_YAW_DEG};
pub use steady::MIN_SHIFT_COVERAGE;
mod reasons;
mod shots;
mod side;
mod standing;
mod steady;
mod types;
mod view;
pub mod yaw;

pub use yaw::{
    FOOT_INDEX_REACH_PER_SHANK, FPPA_BASE_ERROR_DEG, KTO_BASE_ERROR_PCT, MAX_FPPA_YAW_SHARE_DEG, MAX_KTO_YAW_SHARE_PCT,
    MAX_RECTIFIED_YAW_DEG,
};

pub use clean::{RESAMPLE_REACH_STEPS, SINGLE_FRAME_RATE_HZ};
pub use geometry::{angle_deg, fppa_deg, kto_pct};
pub use side::{Joint, Leg, LegPoints, Point, Side, Sides};
pub use standing::{
    Standing, AIRBORNE_MAX_S, AIRBORNE_RISE, LOCAL_STANDING_BLOCK_S, MAX_ROLL_DEG, MIN_ROLL_SAMPLES, ROLL_AGREE_DEG,
    ROLL_CUE_NAMES, ROLL_MAX_ODD_CUES, ROLL_MIN_CUES, ROLL_MIN_FLAT_FRACTION, STANDING_BAND, STANDING_PERCENTILE,
    STANDING_WINDOW_S,
};
pub use types::{FlexionSource, KinematicsConfig, KinematicsError, LegSignals, Signals, Unavailable};
pub use view::{
    majority_view, view_name, Facing, View, FACE_VISIBLE, FACING_MIN_FRAMES, FACING_MIN_SHARE, FRONTAL_MAX_YAW_DEG,
    SAGITTAL_MIN_YAW_DEG, SWAP_CONTINUITY_RATIO, SWAP_CONTINUITY_S, SWAP_MARGIN, VIEW_SMOOTH_HALF_S,
};

pub(crate) use reasons::{Cause, FORESHORTENED_REASON};
pub(crate) use shots::shot_of;
/// The hip midpoint's image height (pixels, y down), as the stairs rules read it.
pub(crate) use standing::hip_mid_y;

use frontal::FrontalPlane;
use geometry::{dist, median_of, midpoint};
use input::extract;
use standing::{
    estimate_roll, local_standing, roll_correction, roll_cues, standing_refs, standing_samples, unrolled_points,
};
use view::SampleViews;

use crate::pose::PoseTrack;

/// Nose (for telling front from back).
pub const NOSE: usize = 0;

/// FPPA needs both the thigh and the shank at no less than this fraction of their standing 2D length; below it
/// the segment points at the camera (deep flexion in a frontal view) and the 2D angle means nothing.
pub const MIN_FORESHORTENING: f64 = 0.35;
/// FPPA also needs the thigh and the shank to run within this angle (degrees) of the image's vertical: in a deep
/// squat seen from the front the thighs project sideways and the "angle" describes the camera, not the knee.
pub const MAX_SEGMENT_TILT_DEG: f64 = 45.0;
/// Largest error (degrees) of the camera yaw read from BlazePose's world hips that was seen on rendered squats
/// filmed from behind (−13° on a square camera, +5° too much at 175°): far beyond the 2–4° seen from the front,
/// and at about 2° of FPPA per degree of yaw it makes per-leg FPPA from behind unusable, so it is withheld there.
pub const BACK_YAW_ERROR_DEG: f64 = 13.0;
/// Landmarks of a sample count as in view when their presence reaches this.
pub const MIN_PRESENCE: f64 = 0.5;
/// Shortest median hip–ankle length (pixels) a subject may have. Below it one pixel of landmark error is more
/// than 2.5 % of the leg and 5 % of the shank, the size of the effects genu reports, and BlazePose on a body
/// this small is mostly guessing (a 16x16 clip "finds" people in noise).
pub const MIN_LEG_PX: f64 = 40.0;
/// Frame rates (Hz, from the median frame interval) genu analyses: below 1 Hz a squat is a handful of
/// samples; above 1000 Hz (beyond phones' 960 fps slow motion) the timestamps are not a camera's.
pub const MIN_RATE_HZ: f64 = 1.0;
/// Highest frame rate analysed (see [`MIN_RATE_HZ`]).
pub const MAX_RATE_HZ: f64 = 1000.0;
/// The uniform grid may hold at most this many samples per frame of the track (plus [`GRID_SLACK`]): frames
/// are resampled at their own median rate, so a longer grid means the timestamps jump (a broken or spliced
/// file) and would otherwise make memory grow with the size of the jump instead of the clip.
pub const GRID_MAX_PER_FRAME: f64 = 4.0;
/// Samples of slack on top of [`GRID_MAX_PER_FRAME`] for very short tracks.
pub const GRID_SLACK: f64 = 16.0;

/// Run the kinematics stage on a track: the stages in order, each in its own file.
pub fn compute_signals(track: &PoseTrack, config: &KinematicsConfig) -> Result<Signals, KinematicsError> {
    let mut raw = extract(track)?;
    let leg_px = subject_leg_px(&raw)?;
    let (facing, swaps_corrected) = view::orient(&mut raw, leg_px);
    let mut cleaned = clean::clean(&raw, config)?;
    let cuts = shots::cuts(&raw, &cleaned.t_s);
    // A moving camera: steadied on the planted foot when asked, else on the background where it was read.
    let background_coverage = steady::background_coverage(&cleaned, &raw);
    let camera_moved = if config.hand_held {
        steady::steady(&mut cleaned);
        None
    } else {
        steady::on_background(&mut cleaned, &raw, leg_px, background_coverage)
    };
    let SampleViews { pelvis_yaw, view, hip_line_yaw } = view::sample_views(&cleaned, facing);
    let mut unavailable = Vec::new();

    // Camera roll (frontal views only) from five cues that hold while standing with both feet planted: the heel,
    // ankle and hip lines (level) and the body's and trunk's axes (vertical). When they disagree, or there is no
    // such standing, the roll is not corrected and the reason is recorded.
    let standing_idx = standing_samples(&cleaned, &view);
    let frontal_standing: Vec<usize> = standing_idx.iter().copied().filter(|&i| view[i].is_frontal()).collect();
    let cues = |i: usize| roll_cues(&cleaned.legs_at(i), cleaned.shoulders_at(i));
    let (roll, roll_uncertainty, roll_note) = roll_correction(estimate_roll(&frontal_standing, &cues));
    unavailable.extend(roll_note);
    let (w, h) = (f64::from(track.clip.width), f64::from(track.clip.height));
    let points = unrolled_points(&cleaned, roll, w, h);

    // The camera's yaw from the world cues and the feet in the picture; on the hip line alone, with the standing
    // knee line as its check, where the feet are never both planted while standing.
    let planted = yaw::planted_standing(&points, &standing_idx);
    let camera_yaw = yaw::measure_yaw(&cleaned, &points, &planted, &hip_line_yaw, (&view, facing));
    let camera_pitch = pitch::measure_pitch(&cleaned, &planted, (&camera_yaw.yaw, &view), facing);
    let standing = standing_refs(&points, &standing_idx);
    let plane =
        FrontalPlane::new(&cleaned, &points, &standing_idx, standing, (&camera_yaw, camera_pitch.applied), facing);
    let local = standing.map(|st| {
        local_standing(
            &points,
            &cleaned.valid,
            &cleaned.in_frame,
            (cleaned.rate_hz, &cuts),
            (st.leg_px[Side::Left] + st.leg_px[Side::Right]) / 2.0,
        )
    });
    if standing.is_none() {
        unavailable.push(Unavailable { metric: "standing".into(), reason: "no standing frames found".into() });
    }
    let inputs =
        metrics::Inputs { cleaned: &cleaned, points: &points, view: &view, facing, plane: &plane, standing, local };
    let (mut m, withheld) = metrics::compute(&inputs);
    for (cause, reason) in withheld.reasons() {
        if let Some(cause) = cause {
            m.missing.texts.push((cause, reason.clone()));
        }
        unavailable.push(reason);
    }
    let trunk_px = (0..cleaned.t_s.len()).map(|i| trunk_length(&cleaned, i)).collect();

    let clean::Cleaned {
        rate_hz, t_s, frame, valid, filled, visibility, in_frame, long_gaps, outliers_replaced, ..
    } = cleaned;
    Ok(Signals {
        rate_hz,
        t_s,
        frame,
        valid,
        filled,
        in_frame,
        visibility,
        clip_view: withheld.clip_view,
        view,
        pelvis_yaw_deg: pelvis_yaw,
        camera_yaw_deg: camera_yaw.yaw,
        camera_pitch_deg: camera_pitch.measured,
        roll_deg: roll,
        roll_uncertainty_deg: roll_uncertainty,
        camera_moved_pct_leg: camera_moved.map(|m| 100.0 * m),
        background_coverage,
        swaps_corrected,
        outliers_replaced,
        long_gaps,
        standing,
        hip_drop_pct_leg: m.hip_drop,
        pelvic_obliquity_deg: m.obliquity,
        pelvic_shift_pct_stance: m.shift,
        fppa_mean_deg: m.fppa_mean,
        kasr: m.kasr,
        trunk_px,
        legs: m.legs,
        unavailable,
        points,
        missing: m.missing,
        cuts,
    })
}

/// Shoulder midpoint to hip midpoint at sample `i` (pixels), if both are seen.
fn trunk_length(cleaned: &clean::Cleaned, i: usize) -> Option<f64> {
    let sh = cleaned.shoulders_at(i);
    let hip = midpoint(cleaned.image(Side::Left, Joint::Hip, i), cleaned.image(Side::Right, Joint::Hip, i));
    let d = dist(midpoint(sh[Side::Left], sh[Side::Right]), hip);
    (cleaned.valid[i] && d.is_finite() && d > 0.0).then_some(d)
}

/// The subject's typical hip–ankle length in the picture (pixels, the median over frames of the two legs'
/// mean), refusing a track without a subject or with one too small to measure ([`MIN_LEG_PX`]).
fn subject_leg_px(raw: &input::Raw) -> Result<f64, KinematicsError> {
    let Some(leg) = median_of(raw.img.iter().map(|p| (dist(p[0], p[4]) + dist(p[1], p[5])) / 2.0)) else {
        return Err(KinematicsError::NoSubject);
    };
    if leg < MIN_LEG_PX {
        return Err(KinematicsError::SubjectTooSmall { leg_px: leg });
    }
    Ok(leg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn fppa_sign_and_magnitude() {
        // Left leg of a subject facing the camera: left hip on the image right (x = 120), right hip at 80.
        let (hip, ankle, other) = ([120.0, 100.0], [120.0, 300.0], [80.0, 100.0]);
        // Knee pushed toward the other hip (medial): valgus, positive.
        let knee = [110.0, 200.0];
        let expected = 2.0 * (10.0f64 / 100.0).atan().to_degrees();
        assert_abs_diff_eq!(fppa_deg(hip, knee, ankle, other), expected, epsilon = 1e-9);
        // Knee pushed outward: varus, negative.
        assert_abs_diff_eq!(fppa_deg(hip, [130.0, 200.0], ankle, other), -expected, epsilon = 1e-9);
        // Straight leg: zero.
        assert_abs_diff_eq!(fppa_deg(hip, [120.0, 200.0], ankle, other), 0.0, epsilon = 1e-9);
    }

    #[test]
    fn kto_sign() {
        // Right leg (medial is +x when the other hip is to the right in the image).
        assert_abs_diff_eq!(kto_pct([105.0, 0.0], [100.0, 0.0], 1.0, 50.0), 10.0);
        assert_abs_diff_eq!(kto_pct([95.0, 0.0], [100.0, 0.0], 1.0, 50.0), -10.0);
    }
}
