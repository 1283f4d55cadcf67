//! The BlazePose person detector's pre- and post-processing (pure functions; the session call is elsewhere).
//!
//! In: an RGB frame. Out: person [`Detection`]s in frame pixels, best first. The network sees the frame
//! letterboxed to 224x224 with values in [-1, 1]; it predicts, for each of 2254 SSD anchors, a face box and
//! four keypoints (hip centre, full-body scale point, shoulder centre, upper-body scale point) as offsets in
//! 224-pixel units from the anchor centre, and a score logit.

use super::geometry::{Letterbox, Roi};

/// Side of the detector's input.
pub const INPUT_SIZE: usize = 224;
/// Minimum score (after the sigmoid) for a detection to be kept (MediaPipe's value).
pub const MIN_SCORE: f32 = 0.5;
/// Raw score logits are clipped to ±this before the sigmoid (MediaPipe's value).
pub const SCORE_CLIP: f32 = 100.0;
/// Overlap (intersection over union) above which two detections are merged by weighted NMS.
pub const NMS_IOU: f32 = 0.3;
/// Values per anchor in the regression output: box (4) + 4 keypoints (8).
pub const VALUES_PER_ANCHOR: usize = 12;

/// One detected person, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Score in [0, 1].
    pub score: f32,
    /// Face box: min x, min y, max x, max y.
    pub face_box: [f32; 4],
    /// Keypoints: 0 hip centre, 1 full-body scale/rotation point, 2 shoulder centre, 3 upper-body point.
    pub keypoints: [[f32; 2]; 4],
}

impl Detection {
    /// The region of interest the landmark model should look at (from keypoints 0 and 1).
    pub fn roi(&self) -> Roi {
        Roi::from_alignment(self.keypoints[0], self.keypoints[1])
    }

    /// Half the body's extent in pixels (distance between keypoints 0 and 1).
    pub fn body_size(&self) -> f32 {
        let [a, b] = [self.keypoints[0], self.keypoints[1]];
        (b[0] - a[0]).hypot(b[1] - a[1])
    }
}

/// SSD anchor centres in normalised letterbox coordinates, ordered layer → row → column → anchor.
///
/// Five layers with strides 8, 16, 32, 32, 32; layers of equal stride share a grid, and every layer has two
/// anchors per cell (aspect ratio 1 plus the interpolated scale). With fixed anchor size only the centres
/// matter: 28²·2 + 14²·2 + 7²·6 = 2254.
pub fn anchors() -> Vec<[f32; 2]> {
    let mut out = Vec::with_capacity(2254);
    for (stride, per_cell) in [(8usize, 2usize), (16, 2), (32, 6)] {
        let n = INPUT_SIZE / stride;
        for y in 0..n {
            for x in 0..n {
                let centre = [(x as f32 + 0.5) / n as f32, (y as f32 + 0.5) / n as f32];
                out.extend(std::iter::repeat_n(centre, per_cell));
            }
        }
    }
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-SCORE_CLIP, SCORE_CLIP)).exp())
}

/// A detection in normalised letterbox coordinates, before NMS.
#[derive(Debug, Clone, Copy)]
struct Raw {
    score: f32,
    bbox: [f32; 4],
    kps: [[f32; 2]; 4],
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union <= 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Decode the network's outputs (`boxes`: 2254 x 12, `scores`: 2254 logits) into detections in frame pixels,
/// best first, after weighted non-maximum suppression and removal of the letterbox.
pub fn decode(boxes: &[f32], scores: &[f32], anchors: &[[f32; 2]], letterbox: &Letterbox) -> Vec<Detection> {
    let size = INPUT_SIZE as f32;
    let mut raw: Vec<Raw> = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let Some(&logit) = scores.get(i) else { break };
        let score = sigmoid(logit);
        if score.is_nan() || score < MIN_SCORE {
            continue;
        }
        let r = &boxes[i * VALUES_PER_ANCHOR..(i + 1) * VALUES_PER_ANCHOR];
        let (xc, yc) = (r[0] / size + anchor[0], r[1] / size + anchor[1]);
        let (w, h) = (r[2] / size, r[3] / size);
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite() && xc.is_finite() && yc.is_finite()) {
            continue;
        }
        let mut kps = [[0.0; 2]; 4];
        for (k, kp) in kps.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] / size + anchor[0], r[5 + 2 * k] / size + anchor[1]];
        }
        raw.push(Raw { score, bbox: [xc - w / 2.0, yc - h / 2.0, xc + w / 2.0, yc + h / 2.0], kps });
    }
    weighted_nms(raw)
        .into_iter()
        .map(|d| {
            let a = letterbox.to_frame(d.bbox[0], d.bbox[1]);
            let b = letterbox.to_frame(d.bbox[2], d.bbox[3]);
            let mut keypoints = [[0.0; 2]; 4];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = letterbox.to_frame(d.kps[k][0], d.kps[k][1]);
            }
            Detection { score: d.score, face_box: [a[0], a[1], b[0], b[1]], keypoints }
        })
        .collect()
}

