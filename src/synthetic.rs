//! Synthetic pose tracks with known geometry, for tests and benchmarks of the kinematics core.
//!
//! A stick figure squats a programmed number of times with a programmed frontal-plane projection angle at
//! the bottom of each rep (per leg), seen from the front or from the left side, optionally moved, scaled and
//! rotated in the image, and spoiled with noise, timing jitter, gaps, outlier spikes and left/right label
//! swaps. The clean coordinates are kept, so every metric has an exact answer computed from the same
//! definitions as the analysis.
//!
//! Figure (before the image transform), in units of the standing leg length `L` (hip to ankle): hips `±0.12 L`
//! apart from the midline, thigh and shank `0.5 L` each, feet under the hips, foot index `0.06 L` lateral and
//! `0.05 L` below the ankle, heels `0.03 L` below the ankle.

use crate::kinematics::{fppa_deg, kto_pct};
use crate::pose::{FrameSource, Pose, PoseFrame, PoseTrack, Producer};
use crate::video::ClipInfo;

/// Half the distance between the hips, in leg lengths.
const HIP_HALF_WIDTH: f64 = 0.12;
/// Foot index offset, lateral and down, in leg lengths.
const TOE_LATERAL: f64 = 0.06;
const TOE_DOWN: f64 = 0.05;
const HEEL_DOWN: f64 = 0.03;
/// In the frontal view the knee's image height drops by this fraction of the hip drop (it travels forward).
const KNEE_FOLLOW: f64 = 0.2;
/// How much further than the front knee a lunge's back knee drops, per unit of hip drop (leg lengths).
const LUNGE_BACK_KNEE_DROP: f64 = 1.2;

/// One programmed repetition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthRep {
    /// Hip drop at the bottom, % of leg length.
    pub depth_pct: f64,
    /// Seconds going down.
    pub descent_s: f64,
    /// Seconds held at the bottom.
    pub pause_bottom_s: f64,
    /// Seconds coming up.
    pub ascent_s: f64,
    /// Seconds standing after the rep.
    pub pause_top_s: f64,
}

impl SynthRep {
    /// A plain rep of the given depth: 1 s down, 0.2 s hold, 1 s up, 0.8 s standing.
    pub fn plain(depth_pct: f64) -> Self {
        Self { depth_pct, descent_s: 1.0, pause_bottom_s: 0.2, ascent_s: 1.0, pause_top_s: 0.8 }
    }

    fn duration(&self) -> f64 {
        self.descent_s + self.pause_bottom_s + self.ascent_s + self.pause_top_s
    }
}

/// A flight of stairs climbed facing the camera, one foot per step, left foot first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthStairs {
    /// Number of steps.
    pub steps: usize,
    /// Rise of one step, in leg lengths (a 17 cm step for an 85 cm leg is 0.2).
    pub rise: f64,
    /// Seconds per step.
    pub step_s: f64,
}

/// Camera placement of the synthetic figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthView {
    /// Facing the camera.
    Frontal,
    /// Left side toward the camera, facing the image's left.
    SagittalLeft,
}

