//! Camera pitch: how far the camera looks down onto the subject's knees, from BlazePose's world shanks while the
//! subject stands.
//!
//! In: the cleaned world landmarks (axes aligned with the camera: y down, z away from it), the standing samples
//! with both feet planted, the camera yaw. Out: the pitch (degrees, the elevation of the camera's view of the
//! knees above the horizontal, looking down positive) that [`super::yaw::rectify_legs`] turns the legs back by.
//!
//! A camera held at chest height looks down onto the knees (about 14° from 1.3 m at 3.2 m): a knee that travels
//! toward it in a squat then sits lower in the picture than it is, the thigh looks longer and the shank shorter,
//! and a knee over a wide stance reads valgus: a rendered 0° knee reads +5.9° from there, while the truth in the
//! subject's frame is what a camera at knee height sees. Neither the picture's feet nor BlazePose's heels read
//! the pitch (the toe's drop below the ankle grows by 0.03 of a shank for the 13° between knee and chest height,
//! against 0.03 between bodies); the world shank does: BlazePose tilts a standing shank's top toward the camera
//! by about 13° on a level camera, and by 0.7° more per degree of pitch ([`PITCH_TILT_GAIN`]).

use super::clean::Cleaned;
use super::geometry::median_of;
use super::side::{Joint, Side};
use super::view::{Facing, View};
use super::yaw::MIN_YAW_SAMPLES;

/// World shank tilt (degrees, the knee nearer the camera than the ankle negative) of a standing subject filmed
/// from knee height, and its change per degree of camera yaw (signed and absolute), and per degree of pitch.
/// Fitted on the 36 tuning renders with the subject standing still at the start (the standard set, with its five
/// clips from 1.3 m, and the yaw and feet sets' tuning clips; yaw −20…+10°): residual SD 1.2°, largest 4.6° (feet
/// turned out 30°). On 83 held-out renders (cameras at 0.55, 1.0 and 1.3 m, yaw −20…+20°) the pitch it gives errs
/// by 2.5° (SD) from knee height (largest 6.5°), reads 14.1 ± 1.6° for the true 14° from 1.3 m and 5.9° for 8.9°
/// from 1 m.
pub const PITCH_TILT_LEVEL_DEG: f64 = -13.6;
/// See [`PITCH_TILT_LEVEL_DEG`].
pub const PITCH_TILT_PER_YAW: f64 = 0.02;
/// See [`PITCH_TILT_LEVEL_DEG`].
pub const PITCH_TILT_PER_ABS_YAW: f64 = 0.18;
/// See [`PITCH_TILT_LEVEL_DEG`]: the world shank's tilt grows by this much per degree of pitch (BlazePose reads a
/// pitch short, as it reads a yaw).
pub const PITCH_TILT_GAIN: f64 = 0.71;
/// A pitch measured below this (degrees) is taken as a level camera and not corrected: three times the
/// measurement's SD on the tuning renders from knee height (1.8° about the true 0.9°; they spread −5.6…+3.3°).
pub const MIN_PITCH_DEG: f64 = 5.5;
/// A pitch measured beyond this (degrees) is not corrected: the fit above reaches 17.9° on the renders, and a
/// steeper reading may be a subject never standing straight. The findings say so (the values read as the
/// picture shows them).
pub const MAX_PITCH_DEG: f64 = 25.0;

/// The camera's pitch of one clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CameraPitch {
    /// As measured (degrees; `None` without standing samples with both feet planted, or from behind).
    pub measured: Option<f64>,
    /// The pitch the legs are turned back by: the measured one between [`MIN_PITCH_DEG`] and [`MAX_PITCH_DEG`],
    /// else 0.
    pub applied: f64,
}

