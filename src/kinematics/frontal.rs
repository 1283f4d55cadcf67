//! The subject's frontal plane: each sample's leg points turned for the measured camera yaw ([`yaw`]), the
//! standing references on those points, and one leg's frontal metrics (FPPA, knee over toe) on any set of
//! points, with the uncertainty the yaw's own uncertainty leaves in them.
//!
//! In: the cleaned series (world depth), the roll-corrected image points, the standing samples, the smoothed
//! camera yaw. Out: [`FrontalPlane`], asked per sample by the metric stage.

use super::clean::Cleaned;
use super::geometry::{dist, fppa_deg, kto_pct, median_of, FrontalLeg};
use super::side::{Joint, LegPoints, Side, Sides};
use super::standing::{standing_refs, Standing};
use super::view::Facing;
use super::{yaw, MAX_SEGMENT_TILT_DEG, MIN_FORESHORTENING};
use yaw::MAX_RECTIFIED_YAW_DEG;

/// The subject's frontal plane of one clip.
pub(crate) struct FrontalPlane<'a> {
    cleaned: &'a Cleaned,
    points: &'a [LegPoints],
    facing: Facing,
    /// Pixels per metre of world depth: the standing image leg length over the world leg length.
    px_per_m: Option<f64>,
    /// Standing thigh length per leg (image pixels), the known length the thigh is solved with.
    pub(crate) thigh_px: Sides<Option<f64>>,
    /// Standing shank length per leg (image pixels).
    pub(crate) shank_px: Sides<Option<f64>>,
    /// How far the yaw's cues disagree (degrees): the standing cues' spread, or the standing knee line's
    /// disagreement with the hip line's.
    yaw_disagreement: f64,
    /// The yaw rests on the hip line alone: no standing sample with both feet planted for the other two cues.
    pub(crate) hip_line_only: bool,
    /// The camera's pitch the legs are turned back by (degrees, looking down positive; [`super::pitch`]).
    pub(crate) pitch_deg: f64,
    /// The smoothed camera yaw per sample (degrees).
    pub(crate) camera_yaw: &'a [Option<f64>],
    /// The yaw's uncertainty per sample where the feet in the picture took part (degrees).
    feet_sigma: &'a [Option<f64>],
    /// Half the standing feet's toe-out sum in the picture (degrees), where they were read.
    pub(crate) half_toe_out: Option<f64>,
    /// The points in the subject's frontal plane, where the yaw is within what rectification handles.
    pub(crate) rectified: Vec<Option<LegPoints>>,
    /// Standing references on the rectified points (on the image's where none are rectified).
    pub(crate) standing: Option<Standing>,
}

