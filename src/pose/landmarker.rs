//! The BlazePose landmark model's post-processing (pure functions).
//!
//! In: the model's raw outputs for one 256x256 crop of a [`Roi`]. Out: 39 landmarks in frame pixels (33 body
//! points plus the two alignment points 33/34 that place the next frame's region, and four undocumented ones),
//! world landmarks in metres, and the pose flag.

use serde::{Deserialize, Serialize};

use super::geometry::Roi;

/// Side of the model's input crop.
pub const INPUT_SIZE: usize = 256;
/// Side of the heatmap output.
pub const HEATMAP_SIZE: usize = 64;
/// Landmarks the model predicts.
pub const MODEL_LANDMARKS: usize = 39;
/// Body landmarks (BlazePose topology) that genu reports.
pub const BODY_LANDMARKS: usize = 33;
/// Index of the alignment landmark at the hip centre.
pub const ALIGN_CENTRE: usize = 33;
/// Index of the alignment landmark giving body size and rotation.
pub const ALIGN_SCALE: usize = 34;
/// Side of the heatmap window used to refine a landmark (MediaPipe's value).
pub const HEATMAP_KERNEL: usize = 7;
/// A landmark is refined from the heatmap only when the window's peak confidence reaches this.
pub const MIN_HEATMAP_CONFIDENCE: f32 = 0.5;
/// A crop holds a person when the pose flag exceeds this; otherwise the detector runs again.
pub const POSE_FLAG_THRESHOLD: f32 = 0.5;

/// One landmark in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Landmark {
    /// x in pixels.
    pub x: f32,
    /// y in pixels (down).
    pub y: f32,
    /// Depth relative to the hips, in the same pixel scale (smaller is nearer the camera).
    pub z: f32,
    /// Probability that the point is visible (not occluded).
    pub visibility: f32,
    /// Probability that the point is inside the frame.
    pub presence: f32,
}

/// What the landmark model found in one crop.
#[derive(Debug, Clone, PartialEq)]
pub struct LandmarkResult {
    /// Probability that the crop holds a person.
    pub pose_flag: f32,
    /// All 39 landmarks in frame pixels.
    pub landmarks: [Landmark; MODEL_LANDMARKS],
    /// All 39 world landmarks in metres, origin between the hips, rotated with the crop.
    pub world: [[f32; 3]; MODEL_LANDMARKS],
}