/// Everything that shapes a synthetic track.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    /// Frame rate.
    pub fps: f64,
    /// Seconds standing before the first rep.
    pub lead_s: f64,
    /// The reps (including dips too shallow to count, if any).
    pub reps: Vec<SynthRep>,
    /// Camera placement.
    pub view: SynthView,
    /// FPPA at the bottom of a rep of [`SynthSpec::reference_depth_pct`], `[left, right]`, degrees, valgus
    /// positive; it scales with each rep's depth.
    pub fppa_bottom_deg: [f64; 2],
    /// The depth at which `fppa_bottom_deg` is reached.
    pub reference_depth_pct: f64,
    /// Single-leg task: the stance leg; the other foot is lifted during reps.
    pub stance: Option<crate::kinematics::Side>,
    /// A mixed clip: each rep's stance leg in order (`None`: a bilateral rep), instead of `stance`.
    pub stance_per_rep: Vec<Option<crate::kinematics::Side>>,
    /// Lunge: the front leg; the other knee drops toward the floor during reps (both feet stay down).
    pub lunge_front: Option<crate::kinematics::Side>,
    /// Climb stairs instead of doing the reps.
    pub stairs: Option<SynthStairs>,
    /// Standing leg length in pixels.
    pub leg_px: f64,
    /// Image size.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Extra rotation of the whole image about its centre (radians; camera roll).
    pub rotation: f64,
    /// Extra scale of the figure.
    pub scale: f64,
    /// Extra translation (pixels).
    pub shift: [f64; 2],
    /// Gaussian noise on every coordinate (pixels, standard deviation).
    pub noise_px: f64,
    /// Timing jitter as a fraction of the frame interval (uniform ±).
    pub time_jitter: f64,
    /// Stretches without a pose: (start s, length s).
    pub gaps: Vec<(f64, f64)>,
    /// Outlier spikes: (time s, landmark index, dx px, dy px).
    pub spikes: Vec<(f64, usize, f64, f64)>,
    /// Stretches with left and right labels exchanged: (start s, end s).
    pub swaps: Vec<(f64, f64)>,
    /// Random seed.
    pub seed: u64,
}

impl Default for SynthSpec {
    fn default() -> Self {
        Self {
            fps: 30.0,
            lead_s: 1.0,
            reps: vec![SynthRep::plain(30.0); 3],
            view: SynthView::Frontal,
            fppa_bottom_deg: [8.0, 16.0],
            reference_depth_pct: 30.0,
            stance: None,
            stance_per_rep: Vec::new(),
            lunge_front: None,
            stairs: None,
            leg_px: 400.0,
            width: 1080,
            height: 1920,
            rotation: 0.0,
            scale: 1.0,
            shift: [0.0, 0.0],
            noise_px: 0.0,
            time_jitter: 0.0,
            gaps: Vec::new(),
            spikes: Vec::new(),
            swaps: Vec::new(),
            seed: 1,
        }
    }
}

/// The answer key of a synthetic track.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthTruth {
    /// Reps deep enough to count: (bottom time s, depth %).
    pub reps: Vec<(f64, f64)>,
    /// Per frame, `[left, right]` FPPA from the clean coordinates (frontal view).
    pub fppa_deg: Vec<[f64; 2]>,
    /// Per frame, `[left, right]` knee over toe (% shank) from the clean coordinates (frontal view).
    pub kto_pct_shank: Vec<[f64; 2]>,
    /// Frame times.
    pub t_s: Vec<f64>,
}

/// Deterministic pseudo-random numbers (SplitMix64), enough for test noise.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform().max(1e-12), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn ease(x: f64) -> f64 {
    0.5 - 0.5 * (std::f64::consts::PI * x.clamp(0.0, 1.0)).cos()
}

/// Stairs: hip rise and the two feet's rise (leg lengths, up positive) at time `t`.
fn stairs_at(spec: &SynthSpec, st: &SynthStairs, t: f64) -> (f64, [f64; 2]) {
    let u = ((t - spec.lead_s) / st.step_s).clamp(0.0, st.steps as f64);
    let k = (u.floor() as usize).min(st.steps.saturating_sub(1));
    let phase = u - k as f64;
    let mut feet = [0.0f64; 2];
    for (side, foot) in feet.iter_mut().enumerate() {
        // Steps taken by this foot so far (left on even steps, right on odd), and the level it was put on.
        let mut level = 0.0;
        for j in 0..=k {
            if j % 2 == side {
                let target = (j + 1) as f64 * st.rise;
                level = if j < k { target } else { level + (target - level) * ease(phase / SWING_FRACTION) };
            }
        }
        *foot = level;
    }
    (st.rise * (k as f64 + ease(phase)), feet)
}

/// Fraction of a step's time the moving foot is in the air.
const SWING_FRACTION: f64 = 0.4;

