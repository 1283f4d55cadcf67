//! Camera yaw relative to the subject, and frontal-plane points rectified for it.
//!
//! In: per-sample world landmarks (metres, origin between the hips, axes aligned with the camera: x to the
//! image's right, y down, z away from the camera) and image points (pixels). Out: the signed yaw of the camera
//! about the subject's vertical axis per sample, and image points turned into the subject's frontal plane.
//!
//! # Conventions
//!
//! * **Yaw** (degrees) is the angle between the camera's image plane and the subject's frontal plane (the
//!   plane of the hip line and the vertical), **positive when the camera stands toward the subject's left**
//!   (the left hip is nearer the camera), as `tools/synth` places its cameras; from behind it is measured from
//!   square to the subject's back ([`camera_yaw_deg`]: a camera at 170° around the subject is +10°). It is
//!   measured twice (`measure_yaw`): as the median of three cues in the model's world landmarks (the hip line,
//!   smoothed with a running median ([`YAW_HALF_WINDOW_S`]), and the standing knee line and feet), and from
//!   the standing feet in the picture ([`feet_picture_yaw`]); the two are weighed by their uncertainties.
//! * **Rectification** turns each point into the subject's frontal plane (y is unchanged), seen from the side
//!   the camera stands on (a back view stays a back view). A point at image x and depth z (both relative to
//!   the hip midpoint) lies at `x' = x cos(a) − z sin(a)` there, where the turn `a` is the yaw from the front
//!   and minus the yaw from behind. Forward (where the knees travel and the toes point) is toward the camera
//!   from the front and away from it from behind.
//!   - The hips, heels and toes take their depth from the world landmarks (scaled to pixels by the clip's
//!     standing image-to-world leg length ratio): the hip line then has its true width and the foot its true
//!     lateral direction.
//!   - The thigh and the shank do not: BlazePose's world depth of a squatting hip is unreliable (on rendered
//!     squats it puts the hips level with the knees, where they sit 0.2–0.3 m further back), which left half of
//!     the yaw's error in FPPA. Instead each segment is solved from its standing length ([`solve_segment`]):
//!     its image x-extent and its vertical extent, with its known 3D length, fix its lateral and depth extents
//!     (the knee in front of the hip and of the ankle picks the root). At yaw 0 this returns the image exactly.
//!
//! A knee that travels forward in a squat then no longer slides sideways in the picture by
//! `forward × sin(yaw)`, the error that makes one knee look valgus and the other varus when the camera is a
//! little off square.

use super::clean::Cleaned;
use super::geometry::{dist, median_of};
use super::side::{Joint, LegPoints, Side, Sides};
use super::view::{Facing, View};

/// Half-width (seconds) of the running median that smooths the per-sample yaw: the hip line's depth is the
/// noisiest world coordinate, and a subject does not turn within a second of a squat.
pub const YAW_HALF_WINDOW_S: f64 = 1.0;

/// Uncertainty (degrees, one side) of the yaw measured from BlazePose's world hips, as a function of the
/// measured yaw: 2° near square plus 0.3° per degree of yaw. From the synthetic tuning clips (true yaw +10, +30,
/// −20): errors of −1.8 to +1.3° at +10, +3.5° at +30 and −11° at −20; this line covers all of them.
pub fn yaw_uncertainty_deg(yaw_deg: f64) -> f64 {
    YAW_UNCERTAINTY_BASE_DEG + YAW_UNCERTAINTY_SLOPE * yaw_deg.abs()
}

/// Uncertainty of the measured yaw near square (degrees); see [`yaw_uncertainty_deg`].
pub const YAW_UNCERTAINTY_BASE_DEG: f64 = 2.0;
/// Growth of the yaw's uncertainty per degree of yaw; see [`yaw_uncertainty_deg`].
pub const YAW_UNCERTAINTY_SLOPE: f64 = 0.3;

/// The signed yaw (degrees) of one sample from the world hip points `[left, right]`, each `[x, y, z]`
/// (see the module doc); `None` when a coordinate is missing or the hips coincide.
pub fn hip_yaw_deg(left_hip: [f64; 3], right_hip: [f64; 3]) -> Option<f64> {
    let dx = left_hip[0] - right_hip[0];
    let dz = right_hip[2] - left_hip[2];
    let ok = dx.is_finite() && dz.is_finite() && dx.hypot(dz) > 1e-6;
    ok.then(|| dz.atan2(dx).to_degrees())
}

/// The camera yaw (see the module doc) from the hip line's angle `hip_line_deg` ([`hip_yaw_deg`], which is
/// near ±180° when the camera films the subject's back), for a camera on the `facing` side.
pub fn camera_yaw_deg(hip_line_deg: f64, facing: Facing) -> f64 {
    match facing {
        Facing::Front => hip_line_deg,
        Facing::Back => (180.0 - hip_line_deg + 180.0).rem_euclid(360.0) - 180.0,
    }
}

