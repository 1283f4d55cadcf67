//! The camera's own motion, read from the picture's background.
//!
//! A phone held in the hand turns and drifts: the whole picture moves, and with it every landmark, by as much as
//! a shallow rep moves the hip. What the background does is the camera's. Each frame is shrunk to a small grey
//! picture ([`THUMB_LONG_PX`] on its long side), the subject's box (its landmarks' extent, widened by
//! [`SUBJECT_MARGIN`]) is left out, and the rest is matched against a reference frame by the shift that best
//! lines up their brightness gradients (gradients, not brightness, so that a phone's exposure changes do not
//! count): a coarse search at half that size around the last shift, refined at full thumb size to a fraction
//! of a pixel. The shift is kept only where the match is distinct along both axes ([`MIN_CURVATURE`]): a plain
//! wall, or one edge such as a floor line, matches equally well at many shifts and gives none.
//!
//! The shift is the picture's motion at the background's depth. A turning hand moves near and far alike; a
//! hand moving the phone sideways moves a wall behind the subject less than the subject (parallax), so the
//! shift then understates the camera's motion at the subject.

use crate::video::Pixels;

/// Long side (pixels) of the small grey picture the background is matched on.
pub const THUMB_LONG_PX: f32 = 128.0;
/// The subject's box is widened by this fraction of its height on every side before it is left out of the
/// background (hair, clothes and shadows reach beyond the joints).
pub const SUBJECT_MARGIN: f32 = 0.05;
/// More above: the top of the head lies this fraction of the box's height above the eyes, its highest landmarks.
pub const HEAD_MARGIN: f32 = 0.12;
/// Search radius (pixels of the half-size level) around the last shift: 8 is 16 thumb pixels, an eighth of
/// the picture's long side, far more than a hand moves a phone between two frames.
pub const COARSE_RADIUS: i32 = 8;
/// Fewest background pixels, as a share of the thumb, a match rests on.
pub const MIN_BACKGROUND_SHARE: f32 = 0.1;
/// A shift is kept when moving one thumb pixel off it, in any direction, raises the match's cost by at least this
/// share of the cost at the match: a textured background rises by far more, a plain or striped one by less.
pub const MIN_CURVATURE: f32 = 0.25;
/// The reference frame is renewed when the picture has moved this share of the thumb's short side from it, so
/// that the two keep enough background in common.
pub const RENEW_SHARE: f32 = 0.15;

/// A small grey picture's gradients and which of its pixels are background.
#[derive(Debug, Clone)]
struct Thumb {
    w: usize,
    h: usize,
    gx: Vec<f32>,
    gy: Vec<f32>,
    background: Vec<bool>,
}

impl Thumb {
    /// Gradients (central differences) of grey picture `grey` (`w` × `h`); pixels inside `subject` (a box
    /// `[x0, y0, x1, y1]` in the same pixels) and on the border are not background.
    fn new(grey: &[f32], w: usize, h: usize, subject: Option<[f32; 4]>) -> Self {
        let mut gx = vec![0.0; w * h];
        let mut gy = vec![0.0; w * h];
        let mut background = vec![false; w * h];
        for y in 1..h.saturating_sub(1) {
            for x in 1..w.saturating_sub(1) {
                let i = y * w + x;
                gx[i] = (grey[i + 1] - grey[i - 1]) / 2.0;
                gy[i] = (grey[i + w] - grey[i - w]) / 2.0;
                let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
                background[i] = !subject.is_some_and(|[x0, y0, x1, y1]| fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1);
            }
        }
        Self { w, h, gx, gy, background }
    }

    /// Half the size: each pixel the mean of a 2 × 2 block of `grey`; the subject's box halved with it.
    fn half(grey: &[f32], w: usize, h: usize, subject: Option<[f32; 4]>) -> Self {
        let (hw, hh) = (w / 2, h / 2);
        let mut small = vec![0.0; hw * hh];
        for y in 0..hh {
            for x in 0..hw {
                let i = 2 * y * w + 2 * x;
                small[y * hw + x] = (grey[i] + grey[i + 1] + grey[i + w] + grey[i + w + 1]) / 4.0;
            }
        }
        Self::new(&small, hw, hh, subject.map(|b| b.map(|v| v / 2.0)))
    }

    /// Mean absolute gradient difference between `self` and `reference` moved by `(dx, dy)` pixels, over the
    /// pixels that are background in both; with how many there were.
    fn cost(&self, reference: &Thumb, dx: i32, dy: i32) -> (f32, usize) {
        let (mut sum, mut n) = (0.0f32, 0usize);
        // The rows and columns whose shifted place lies inside the reference.
        let span = |len: usize, ref_len: usize, d: i32| d.max(0)..(len as i32).min(ref_len as i32 + d);
        let (xs, ys) = (span(self.w, reference.w, dx), span(self.h, reference.h, dy));
        for y in ys {
            let (row, ref_row) = (y as usize * self.w, (y - dy) as usize * reference.w);
            for x in xs.clone() {
                let (i, j) = (row + x as usize, ref_row + (x - dx) as usize);
                if self.background[i] && reference.background[j] {
                    sum += (self.gx[i] - reference.gx[j]).abs() + (self.gy[i] - reference.gy[j]).abs();
                    n += 1;
                }
            }
        }
        (if n > 0 { sum / n as f32 } else { f32::INFINITY }, n)
    }
}

