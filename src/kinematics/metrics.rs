//! The metric stage: per sample and per leg, every value of [`Signals`] that the view supports, and the facts
//! behind the values it withholds ([`Withheld`]).
//!
//! In: the cleaned series, the roll-corrected points, the view per sample, the [`FrontalPlane`], the standing
//! references. Out: [`Metrics`]. Sign conventions: the parent module's doc.

use super::clean::Cleaned;
use super::frontal::FrontalPlane;
use super::geometry::{angle_deg, segment_flexion, world_flexion, FrontalLeg};
use super::reasons::{Cause, Missing, Withheld};
use super::side::{Joint, LegPoints, Side, Sides};
use super::standing::Standing;
use super::types::{FlexionSource, LegSignals};
use super::view::{majority_view, Facing, View};
use super::yaw::{FPPA_BASE_ERROR_DEG, KTO_BASE_ERROR_PCT, MAX_FPPA_YAW_SHARE_DEG, MAX_KTO_YAW_SHARE_PCT};

/// What the metric stage reads.
pub(crate) struct Inputs<'a> {
    /// The cleaned series (validity, world points).
    pub(crate) cleaned: &'a Cleaned,
    /// Roll-corrected image points per sample.
    pub(crate) points: &'a [LegPoints],
    /// View per sample.
    pub(crate) view: &'a [View],
    /// Which side the camera films from.
    pub(crate) facing: Facing,
    /// The subject's frontal plane.
    pub(crate) plane: &'a FrontalPlane<'a>,
    /// Standing references on the image points.
    pub(crate) standing: Option<Standing>,
    /// Standing hip height and leg length around each sample (pixels), when there is a standing.
    pub(crate) local: Option<Vec<(f64, f64)>>,
}

/// Every per-sample series of the metric stage.
#[derive(Default)]
pub(crate) struct Metrics {
    /// Per-leg series.
    pub(crate) legs: Sides<LegSignals>,
    /// Hip drop, % of standing leg length.
    pub(crate) hip_drop: Vec<Option<f64>>,
    /// Pelvic obliquity, degrees.
    pub(crate) obliquity: Vec<Option<f64>>,
    /// Pelvic shift, % of stance width.
    pub(crate) shift: Vec<Option<f64>>,
    /// Mean of the two FPPAs on the image.
    pub(crate) fppa_mean: Vec<Option<f64>>,
    /// Knee-to-ankle separation ratio.
    pub(crate) kasr: Vec<Option<f64>>,
    /// Why the frontal values are missing, per sample (its `texts` are filled from the [`Withheld`] facts).
    pub(crate) missing: Missing,
}

/// Facts gathered while computing, for the reasons of missing values.
#[derive(Default)]
struct Facts {
    any_frontal: bool,
    any_non_frontal: bool,
    foreshortened: bool,
    /// The largest yaw beyond what rectification handles (`NaN` when it could not be measured).
    yaw_withheld: Option<f64>,
    /// The worst value withheld for the yaw's uncertainty: (yaw, its uncertainty, FPPA uncertainty).
    uncertain: Option<(f64, f64, f64)>,
    /// The largest yaw at which a toe-out was withheld.
    toe_out_yaw: Option<f64>,
}

/// The larger in magnitude of the yaw kept so far and `y` (the yaw a reason quotes).
fn widest(kept: Option<f64>, y: f64) -> f64 {
    kept.map_or(y, |w| if y.abs() > w.abs() { y } else { w })
}

/// One sample's situation.
struct Sample<'p> {
    i: usize,
    /// Roll-corrected image points.
    p: &'p LegPoints,
    /// The subject's frontal-plane points (the image's where there are none).
    fp: &'p LegPoints,
    /// Valid, with points.
    ok: bool,
    /// A frontal view.
    frontal_view: bool,
    /// A frontal view with frontal-plane points: frontal metrics can be taken.
    frontal: bool,
}