/// The subject's forward direction as a hip-line angle ([`hip_yaw_deg`]'s convention), from the world heel and
/// toe points of both feet (`[left, right]`): the mean of the two heel-to-toe directions, turned a quarter turn.
/// Feet turned out symmetrically cancel; `None` when a foot has no length.
pub fn feet_line_deg(heels: [[f64; 3]; 2], toes: [[f64; 3]; 2]) -> Option<f64> {
    let mut forward = [0.0, 0.0];
    for (h, t) in heels.iter().zip(&toes) {
        let (dx, dz) = (t[0] - h[0], t[2] - h[2]);
        let len = dx.hypot(dz);
        if !(len.is_finite() && len > 1e-6) {
            return None;
        }
        forward[0] += dx / len;
        forward[1] += dz / len;
    }
    // The subject's left is forward turned a quarter: from the front (forward = −z) it is +x.
    let ok = forward[0].hypot(forward[1]) > 1e-6;
    ok.then(|| (-forward[0]).atan2(-forward[1]).to_degrees())
}

/// The camera yaw ([`camera_yaw_deg`]) that the standing knee line and the direction of the feet of sample `i`
/// imply (world landmarks).
pub(crate) fn standing_cues(c: &Cleaned, i: usize, facing: Facing) -> Option<[f64; 2]> {
    let knees = hip_yaw_deg(c.world(Side::Left, Joint::Knee, i), c.world(Side::Right, Joint::Knee, i))?;
    let feet = feet_line_deg(
        [c.world(Side::Left, Joint::Heel, i), c.world(Side::Right, Joint::Heel, i)],
        [c.world(Side::Left, Joint::Toe, i), c.world(Side::Right, Joint::Toe, i)],
    )?;
    Some([knees, feet].map(|v| camera_yaw_deg(v, facing)))
}

/// Seconds either side of a sample whose standing frames give its camera yaw: the subject may turn between sets.
pub const STANDING_YAW_WINDOW_S: f64 = 4.0;
/// Fewest standing samples with both feet planted that a yaw is read from: fewer in the window, and the whole
/// clip's are used.
pub const MIN_YAW_SAMPLES: usize = 5;
/// Both feet count as planted when the ankles' image heights differ by at most this fraction of the leg: a
/// raised free foot turns the knee line and the feet.
pub const PLANTED_MAX_ANKLE_STEP: f64 = 0.04;

/// Forward reach of BlazePose's foot-index landmark from its ankle landmark on a level foot, as a fraction of
/// the picture's standing shank (knee to ankle landmark). Fitted on the rendered yaw set's tuning clips (cameras
/// at 0, +10, −20 and +30°: the feet then read the yaw within 1.3°); anthropometry gives 0.45–0.5 for the toe tip
/// (ankle to toe tip about 0.11 of body height, the shank 0.25), and BlazePose's landmarks sit a little
/// differently on a real shoe, hence [`FOOT_REACH_REL_ERROR`].
pub const FOOT_INDEX_REACH_PER_SHANK: f64 = 0.575;
/// Relative error of [`FOOT_INDEX_REACH_PER_SHANK`] on a body it was not fitted on: adults' foot to shank
/// ratios vary by about 6 % (one SD), and the landmark's place on a shoe is the model's guess. The feet's yaw
/// is uncertain by this share of itself.
pub const FOOT_REACH_REL_ERROR: f64 = 0.15;
/// Uncertainty of the feet's yaw on a square camera (degrees): the landmarks' noise in a foot's direction,
/// after the median over the standing samples.
pub const FEET_YAW_BASE_DEG: f64 = 1.0;

/// The camera yaw the feet show in the picture at one sample, seen from the front with both feet planted: each
/// foot's toe lies [`FOOT_INDEX_REACH_PER_SHANK`] of a shank (`shank_px`, per leg) in front of its ankle, so a
/// camera turned by `yaw` sees it `reach × sin(yaw + turn)` to the side of the ankle, where `turn` is the foot's
/// own toe-out. Returns `[yaw, half toe-out]`: the mean of the two feet's readings (feet turned out alike
/// cancel) and half the sum of their toe-outs, which bounds how far feet turned out unequally could move that
/// mean (each foot turned outward, the usual stance). `None` when a shank is missing or a toe lies beyond reach.
pub fn feet_picture_yaw(p: &LegPoints, shank_px: Sides<f64>) -> Option<[f64; 2]> {
    let reading = |side: Side| {
        let reach = FOOT_INDEX_REACH_PER_SHANK * shank_px[side];
        let sin = -(p[side].toe[0] - p[side].ankle[0]) / reach;
        (reach > 0.0 && sin.abs() <= 1.0).then(|| sin.asin().to_degrees())
    };
    // The left foot stands on the image's right: turned out, its toe moves right, against the yaw's sign.
    let (left, right) = (reading(Side::Left)?, reading(Side::Right)?);
    Some([(left + right) / 2.0, (right - left) / 2.0])
}

