//! The kinematics core: a [`PoseTrack`] in, clean per-frame knee [`Signals`] out.
//!
//! Steps, in order: left/right label swaps are corrected (frontal views); every lower-body coordinate is put
//! on a uniform time grid at the clip's real rate, short gaps are filled (flagged) and long ones left empty,
//! outliers are replaced (Hampel) and a zero-phase Butterworth low-pass is applied ([`filter`]); the view is
//! classified per sample from the pelvis's yaw ([`View`]); camera roll is measured from the heel line while
//! standing and removed; then the metrics are computed per sample and per leg.
//!
//! # Conventions (the contract of `DESIGN.md`)
//!
//! * Coordinates are image pixels of the upright frame, x right, y **down**, after removing camera roll.
//! * Left and right are the **subject's**. Index 0 of every per-leg pair is the left leg, 1 the right.
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
//! Files, by the job they do: `input` (the track as arrays; time checks), `clean` (every series on a uniform
//! grid, cleaned with the [`filter`]s), `view` (views, facing, left/right swaps), `standing` (standing
//! references, camera roll), [`yaw`] (camera yaw, the subject's frontal plane), `geometry` (angles and offsets),
//! `reasons` (why a value is missing), `types` (settings, errors, [`Signals`]); this file holds
//! [`compute_signals`], which calls them in order.

mod clean;
pub mod filter;
mod geometry;
mod input;
mod reasons;
mod standing;
mod types;
mod view;
pub mod yaw;

pub use yaw::{
    FOOT_FORWARD_PER_SHANK, FPPA_BASE_ERROR_DEG, KTO_BASE_ERROR_PCT, MAX_FPPA_UNCERTAINTY_DEG, MAX_KTO_UNCERTAINTY_PCT,
    MAX_RECTIFIED_YAW_DEG,
};

pub use geometry::{angle_deg, fppa_deg, kto_pct};
pub use standing::{
    LegPoints, Standing, MAX_ROLL_DEG, MIN_ROLL_SAMPLES, ROLL_AGREE_DEG, ROLL_MIN_FLAT_FRACTION, STANDING_BAND,
    STANDING_PERCENTILE, STANDING_WINDOW_S,
};
pub use types::{FlexionSource, KinematicsConfig, KinematicsError, LegSignals, Signals, Unavailable};
pub use view::{
    majority_view, view_name, Facing, View, FACE_VISIBLE, FACING_MIN_FRAMES, FACING_MIN_SHARE, FRONTAL_MAX_YAW_DEG,
    SAGITTAL_MIN_YAW_DEG, SWAP_CONTINUITY_RATIO, SWAP_MARGIN, VIEW_SMOOTH_HALF_S,
};

use geometry::{dist, median_of, percentile, segment_flexion, world_flexion, FrontalLeg};
use input::{extract, WORLD_POINTS};
use reasons::Withheld;
use standing::{estimate_roll, local_standing, roll_correction, standing_refs};
use view::{classify, correct_swaps, yaw_deg};

use crate::pose::PoseTrack;

/// Index of the left leg in per-leg pairs.
pub const LEFT: usize = 0;
/// Index of the right leg in per-leg pairs.
pub const RIGHT: usize = 1;
/// BlazePose landmark indices, `[left, right]`.
pub const SHOULDER: [usize; 2] = [11, 12];
/// Hips.
pub const HIP: [usize; 2] = [23, 24];
/// Knees.
pub const KNEE: [usize; 2] = [25, 26];
/// Ankles.
pub const ANKLE: [usize; 2] = [27, 28];
/// Heels.
pub const HEEL: [usize; 2] = [29, 30];
/// Foot index (tip of the foot), the proxy for the second toe.
pub const TOE: [usize; 2] = [31, 32];
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