/// Compute every metric; returns them with the facts behind what was withheld.
pub(crate) fn compute(inp: &Inputs) -> (Metrics, Withheld) {
    let n = inp.points.len();
    let mut m = Metrics {
        hip_drop: vec![None; n],
        obliquity: vec![None; n],
        shift: vec![None; n],
        fppa_mean: vec![None; n],
        kasr: vec![None; n],
        ..Default::default()
    };
    let mut facts = Facts::default();
    for i in 0..n {
        let p = &inp.points[i];
        let ok = inp.cleaned.valid[i] && p.left().hip[0].is_finite();
        let frontal_view = ok && inp.view[i].is_frontal();
        let frontal = frontal_view && inp.plane.rectified[i].is_some();
        let fp = inp.plane.rectified[i].as_ref().unwrap_or(p);
        let s = Sample { i, p, fp, ok, frontal_view, frontal };
        if frontal_view && !frontal {
            let y = inp.plane.camera_yaw[i].unwrap_or(f64::NAN);
            facts.yaw_withheld = Some(widest(facts.yaw_withheld, y));
        }
        facts.any_frontal |= frontal;
        facts.any_non_frontal |= ok && !inp.view[i].is_frontal();
        if frontal_view {
            (m.fppa_mean[i], m.kasr[i]) = bilateral(inp.plane, i, p);
        }
        m.missing.fppa_mean.push(match (ok, frontal_view) {
            (false, _) => None,
            (true, false) => Some(Cause::NotFrontal),
            (true, true) => m.fppa_mean[i].is_none().then_some(Cause::Foreshortened),
        });
        m.hip_drop[i] = hip_drop(inp, &s);
        if frontal {
            (m.obliquity[i], m.shift[i]) = pelvis(fp, inp.plane.standing);
        }
        let bounds = if frontal { inp.plane.yaw_bounds(i) } else { Vec::new() };
        for side in Side::BOTH {
            m.legs[side].toe_out_deg.push(leg_toe_out(inp, &s, side, &mut facts));
            let leg = &mut m.legs[side];
            let FrontalValues { fppa, u_fppa, kto, u_kto, fppa_cause, kto_cause } =
                frontal_values(inp, &s, side, &bounds, &mut facts);
            m.missing.fppa[side].push(fppa_cause);
            m.missing.kto[side].push(kto_cause);
            leg.fppa_deg.push(fppa);
            leg.fppa_uncertainty_deg.push(fppa.and(u_fppa));
            leg.kto_uncertainty_pct_shank.push(kto.and(u_kto));
            leg.kto_pct_shank.push(kto);
            let (below, ankle_drop) = depth_values(inp.standing, &s, side);
            leg.hip_below_knee_pct_leg.push(below);
            leg.ankle_drop_pct_leg.push(ankle_drop);
            let (flexion, source) = flexion(inp, &s, side);
            leg.knee_flexion_deg.push(flexion);
            leg.knee_flexion_source.push(source);
        }
    }
    let clip_view = majority_view(inp.view);
    let withheld = Withheld {
        from_behind: inp.facing == Facing::Back && facts.any_frontal,
        any_frontal: facts.any_frontal,
        any_non_frontal: facts.any_non_frontal,
        clip_view,
        uncertain: facts.uncertain,
        hip_line_only: inp.plane.hip_line_only,
        half_toe_out: inp.plane.half_toe_out,
        yaw_withheld: facts.yaw_withheld,
        foreshortened: facts.foreshortened,
        no_side_view: !inp.view.iter().any(|v| v.is_sagittal()) && inp.cleaned.valid.iter().any(|v| *v),
        toe_out_yaw: facts.toe_out_yaw,
    };
    (m, withheld)
}