/// The best integer shift of `current` against `reference` within `radius` of `around`, by [`Thumb::cost`],
/// counting only matches over at least `min_pixels` background pixels.
fn best_shift(
    current: &Thumb,
    reference: &Thumb,
    around: [i32; 2],
    radius: i32,
    min_pixels: usize,
) -> Option<[i32; 2]> {
    let mut best: Option<(f32, [i32; 2])> = None;
    for dy in around[1] - radius..=around[1] + radius {
        for dx in around[0] - radius..=around[0] + radius {
            let (c, n) = current.cost(reference, dx, dy);
            if n >= min_pixels && best.is_none_or(|(b, _)| c < b) {
                best = Some((c, [dx, dy]));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// The picture's shift per frame against the clip's first reference, in working pixels.
#[derive(Debug, Default)]
pub struct BackgroundTracker {
    /// The reference frame's thumb and half-size thumb, with its own shift (thumb pixels).
    reference: Option<(Thumb, Thumb, [f32; 2])>,
    /// The last shift measured (thumb pixels).
    last: [f32; 2],
    /// The subject's last box in working pixels, used where a frame has no pose.
    last_subject: Option<[f32; 4]>,
}

impl BackgroundTracker {
    /// A tracker for a new clip.
    pub fn new() -> Self {
        Self::default()
    }

    /// The picture's shift (working pixels, `[x, y]`: where the background has moved to since the clip's first
    /// frame the subject was seen in) in `frame`, whose subject lies within `subject` (a box `[x0, y0, x1, y1]`
    /// in working pixels, when seen); `None` where the background cannot be matched, and before the subject is
    /// first seen (an unseen subject walking in would be taken for the background).
    pub fn shift(&mut self, frame: &Pixels, subject: Option<[f32; 4]>) -> Option<[f32; 2]> {
        if subject.is_some() {
            self.last_subject = subject;
        }
        // Before the subject is first seen, whatever moves may be the subject coming in.
        self.last_subject?;
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let step = (fw.max(fh) / THUMB_LONG_PX).max(1.0);
        let (w, h) = ((fw / step) as usize & !1, (fh / step) as usize & !1);
        if w < 8 || h < 8 {
            return None;
        }
        let grey = grey_thumb(frame, w, h, step);
        let margin = |[x0, y0, x1, y1]: [f32; 4]| {
            let m = SUBJECT_MARGIN * (y1 - y0);
            let top = HEAD_MARGIN * (y1 - y0);
            [(x0 - m) / step, (y0 - top) / step, (x1 + m) / step, (y1 + m) / step]
        };
        let subject = self.last_subject.map(margin);
        let fine = Thumb::new(&grey, w, h, subject);
        let coarse = Thumb::half(&grey, w, h, subject);
        let Some((ref_fine, ref_coarse, base)) = &self.reference else {
            self.reference = Some((fine, coarse, [0.0, 0.0]));
            self.last = [0.0, 0.0];
            return Some([0.0, 0.0]);
        };
        let min_pixels = (MIN_BACKGROUND_SHARE * (w * h) as f32) as usize;
        let around = [(self.last[0] - base[0]) / 2.0, (self.last[1] - base[1]) / 2.0].map(|v| v.round() as i32);
        let rough = best_shift(&coarse, ref_coarse, around, COARSE_RADIUS, min_pixels / 4)?;
        let [dx, dy] = best_shift(&fine, ref_fine, [2 * rough[0], 2 * rough[1]], 2, min_pixels)?;
        // Sub-pixel by a quadratic through the costs of the 3 × 3 shifts around the best one; kept only where the
        // minimum is distinct in every direction (a striped or plain background leaves a valley along which the
        // shift is unknown).
        let c = |ex: i32, ey: i32| fine.cost(ref_fine, dx + ex, dy + ey).0;
        let c0 = c(0, 0);
        let (gx, gy) = ((c(1, 0) - c(-1, 0)) / 2.0, (c(0, 1) - c(0, -1)) / 2.0);
        let (hxx, hyy) = (c(1, 0) + c(-1, 0) - 2.0 * c0, c(0, 1) + c(0, -1) - 2.0 * c0);
        let hxy = (c(1, 1) - c(1, -1) - c(-1, 1) + c(-1, -1)) / 4.0;
        // The smaller curvature of the cost (half the Hessian's smaller eigenvalue: a one-pixel step's rise).
        let weakest = ((hxx + hyy) - ((hxx - hyy).powi(2) + 4.0 * hxy * hxy).sqrt()) / 4.0;
        if !(weakest > 0.0 && weakest >= MIN_CURVATURE * c0) {
            return None;
        }
        let det = hxx * hyy - hxy * hxy;
        let fx = (-(hyy * gx - hxy * gy) / det).clamp(-0.5, 0.5);
        let fy = (-(hxx * gy - hxy * gx) / det).clamp(-0.5, 0.5);
        let shift = [base[0] + dx as f32 + fx, base[1] + dy as f32 + fy];
        self.last = shift;
        if (dx as f32).hypot(dy as f32) >= RENEW_SHARE * w.min(h) as f32 {
            self.reference = Some((fine, coarse, shift));
        }
        Some(shift.map(|v| v * step))
    }
}

/// A grey picture `w` × `h` of `frame`, each pixel the mean luma of four points spread over its `step` ×
/// `step` block of working pixels.
fn grey_thumb(frame: &Pixels, w: usize, h: usize, step: f32) -> Vec<f32> {
    let mut grey = vec![0.0; w * h];
    let (fw, fh) = (frame.width() as f32 - 1.0, frame.height() as f32 - 1.0);
    let luma = frame.luma();
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let px = ((x as f32 + ox) * step).min(fw);
                let py = ((y as f32 + oy) * step).min(fh);
                sum += luma(px, py);
            }
            grey[y * w + x] = sum / 4.0;
        }
    }
    grey
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// Smooth pseudo-random blobs about one unit across (value noise), as a wall's clutter gives.
    fn noise(x: f32, y: f32) -> f32 {
        let hash = |i: i32, j: i32| {
            let h = (i.wrapping_mul(374_761_393) ^ j.wrapping_mul(668_265_263)) as u32;
            (h.wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32
        };
        let (i, j) = (x.floor() as i32, y.floor() as i32);
        let (fx, fy) = (x - x.floor(), y - y.floor());
        let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
        let top = hash(i, j) + (hash(i + 1, j) - hash(i, j)) * sx;
        let bottom = hash(i, j + 1) + (hash(i + 1, j + 1) - hash(i, j + 1)) * sx;
        top + (bottom - top) * sy
    }

    /// A textured picture (blobs at two sizes) moved by `(sx, sy)` pixels, with a
    /// "subject" (a flat box) at `subject` that does not move with it.
    fn scene(sx: f32, sy: f32, subject: [u32; 4], texture: bool) -> Pixels {
        let (w, h) = (256, 192);
        Pixels::Rgb(RgbImage::from_fn(w, h, |x, y| {
            let [x0, y0, x1, y1] = subject;
            if x >= x0 && x <= x1 && y >= y0 && y <= y1 {
                return Rgb([200, 60, 60]);
            }
            let (u, v) = (x as f32 - sx, y as f32 - sy);
            let g = if texture {
                128.0 + 60.0 * (noise(u / 9.0, v / 9.0) - 0.5) + 50.0 * (noise(u / 3.5, v / 3.5) - 0.5)
            } else {
                // A plain wall above a floor: one edge only.
                if v < 120.0 {
                    170.0
                } else {
                    90.0
                }
            };
            let g = g.clamp(0.0, 255.0) as u8;
            Rgb([g, g, g])
        }))
    }

    #[test]
    fn a_moving_background_is_followed_and_the_subject_ignored() {
        let subject = [100, 40, 150, 180];
        let boxed = Some([100.0, 40.0, 150.0, 180.0]);
        let mut tracker = BackgroundTracker::new();
        assert_eq!(tracker.shift(&scene(0.0, 0.0, subject, true), boxed), Some([0.0, 0.0]));
        for (k, (sx, sy)) in [(1.5, -0.7), (3.2, -1.9), (6.0, -3.1), (9.4, 2.2), (4.0, 5.5)].into_iter().enumerate() {
            let got = tracker.shift(&scene(sx, sy, subject, true), boxed).expect("textured background matched");
            assert!((got[0] - sx).abs() <= 1.0 && (got[1] - sy).abs() <= 1.0, "frame {k}: {got:?} for {sx}, {sy}");
        }
    }

    #[test]
    fn a_still_camera_reads_no_shift_while_the_subject_moves() {
        let mut tracker = BackgroundTracker::new();
        for k in 0..6 {
            let subject = [90 + 10 * k, 40, 140 + 10 * k, 180];
            let boxed = Some(subject.map(|v| v as f32));
            let got = tracker.shift(&scene(0.0, 0.0, subject, true), boxed).expect("matched");
            assert!(got[0].abs() <= 0.5 && got[1].abs() <= 0.5, "frame {k}: {got:?}");
        }
    }

    #[test]
    fn a_plain_wall_gives_no_shift() {
        let subject = [100, 40, 150, 180];
        let boxed = Some([100.0, 40.0, 150.0, 180.0]);
        let mut tracker = BackgroundTracker::new();
        tracker.shift(&scene(0.0, 0.0, subject, false), boxed);
        assert_eq!(tracker.shift(&scene(4.0, 1.0, subject, false), boxed), None);
    }
}
