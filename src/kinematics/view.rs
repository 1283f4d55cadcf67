//! Which way the camera looks at the subject ([`View`], from the pelvis's yaw in the world landmarks), and
//! left/right label swaps corrected in frontal views.
//!
//! In: per-frame raw points. Out: a view per sample and the number of frames whose labels were swapped back.

use serde::{Deserialize, Serialize};

use super::clean::Cleaned;
use super::filter::running_median;
use super::geometry::{dist, median_of};
use super::input::{Raw, IMAGE_POINTS, WORLD_POINTS};
use super::side::{Joint, Side};
use super::yaw;

/// Pelvis yaw (degrees from facing the camera) up to which a sample counts as a frontal view.
pub const FRONTAL_MAX_YAW_DEG: f64 = 35.0;

/// Pelvis yaw from which a sample counts as a sagittal (side) view.
pub const SAGITTAL_MIN_YAW_DEG: f64 = 60.0;

/// Median nose visibility above which a frontal view is taken as from the front (else from behind), used only
/// when BlazePose's own left/right labels do not settle it ([`FACING_MIN_SHARE`]).
pub const FACE_VISIBLE: f64 = 0.5;

/// Share of the frontal frames with a clear left/right order that must agree for the labels to say which way
/// the subject faces. BlazePose labels a back view anatomically (the subject's left hip, knee and ankle on the
/// image's left) and also places the nose behind the head in its world landmarks, while the face's visibility
/// stays near 1 on a back: rendered squats filmed from behind had 86–100 % of their frames in back order with a
/// nose visibility of 0.9999; real front-view clips 99–100 % in front order.
pub const FACING_MIN_SHARE: f64 = 0.7;

/// Frontal frames with a clear left/right order needed before the labels decide the facing.
pub const FACING_MIN_FRAMES: usize = 5;

/// A left/right pair closer than this fraction of the leg length in x says nothing about label order.
pub const SWAP_MARGIN: f64 = 0.02;

/// Continuity: a frame is swapped when the swapped labels move less than this fraction of the kept ones.
pub const SWAP_CONTINUITY_RATIO: f64 = 0.5;

/// The continuity check compares a frame with the last frontal frame only when that is this recent (seconds):
/// over a longer gap the subject may really have moved by a leg's width.
pub const SWAP_CONTINUITY_S: f64 = 0.25;

/// Half-width (seconds) of the running median of the raw pelvis yaw that decides which frames are frontal for
/// the label checks (`frontal_frames`). BlazePose's world pelvis sometimes turns for a few frames on a back
/// view (three frames of a rendered squat read 40–60° while the labels flipped to a front view's order); those
/// frames must still have their labels checked, or the feet seem to jump a stance width.
pub const VIEW_SMOOTH_HALF_S: f64 = 0.5;

/// Which side of the subject a frontal camera stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Facing {
    /// The subject faces the camera: the subject's left is on the image's right, the knees travel toward it.
    Front,
    /// The camera films the subject's back: the subject's left is on the image's left.
    Back,
}

impl Facing {
    /// +1 from the front, −1 from behind: the sign of image x along the subject's left, and of "toward the
    /// camera" along the subject's forward direction.
    pub fn sign(self) -> f64 {
        match self {
            Self::Front => 1.0,
            Self::Back => -1.0,
        }
    }
}

/// Which way the camera looks at the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    /// Camera in front of the subject.
    FrontalFront,
    /// Camera behind the subject.
    FrontalBack,
    /// Camera at the subject's left side.
    SagittalLeft,
    /// Camera at the subject's right side.
    SagittalRight,
    /// In between.
    Oblique,
    /// No data.
    Unknown,
}

impl View {
    /// Whether frontal-plane metrics (FPPA, knee over toe, pelvis) can be measured.
    pub fn is_frontal(self) -> bool {
        matches!(self, Self::FrontalFront | Self::FrontalBack)
    }

    /// Whether 2D knee flexion can be measured.
    pub fn is_sagittal(self) -> bool {
        matches!(self, Self::SagittalLeft | Self::SagittalRight)
    }
}

/// Pelvis yaw (degrees, 0 square to the camera, 90 side-on) of one frame's world points (hips first).
pub(crate) fn yaw_deg(world: &[[f64; 3]; WORLD_POINTS.len()]) -> f64 {
    pelvis_yaw_deg(world[0], world[1])
}

/// Pelvis yaw (degrees, 0 square to the camera, 90 side-on) from the world hips; symmetric in left and right.
pub(crate) fn pelvis_yaw_deg(l: [f64; 3], r: [f64; 3]) -> f64 {
    (l[2] - r[2]).abs().atan2((l[0] - r[0]).abs()).to_degrees()
}