/// Yaw-robust bilateral values on the image itself (a yaw moves both knees the same way in the picture, so it
/// cancels from the mean of the two FPPAs and from the knee-to-ankle separation ratio). A camera's pitch does not
/// cancel (it reads both knees valgus): where one is applied, the mean is taken on sample `i`'s points turned
/// back for the pitch alone (a yaw of 0, which leaves x, and so the ratio, as the picture has them).
fn bilateral(plane: &FrontalPlane, i: usize, p: &LegPoints) -> (Option<f64>, Option<f64>) {
    let level = (plane.pitch_deg != 0.0).then(|| plane.rectify_at(i, 0.0)).flatten();
    let q = level.as_ref().unwrap_or(p);
    let (l, r) = (plane.leg(q, Side::Left).fppa, plane.leg(q, Side::Right).fppa);
    let mean = l.zip(r).map(|(l, r)| (l + r) / 2.0);
    let ankles = (p.left().ankle[0] - p.right().ankle[0]).abs();
    let kasr = (ankles > 0.0).then(|| (p.left().knee[0] - p.right().knee[0]).abs() / ankles);
    (mean, kasr)
}

/// Hip drop against the local standing level (% of leg length).
fn hip_drop(inp: &Inputs, s: &Sample) -> Option<f64> {
    let (top, leg) = inp.local.as_ref()?[s.i];
    let hip_y = (s.p.left().hip[1] + s.p.right().hip[1]) / 2.0;
    (s.ok && top.is_finite() && leg > 0.0).then(|| (hip_y - top) / leg * 100.0)
}

/// Pelvic obliquity (degrees) and shift (% of stance width) on frontal-plane points.
fn pelvis(fp: &LegPoints, standing: Option<Standing>) -> (Option<f64>, Option<f64>) {
    let (l, r) = (fp.left(), fp.right());
    let obliquity = (r.hip[1] - l.hip[1]).atan2((l.hip[0] - r.hip[0]).abs()).to_degrees();
    // The subject's left is toward the left hip.
    let left_dir = (l.hip[0] - r.hip[0]).signum();
    let shift = standing.filter(|s| s.stance_width_px > 0.0).map(|st| {
        let ankle_mid = (l.ankle[0] + r.ankle[0]) / 2.0;
        let hip_mid_x = (l.hip[0] + r.hip[0]) / 2.0;
        (hip_mid_x - ankle_mid) * left_dir / st.stance_width_px * 100.0
    });
    (Some(obliquity), shift)
}

/// One leg's FPPA and knee over toe at one sample, with their uncertainties, or why each is missing.
struct FrontalValues {
    fppa: Option<f64>,
    u_fppa: Option<f64>,
    kto: Option<f64>,
    u_kto: Option<f64>,
    fppa_cause: Option<Cause>,
    kto_cause: Option<Cause>,
}