/// The tilt (degrees) of one standing sample's world shanks, both legs averaged: the knee's offset from the
/// ankle along the camera's depth against its height.
fn world_shank_tilt_deg(c: &Cleaned, i: usize) -> Option<f64> {
    let tilt = |side: Side| {
        let (k, a) = (c.world(side, Joint::Knee, i), c.world(side, Joint::Ankle, i));
        let (dz, up) = (k[2] - a[2], a[1] - k[1]);
        (dz.is_finite() && up > 1e-6).then(|| dz.atan2(up).to_degrees())
    };
    Some((tilt(Side::Left)? + tilt(Side::Right)?) / 2.0)
}

/// The pitch ([`PITCH_TILT_LEVEL_DEG`] and its neighbours) read from a world shank tilt `tilt_deg` for a camera at
/// `yaw_deg`.
pub fn pitch_from_tilt_deg(tilt_deg: f64, yaw_deg: f64) -> f64 {
    let level = PITCH_TILT_LEVEL_DEG + PITCH_TILT_PER_YAW * yaw_deg + PITCH_TILT_PER_ABS_YAW * yaw_deg.abs();
    (level - tilt_deg) / PITCH_TILT_GAIN
}

/// The camera's pitch from the median world shank tilt over the frontal standing samples with both feet planted
/// (`planted`, at least [`MIN_YAW_SAMPLES`]), at the median camera yaw over them; from the front only (from behind
/// per-leg values are withheld; from the side the camera's depth runs across the subject).
pub(crate) fn measure_pitch(
    c: &Cleaned,
    planted: &[usize],
    (yaw, view): (&[Option<f64>], &[View]),
    facing: Facing,
) -> CameraPitch {
    let frontal: Vec<usize> =
        planted.iter().copied().filter(|&i| view.get(i).is_some_and(|v| v.is_frontal())).collect();
    let measured = (facing == Facing::Front && frontal.len() >= MIN_YAW_SAMPLES)
        .then(|| {
            let tilt = median_of(frontal.iter().filter_map(|&i| world_shank_tilt_deg(c, i)))?;
            let yaw = median_of(frontal.iter().filter_map(|&i| yaw.get(i).copied().flatten()))?;
            Some(pitch_from_tilt_deg(tilt, yaw))
        })
        .flatten();
    let applied = measured.filter(|&p| turned_back(p)).unwrap_or(0.0);
    CameraPitch { measured, applied }
}