/// Which way the subject faces, decided on the raw frames, and the frames' left/right labels put right for it.
/// `leg_px` is the subject's typical hip–ankle length. Returns the facing and the number of frames swapped.
pub(crate) fn orient(raw: &mut Raw, leg_px: f64) -> (Facing, usize) {
    // View per frame from the raw world landmarks (symmetric in left/right, so label swaps do not matter).
    let yaw_raw: Vec<f64> = raw.world.iter().map(yaw_deg).collect();
    let frontal_raw = frontal_frames(&raw.t, &yaw_raw);
    let nose =
        median_of(raw.nose_visibility.iter().zip(&raw.img).filter(|(_, p)| p[0][0].is_finite()).map(|(v, _)| *v));
    let facing = facing(raw, &frontal_raw, leg_px, nose);
    let swaps = correct_swaps(raw, &frontal_raw, facing, leg_px);
    (facing, swaps)
}

/// The views of the cleaned samples and the camera's yaw.
pub(crate) struct SampleViews {
    /// Pelvis yaw per sample (degrees, 0 square, 90 side-on).
    pub(crate) pelvis_yaw: Vec<Option<f64>>,
    /// View per sample.
    pub(crate) view: Vec<View>,
    /// Signed camera yaw per sample from the world hip line alone, smoothed: one of the cues of the camera's
    /// yaw ([`super::yaw::measure_yaw`]), and the yaw itself where the others are missing.
    pub(crate) hip_line_yaw: Vec<Option<f64>>,
}

/// The view of every cleaned sample, and the signed camera yaw from the world hip line (relative to the side
/// the camera films from), smoothed by a running median over [`super::yaw::YAW_HALF_WINDOW_S`].
pub(crate) fn sample_views(c: &Cleaned, facing: Facing) -> SampleViews {
    let n = c.len();
    let hips = |i: usize| (c.world(Side::Left, Joint::Hip, i), c.world(Side::Right, Joint::Hip, i));
    let left_nearer = median_of((0..n).map(|i| hips(i).0[2] - hips(i).1[2])).is_some_and(|d| d < 0.0);
    let pelvis_yaw: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let (l, r) = hips(i);
            let y = pelvis_yaw_deg(l, r);
            (c.valid[i] && y.is_finite()).then_some(y)
        })
        .collect();
    let view = pelvis_yaw.iter().map(|y| y.map_or(View::Unknown, |y| classify(y, facing, left_nearer))).collect();
    let yaw_each: Vec<Option<f64>> = (0..n)
        .map(|i| if c.valid[i] { yaw::hip_yaw_deg(hips(i).0, hips(i).1) } else { None })
        .map(|y| y.map(|y| yaw::camera_yaw_deg(y, facing)))
        .collect();
    let hip_line_yaw = running_median(&yaw_each, (yaw::YAW_HALF_WINDOW_S * c.rate_hz).round() as usize);
    SampleViews { pelvis_yaw, view, hip_line_yaw }
}

pub(crate) fn classify(yaw: f64, facing: Facing, left_nearer: bool) -> View {
    if !yaw.is_finite() {
        View::Unknown
    } else if yaw <= FRONTAL_MAX_YAW_DEG {
        match facing {
            Facing::Front => View::FrontalFront,
            Facing::Back => View::FrontalBack,
        }
    } else if yaw >= SAGITTAL_MIN_YAW_DEG {
        if left_nearer {
            View::SagittalLeft
        } else {
            View::SagittalRight
        }
    } else {
        View::Oblique
    }
}

/// Per frame, whether the view is frontal for the label checks: the median of the raw pelvis yaw `yaw` (degrees)
/// over the frames within [`VIEW_SMOOTH_HALF_S`] of frame times `t` (increasing) is at most
/// [`FRONTAL_MAX_YAW_DEG`].
pub(crate) fn frontal_frames(t: &[f64], yaw: &[f64]) -> Vec<bool> {
    let mut window = Vec::new();
    let (mut lo, mut hi) = (0, 0);
    (0..t.len().min(yaw.len()))
        .map(|i| {
            while t[lo] < t[i] - VIEW_SMOOTH_HALF_S {
                lo += 1;
            }
            while hi < t.len().min(yaw.len()) && t[hi] <= t[i] + VIEW_SMOOTH_HALF_S {
                hi += 1;
            }
            window.clear();
            window.extend(yaw[lo..hi].iter().copied().filter(|y| y.is_finite()));
            yaw[i].is_finite() && super::filter::percentile(&mut window, 50.0).is_some_and(|m| m <= FRONTAL_MAX_YAW_DEG)
        })
        .collect()
}