/// One leg's FPPA and knee over toe with their uncertainties: withheld where the yaw's uncertainty could move
/// them by a clinically meaningful amount, and from behind (see [`super::BACK_YAW_ERROR_DEG`]).
fn frontal_values(inp: &Inputs, s: &Sample, side: Side, bounds: &[LegPoints], facts: &mut Facts) -> FrontalValues {
    let back = inp.facing == Facing::Back;
    let view_cause = match (s.ok, s.frontal_view, s.frontal) {
        (false, _, _) => None,
        (true, false, _) => Some(Cause::NotFrontal),
        (true, true, false) if back => Some(Cause::Behind),
        (true, true, false) => Some(Cause::YawBeyond),
        (true, true, true) => None,
    };
    if !s.frontal {
        return FrontalValues {
            fppa: None,
            u_fppa: None,
            kto: None,
            u_kto: None,
            fppa_cause: view_cause,
            kto_cause: view_cause,
        };
    }
    let FrontalLeg { fppa, kto, upright } = inp.plane.leg(s.fp, side);
    if !upright {
        facts.foreshortened = true;
    }
    // Uncertainty from the yaw's: the largest change at either end of the yaw's range; unbounded where an end
    // cannot be rectified or leaves no 2D angle.
    let at_ends: Vec<FrontalLeg> = bounds.iter().map(|b| inp.plane.leg(b, side)).collect();
    let spread = |value: Option<f64>, pick: &dyn Fn(&FrontalLeg) -> Option<f64>| {
        let v = value?;
        let ends: Vec<f64> = at_ends.iter().filter_map(pick).collect();
        Some(if ends.len() == 2 { ends.iter().map(|e| (e - v).abs()).fold(0.0, f64::max) } else { f64::INFINITY })
    };
    let yaw_share = spread(fppa, &|m| m.fppa);
    let u_fppa = yaw_share.map(|u| u + FPPA_BASE_ERROR_DEG);
    let kto_yaw_share = spread(kto, &|m| m.kto);
    let u_kto = kto_yaw_share.map(|u| u + KTO_BASE_ERROR_PCT);
    let fppa_too_uncertain = yaw_share.is_some_and(|u| u > MAX_FPPA_YAW_SHARE_DEG);
    let kto_too_uncertain = kto_yaw_share.is_some_and(|u| u > MAX_KTO_YAW_SHARE_PCT);
    // Both ends rectified, one leaves the segment too foreshortened for an angle and the other keeps the value
    // within the limit: the leg's pose, not the yaw, withholds it.
    let upright_end_within = || {
        let end = at_ends.iter().find_map(|m| m.fppa);
        fppa.zip(end).is_some_and(|(v, e)| (e - v).abs() <= MAX_FPPA_YAW_SHARE_DEG)
    };
    let edge_on =
        fppa_too_uncertain && at_ends.len() == 2 && at_ends.iter().any(|m| !m.upright) && upright_end_within();
    if edge_on {
        facts.foreshortened = true;
    }
    if (fppa_too_uncertain && !edge_on) || kto_too_uncertain {
        let u = yaw_share.unwrap_or(0.0);
        if facts.uncertain.is_none_or(|(_, _, worst)| u > worst) {
            facts.uncertain = Some((inp.plane.camera_yaw[s.i].unwrap_or(0.0), inp.plane.yaw_sigma(s.i), u));
        }
    }
    let fppa_cause = if back {
        Some(Cause::Behind)
    } else if !upright || edge_on {
        Some(Cause::Foreshortened)
    } else {
        fppa_too_uncertain.then_some(Cause::YawUncertain)
    };
    let kto_cause = if back { Some(Cause::Behind) } else { kto_too_uncertain.then_some(Cause::YawUncertain) };
    FrontalValues {
        fppa: fppa.filter(|_| fppa_cause.is_none()),
        u_fppa,
        kto: kto.filter(|_| kto_cause.is_none()),
        u_kto,
        fppa_cause,
        kto_cause,
    }
}

/// Hip below knee and ankle drop (% of the standing leg length) on the image points.
fn depth_values(standing: Option<Standing>, s: &Sample, side: Side) -> (Option<f64>, Option<f64>) {
    let Some(st) = standing.filter(|st| s.ok && st.leg_px[side] > 0.0) else { return (None, None) };
    let (leg, length) = (&s.p[side], st.leg_px[side]);
    let below = (leg.hip[1] - leg.knee[1]) / length * 100.0;
    let standing_ankle = st.hip_y_px + length;
    (Some(below), Some((leg.ankle[1] - standing_ankle) / length * 100.0))
}

/// Toe-out is read only while the measured camera yaw is within this (degrees): on the rendered yaw set, feet
/// pointing straight read 0.9–8.2° off up to 5° of yaw and up to 14° off at 10–15° (the yaw's own error of 2–4°
/// goes straight into each foot's angle, with the opposite sign for the other foot).
pub const TOE_OUT_MAX_YAW_DEG: f64 = 5.0;

/// Heel-to-toe-tip length of a foot over its shank's knee-to-ankle length: 0.152 and 0.246 of body height
/// (Winter, Biomechanics and Motor Control of Human Movement, anthropometric table).
pub const FOOT_TO_SHANK: f64 = 0.62;

