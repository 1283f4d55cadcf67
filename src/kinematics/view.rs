//! Which way the camera looks at the subject ([`View`], from the pelvis's yaw in the world landmarks), and
//! left/right label swaps corrected in frontal views.
//!
//! In: per-frame raw points. Out: a view per sample and the number of frames whose labels were swapped back.

use serde::{Deserialize, Serialize};

use super::geometry::dist;
use super::input::{Raw, IMAGE_POINTS, WORLD_POINTS};

/// Pelvis yaw (degrees from facing the camera) up to which a sample counts as a frontal view.
pub const FRONTAL_MAX_YAW_DEG: f64 = 35.0;

/// Pelvis yaw from which a sample counts as a sagittal (side) view.
pub const SAGITTAL_MIN_YAW_DEG: f64 = 60.0;

/// Median nose visibility above which a frontal view is taken as from the front (else from behind).
pub const FACE_VISIBLE: f64 = 0.5;

/// A left/right pair closer than this fraction of the leg length in x says nothing about label order.
pub const SWAP_MARGIN: f64 = 0.02;

/// Continuity: a frame is swapped when the swapped labels move less than this fraction of the kept ones.
pub const SWAP_CONTINUITY_RATIO: f64 = 0.5;

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

pub(crate) fn yaw_deg(world: &[[f64; 3]; WORLD_POINTS.len()]) -> f64 {
    let (l, r) = (world[0], world[1]);
    (l[2] - r[2]).abs().atan2((l[0] - r[0]).abs()).to_degrees()
}

pub(crate) fn classify(yaw: f64, front: bool, left_nearer: bool) -> View {
    if !yaw.is_finite() {
        View::Unknown
    } else if yaw <= FRONTAL_MAX_YAW_DEG {
        if front {
            View::FrontalFront
        } else {
            View::FrontalBack
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

/// Swap left and right labels of one frame's points.
pub(crate) fn swap_frame(img: &mut [[f64; 2]; IMAGE_POINTS.len()], world: &mut [[f64; 3]; WORLD_POINTS.len()]) {
    for k in (0..IMAGE_POINTS.len()).step_by(2) {
        img.swap(k, k + 1);
    }
    for k in (0..WORLD_POINTS.len()).step_by(2) {
        world.swap(k, k + 1);
    }
}

/// Correct left/right label swaps in frontal frames. Anatomy: seen from the front the subject's left hip,
/// knee and ankle are on the image's right (from behind, on its left); a frame where at least two of the three
/// pairs are the wrong way round is swapped. Continuity: a frame whose swapped labels sit much closer to the
/// previous frame's than its own labels do is swapped too. Returns the number of frames swapped.
pub(crate) fn correct_swaps(raw: &mut Raw, frontal: &[bool], front: bool, leg_px: f64) -> usize {
    let expected = if front { 1.0 } else { -1.0 };
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
            if let Some(p) = previous.filter(|&p| raw.t[i] - raw.t[p] < 0.25) {
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