/// Whether a measured pitch (degrees) is turned back: between [`MIN_PITCH_DEG`] and [`MAX_PITCH_DEG`].
pub fn turned_back(pitch_deg: f64) -> bool {
    (MIN_PITCH_DEG..=MAX_PITCH_DEG).contains(&pitch_deg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::side::{Leg, LegPoints, Sides};
    use crate::kinematics::yaw::{rectify_legs, solve_segment};
    use approx::assert_abs_diff_eq;

    /// A subject-frame vector (X toward the subject's left, Y down, Z away from the camera) as a camera turned by
    /// `yaw` about the vertical and looking down by `pitch` sees it: `(image x, image y, depth)`.
    fn seen(v: [f64; 3], yaw: f64, pitch: f64) -> [f64; 3] {
        let (sy, cy) = yaw.to_radians().sin_cos();
        let (sp, cp) = pitch.to_radians().sin_cos();
        let (x, z1) = (v[0] * cy + v[2] * sy, -v[0] * sy + v[2] * cy);
        [x, v[1] * cp - z1 * sp, v[1] * sp + z1 * cp]
    }

    #[test]
    fn segments_are_solved_under_a_pitch() {
        let norm = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        for yaw in [-10.0, 0.0, 12.0] {
            for pitch in [0.0, 8.0, 14.0] {
                // A squatting thigh (knee 260 px toward the camera, 30 px lateral) and shank (ankle back 200 px);
                // an upright shank, whose depth about 0 may read a little either way.
                for (v, sign) in [([30.0, 220.0, -260.0], -1.0), ([-10.0, 330.0, 200.0], 1.0), ([0.0, 400.0, 0.0], 1.0)]
                {
                    let [dx, dy, _] = seen(v, yaw, pitch);
                    let [x, y] = solve_segment(dx, dy, norm(v), (yaw, pitch), sign);
                    assert_abs_diff_eq!(x, v[0], epsilon = 1e-6);
                    assert_abs_diff_eq!(y, v[1], epsilon = 1e-6);
                }
            }
        }
    }

    #[test]
    fn legs_seen_from_above_are_turned_back_to_knee_height() {
        // Subject frame (pixels): hips ±100; knees 250 below and 260 toward the camera, the left one 40 px medial;
        // ankles 250 further below, under the hips. Seen from 14° above and 6° to the subject's left, with the
        // standing lengths the picture showed upright (shortened by the pitch's cosine).
        let (yaw, pitch) = (6.0, 14.0);
        let norm = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        let mut p = LegPoints::default();
        let mut depth = Sides::<[f64; 5]>::default();
        let mut lengths = Sides::<[f64; 2]>::default();
        for (side, sx, medial) in [(Side::Left, 1.0, 40.0), (Side::Right, -1.0, 0.0)] {
            let hip = [100.0 * sx, 0.0, 0.0];
            let knee = [(100.0 - medial) * sx, 250.0, -260.0];
            let ankle = [100.0 * sx, 500.0, 0.0];
            let pts = [hip, knee, ankle, [100.0 * sx, 510.0, 40.0], [100.0 * sx, 520.0, -120.0]];
            let image = pts.map(|v| seen(v, yaw, pitch));
            p[side] = Leg::from_fn(|j| [500.0 + image[j.index()][0], 300.0 + image[j.index()][1]]);
            depth[side] = image.map(|q| q[2]);
            let upright = pitch.to_radians().cos();
            let len = |a: [f64; 3], b: [f64; 3]| norm([a[0] - b[0], a[1] - b[1], a[2] - b[2]]) * upright;
            lengths[side] = [len(hip, knee), len(knee, ankle)];
        }
        let out = rectify_legs(&p, &|side, j| Some(depth[side][j.index()]), lengths, (yaw, pitch), Facing::Front)
            .expect("points");
        for (side, sx, medial) in [(Side::Left, 1.0, 40.0), (Side::Right, -1.0, 0.0)] {
            assert_abs_diff_eq!(out[side].knee[0] - 500.0, (100.0 - medial) * sx, epsilon = 1e-6);
            assert_abs_diff_eq!(out[side].knee[1] - out[side].hip[1], 250.0, epsilon = 1e-6);
            assert_abs_diff_eq!(out[side].ankle[1] - out[side].hip[1], 500.0, epsilon = 1e-6);
            assert_abs_diff_eq!(out[side].ankle[0] - 500.0, 100.0 * sx, epsilon = 1e-6);
        }
        // Not turned back, the same picture puts the knee lower against the ankle than it is: the left knee's
        // valgus reads larger (the 2D angle at the knee between the thigh and shank).
        let fppa =
            |q: &LegPoints| crate::kinematics::fppa_deg(q.left().hip, q.left().knee, q.left().ankle, q.right().hip);
        let level = rectify_legs(&p, &|side, j| Some(depth[side][j.index()]), lengths, (yaw, 0.0), Facing::Front)
            .expect("points");
        assert!(fppa(&level) > fppa(&out) + 1.0, "{} vs {}", fppa(&level), fppa(&out));
    }

    #[test]
    fn the_world_shank_reads_the_pitch_at_any_yaw() {
        for yaw in [-15.0, 0.0, 10.0] {
            let level = PITCH_TILT_LEVEL_DEG + PITCH_TILT_PER_YAW * yaw + PITCH_TILT_PER_ABS_YAW * f64::abs(yaw);
            assert_abs_diff_eq!(pitch_from_tilt_deg(level, yaw), 0.0, epsilon = 1e-9);
            // Chest height: 14° of pitch tilts the shank by about 10° more.
            let chest = level - PITCH_TILT_GAIN * 14.0;
            assert_abs_diff_eq!(pitch_from_tilt_deg(chest, yaw), 14.0, epsilon = 1e-9);
        }
    }
}