/// The standing samples with both feet planted ([`PLANTED_MAX_ANKLE_STEP`]), judged on the points turned level for
/// the camera's roll (a rolled camera puts one planted ankle higher).
pub(crate) fn planted_standing(points: &[LegPoints], standing_idx: &[usize]) -> Vec<usize> {
    let planted = |p: &LegPoints| {
        let leg = (dist(p.left().hip, p.left().ankle) + dist(p.right().hip, p.right().ankle)) / 2.0;
        (p.left().ankle[1] - p.right().ankle[1]).abs() <= PLANTED_MAX_ANKLE_STEP * leg
    };
    standing_idx.iter().copied().filter(|&i| planted(&points[i])).collect()
}

/// A clip's camera yaw: per sample, the value and where it came from.
pub(crate) struct CameraYaw {
    /// The yaw per sample (degrees; see the module doc).
    pub yaw: Vec<Option<f64>>,
    /// Its uncertainty (degrees) where the feet in the picture took part ([`feet_picture_yaw`]); `None` where the
    /// world cues' median alone gave it, whose uncertainty is [`yaw_uncertainty_deg`] (or `spread` when wider).
    pub feet_sigma: Vec<Option<f64>>,
    /// Half the world cues' range at the frontal samples (median over them, degrees): a check on the median.
    /// `None` when the yaw is the hip line alone (no standing with both feet planted).
    pub spread: Option<f64>,
    /// Half the standing feet's toe-out sum in the picture (degrees; median over the clip's standing samples
    /// with both feet planted), where the feet were read.
    pub half_toe_out: Option<f64>,
}

impl CameraYaw {
    /// The yaw where it rests on the hip line alone.
    fn hip_line_only(hip_line: &[Option<f64>]) -> Self {
        Self { yaw: hip_line.to_vec(), feet_sigma: vec![None; hip_line.len()], spread: None, half_toe_out: None }
    }
}

/// Uncertainty (degrees) of the yaw the feet in the picture read as `yaw_deg`, their half toe-out sum being
/// `half_toe_out`: [`FEET_YAW_BASE_DEG`], plus [`FOOT_REACH_REL_ERROR`] of the yaw, plus the half toe-out.
pub fn feet_yaw_uncertainty_deg(yaw_deg: f64, half_toe_out: f64) -> f64 {
    FEET_YAW_BASE_DEG + FOOT_REACH_REL_ERROR * yaw_deg.abs() + half_toe_out.abs()
}

/// Whether feet turned out this far (half their toe-out sum, degrees) leave the feet's reading of a yaw of
/// `yaw_deg` no better than the world cues' ([`feet_yaw_uncertainty_deg`], [`yaw_uncertainty_deg`]).
pub fn feet_too_turned_out(half_toe_out: f64, yaw_deg: f64) -> bool {
    feet_yaw_uncertainty_deg(yaw_deg, half_toe_out) >= yaw_uncertainty_deg(yaw_deg)
}