/// Swap left and right labels of one frame's points.
pub(crate) fn swap_frame(img: &mut [[f64; 2]; IMAGE_POINTS.len()], world: &mut [[f64; 3]; WORLD_POINTS.len()]) {
    for k in (0..IMAGE_POINTS.len()).step_by(2) {
        img.swap(k, k + 1);
    }
    for k in (0..WORLD_POINTS.len()).step_by(2) {
        world.swap(k, k + 1);
    }
}

/// The left/right order of one frame's hip, knee and ankle pairs: +1 when at least two pairs have the left point
/// on the image's right (a front view's order) by more than `margin` pixels, −1 when two have it on the left,
/// 0 otherwise.
fn label_order(img: &[[f64; 2]; IMAGE_POINTS.len()], margin: f64) -> i32 {
    let (mut front, mut back) = (0, 0);
    // Pairs (hip, knee, ankle) are at point slots (0,1), (2,3), (4,5).
    for k in [0, 2, 4] {
        let dx = img[k][0] - img[k + 1][0];
        if dx > margin {
            front += 1;
        } else if dx < -margin {
            back += 1;
        }
    }
    if front >= 2 {
        1
    } else if back >= 2 {
        -1
    } else {
        0
    }
}

/// Which way the subject faces a frontal camera: from BlazePose's own left/right labels when at least
/// [`FACING_MIN_FRAMES`] frontal frames have a clear order and [`FACING_MIN_SHARE`] of them agree; otherwise
/// from the face's visibility (`nose_visibility`, the clip's median).
pub(crate) fn facing(raw: &Raw, frontal: &[bool], leg_px: f64, nose_visibility: Option<f64>) -> Facing {
    let margin = SWAP_MARGIN * leg_px;
    let (mut front, mut back) = (0usize, 0usize);
    for (img, _) in raw.img.iter().zip(frontal).filter(|(p, f)| **f && p[0][0].is_finite()) {
        match label_order(img, margin) {
            1 => front += 1,
            -1 => back += 1,
            _ => {}
        }
    }
    let decided = front + back;
    if decided >= FACING_MIN_FRAMES {
        if front as f64 >= FACING_MIN_SHARE * decided as f64 {
            return Facing::Front;
        }
        if back as f64 >= FACING_MIN_SHARE * decided as f64 {
            return Facing::Back;
        }
    }
    if nose_visibility.is_some_and(|v| v > FACE_VISIBLE) {
        Facing::Front
    } else {
        Facing::Back
    }
}

/// Correct left/right label swaps in frontal frames. Anatomy: seen from the front the subject's left hip,
/// knee and ankle are on the image's right (from behind, on its left); a frame where at least two of the three
/// pairs are the wrong way round is swapped. Continuity: a frame whose swapped labels sit much closer to the
/// previous frame's than its own labels do is swapped too. Returns the number of frames swapped.
pub(crate) fn correct_swaps(raw: &mut Raw, frontal: &[bool], facing: Facing, leg_px: f64) -> usize {
    let expected = facing.sign();
    let margin = SWAP_MARGIN * leg_px;
    let mut swapped = 0;
    let mut previous: Option<usize> = None;
    for (i, &is_frontal) in frontal.iter().enumerate().take(raw.img.len()) {
        if !raw.img[i][0][0].is_finite() {
            continue;
        }
        if !is_frontal {
            previous = Some(i);
            continue;
        }
        let img = &raw.img[i];
        // Pairs (hip, knee, ankle) are at point slots (0,1), (2,3), (4,5).
        let mut wrong = 0;
        let mut right = 0;
        for k in [0, 2, 4] {
            let dx = (img[k][0] - img[k + 1][0]) * expected;
            if dx < -margin {
                wrong += 1;
            } else if dx > margin {
                right += 1;
            }
        }
        let mut swap = wrong >= 2;
        if !swap && right < 2 {
            if let Some(p) = previous.filter(|&p| raw.t[i] - raw.t[p] < SWAP_CONTINUITY_S) {
                let prev = &raw.img[p];
                let (mut keep, mut cross) = (0.0, 0.0);
                for k in (0..10).step_by(2) {
                    keep += dist(img[k], prev[k]) + dist(img[k + 1], prev[k + 1]);
                    cross += dist(img[k], prev[k + 1]) + dist(img[k + 1], prev[k]);
                }
                swap = cross < SWAP_CONTINUITY_RATIO * keep;
            }
        }
        if swap {
            let (img, world) = (&mut raw.img[i], &mut raw.world[i]);
            swap_frame(img, world);
            swapped += 1;
        }
        previous = Some(i);
    }
    swapped
}