/// Weighted NMS: take the best remaining detection, average it with every remaining detection that overlaps
/// it by more than [`NMS_IOU`] (itself included), weighting by score; keep the best's score; repeat.
fn weighted_nms(mut raw: Vec<Raw>) -> Vec<Raw> {
    raw.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    let mut remaining = raw.into_iter();
    while let Some(best) = remaining.next() {
        let (overlapping, rest): (Vec<Raw>, Vec<Raw>) = remaining.partition(|r| iou(&best.bbox, &r.bbox) > NMS_IOU);
        let total: f32 = best.score + overlapping.iter().map(|r| r.score).sum::<f32>();
        let mut merged = Raw { score: best.score, bbox: [0.0; 4], kps: [[0.0; 2]; 4] };
        for r in std::iter::once(&best).chain(&overlapping) {
            let w = r.score / total;
            for k in 0..4 {
                merged.bbox[k] += r.bbox[k] * w;
                merged.kps[k][0] += r.kps[k][0] * w;
                merged.kps[k][1] += r.kps[k][1] * w;
            }
        }
        out.push(merged);
        remaining = rest.into_iter();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn anchor_count_and_layout() {
        let a = anchors();
        assert_eq!(a.len(), 2254);
        assert_eq!(a[0], [0.5 / 28.0, 0.5 / 28.0]);
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2], [1.5 / 28.0, 0.5 / 28.0]);
        assert_eq!(a[28 * 28 * 2], [0.5 / 14.0, 0.5 / 14.0]);
        assert_eq!(a[2253], [6.5 / 7.0, 6.5 / 7.0]);
    }

    fn put(boxes: &mut [f32], scores: &mut [f32], i: usize, logit: f32, vals: [f32; 12]) {
        scores[i] = logit;
        boxes[i * 12..(i + 1) * 12].copy_from_slice(&vals);
    }

    #[test]
    fn decode_merges_overlaps_and_removes_letterbox() {
        let anchors = anchors();
        let mut boxes = vec![0.0; 2254 * 12];
        let mut scores = vec![-10.0; 2254];
        // Two overlapping detections near anchor 0 and 1 (same centre), one far away at the last anchor.
        let v = [0.0, 0.0, 22.4, 22.4, 0.0, 11.2, 0.0, -11.2, 0.0, -22.4, 0.0, -33.6];
        put(&mut boxes, &mut scores, 0, 2.0, v);
        let mut v2 = v;
        v2[0] = 2.24; // shifted by 0.01 in x
        put(&mut boxes, &mut scores, 1, 0.0, v2);
        put(&mut boxes, &mut scores, 2253, 1.0, v);
        // A square frame: no letterbox, 224 pixels -> frame pixels x 1.
        let lb = Letterbox::new(224, 224);
        let d = decode(&boxes, &scores, &anchors, &lb);
        assert_eq!(d.len(), 2);
        assert_abs_diff_eq!(d[0].score, sigmoid(2.0), epsilon = 1e-6);
        // Weighted mean of the x offsets 0 and 2.24 px with weights sigmoid(2), sigmoid(0).
        let (w0, w1) = (sigmoid(2.0), sigmoid(0.0));
        let xc = 224.0 * (0.5 / 28.0) + 2.24 * w1 / (w0 + w1);
        assert_abs_diff_eq!((d[0].face_box[0] + d[0].face_box[2]) / 2.0, xc, epsilon = 1e-3);
        assert_abs_diff_eq!(d[0].keypoints[0][1], 224.0 * (0.5 / 28.0) + 11.2, epsilon = 1e-3);
        assert_abs_diff_eq!(d[0].body_size(), 22.4, epsilon = 1e-3);

        // A 448x224 frame: letterboxed with 56 px (in 224 units) top and bottom.
        let lb = Letterbox::new(448, 224);
        let d = decode(&boxes, &scores, &anchors, &lb);
        let y = ((0.5 / 28.0) - 0.25) / 0.5 * 224.0;
        assert_abs_diff_eq!((d[0].face_box[1] + d[0].face_box[3]) / 2.0, y, epsilon = 1e-3);
    }

    #[test]
    fn low_scores_and_bad_boxes_are_dropped() {
        let anchors = anchors();
        let mut boxes = vec![0.0; 2254 * 12];
        let mut scores = vec![-10.0; 2254];
        put(&mut boxes, &mut scores, 5, 5.0, [0.0, 0.0, -1.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        put(&mut boxes, &mut scores, 6, f32::NAN, [0.0, 0.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(decode(&boxes, &scores, &anchors, &Letterbox::new(224, 224)).is_empty());
    }
}