/// The camera yaw per sample, from the standing samples with both feet planted (`planted_idx`, [`planted_standing`]).
/// Two estimates, each with its uncertainty:
///
/// * the median of three cues in BlazePose's world landmarks, each of which errs by 3–11° on its own on the
///   rendered yaw set, in different directions: the hip line at the sample (`hip_line`, smoothed; it reads a
///   −20° camera as −31° at the bottom of a squat), and the knee line and the feet ([`standing_cues`]) over the
///   standing samples with both feet planted within [`STANDING_YAW_WINDOW_S`] (the knee line reads a +10°
///   camera as +5°, the feet a −10° one as −4°; a squatting or lifted leg turns both, so they are read
///   standing); its uncertainty is [`yaw_uncertainty_deg`];
/// * the feet in the picture ([`feet_picture_yaw`], from the front only: from behind the toes hide behind the
///   heels), over the same standing samples: the picture's x is BlazePose's most accurate output, where the
///   world cues rest on its depth, its weakest. Its uncertainty is [`FEET_YAW_BASE_DEG`], plus
///   [`FOOT_REACH_REL_ERROR`] of itself, plus the half toe-out (feet turned out unequally).
///
/// Where the two agree within the sum of their uncertainties they are weighed by their inverse variances (the
/// world median's uncertainty being the cues' spread where that is wider), and the yaw's uncertainty is the
/// combined one; elsewhere one of them is wrong (feet turned out unequally, a body turned) and the world median
/// is the yaw with its own uncertainty. Feet turned out wide weigh little. With fewer than [`MIN_YAW_SAMPLES`]
/// standing samples with both feet planted the hip line alone is the yaw.
pub(crate) fn measure_yaw(
    c: &Cleaned,
    points: &[LegPoints],
    planted_idx: &[usize],
    hip_line: &[Option<f64>],
    (view, facing): (&[View], Facing),
) -> CameraYaw {
    let shank = Sides::from_fn(|s| median_of(planted_idx.iter().map(|&i| dist(points[i][s].knee, points[i][s].ankle))));
    let feet_picture = |i: usize| match (facing, shank.0) {
        (Facing::Front, [Some(l), Some(r)]) => feet_picture_yaw(&points[i], Sides::new(l, r)),
        _ => None,
    };
    let planted: Vec<(usize, [f64; 4])> = planted_idx
        .iter()
        .filter_map(|&i| {
            let [knees, feet] = standing_cues(c, i, facing)?;
            let [picture, half_out] = feet_picture(i).unwrap_or([f64::NAN; 2]);
            Some((i, [knees, feet, picture, half_out]))
        })
        .collect();
    if planted.len() < MIN_YAW_SAMPLES {
        return CameraYaw::hip_line_only(hip_line);
    }
    let medians = |set: &[(usize, [f64; 4])]| -> [f64; 4] {
        std::array::from_fn(|k| median_of(set.iter().map(|(_, v)| v[k]).filter(|v| v.is_finite())).unwrap_or(f64::NAN))
    };
    let whole = medians(&planted);
    let half = STANDING_YAW_WINDOW_S * c.rate_hz;
    let mut last: Option<((usize, usize), [f64; 4])> = None;
    let mut spreads = Vec::new();
    let per_sample: Vec<Option<[f64; 3]>> = (0..c.len())
        .map(|i| {
            let hip = hip_line[i]?;
            let lo = planted.partition_point(|(j, _)| (*j as f64) < i as f64 - half);
            let hi = planted.partition_point(|(j, _)| (*j as f64) <= i as f64 + half);
            let [knees, feet, picture, half_out] = if hi - lo < MIN_YAW_SAMPLES {
                whole
            } else {
                match last {
                    Some((bounds, m)) if bounds == (lo, hi) => m,
                    _ => {
                        let m = medians(&planted[lo..hi]);
                        last = Some(((lo, hi), m));
                        m
                    }
                }
            };
            let mut cues = [hip, knees, feet];
            cues.sort_by(f64::total_cmp);
            if view.get(i).is_some_and(|v| v.is_frontal()) {
                spreads.push((cues[2] - cues[0]) / 2.0);
            }
            Some([cues[1], picture, half_out])
        })
        .collect();
    let spread = median_of(spreads).unwrap_or(0.0);
    let (yaw, feet_sigma) = per_sample
        .into_iter()
        .map(|v| {
            let Some([median, picture, half_out]) = v else { return (None, None) };
            let sigma_world = yaw_uncertainty_deg(median).max(spread);
            let sigma_feet = feet_yaw_uncertainty_deg(picture, half_out);
            if (picture - median).abs() <= sigma_feet + sigma_world {
                // Inverse-variance weights: each estimate counts by how well it is known.
                let (w_world, w_feet) = (sigma_world.powi(-2), sigma_feet.powi(-2));
                let yaw = (median * w_world + picture * w_feet) / (w_world + w_feet);
                (Some(yaw), Some((w_world + w_feet).powf(-0.5)))
            } else {
                (Some(median), None)
            }
        })
        .unzip();
    let half_toe_out = whole[3].is_finite().then_some(whole[3]);
    CameraYaw { yaw, feet_sigma, spread: Some(spread), half_toe_out }
}

/// Turn image point `x` (pixels) with depth `z_px` (pixels, relative to the hip midpoint, away from the camera
/// positive) into the subject's frontal plane, about the vertical axis through the hip midpoint at `hip_x`.
pub fn rectify_x(x: f64, z_px: f64, hip_x: f64, yaw_deg: f64) -> f64 {
    let (s, c) = yaw_deg.to_radians().sin_cos();
    hip_x + (x - hip_x) * c - z_px * s
}

/// Share of a segment's length its depth may have the wrong sign by and still count as the expected root under a
/// camera pitch ([`solve_segment`]): an upright thigh or shank, whose true depth is about 0.
pub const PITCH_DEPTH_NOISE: f64 = 0.1;