/// The most frequent known view, or `Unknown`.
pub fn majority_view(views: &[View]) -> View {
    let kinds = [View::FrontalFront, View::FrontalBack, View::SagittalLeft, View::SagittalRight, View::Oblique];
    kinds
        .iter()
        .map(|k| (*k, views.iter().filter(|v| *v == k).count()))
        .filter(|(_, c)| *c > 0)
        .max_by_key(|(_, c)| *c)
        .map_or(View::Unknown, |(k, _)| k)
}

/// Human-readable view name.
pub fn view_name(v: View) -> &'static str {
    match v {
        View::FrontalFront => "frontal (from the front)",
        View::FrontalBack => "frontal (from behind)",
        View::SagittalLeft => "sagittal (left side)",
        View::SagittalRight => "sagittal (right side)",
        View::Oblique => "oblique",
        View::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clip of `n` frames at 30 fps whose hips, knees and ankles stand 100 px apart, the subject's left on the
    /// image's right when `front_order`, with the nose's visibility `nose`.
    fn clip(n: usize, front_order: bool, nose: f64) -> Raw {
        let (l, r) = if front_order { (350.0, 250.0) } else { (250.0, 350.0) };
        let mut img = [[f64::NAN; 2]; IMAGE_POINTS.len()];
        for (pair, y) in [(0, 400.0), (2, 600.0), (4, 800.0), (6, 820.0), (8, 830.0), (10, 200.0)] {
            img[pair] = [l, y];
            img[pair + 1] = [r, y];
        }
        Raw {
            t: (0..n).map(|i| i as f64 / 30.0).collect(),
            frame: (0..n as u64).collect(),
            img: vec![img; n],
            world: vec![[[0.0; 3]; WORLD_POINTS.len()]; n],
            visibility: vec![1.0; n],
            in_frame: vec![true; n],
            nose_visibility: vec![nose; n],
            camera_shift: vec![None; n],
        }
    }

    #[test]
    fn the_labels_decide_the_facing_before_the_face() {
        let frontal = vec![true; 30];
        // A back in BlazePose's anatomical labels, with the face "visible" as it reads on a back: from behind.
        assert_eq!(facing(&clip(30, false, 0.9999), &frontal, 400.0, Some(0.9999)), Facing::Back);
        assert_eq!(facing(&clip(30, true, 0.1), &frontal, 400.0, Some(0.1)), Facing::Front);
        // A few stray frames in the other order do not change it; an even split leaves it to the face.
        let mut mixed = clip(30, false, 1.0);
        let front = clip(30, true, 1.0);
        mixed.img[..5].copy_from_slice(&front.img[..5]);
        assert_eq!(facing(&mixed, &frontal, 400.0, Some(1.0)), Facing::Back);
        mixed.img[..15].copy_from_slice(&front.img[..15]);
        assert_eq!(facing(&mixed, &frontal, 400.0, Some(1.0)), Facing::Front);
        assert_eq!(facing(&mixed, &frontal, 400.0, Some(0.2)), Facing::Back);
        // Too few frontal frames to judge by the labels: the face decides.
        let few: Vec<bool> = (0..30).map(|i| i < FACING_MIN_FRAMES - 1).collect();
        assert_eq!(facing(&clip(30, false, 1.0), &few, 400.0, Some(1.0)), Facing::Front);
    }

    #[test]
    fn swaps_follow_the_facing() {
        let frontal = vec![true; 30];
        // From behind, frames in a front view's order are the swapped ones.
        let mut raw = clip(30, false, 1.0);
        let front = clip(30, true, 1.0);
        raw.img[10] = front.img[10];
        assert_eq!(correct_swaps(&mut raw, &frontal, Facing::Back, 400.0), 1);
        assert_eq!(raw.img[10][0][0], 250.0, "the left hip back on the image's left");
        let mut raw = clip(30, false, 1.0);
        assert_eq!(correct_swaps(&mut raw, &frontal, Facing::Front, 400.0), 30);
    }

    #[test]
    fn a_short_turn_of_the_world_pelvis_stays_frontal() {
        let t: Vec<f64> = (0..60).map(|i| f64::from(i) / 30.0).collect();
        let mut yaw = vec![10.0; 60];
        yaw[30..33].copy_from_slice(&[50.0, 60.0, 45.0]);
        assert!(frontal_frames(&t, &yaw).iter().all(|f| *f));
        // A real turn (a second and more) is not frontal; missing yaw is not frontal.
        let mut turned = vec![10.0; 60];
        turned[20..].fill(70.0);
        turned[5] = f64::NAN;
        let f = frontal_frames(&t, &turned);
        assert!(f[..5].iter().all(|x| *x) && !f[5] && f[6]);
        assert!(f[40..].iter().all(|x| !*x));
    }
}