/// Hip drop (fraction of leg length) and the index of the rep at time `t`.
fn drop_at(spec: &SynthSpec, t: f64) -> (f64, Option<usize>) {
    let mut start = spec.lead_s;
    for (k, r) in spec.reps.iter().enumerate() {
        let u = t - start;
        if u >= 0.0 && u < r.duration() {
            let depth = r.depth_pct / 100.0;
            let d = if u < r.descent_s {
                depth * ease(u / r.descent_s)
            } else if u < r.descent_s + r.pause_bottom_s {
                depth
            } else if u < r.descent_s + r.pause_bottom_s + r.ascent_s {
                depth * (1.0 - ease((u - r.descent_s - r.pause_bottom_s) / r.ascent_s))
            } else {
                0.0
            };
            return (d, Some(k));
        }
        start += r.duration();
    }
    (0.0, None)
}

/// Horizontal knee offset (medial positive, leg lengths) giving FPPA `theta` for a hip at height `hy`, a knee
/// at `ky` and an ankle at `ay`, all on one vertical line.
fn knee_offset_for(theta_deg: f64, hy: f64, ky: f64, ay: f64) -> f64 {
    let f = |delta: f64| {
        // Medial is -x for this construction; the other hip sits at -1 (far on the medial side).
        fppa_deg([0.0, hy], [-delta, ky], [0.0, ay], [-1.0, hy])
    };
    let (mut lo, mut hi) = (-0.45, 0.45);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < theta_deg {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Build a synthetic track and its answer key.
pub fn generate(spec: &SynthSpec) -> (PoseTrack, SynthTruth) {
    let moving_s = match &spec.stairs {
        Some(st) => st.steps as f64 * st.step_s,
        None => spec.reps.iter().map(SynthRep::duration).sum::<f64>(),
    };
    let duration = spec.lead_s + moving_s + 0.5;
    let n = (duration * spec.fps).round() as usize;
    let mut rng = Rng(spec.seed);
    let l = spec.leg_px;
    let (cx, cy) = (f64::from(spec.width) / 2.0, f64::from(spec.height) / 2.0);
    // Figure origin (hip centre when standing) placed so the figure is centred vertically.
    let origin = [cx, cy - 0.45 * l];
    let (sr, cr) = spec.rotation.sin_cos();
    let place = |p: [f64; 2]| -> [f64; 2] {
        let local = [origin[0] + p[0] * l * spec.scale - cx, origin[1] + p[1] * l * spec.scale - cy];
        [cx + cr * local[0] - sr * local[1] + spec.shift[0], cy + sr * local[0] + cr * local[1] + spec.shift[1]]
    };
    let mut frames = Vec::with_capacity(n);
    let mut truth = SynthTruth { reps: Vec::new(), fppa_deg: Vec::new(), kto_pct_shank: Vec::new(), t_s: Vec::new() };
    let mut start = spec.lead_s;
    for r in spec.reps.iter().filter(|_| spec.stairs.is_none()) {
        truth.reps.push((start + r.descent_s + r.pause_bottom_s / 2.0, r.depth_pct));
        start += r.duration();
    }
    for i in 0..n {
        let jitter = if spec.time_jitter > 0.0 { (rng.uniform() - 0.5) * 2.0 * spec.time_jitter } else { 0.0 };
        let t = (i as f64 + jitter) / spec.fps;
        let (mut d, rep) = drop_at(spec, t);
        let mut feet_up = [0.0f64; 2];
        if let Some(st) = &spec.stairs {
            let (hip_up, feet) = stairs_at(spec, st, t);
            d = -hip_up;
            feet_up = feet;
        }
        let depth_frac = d / (spec.reference_depth_pct / 100.0);
        let stance = match rep {
            Some(k) if !spec.stance_per_rep.is_empty() => spec.stance_per_rep.get(k).copied().flatten(),
            _ => spec.stance,
        };
        let lifted = rep.and(stance).map(|st| st.other().index());
        let back_knee = spec.lunge_front.map(|front| front.other().index());
        // Local figure coordinates (leg lengths, y down, origin at the standing hip centre).
        let mut lm = [[0.0f64; 2]; 33];
        let mut world = [[0.0f64; 3]; 33];
        match spec.view {
            SynthView::Frontal => {
                for side in 0..2 {
                    // Subject faces the camera: the left side (0) is on the image's right (+x).
                    let out = if side == 0 { 1.0 } else { -1.0 };
                    let hx = out * HIP_HALF_WIDTH;
                    let hy = d;
                    let mut ay = 1.0 - feet_up[side];
                    let mut ky = if spec.stairs.is_some() { (hy + ay) / 2.0 } else { 0.5 + KNEE_FOLLOW * d };
                    if back_knee == Some(side) {
                        // The back knee of a lunge drops toward the floor, well below the front one.
                        ky += LUNGE_BACK_KNEE_DROP * d;
                    }
                    if lifted == Some(side) {
                        // The free foot is held just off the floor and lifts further as the hips go down.
                        let lift = 0.02 + 0.6 * d;
                        ay -= lift;
                        ky -= lift * 0.5;
                    }
                    let theta = if lifted == Some(side) || spec.stairs.is_some() {
                        0.0
                    } else {
                        spec.fppa_bottom_deg[side] * depth_frac
                    };
                    let delta = knee_offset_for(theta, hy, ky, ay);
                    // Medial is toward -out.
                    let kx = hx - out * delta;
                    lm[23 + side] = [hx, hy];
                    lm[25 + side] = [kx, ky];
                    lm[27 + side] = [hx, ay];
                    lm[29 + side] = [hx, ay + HEEL_DOWN];
                    lm[31 + side] = [hx + out * TOE_LATERAL, ay + TOE_DOWN];
                    lm[11 + side] = [out * HIP_HALF_WIDTH * 1.4, -0.6 + d];
                    world[23 + side] = [out * 0.1, 0.0, 0.0];
                    world[25 + side] = [out * 0.1, 0.4, -0.3 * d];
                    world[27 + side] = [out * 0.1, 0.8, 0.0];
                    world[29 + side] = [out * 0.1, 0.85, 0.05];
                    world[31 + side] = [out * 0.13, 0.85, -0.15];
                }
                lm[0] = [0.0, -0.85 + d];
            }
            SynthView::SagittalLeft => {
                for side in 0..2 {
                    // Facing the image's left; hips move back (+x) as they go down; knee forward (-x).
                    let hip = [0.3 * d + 0.005 * side as f64, d];
                    let ankle = [0.0, 1.0];
                    let (dx, dy) = (ankle[0] - hip[0], ankle[1] - hip[1]);
                    let dd = dx.hypot(dy).min(0.999);
                    let a = dd / 2.0;
                    let h = (0.25 - a * a).max(0.0).sqrt();
                    let mid = [hip[0] + dx / 2.0, hip[1] + dy / 2.0];
                    let knee = [mid[0] - h * dy / dd, mid[1] + h * dx / dd];
                    let knee = if knee[0] <= mid[0] { knee } else { [mid[0] + h * dy / dd, mid[1] - h * dx / dd] };
                    lm[23 + side] = hip;
                    lm[25 + side] = knee;
                    lm[27 + side] = ankle;
                    lm[29 + side] = [ankle[0] + 0.05, ankle[1] + HEEL_DOWN];
                    lm[31 + side] = [ankle[0] - 0.15, ankle[1] + TOE_DOWN];
                    lm[11 + side] = [0.1 * d, -0.6 + d];
                    let z = if side == 0 { -0.1 } else { 0.1 };
                    world[23 + side] = [0.0, 0.0, z];
                    world[25 + side] = [knee[0] - hip[0], knee[1] - hip[1], z];
                    world[27 + side] = [ankle[0] - hip[0], ankle[1] - hip[1], z];
                }
                lm[0] = [-0.1, -0.85 + d];
            }
        }
        // Clean truth in image pixels.
        let px: Vec<[f64; 2]> = lm.iter().map(|p| place(*p)).collect();
        let fppa = [fppa_deg(px[23], px[25], px[27], px[24]), fppa_deg(px[24], px[26], px[28], px[23])];
        // Knee over toe in the figure's own frame (the image transform is a similarity, so this is the truth
        // the analysis must recover after removing roll): medial is -x for the left leg, +x for the right.
        let kto = [kto_pct(lm[25], lm[31], -1.0, 0.5), kto_pct(lm[26], lm[32], 1.0, 0.5)];
        truth.fppa_deg.push(fppa);
        truth.kto_pct_shank.push(kto);
        truth.t_s.push(t);

        let in_gap = spec.gaps.iter().any(|(s, len)| t >= *s && t < s + len);
        let pose = (!in_gap).then(|| {
            let mut landmarks: Vec<[f32; 5]> = px
                .iter()
                .map(|p| {
                    let nx = if spec.noise_px > 0.0 { rng.normal() * spec.noise_px } else { 0.0 };
                    let ny = if spec.noise_px > 0.0 { rng.normal() * spec.noise_px } else { 0.0 };
                    [(p[0] + nx) as f32, (p[1] + ny) as f32, 0.0, 0.99, 0.99]
                })
                .collect();
            for (ts, k, dx, dy) in &spec.spikes {
                if (t - ts).abs() < 0.5 / spec.fps {
                    landmarks[*k][0] += *dx as f32;
                    landmarks[*k][1] += *dy as f32;
                }
            }
            let mut world: Vec<[f32; 3]> = world.iter().map(|w| [w[0] as f32, w[1] as f32, w[2] as f32]).collect();
            if spec.swaps.iter().any(|(s, e)| t >= *s && t < *e) {
                for k in (1..33).step_by(2) {
                    landmarks.swap(k, k + 1);
                    world.swap(k, k + 1);
                }
            }
            Pose { pose_flag: Some(0.99), roi: None, landmarks, world }
        });
        let source = if pose.is_some() { FrameSource::Tracking } else { FrameSource::None };
        frames.push(PoseFrame { index: i as u64, pts_s: t, source, pose, camera_shift: None });
    }
    let clip = ClipInfo {
        file_name: "synthetic".into(),
        width: spec.width,
        height: spec.height,
        coded_width: spec.width,
        coded_height: spec.height,
        rotation_deg: 0,
        work_width: spec.width,
        work_height: spec.height,
        time_base: (1, 1000),
        nominal_fps: spec.fps,
        measured_fps: Some(spec.fps),
        variable_frame_rate: Some(spec.time_jitter > 0.0),
        duration_s: Some(duration),
        codec: "synthetic".into(),
        frame_count: Some(n as u64),
    };
    let producer = Producer {
        tool: "genu-synthetic".into(),
        version: crate::VERSION.into(),
        landmark_model: "none".into(),
        landmark_model_sha256: None,
        detector_sha256: None,
        settings: serde_json::json!({ "seed": spec.seed }),
    };
    let mut track = PoseTrack::new(producer, clip);
    track.frames = frames;
    (track, truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programmed_fppa_is_reached_at_the_bottom() {
        let spec = SynthSpec::default();
        let (_, truth) = generate(&spec);
        let (t_bottom, _) = truth.reps[0];
        let i = truth.t_s.iter().position(|t| (t - t_bottom).abs() < 0.5 / spec.fps).expect("bottom frame");
        assert!((truth.fppa_deg[i][0] - 8.0).abs() < 1e-6, "{:?}", truth.fppa_deg[i]);
        assert!((truth.fppa_deg[i][1] - 16.0).abs() < 1e-6, "{:?}", truth.fppa_deg[i]);
        // Standing: straight legs.
        assert!(truth.fppa_deg[0][0].abs() < 1e-6);
    }
}