/// The lateral and vertical extents `[X, Y]` (in the subject's frontal plane, pixels) of a segment whose image
/// x-extent is `dx`, vertical extent `dy`, true length `length` (pixels), seen by a camera turned by `yaw_deg`
/// about the subject's vertical and looking down by `pitch_deg` ([`super::pitch`]); its depth extent is taken
/// with the sign `depth_sign` (−1: the segment's end is nearer the camera than its start, as the knee is from the
/// hip; +1: further, as the ankle is from the knee).
///
/// The segment's extent along the camera's axis is `±√(length² − dx² − dy²)`; the camera's pitch and then its yaw
/// are undone on `(dx, dy, depth)`, and of the two roots the one whose depth in the subject's frame has the
/// expected sign is kept (between two such, or none, the shallower). When the lengths are inconsistent (noise:
/// the image extent exceeds the length), the segment is taken as lying in the plane that keeps `dx` and `dy`. At
/// yaw and pitch 0 this returns the image extents.
pub fn solve_segment(dx: f64, dy: f64, length: f64, (yaw_deg, pitch_deg): (f64, f64), depth_sign: f64) -> [f64; 2] {
    let (sy, cy) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    let r2 = length * length - dx * dx - dy * dy;
    if r2 <= f64::EPSILON {
        // Inconsistent or degenerate: no depth left for the segment.
        let unturn = |v: f64, c: f64| if c.abs() > f64::EPSILON { v / c } else { v };
        return [unturn(dx, cy), unturn(dy, cp)];
    }
    let in_subject = |along: f64| {
        let (y, z) = (dy * cp + along * sp, -dy * sp + along * cp);
        (dx * cy - z * sy, y, dx * sy + z * cy)
    };
    let candidates = [in_subject(r2.sqrt()), in_subject(-r2.sqrt())];
    // Prefer the root whose depth has the expected sign; between two such (or none), the shallower one. Under a
    // pitch an upright segment's two roots are its true one (depth about 0, of either sign with the landmarks'
    // noise) and its mirror about the line of sight (2·pitch forward): a depth of the wrong sign within
    // [`PITCH_DEPTH_NOISE`] of the length counts as right.
    let noise = if pitch_deg == 0.0 { 0.0 } else { PITCH_DEPTH_NOISE * length };
    let score = |z: f64| (if z * depth_sign >= -noise { 0.0 } else { 1.0 }, z.abs());
    let (x, y, _) = if score(candidates[0].2) <= score(candidates[1].2) { candidates[0] } else { candidates[1] };
    [x, y]
}

/// Camera yaw (degrees, either way) up to which FPPA and knee over toe are rectified into the subject's frontal
/// plane (this module); beyond it they are left empty with the reason. Chosen on the synthetic yaw set (tuning clips
/// at +10, −20 and +30 degrees; see the README's accuracy section for the held-out figures).
pub const MAX_RECTIFIED_YAW_DEG: f64 = 15.0;
/// FPPA's own error (degrees: the landmarks'), added to the yaw's share ([`MAX_FPPA_YAW_SHARE_DEG`]) in the
/// stated uncertainty. Chosen on the tuning renders (the standard set and the yaw set's tuning clips) so that the
/// stated uncertainty holds the truth about 9 times in 10: with 2° (the frontal benchmark's typical error) 13 of
/// their 99 printed per-leg values lay outside it, with 3° 7. With the camera yaw forced to the true one, 80 % of
/// the errors there are within 3.1° (the landmarks' alone; deep squats and a chest-high camera reach 4–6°).
pub const FPPA_BASE_ERROR_DEG: f64 = 3.0;
/// Knee over toe's own error (% of shank: the landmarks'), added to the yaw's share ([`MAX_KTO_YAW_SHARE_PCT`]) in
/// the stated uncertainty. Chosen on the tuning renders (the standard set, the yaw set's and the feet set's tuning
/// clips) so that the stated uncertainty holds the truth about 9 times in 10, as FPPA's does: with 2 % (the
/// frontal benchmark's 0.2–2.9 %) 36 of their 144 printed per-leg values lay outside it, with 3 % 18, with 4 % 9.
/// Turned-out and pronating feet read one knee's value 3–6 % off on the rendered body.
pub const KTO_BASE_ERROR_PCT: f64 = 4.0;
/// Largest change (degrees) a yaw anywhere within its uncertainty may make to a per-leg FPPA for the value to be
/// reported (the yaw's share of its uncertainty): with the landmarks' typical 2° error it stays below the
/// 7.5–8.9° smallest detectable difference of 2D FPPA (Munro 2012), so a withheld value is one that the filming
/// could have moved by a clinically meaningful amount.
pub const MAX_FPPA_YAW_SHARE_DEG: f64 = 6.0;
/// Largest change (% of shank) a yaw anywhere within its uncertainty may make to a knee over toe for the value to
/// be reported (the yaw's share of its uncertainty): with the landmarks' typical 2 % it stays within the ±5 %
/// over-toe band.
pub const MAX_KTO_YAW_SHARE_PCT: f64 = 3.0;