/// Run the kinematics stage on a track.
pub fn compute_signals(track: &PoseTrack, config: &KinematicsConfig) -> Result<Signals, KinematicsError> {
    let mut raw = extract(track)?;
    let mut unavailable = Vec::new();

    // View per frame from the raw world landmarks (symmetric in left/right, so label swaps do not matter).
    let yaw_raw: Vec<f64> = raw.world.iter().map(yaw_deg).collect();
    let frontal_raw = view::frontal_frames(&raw.t, &yaw_raw);
    let Some(leg_guess) = median_of(raw.img.iter().map(|p| (dist(p[0], p[4]) + dist(p[1], p[5])) / 2.0)) else {
        return Err(KinematicsError::NoSubject);
    };
    if leg_guess < MIN_LEG_PX {
        return Err(KinematicsError::SubjectTooSmall { leg_px: leg_guess });
    }
    let nose =
        median_of(raw.nose_visibility.iter().zip(&raw.img).filter(|(_, p)| p[0][0].is_finite()).map(|(v, _)| *v));
    let facing = view::facing(&raw, &frontal_raw, leg_guess, nose);
    let swaps_corrected = correct_swaps(&mut raw, &frontal_raw, facing, leg_guess);

    // Uniform grid at the clip's real rate; every series cleaned.
    let clean::Cleaned {
        rate_hz,
        t_s,
        frame,
        valid,
        filled,
        img_series,
        world_series,
        visibility,
        in_frame,
        long_gaps,
        outliers_replaced,
    } = clean::clean(&raw, config)?;
    let n = t_s.len();

    // View per sample.
    let left_nearer = median_of((0..n).map(|i| world_series[0][2][i] - world_series[1][2][i])).is_some_and(|d| d < 0.0);
    let pelvis_yaw: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let mut w = [[0.0; 3]; WORLD_POINTS.len()];
            w[0] = [world_series[0][0][i], world_series[0][1][i], world_series[0][2][i]];
            w[1] = [world_series[1][0][i], world_series[1][1][i], world_series[1][2][i]];
            let y = yaw_deg(&w);
            (valid[i] && y.is_finite()).then_some(y)
        })
        .collect();
    let view: Vec<View> =
        pelvis_yaw.iter().map(|y| y.map_or(View::Unknown, |y| classify(y, facing, left_nearer))).collect();
    let clip_view = majority_view(&view);

    let pt = |k: usize, i: usize| -> [f64; 2] { [img_series[k][0][i], img_series[k][1][i]] };
    let wpt =
        |k: usize, i: usize| -> [f64; 3] { [world_series[k][0][i], world_series[k][1][i], world_series[k][2][i]] };

    // Signed camera yaw from the world hip line (relative to the side the camera films from), smoothed.
    let yaw_each: Vec<Option<f64>> = (0..n)
        .map(|i| if valid[i] { yaw::hip_yaw_deg(wpt(0, i), wpt(1, i)) } else { None })
        .map(|y| y.map(|y| yaw::camera_yaw_deg(y, facing)))
        .collect();
    let camera_yaw = filter::running_median(&yaw_each, (yaw::YAW_HALF_WINDOW_S * rate_hz).round() as usize);

    // Standing samples, from the hip height before roll correction (roll changes it negligibly).
    let hip_y: Vec<f64> = (0..n).map(|i| (pt(0, i)[1] + pt(1, i)[1]) / 2.0).collect();
    let leg_est = median_of((0..n).map(|i| (dist(pt(0, i), pt(4, i)) + dist(pt(1, i), pt(5, i))) / 2.0));
    let standing_idx: Vec<usize> = match (percentile(&hip_y, STANDING_PERCENTILE), leg_est) {
        (Some(top), Some(leg)) => (0..n).filter(|&i| valid[i] && hip_y[i] <= top + STANDING_BAND * leg).collect(),
        _ => Vec::new(),
    };

    // Camera roll (frontal views only) from two cues that hold while standing with both feet planted: the heel
    // line (the floor) and the standing body's axis (ankle midpoint to hip midpoint, which is vertical). When the
    // two disagree, or there is no such standing, the roll is not corrected and the reason is recorded.
    let frontal_standing: Vec<usize> = standing_idx.iter().copied().filter(|&i| view[i].is_frontal()).collect();
    let (roll, roll_note) = roll_correction(estimate_roll(&frontal_standing, &pt));
    unavailable.extend(roll_note);
    let (w, h) = (f64::from(track.clip.width), f64::from(track.clip.height));
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (s, c) = (-roll.to_radians()).sin_cos();
    let unroll = |p: [f64; 2]| -> [f64; 2] {
        let (dx, dy) = (p[0] - cx, p[1] - cy);
        [cx + c * dx - s * dy, cy + s * dx + c * dy]
    };
    // points[i][side][hip, knee, ankle, heel, toe]
    let points: Vec<LegPoints> = (0..n)
        .map(|i| {
            let mut out = [[[f64::NAN; 2]; 5]; 2];
            for (side, leg) in out.iter_mut().enumerate() {
                for (j, slot) in leg.iter_mut().enumerate() {
                    *slot = unroll(pt(2 * j + side, i));
                }
            }
            out
        })
        .collect();

    let standing = standing_refs(&points, &standing_idx);
    // Pixels per metre of world depth: the standing image leg length over the world leg length.
    let world_leg = |i: usize, side: usize| {
        let (h, a) = (wpt(side, i), wpt(4 + side, i));
        ((h[0] - a[0]).powi(2) + (h[1] - a[1]).powi(2) + (h[2] - a[2]).powi(2)).sqrt()
    };
    let px_per_m = median_of(standing_idx.iter().map(|&i| {
        let p = &points[i];
        (dist(p[0][0], p[0][2]) + dist(p[1][0], p[1][2])) / (world_leg(i, 0) + world_leg(i, 1))
    }));
    // Standing segment lengths per leg (image pixels), the known lengths the thigh and shank are solved with.
    let seg_len = |a: usize, b: usize, side: usize| {
        median_of(standing_idx.iter().map(|&i| dist(points[i][side][a], points[i][side][b])))
    };
    let thigh_px = [seg_len(0, 1, 0), seg_len(0, 1, 1)];
    let shank_px = [seg_len(1, 2, 0), seg_len(1, 2, 1)];
    // The points turned into the subject's frontal plane for a camera yaw; the frontal metrics are taken on
    // these. Hips, heels and toes: world depth; thigh and shank: solved from their standing lengths (see `yaw`).
    let rectify_at = |i: usize, yaw_deg: f64| -> Option<LegPoints> {
        let scale = px_per_m?;
        let lengths = [[thigh_px[0]?, shank_px[0]?], [thigh_px[1]?, shank_px[1]?]];
        yaw::rectify_legs(&points[i], &|side, j| Some(wpt(2 * j + side, i)[2] * scale), lengths, yaw_deg, facing)
    };
    // A check on the yaw: the knee line of the standing frames measures the same angle as the hip line; when the
    // two disagree by more than the yaw's usual uncertainty, the disagreement is the uncertainty.
    let line_yaw =
        |a: usize, i: usize| yaw::hip_yaw_deg(wpt(a, i), wpt(a + 1, i)).map(|y| yaw::camera_yaw_deg(y, facing));
    let yaw_disagreement = match (
        median_of(standing_idx.iter().filter_map(|&i| line_yaw(0, i))),
        median_of(standing_idx.iter().filter_map(|&i| line_yaw(2, i))),
    ) {
        (Some(h), Some(k)) => (h - k).abs(),
        _ => 0.0,
    };
    let yaw_sigma = |y: f64| yaw::yaw_uncertainty_deg(y).max(yaw_disagreement);
    // At the measured yaw, where it is within what the rectification handles. (Taking a yaw within its own
    // uncertainty of zero as a square camera was tried: exact on a square camera, but 7° wrong per leg on a
    // camera 5° off, and it made the uncertainty one-sided; the measured yaw is used as it is.)
    let effective_yaw: Vec<Option<f64>> =
        camera_yaw.iter().map(|y| y.filter(|y| y.abs() <= MAX_RECTIFIED_YAW_DEG)).collect();
    let frontal_points: Vec<Option<LegPoints>> =
        (0..n).map(|i| effective_yaw[i].and_then(|y| rectify_at(i, y))).collect();
    let frontal_standing_refs = {
        let idx: Vec<usize> = standing_idx.iter().copied().filter(|&i| frontal_points[i].is_some()).collect();
        let pts: Vec<LegPoints> = (0..n).map(|i| frontal_points[i].unwrap_or(points[i])).collect();
        standing_refs(&pts, &idx)
    };
    let local = standing.map(|st| local_standing(&points, &valid, rate_hz, (st.leg_px[0] + st.leg_px[1]) / 2.0));
    if standing.is_none() {
        unavailable.push(Unavailable { metric: "standing".into(), reason: "no standing frames found".into() });
    }

    let mut legs: [LegSignals; 2] = Default::default();
    let mut hip_drop = vec![None; n];
    let mut obliquity = vec![None; n];
    let mut shift = vec![None; n];
    let mut any_non_frontal = false;
    let mut any_frontal = false;
    let mut foreshortened = false;
    let mut yaw_withheld: Option<f64> = None;
    // The worst case of a value withheld for the yaw's uncertainty: (yaw, FPPA uncertainty).
    let mut uncertain: Option<(f64, f64)> = None;
    let fst = frontal_standing_refs.or(standing);
    // FPPA (if both segments are upright enough) and knee over toe of one leg on frontal-plane points.
    let frontal_leg = |fp: &LegPoints, side: usize| -> FrontalLeg {
        let Some(st) = fst else { return FrontalLeg { fppa: None, kto: None, upright: false } };
        let other = 1 - side;
        let (fhip, fknee, fankle, ftoe) = (fp[side][0], fp[side][1], fp[side][2], fp[side][4]);
        let tilt = |a: [f64; 2], b: [f64; 2]| (b[0] - a[0]).abs().atan2((b[1] - a[1]).abs()).to_degrees();
        let thigh0 = (st.leg_px[side] - st.shank_px[side]).max(1e-9);
        let upright = dist(fhip, fknee) >= MIN_FORESHORTENING * thigh0
            && dist(fknee, fankle) >= MIN_FORESHORTENING * st.shank_px[side]
            && tilt(fhip, fknee) <= MAX_SEGMENT_TILT_DEG
            && tilt(fknee, fankle) <= MAX_SEGMENT_TILT_DEG;
        let fppa = upright.then(|| fppa_deg(fhip, fknee, fankle, fp[other][0]));
        let medial = (fp[other][0][0] - fhip[0]).signum();
        let kto = (st.shank_px[side] > 0.0).then(|| kto_pct(fknee, ftoe, medial, st.shank_px[side]));
        FrontalLeg { fppa, kto, upright }
    };
    let mut fppa_mean = vec![None; n];
    let mut kasr = vec![None; n];
    for i in 0..n {
        let p = &points[i];
        let ok = valid[i] && p[0][0][0].is_finite();
        let frontal_view = ok && view[i].is_frontal();
        // Frontal-plane metrics need the subject's frontal plane: the rectified points.
        let frontal = frontal_view && frontal_points[i].is_some();
        if frontal_view && !frontal {
            let y = camera_yaw[i].unwrap_or(f64::NAN);
            yaw_withheld = Some(yaw_withheld.map_or(y, |w: f64| if y.abs() > w.abs() { y } else { w }));
        }
        let fp = frontal_points[i].as_ref().unwrap_or(p);
        // The same leg metrics with the yaw at either end of its uncertainty: how far a wrong yaw could move them.
        // The yaw used, and the ends of the range the true yaw may lie in (the measured yaw ± its uncertainty).
        let yaw_here = effective_yaw[i].unwrap_or(0.0);
        let measured = camera_yaw[i].unwrap_or(0.0);
        let sigma = yaw_sigma(measured);
        let bounds: Vec<LegPoints> = if frontal {
            [measured - sigma, measured + sigma].iter().filter_map(|&y| rectify_at(i, y)).collect()
        } else {
            Vec::new()
        };
        any_frontal |= frontal;
        // Yaw-robust bilateral values on the image itself (a yaw moves both knees the same way in the picture,
        // so it cancels from the mean of the two FPPAs and from the knee-to-ankle separation ratio).
        if frontal_view {
            let image_fppa = [frontal_leg(p, LEFT), frontal_leg(p, RIGHT)];
            if let (Some(l), Some(r)) = (image_fppa[0].fppa, image_fppa[1].fppa) {
                fppa_mean[i] = Some((l + r) / 2.0);
            }
            let ankles = (p[LEFT][2][0] - p[RIGHT][2][0]).abs();
            if ankles > 0.0 {
                kasr[i] = Some((p[LEFT][1][0] - p[RIGHT][1][0]).abs() / ankles);
            }
        }
        any_non_frontal |= ok && !view[i].is_frontal();
        let hip_mid = [(p[0][0][0] + p[1][0][0]) / 2.0, (p[0][0][1] + p[1][0][1]) / 2.0];
        if let (true, Some(local)) = (ok, &local) {
            let (top, leg) = local[i];
            if top.is_finite() && leg > 0.0 {
                hip_drop[i] = Some((hip_mid[1] - top) / leg * 100.0);
            }
        }
        // Medial is toward the other hip; the subject's left is toward the left hip.
        let left_dir = (fp[LEFT][0][0] - fp[RIGHT][0][0]).signum();
        if frontal {
            obliquity[i] =
                Some((fp[RIGHT][0][1] - fp[LEFT][0][1]).atan2((fp[LEFT][0][0] - fp[RIGHT][0][0]).abs()).to_degrees());
            if let Some(st) = fst.filter(|s| s.stance_width_px > 0.0) {
                let ankle_mid = (fp[0][2][0] + fp[1][2][0]) / 2.0;
                let hip_mid_x = (fp[0][0][0] + fp[1][0][0]) / 2.0;
                shift[i] = Some((hip_mid_x - ankle_mid) * left_dir / st.stance_width_px * 100.0);
            }
        }
        for side in 0..2 {
            let (hip, knee, ankle) = (p[side][0], p[side][1], p[side][2]);
            let leg = &mut legs[side];
            let st_leg = standing.map(|s| s.leg_px[side]);
            let FrontalLeg { mut fppa, mut kto, upright } =
                if frontal { frontal_leg(fp, side) } else { FrontalLeg { fppa: None, kto: None, upright: true } };
            if frontal && !upright {
                foreshortened = true;
            }
            // Uncertainty from the yaw's: the largest change at either end of the yaw's range.
            let spread = |value: Option<f64>, pick: &dyn Fn(&FrontalLeg) -> Option<f64>| {
                let v = value?;
                let ends: Vec<f64> = bounds.iter().filter_map(|b| pick(&frontal_leg(b, side))).collect();
                Some(if ends.len() == 2 {
                    ends.iter().map(|e| (e - v).abs()).fold(0.0, f64::max)
                } else {
                    f64::INFINITY
                })
            };
            let u_fppa = spread(fppa, &|m| m.fppa).map(|u| u + FPPA_BASE_ERROR_DEG);
            let u_kto = spread(kto, &|m| m.kto).map(|u| u + KTO_BASE_ERROR_PCT);
            if u_fppa.is_some_and(|u| u > MAX_FPPA_UNCERTAINTY_DEG)
                || u_kto.is_some_and(|u| u > MAX_KTO_UNCERTAINTY_PCT)
            {
                let u = u_fppa.unwrap_or(0.0);
                if uncertain.is_none_or(|(_, worst)| u > worst) {
                    uncertain = Some((camera_yaw[i].unwrap_or(yaw_here), u));
                }
            }
            if u_fppa.is_some_and(|u| u > MAX_FPPA_UNCERTAINTY_DEG) {
                fppa = None;
            }
            if facing == Facing::Back {
                fppa = None;
                kto = None;
            }
            if u_kto.is_some_and(|u| u > MAX_KTO_UNCERTAINTY_PCT) {
                kto = None;
            }
            leg.fppa_deg.push(fppa);
            leg.fppa_uncertainty_deg.push(fppa.and(u_fppa));
            leg.kto_uncertainty_pct_shank.push(kto.and(u_kto));
            leg.kto_pct_shank.push(kto);
            leg.hip_below_knee_pct_leg.push(match (ok, st_leg) {
                (true, Some(l)) if l > 0.0 => Some((hip[1] - knee[1]) / l * 100.0),
                _ => None,
            });
            leg.ankle_drop_pct_leg.push(match (ok, standing) {
                (true, Some(st)) if st.leg_px[side] > 0.0 => {
                    let standing_ankle = st.hip_y_px + st.leg_px[side];
                    Some((ankle[1] - standing_ankle) / st.leg_px[side] * 100.0)
                }
                _ => None,
            });
            if ok && view[i].is_sagittal() {
                leg.knee_flexion_deg.push(Some(180.0 - angle_deg(hip, knee, ankle)));
                leg.knee_flexion_source.push(Some(FlexionSource::Sagittal2d));
            } else if let (true, Some(thigh), Some(shank)) = (frontal_view, thigh_px[side], shank_px[side]) {
                let flex = segment_flexion(fp[side][0], fp[side][1], fp[side][2], thigh, shank);
                leg.knee_flexion_deg.push(flex);
                leg.knee_flexion_source.push(flex.map(|_| FlexionSource::SegmentLengths));
            } else if ok {
                let wp = |k: usize| -> [f64; 3] {
                    let s = &world_series[2 * k + side];
                    [s[0][i], s[1][i], s[2][i]]
                };
                let flex = world_flexion(wp(0), wp(1), wp(2));
                leg.knee_flexion_deg.push(flex);
                leg.knee_flexion_source.push(flex.map(|_| FlexionSource::World3d));
            } else {
                leg.knee_flexion_deg.push(None);
                leg.knee_flexion_source.push(None);
            }
        }
    }
    unavailable.extend(
        Withheld {
            from_behind: facing == Facing::Back && any_frontal,
            any_frontal,
            any_non_frontal,
            clip_view,
            uncertain: uncertain.map(|(y, u)| (y, yaw_sigma(y), u)),
            yaw_withheld,
            foreshortened,
            no_side_view: !view.iter().any(|v| v.is_sagittal()) && valid.iter().any(|v| *v),
        }
        .reasons(),
    );

    Ok(Signals {
        rate_hz,
        t_s,
        frame,
        valid,
        filled,
        in_frame,
        visibility,
        view,
        pelvis_yaw_deg: pelvis_yaw,
        camera_yaw_deg: camera_yaw,
        clip_view,
        roll_deg: roll,
        swaps_corrected,
        outliers_replaced,
        long_gaps,
        standing,
        hip_drop_pct_leg: hip_drop,
        pelvic_obliquity_deg: obliquity,
        pelvic_shift_pct_stance: shift,
        fppa_mean_deg: fppa_mean,
        kasr,
        legs,
        unavailable,
        points,
    })
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