/// One leg's toe-out at sample `i` (degrees, toes outward positive): how far the foot tip sits outward of the
/// heel in the picture, against the foot's length ([`FOOT_TO_SHANK`] of the standing shank), as an angle, then
/// turned by the camera's yaw (a camera toward the subject's left shows the left foot turned in by the yaw
/// and the right foot turned out by it). BlazePose's world feet were tried first and read a foot turned out 25°
/// beside one turned out 5° as 17° and 16°: they carry no per-foot toe-out. Only in frontal views from the front
/// (from behind the toes are hidden), within the yaw the frontal plane is rectified for.
fn leg_toe_out(inp: &Inputs, s: &Sample, side: Side, facts: &mut Facts) -> Option<f64> {
    if !s.frontal || inp.facing != Facing::Front {
        return None;
    }
    let shank = inp.standing?.shank_px[side];
    let yaw = inp.plane.camera_yaw[s.i]?;
    if yaw.abs() > TOE_OUT_MAX_YAW_DEG {
        facts.toe_out_yaw = Some(widest(facts.toe_out_yaw, yaw));
        return None;
    }
    let (leg, other) = (&s.p[side], &s.p[side.other()]);
    let outward = (leg.hip[0] - other.hip[0]).signum();
    let lateral = (leg.toe[0] - leg.heel[0]) * outward / (FOOT_TO_SHANK * shank);
    if !lateral.is_finite() {
        return None;
    }
    let seen = lateral.clamp(-1.0, 1.0).asin().to_degrees();
    Some(if side == Side::Left { seen + yaw } else { seen - yaw })
}

/// Knee flexion and its source: the 2D angle in a side view; from the segments' standing lengths in a frontal
/// view; else from the 3D world landmarks.
fn flexion(inp: &Inputs, s: &Sample, side: Side) -> (Option<f64>, Option<FlexionSource>) {
    let plane = inp.plane;
    if s.ok && inp.view[s.i].is_sagittal() {
        let leg = &s.p[side];
        return (Some(180.0 - angle_deg(leg.hip, leg.knee, leg.ankle)), Some(FlexionSource::Sagittal2d));
    }
    if let (true, Some(thigh), Some(shank)) = (s.frontal_view, plane.thigh_px[side], plane.shank_px[side]) {
        let leg = &s.fp[side];
        let flex = segment_flexion(leg.hip, leg.knee, leg.ankle, thigh, shank);
        return (flex, flex.map(|_| FlexionSource::SegmentLengths));
    }
    if s.ok {
        let w = |j: Joint| inp.cleaned.world(side, j, s.i);
        let flex = world_flexion(w(Joint::Hip), w(Joint::Knee), w(Joint::Ankle));
        return (flex, flex.map(|_| FlexionSource::World3d));
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::frontal::tests::facing_pair;
    use approx::assert_abs_diff_eq;

    #[test]
    fn pelvis_tilt_and_shift_toward_the_subjects_left() {
        let (mut p, st) = facing_pair(0.0, 0.0);
        // Left hip (image right) 4 px higher, hips 10 px toward the subject's left of the ankles.
        p[Side::Left].hip = [130.0, 96.0];
        p[Side::Right].hip = [90.0, 100.0];
        let (obliquity, shift) = pelvis(&p, Some(st));
        assert_abs_diff_eq!(obliquity.expect("obliquity"), (4.0f64 / 40.0).atan().to_degrees(), epsilon = 1e-9);
        assert_abs_diff_eq!(shift.expect("shift"), 25.0, epsilon = 1e-9);
        assert!(pelvis(&p, None).1.is_none());
    }

    #[test]
    fn depth_from_the_standing_leg() {
        let (mut p, st) = facing_pair(0.0, 0.0);
        p[Side::Left].hip[1] = 230.0;
        p[Side::Left].ankle[1] = 310.0;
        let s = Sample { i: 0, p: &p, fp: &p, ok: true, frontal_view: true, frontal: true };
        let (below, ankle_drop) = depth_values(Some(st), &s, Side::Left);
        // Hip 30 px below the knee, ankle 10 px below its standing height: of a 200 px leg.
        assert_abs_diff_eq!(below.expect("below"), 15.0, epsilon = 1e-9);
        assert_abs_diff_eq!(ankle_drop.expect("drop"), 5.0, epsilon = 1e-9);
        let invalid = Sample { ok: false, ..s };
        assert_eq!(depth_values(Some(st), &invalid, Side::Left), (None, None));
    }
}
