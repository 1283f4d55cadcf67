//! Plane geometry of the leg: distances, the hip–knee–ankle angle, FPPA, knee over toe, knee flexion, and
//! the one percentile of the kinematics core.
//!
//! In: points in pixels (x right, y down) or metres. Out: angles in degrees and offsets in % of a length, with
//! the sign conventions of the parent module's doc.

use super::filter;

pub(crate) fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    filter::percentile(&mut v, p)
}

pub(crate) fn median_of(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    percentile(&v, 50.0)
}

pub(crate) fn midpoint(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

pub(crate) fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Interior angle at `b` of the triangle a–b–c, in degrees.
pub fn angle_deg(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    let (u, v) = ([a[0] - b[0], a[1] - b[1]], [c[0] - b[0], c[1] - b[1]]);
    let cross = u[0] * v[1] - u[1] * v[0];
    let dot = u[0] * v[0] + u[1] * v[1];
    cross.abs().atan2(dot).to_degrees()
}

pub(crate) fn cross(o: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// FPPA of one leg from its hip, knee and ankle and the other hip (which marks the medial side): 180° minus
/// the hip–knee–ankle angle, positive when the knee is on the same side of the hip–ankle line as the other
/// hip. Invariant to translating, rotating and scaling the image.
pub fn fppa_deg(hip: [f64; 2], knee: [f64; 2], ankle: [f64; 2], other_hip: [f64; 2]) -> f64 {
    let magnitude = 180.0 - angle_deg(hip, knee, ankle);
    let knee_side = cross(hip, ankle, knee);
    let medial_side = cross(hip, ankle, other_hip);
    if knee_side * medial_side >= 0.0 {
        magnitude
    } else {
        -magnitude
    }
}

/// Knee over toe (% of `shank`): horizontal knee minus toe position, positive toward `medial_sign` (+1 when
/// medial is +x).
pub fn kto_pct(knee: [f64; 2], toe: [f64; 2], medial_sign: f64, shank: f64) -> f64 {
    (knee[0] - toe[0]) * medial_sign / shank * 100.0
}

/// Knee flexion (degrees) from frontal-plane points and the standing thigh and shank lengths (pixels): each
/// segment's depth extent is what its length leaves after its in-plane extent, the knee in front.
pub(crate) fn segment_flexion(hip: [f64; 2], knee: [f64; 2], ankle: [f64; 2], thigh: f64, shank: f64) -> Option<f64> {
    let depth = |len: f64, a: [f64; 2], b: [f64; 2]| {
        let planar = (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2);
        (len * len - planar).max(0.0).sqrt()
    };
    // Knee at the origin, toward the camera negative: the hip and the ankle both lie behind the knee.
    let h = [hip[0] - knee[0], hip[1] - knee[1], depth(thigh, hip, knee)];
    let a = [ankle[0] - knee[0], ankle[1] - knee[1], depth(shank, ankle, knee)];
    world_flexion([h[0], h[1], h[2]], [0.0; 3], [a[0], a[1], a[2]]).filter(|f| f.is_finite())
}

pub(crate) fn world_flexion(hip: [f64; 3], knee: [f64; 3], ankle: [f64; 3]) -> Option<f64> {
    let u = [hip[0] - knee[0], hip[1] - knee[1], hip[2] - knee[2]];
    let v = [ankle[0] - knee[0], ankle[1] - knee[1], ankle[2] - knee[2]];
    let dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    let nu = (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]).sqrt();
    let nv = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if !(nu > 0.0 && nv > 0.0) {
        return None;
    }
    Some(180.0 - (dot / (nu * nv)).clamp(-1.0, 1.0).acos().to_degrees())
}

/// One leg's frontal-plane metrics on one set of points.
pub(crate) struct FrontalLeg {
    /// FPPA, when both segments are upright enough for a 2D angle.
    pub(crate) fppa: Option<f64>,
    /// Knee over toe.
    pub(crate) kto: Option<f64>,
    /// Whether both segments are upright enough.
    pub(crate) upright: bool,
}