/// One sample's leg points (pixels) turned into the subject's frontal plane for a camera at `yaw_deg`
/// ([`camera_yaw_deg`]) on the `facing` side, looking down by `pitch_deg` ([`super::pitch`]): hips and heels by
/// their world depth (`depth_px(side, joint)`, pixels, any origin), thigh and shank solved from their standing
/// `lengths[side] = [thigh, shank]` as the picture showed them upright ([`solve_segment`]), the toe
/// [`FOOT_INDEX_REACH_PER_SHANK`] of a shank in front of the ankle. The hips keep their place; below them x
/// changes, and with a pitch y too. `None` when a point is missing.
pub fn rectify_legs(
    p: &LegPoints,
    depth_px: &dyn Fn(Side, Joint) -> Option<f64>,
    lengths: Sides<[f64; 2]>,
    (yaw_deg, pitch_deg): (f64, f64),
    facing: Facing,
) -> Option<LegPoints> {
    // The turn about the vertical, and the sign of depth along the subject's forward direction.
    let yaw_deg = yaw_deg * facing.sign();
    let toward = facing.sign();
    let hip_x = (p.left().hip[0] + p.right().hip[0]) / 2.0;
    let hip_z = (depth_px(Side::Left, Joint::Hip)? + depth_px(Side::Right, Joint::Hip)?) / 2.0;
    // An upright segment shows its length shortened by the pitch's cosine, and a depth along the camera's axis
    // is a level one foreshortened alike (exactly so at the hips' height).
    let upright = pitch_deg.to_radians().cos();
    let by_world = |side: Side, j: Joint| {
        Some(rectify_x(p[side].get(j)[0], (depth_px(side, j)? - hip_z) / upright, hip_x, yaw_deg))
    };
    let (sin, cos) = yaw_deg.to_radians().sin_cos();
    let turn = (yaw_deg, pitch_deg);
    let mut out = *p;
    for (side, &[thigh, shank]) in lengths.with_sides() {
        let q = &p[side];
        let hip = by_world(side, Joint::Hip)?;
        let [tx, ty] = solve_segment(q.knee[0] - q.hip[0], q.knee[1] - q.hip[1], thigh / upright, turn, -toward);
        let [sx, sy] = solve_segment(q.ankle[0] - q.knee[0], q.ankle[1] - q.knee[1], shank / upright, turn, toward);
        let (knee, ankle) = ([hip + tx, q.hip[1] + ty], [hip + tx + sx, q.hip[1] + ty + sy]);
        // The toe lies on the floor in front of the ankle by the foot-index landmark's reach, the length the
        // feet's yaw is read with (BlazePose's world depth of the foot is too short to place it).
        let forward = -toward * FOOT_INDEX_REACH_PER_SHANK * shank;
        let drop = ankle[1] - q.ankle[1];
        let o = &mut out[side];
        o.hip[0] = hip;
        o.knee = knee;
        o.ankle = ankle;
        o.heel = [ankle[0] + by_world(side, Joint::Heel)? - by_world(side, Joint::Ankle)?, q.heel[1] + drop];
        o.toe = [ankle[0] + (q.toe[0] - q.ankle[0] - forward * sin) / cos, q.toe[1] + drop];
    }
    out.iter().all(|leg| leg.points().iter().all(|q| q[0].is_finite())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::Leg;
    use approx::assert_abs_diff_eq;

    /// A point of the subject's frontal plane at (X, Z) seen by a camera turned by `yaw`.
    fn seen(x: f64, z: f64, yaw_deg: f64) -> (f64, f64) {
        let (s, c) = yaw_deg.to_radians().sin_cos();
        (x * c + z * s, -x * s + z * c)
    }

    #[test]
    fn yaw_of_the_hip_line_and_its_sign() {
        // Camera toward the subject's left: the left hip (at X = +0.1 m) is nearer (smaller z).
        let (lx, lz) = seen(0.1, 0.0, 20.0);
        let (rx, rz) = seen(-0.1, 0.0, 20.0);
        let yaw = hip_yaw_deg([lx, 0.0, lz], [rx, 0.0, rz]).expect("yaw");
        assert_abs_diff_eq!(yaw, 20.0, epsilon = 1e-9);
        assert!(lz < rz);
        assert!(hip_yaw_deg([0.0; 3], [0.0; 3]).is_none());
        assert!(hip_yaw_deg([f64::NAN, 0.0, 0.0], [0.0; 3]).is_none());
    }

    #[test]
    fn the_feet_read_the_yaw_when_turned_out_alike() {
        // Heels under the hips, feet 0.2 m long turned out by `out` degrees each (toward the camera: −z).
        let feet = |yaw: f64, out_left: f64, out_right: f64| {
            let mut heels = [[0.0; 3]; 2];
            let mut toes = [[0.0; 3]; 2];
            for (k, (x, out)) in [(0.1, out_left), (-0.1, -out_right)].into_iter().enumerate() {
                let (s, c) = f64::to_radians(out).sin_cos();
                let (hx, hz) = seen(x, 0.05, yaw);
                let (tx, tz) = seen(x + 0.2 * s, 0.05 - 0.2 * c, yaw);
                heels[k] = [hx, 0.9, hz];
                toes[k] = [tx, 0.9, tz];
            }
            feet_line_deg(heels, toes).expect("feet")
        };
        for yaw in [-30.0, -10.0, 0.0, 5.0, 20.0] {
            // The same angle as the hip line of a body seen from there.
            let (lx, lz) = seen(0.1, 0.0, yaw);
            let (rx, rz) = seen(-0.1, 0.0, yaw);
            assert_abs_diff_eq!(hip_yaw_deg([lx, 0.0, lz], [rx, 0.0, rz]).expect("hips"), yaw, epsilon = 1e-9);
            assert_abs_diff_eq!(feet(yaw, 0.0, 0.0), yaw, epsilon = 1e-9);
            assert_abs_diff_eq!(feet(yaw, 15.0, 15.0), yaw, epsilon = 1e-9);
        }
        // Feet turned out unequally turn the reading by half the difference: the cue's known weakness.
        assert_abs_diff_eq!(feet(0.0, 25.0, 5.0), -10.0, epsilon = 1e-9);
        assert!(feet_line_deg([[0.0; 3]; 2], [[0.0; 3]; 2]).is_none());
    }

    #[test]
    fn the_feet_in_the_picture_read_the_yaw_and_bound_unequal_toe_out() {
        // Subject frame (pixels, X toward the subject's left, Z forward): ankles under hips 100 px apart, each
        // toe `reach` in front of its ankle turned out by its own angle; seen by a camera turned by `yaw` (a
        // point forward of the ankle moves by reach·sin(yaw) toward the image's left).
        let shank = 200.0;
        let reach = FOOT_INDEX_REACH_PER_SHANK * shank;
        let legs = |yaw: f64, out_left: f64, out_right: f64| {
            let mut p = LegPoints::default();
            for (side, x, out) in [(Side::Left, 50.0, out_left), (Side::Right, -50.0, -out_right)] {
                let (s, c) = f64::to_radians(out).sin_cos();
                let (ax, _) = seen(x, 0.0, yaw);
                let (tx, _) = seen(x + reach * s, -reach * c, yaw);
                p[side].ankle = [500.0 + ax, 800.0];
                p[side].toe = [500.0 + tx, 830.0];
            }
            feet_picture_yaw(&p, Sides::new(shank, shank)).expect("feet")
        };
        for yaw in [-20.0, -5.0, 0.0, 10.0, 15.0] {
            let [y, half_out] = legs(yaw, 0.0, 0.0);
            assert_abs_diff_eq!(y, yaw, epsilon = 1e-9);
            assert_abs_diff_eq!(half_out, 0.0, epsilon = 1e-9);
            // Turned out alike: the mean keeps the yaw, and the half toe-out is what they turn.
            let [y, half_out] = legs(yaw, 12.0, 12.0);
            assert_abs_diff_eq!(y, yaw, epsilon = 1e-9);
            assert_abs_diff_eq!(half_out, 12.0, epsilon = 1e-9);
        }
        // Turned out unequally (20° and 4°), the reading moves by half the difference, within the half toe-out.
        let [y, half_out] = legs(10.0, 20.0, 4.0);
        assert_abs_diff_eq!(y, 10.0 - 8.0, epsilon = 1e-9);
        assert_abs_diff_eq!(half_out, 12.0, epsilon = 1e-9);
        // A toe further to the side than the foot reaches is not a reading.
        let mut p = LegPoints::default();
        p[Side::Left].toe = [2.0 * reach, 0.0];
        assert!(feet_picture_yaw(&p, Sides::new(shank, shank)).is_none());
    }

    #[test]
    fn rectification_undoes_the_yaw() {
        // A knee 0.05 m lateral and 0.3 m forward (toward the camera: negative z) of the hip midpoint.
        for yaw in [-30.0, -10.0, 0.0, 15.0, 30.0] {
            let (x, z) = seen(0.05, -0.3, yaw);
            assert_abs_diff_eq!(rectify_x(x, z, 0.0, yaw), 0.05, epsilon = 1e-12);
            // Pixels: the same with a scale and an offset.
            assert_abs_diff_eq!(rectify_x(500.0 + 800.0 * x, 800.0 * z, 500.0, yaw), 540.0, epsilon = 1e-9);
        }
    }

    #[test]
    fn yaw_from_behind_is_measured_from_square_to_the_back() {
        // A camera at 170° around the subject (behind, toward the subject's left): the hip line reads about 170°.
        assert_abs_diff_eq!(camera_yaw_deg(170.0, Facing::Back), 10.0, epsilon = 1e-9);
        assert_abs_diff_eq!(camera_yaw_deg(-170.0, Facing::Back), -10.0, epsilon = 1e-9);
        assert_abs_diff_eq!(camera_yaw_deg(180.0, Facing::Back), 0.0, epsilon = 1e-9);
        assert_abs_diff_eq!(camera_yaw_deg(-12.0, Facing::Front), -12.0, epsilon = 1e-9);
    }

    #[test]
    fn legs_filmed_from_behind_are_rectified_without_mirroring() {
        // Subject frame (metres, X toward the subject's left, Z forward): hips ±0.1, knees 0.05 medial of a
        // straight line and 0.3 forward, ankles under the hips. Seen from behind by a camera at 180° − yaw.
        let scale = 1000.0;
        let shank_m = (0.05f64.powi(2) + 0.3f64.powi(2) + 0.4f64.powi(2)).sqrt();
        for yaw in [-10.0f64, 0.0, 10.0] {
            // From behind the image x runs along −X and depth along +Z; then the camera turns by −yaw.
            let cam = |x: f64, z: f64| seen(-x, z, -yaw);
            let mut p = LegPoints::default();
            let mut depth = Sides::<[f64; 5]>::default();
            let mut lengths = Sides::<[f64; 2]>::default();
            for (side, sx) in [(Side::Left, 1.0), (Side::Right, -1.0)] {
                let pts = [
                    (0.1 * sx, 0.0, 0.0),
                    (0.05 * sx, 0.3, 0.4),
                    (0.1 * sx, 0.0, 0.8),
                    (0.1 * sx, -0.05, 0.85),
                    (0.1 * sx, FOOT_INDEX_REACH_PER_SHANK * shank_m, 0.85),
                ];
                let image = pts.map(|(x, z, y)| {
                    let (ix, iz) = cam(x, z);
                    ([500.0 + scale * ix, scale * y], scale * iz)
                });
                p[side] = Leg::from_fn(|j| image[j.index()].0);
                depth[side] = image.map(|(_, d)| d);
                let len = |a: (f64, f64, f64), b: (f64, f64, f64)| {
                    scale * ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt()
                };
                lengths[side] = [len(pts[0], pts[1]), len(pts[1], pts[2])];
            }
            let out = rectify_legs(&p, &|side, j| Some(depth[side][j.index()]), lengths, (yaw, 0.0), Facing::Back)
                .expect("points");
            // Square to the back: the left hip on the image's left, the knees 50 px medial of the hips.
            let (l, r) = (out.left(), out.right());
            assert_abs_diff_eq!(l.hip[0], 400.0, epsilon = 1e-6);
            assert_abs_diff_eq!(r.hip[0], 600.0, epsilon = 1e-6);
            assert_abs_diff_eq!(l.knee[0], 450.0, epsilon = 1e-6);
            assert_abs_diff_eq!(r.knee[0], 550.0, epsilon = 1e-6);
            assert_abs_diff_eq!(l.ankle[0], 400.0, epsilon = 1e-6);
            assert_abs_diff_eq!(l.toe[0], 400.0, epsilon = 1e-6);
        }
    }

    #[test]
    fn segments_are_solved_from_their_length() {
        // A thigh 400 px long, 60 px lateral (valgus), 250 px toward the camera, the rest vertical.
        let (x, z) = (60.0, -250.0);
        let y = (400.0f64 * 400.0 - x * x - z * z).sqrt();
        for yaw in [-30.0, -15.0, 0.0, 10.0, 20.0, 30.0] {
            let (dx, _) = seen(x, z, yaw);
            assert_abs_diff_eq!(solve_segment(dx, y, 400.0, (yaw, 0.0), -1.0)[0], x, epsilon = 1e-6);
            // The shank from the knee down to the ankle, which lies further from the camera.
            let (dx, _) = seen(-20.0, 250.0, yaw);
            let yy = (400.0f64 * 400.0 - 20.0 * 20.0 - 250.0 * 250.0).sqrt();
            assert_abs_diff_eq!(solve_segment(dx, yy, 400.0, (yaw, 0.0), 1.0)[0], -20.0, epsilon = 1e-6);
        }
        // At yaw 0 the image is returned as it is, whatever the length.
        assert_abs_diff_eq!(solve_segment(37.0, 300.0, 350.0, (0.0, 0.0), -1.0)[0], 37.0, epsilon = 1e-9);
        assert_abs_diff_eq!(solve_segment(37.0, 300.0, 200.0, (0.0, 0.0), -1.0)[0], 37.0, epsilon = 1e-9);
    }

    #[test]
    fn running_median_skips_gaps_and_spikes() {
        let v = [Some(1.0), Some(1.0), Some(50.0), None, Some(1.0), Some(2.0)];
        let m = crate::kinematics::filter::running_median(&v, 2);
        assert_eq!(m[0], Some(1.0));
        assert_eq!(m[2], Some(1.0));
        assert_eq!(m[3], None);
        assert_eq!(m[5].map(|x| x.round()), Some(2.0));
    }
}