impl LandmarkResult {
    /// The alignment landmarks (hip centre, scale point) that place the next frame's region.
    pub fn alignment_points(&self) -> [[f32; 2]; 2] {
        let c = &self.landmarks[ALIGN_CENTRE];
        let s = &self.landmarks[ALIGN_SCALE];
        [[c.x, c.y], [s.x, s.y]]
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Refine a landmark's normalised crop position `(x, y)` from heatmap channel `k`: the confidence-weighted
/// centroid of a [`HEATMAP_KERNEL`]-wide window around it, if the window's peak reaches
/// [`MIN_HEATMAP_CONFIDENCE`].
pub fn refine_from_heatmap(heatmap: &[f32], k: usize, x: f32, y: f32) -> (f32, f32) {
    let n = HEATMAP_SIZE as i64;
    let col = (x * n as f32) as i64;
    let row = (y * n as f32) as i64;
    if !(0..n).contains(&col) || !(0..n).contains(&row) || x < 0.0 || y < 0.0 {
        return (x, y);
    }
    let off = (HEATMAP_KERNEL as i64 - 1) / 2;
    let (mut sum, mut wx, mut wy, mut peak) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for r in (row - off).max(0)..(row + off + 1).min(n) {
        for c in (col - off).max(0)..(col + off + 1).min(n) {
            let conf = sigmoid(heatmap[(r * n + c) as usize * MODEL_LANDMARKS + k]);
            sum += conf;
            peak = peak.max(conf);
            wx += c as f32 * conf;
            wy += r as f32 * conf;
        }
    }
    if peak >= MIN_HEATMAP_CONFIDENCE && sum > 0.0 {
        (wx / n as f32 / sum, wy / n as f32 / sum)
    } else {
        (x, y)
    }
}

/// Decode the model's outputs for a crop of `roi`: `raw` 39 x 5 (x, y, z in crop pixels, visibility and
/// presence logits), `heatmap` 64 x 64 x 39 logits, `world` 39 x 3 metres, `pose_flag` a probability.
pub fn decode(raw: &[f32], heatmap: &[f32], world: &[f32], pose_flag: f32, roi: &Roi) -> LandmarkResult {
    let size = INPUT_SIZE as f32;
    let (s, c) = roi.rotation.sin_cos();
    let mut landmarks = [Landmark::default(); MODEL_LANDMARKS];
    let mut world_out = [[0.0f32; 3]; MODEL_LANDMARKS];
    for k in 0..MODEL_LANDMARKS {
        let r = &raw[5 * k..5 * k + 5];
        let (u, v) = refine_from_heatmap(heatmap, k, r[0] / size, r[1] / size);
        let [x, y] = roi.to_frame(u, v);
        landmarks[k] = Landmark { x, y, z: r[2] / size * roi.size, visibility: sigmoid(r[3]), presence: sigmoid(r[4]) };
        let w = &world[3 * k..3 * k + 3];
        world_out[k] = [c * w[0] - s * w[1], s * w[0] + c * w[1], w[2]];
    }
    LandmarkResult { pose_flag, landmarks, world: world_out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn heatmap_centroid_refines_position() {
        let mut hm = vec![-20.0f32; HEATMAP_SIZE * HEATMAP_SIZE * MODEL_LANDMARKS];
        // Two equally confident cells at columns 10 and 12 of row 20, channel 3: centroid column 11.
        for col in [10usize, 12] {
            hm[(20 * HEATMAP_SIZE + col) * MODEL_LANDMARKS + 3] = 10.0;
        }
        let (x, y) = refine_from_heatmap(&hm, 3, 11.2 / 64.0, 20.5 / 64.0);
        assert_abs_diff_eq!(x, 11.0 / 64.0, epsilon = 1e-4);
        assert_abs_diff_eq!(y, 20.0 / 64.0, epsilon = 1e-4);
        // Another channel has no confident cell: unchanged.
        assert_eq!(refine_from_heatmap(&hm, 4, 0.3, 0.4), (0.3, 0.4));
        // Outside the crop: unchanged.
        assert_eq!(refine_from_heatmap(&hm, 3, -0.1, 0.4), (-0.1, 0.4));
    }

    #[test]
    fn decode_projects_through_the_roi() {
        let hm = vec![-20.0f32; HEATMAP_SIZE * HEATMAP_SIZE * MODEL_LANDMARKS];
        let mut raw = vec![0.0f32; MODEL_LANDMARKS * 5];
        // Landmark 0 at the crop centre, landmark 1 at the top-centre.
        raw[0..2].copy_from_slice(&[128.0, 128.0]);
        raw[5..7].copy_from_slice(&[128.0, 0.0]);
        let mut world = vec![0.0f32; MODEL_LANDMARKS * 3];
        world[0..3].copy_from_slice(&[1.0, 0.0, 0.5]);
        let roi = Roi { cx: 300.0, cy: 200.0, size: 100.0, rotation: std::f32::consts::FRAC_PI_2 };
        let out = decode(&raw, &hm, &world, 0.9, &roi);
        assert_abs_diff_eq!(out.landmarks[0].x, 300.0, epsilon = 1e-3);
        assert_abs_diff_eq!(out.landmarks[0].y, 200.0, epsilon = 1e-3);
        // Rotated by +90 degrees: the crop's "up" points to frame +x.
        assert_abs_diff_eq!(out.landmarks[1].x, 350.0, epsilon = 1e-3);
        assert_abs_diff_eq!(out.landmarks[1].y, 200.0, epsilon = 1e-3);
        assert_abs_diff_eq!(out.landmarks[0].visibility, 0.5, epsilon = 1e-6);
        assert_abs_diff_eq!(out.world[0][0], 0.0, epsilon = 1e-6);
        assert_abs_diff_eq!(out.world[0][1], 1.0, epsilon = 1e-6);
        assert_abs_diff_eq!(out.world[0][2], 0.5, epsilon = 1e-6);
    }
}