impl<'a> FrontalPlane<'a> {
    /// The frontal plane of a clip: `points` (roll-corrected image points), `standing_idx` (standing samples),
    /// `image_standing` (standing references on the image points), the measured camera yaw (on the hip line
    /// alone it is checked against the standing knee line) and the camera's pitch.
    pub(crate) fn new(
        cleaned: &'a Cleaned,
        points: &'a [LegPoints],
        standing_idx: &[usize],
        image_standing: Option<Standing>,
        (camera_yaw, pitch_deg): (&'a yaw::CameraYaw, f64),
        facing: Facing,
    ) -> Self {
        let world_leg = |i: usize, side: Side| {
            let (h, a) = (cleaned.world(side, Joint::Hip, i), cleaned.world(side, Joint::Ankle, i));
            ((h[0] - a[0]).powi(2) + (h[1] - a[1]).powi(2) + (h[2] - a[2]).powi(2)).sqrt()
        };
        let px_per_m = median_of(standing_idx.iter().map(|&i| {
            let p = &points[i];
            (dist(p.left().hip, p.left().ankle) + dist(p.right().hip, p.right().ankle))
                / (world_leg(i, Side::Left) + world_leg(i, Side::Right))
        }));
        let seg_len = |side: Side, a: Joint, b: Joint| {
            median_of(standing_idx.iter().map(|&i| dist(points[i][side].get(a), points[i][side].get(b))))
        };
        let mut plane = Self {
            cleaned,
            points,
            facing,
            px_per_m,
            thigh_px: Sides::from_fn(|s| seg_len(s, Joint::Hip, Joint::Knee)),
            shank_px: Sides::from_fn(|s| seg_len(s, Joint::Knee, Joint::Ankle)),
            yaw_disagreement: 0.0,
            hip_line_only: camera_yaw.spread.is_none(),
            pitch_deg,
            camera_yaw: &camera_yaw.yaw,
            feet_sigma: &camera_yaw.feet_sigma,
            half_toe_out: camera_yaw.half_toe_out,
            rectified: Vec::new(),
            standing: None,
        };
        plane.yaw_disagreement = camera_yaw.spread.unwrap_or_else(|| plane.knee_line_disagreement(standing_idx));
        // At the measured yaw, where it is within what the rectification handles. (Taking a yaw within its own
        // uncertainty of zero as a square camera was tried: exact on a square camera, but 7° wrong per leg on a
        // camera 5° off, and it made the uncertainty one-sided; the measured yaw is used as it is.)
        plane.rectified =
            (0..points.len()).map(|i| plane.effective_yaw(i).and_then(|y| plane.rectify_at(i, y))).collect();
        let rectified_standing: Vec<usize> =
            standing_idx.iter().copied().filter(|&i| plane.rectified[i].is_some()).collect();
        let pts: Vec<LegPoints> = (0..points.len()).map(|i| plane.rectified[i].unwrap_or(points[i])).collect();
        plane.standing = standing_refs(&pts, &rectified_standing).or(image_standing);
        plane
    }

    /// A check on the yaw: the knee line of the standing frames measures the same angle as the hip line; how far
    /// the two disagree (degrees; 0 when either is missing).
    fn knee_line_disagreement(&self, standing_idx: &[usize]) -> f64 {
        let c = self.cleaned;
        let line_yaw = |j: Joint, i: usize| {
            yaw::hip_yaw_deg(c.world(Side::Left, j, i), c.world(Side::Right, j, i))
                .map(|y| yaw::camera_yaw_deg(y, self.facing))
        };
        match (
            median_of(standing_idx.iter().filter_map(|&i| line_yaw(Joint::Hip, i))),
            median_of(standing_idx.iter().filter_map(|&i| line_yaw(Joint::Knee, i))),
        ) {
            (Some(h), Some(k)) => (h - k).abs(),
            _ => 0.0,
        }
    }

    /// The yaw the sample is rectified for: the measured one, where it is within [`MAX_RECTIFIED_YAW_DEG`].
    pub(crate) fn effective_yaw(&self, i: usize) -> Option<f64> {
        self.camera_yaw[i].filter(|y| y.abs() <= MAX_RECTIFIED_YAW_DEG)
    }

    /// Sample `i`'s points turned into the subject's frontal plane for a camera at `yaw_deg`.
    pub(crate) fn rectify_at(&self, i: usize, yaw_deg: f64) -> Option<LegPoints> {
        let scale = self.px_per_m?;
        let lengths = Sides::new(
            [self.thigh_px[Side::Left]?, self.shank_px[Side::Left]?],
            [self.thigh_px[Side::Right]?, self.shank_px[Side::Right]?],
        );
        let depth = |side: Side, j: Joint| Some(self.cleaned.world(side, j, i)[2] * scale);
        yaw::rectify_legs(&self.points[i], &depth, lengths, (yaw_deg, self.pitch_deg), self.facing)
    }

    /// The yaw's uncertainty at sample `i`: the feet's where they measured it, else the world cues' usual one
    /// at the measured yaw, or their disagreement when larger.
    pub(crate) fn yaw_sigma(&self, i: usize) -> f64 {
        self.feet_sigma
            .get(i)
            .copied()
            .flatten()
            .unwrap_or_else(|| yaw::yaw_uncertainty_deg(self.camera_yaw[i].unwrap_or(0.0)).max(self.yaw_disagreement))
    }

    /// FPPA (when both segments are upright enough) and knee over toe of one leg on frontal-plane points `fp`.
    pub(crate) fn leg(&self, fp: &LegPoints, side: Side) -> FrontalLeg {
        frontal_leg(self.standing, fp, side)
    }

    /// The points at either end of the range the true yaw may lie in (the measured yaw ± its uncertainty), for
    /// how far a wrong yaw could move a metric; empty where they cannot be rectified.
    pub(crate) fn yaw_bounds(&self, i: usize) -> Vec<LegPoints> {
        let measured = self.camera_yaw[i].unwrap_or(0.0);
        let sigma = self.yaw_sigma(i);
        [measured - sigma, measured + sigma].iter().filter_map(|&y| self.rectify_at(i, y)).collect()
    }
}

/// FPPA (when both segments are upright enough: [`MIN_FORESHORTENING`], [`MAX_SEGMENT_TILT_DEG`]) and knee
/// over toe of one leg on frontal-plane points `fp`, against the standing lengths; nothing without a standing.
pub(crate) fn frontal_leg(standing: Option<Standing>, fp: &LegPoints, side: Side) -> FrontalLeg {
    let Some(st) = standing else { return FrontalLeg { fppa: None, kto: None, upright: false } };
    let (leg, other) = (&fp[side], &fp[side.other()]);
    let tilt = |a: [f64; 2], b: [f64; 2]| (b[0] - a[0]).abs().atan2((b[1] - a[1]).abs()).to_degrees();
    let thigh0 = (st.leg_px[side] - st.shank_px[side]).max(1e-9);
    let upright = dist(leg.hip, leg.knee) >= MIN_FORESHORTENING * thigh0
        && dist(leg.knee, leg.ankle) >= MIN_FORESHORTENING * st.shank_px[side]
        && tilt(leg.hip, leg.knee) <= MAX_SEGMENT_TILT_DEG
        && tilt(leg.knee, leg.ankle) <= MAX_SEGMENT_TILT_DEG;
    let fppa = upright.then(|| fppa_deg(leg.hip, leg.knee, leg.ankle, other.hip));
    let medial = (other.hip[0] - leg.hip[0]).signum();
    let kto = (st.shank_px[side] > 0.0).then(|| kto_pct(leg.knee, leg.toe, medial, st.shank_px[side]));
    FrontalLeg { fppa, kto, upright }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kinematics::Leg;
    use approx::assert_abs_diff_eq;

    /// A subject facing the camera: left hip at x = 120 (the image's right), right hip at 80; legs 200 px,
    /// shanks 100 px, toes `toe_dx` lateral of the ankles; the left knee `valgus_px` medial of straight.
    pub(crate) fn facing_pair(valgus_px: f64, toe_dx: f64) -> (LegPoints, Standing) {
        let leg = |x: f64, out: f64, knee_dx: f64| Leg {
            hip: [x, 100.0],
            knee: [x + knee_dx, 200.0],
            ankle: [x, 300.0],
            heel: [x, 305.0],
            toe: [x + out * toe_dx, 310.0],
        };
        let points = Sides::new(leg(120.0, 1.0, -valgus_px), leg(80.0, -1.0, 0.0));
        let standing = Standing {
            shank_px: Sides::new(100.0, 100.0),
            leg_px: Sides::new(200.0, 200.0),
            hip_y_px: 100.0,
            stance_width_px: 40.0,
            samples: 10,
        };
        (points, standing)
    }

    #[test]
    fn valgus_and_knee_over_toe_of_each_leg() {
        let (p, st) = facing_pair(10.0, 5.0);
        let left = frontal_leg(Some(st), &p, Side::Left);
        // Knee 10 px toward the other hip: valgus 2·atan(10/100); 10 + 5 px medial of the toe: 15 % of shank.
        assert_abs_diff_eq!(left.fppa.expect("fppa"), 2.0 * (0.1f64).atan().to_degrees(), epsilon = 1e-9);
        assert_abs_diff_eq!(left.kto.expect("kto"), 15.0, epsilon = 1e-9);
        let right = frontal_leg(Some(st), &p, Side::Right);
        assert_abs_diff_eq!(right.fppa.expect("fppa"), 0.0, epsilon = 1e-9);
        assert_abs_diff_eq!(right.kto.expect("kto"), 5.0, epsilon = 1e-9);
        assert!(frontal_leg(None, &p, Side::Left).fppa.is_none());
    }

    #[test]
    fn a_thigh_pointing_at_the_camera_has_no_angle() {
        // Deep squat seen from the front: the thigh shrinks to a fifth of its standing length.
        let (mut p, st) = facing_pair(0.0, 0.0);
        p[Side::Left].knee = [120.0, 120.0];
        let left = frontal_leg(Some(st), &p, Side::Left);
        assert!(!left.upright && left.fppa.is_none());
        assert!(left.kto.is_some(), "knee over toe needs no upright thigh");
    }
}
