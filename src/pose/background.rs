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

/// Steps (relative scale) between the zooms tried around the last one at the fine level: two each way, so a zoom
/// of up to 1 % per frame is followed (a phone's pinch zoom over a second at 30 fps is about 2 %: then lost).
pub const SCALE_STEP: f32 = 0.005;
/// The reference frame is renewed when the picture has been zoomed this far from it (relative scale), so that the
/// two keep their gradients alike.
pub const RENEW_SCALE: f32 = 0.05;

/// A small grey picture, its gradients and which of its pixels are background.
#[derive(Debug, Clone)]
struct Thumb {
    w: usize,
    h: usize,
    grey: Vec<f32>,
    gx: Vec<f32>,
    gy: Vec<f32>,
    background: Vec<bool>,
}

impl Thumb {
    /// Gradients (central differences) of grey picture `grey` (`w` × `h`) whose background pixels are those of
    /// `background`; the border is not background.
    fn from_parts(grey: Vec<f32>, w: usize, h: usize, mut background: Vec<bool>) -> Self {
        let mut gx = vec![0.0; w * h];
        let mut gy = vec![0.0; w * h];
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                if x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
                    background[i] = false;
                    continue;
                }
                gx[i] = (grey[i + 1] - grey[i - 1]) / 2.0;
                gy[i] = (grey[i + w] - grey[i - w]) / 2.0;
            }
        }
        Self { w, h, grey, gx, gy, background }
    }

    /// The thumb of grey picture `grey`; pixels inside `subject` (a box `[x0, y0, x1, y1]` in the same pixels)
    /// are not background.
    fn new(grey: Vec<f32>, w: usize, h: usize, subject: Option<[f32; 4]>) -> Self {
        let background = (0..w * h)
            .map(|i| {
                let (fx, fy) = ((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
                !subject.is_some_and(|[x0, y0, x1, y1]| fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1)
            })
            .collect();
        Self::from_parts(grey, w, h, background)
    }

    /// Half the size: each pixel the mean of a 2 × 2 block, background where all four are.
    fn half(&self) -> Self {
        let (w, hw, hh) = (self.w, self.w / 2, self.h / 2);
        let mut grey = vec![0.0; hw * hh];
        let mut background = vec![false; hw * hh];
        for y in 0..hh {
            for x in 0..hw {
                let i = 2 * y * w + 2 * x;
                let block = [i, i + 1, i + w, i + w + 1];
                grey[y * hw + x] = block.iter().map(|&j| self.grey[j]).sum::<f32>() / 4.0;
                background[y * hw + x] = block.iter().all(|&j| self.background[j]);
            }
        }
        Self::from_parts(grey, hw, hh, background)
    }

    /// The picture zoomed by `s` about `centre` (pixel-index coordinates): each pixel the bilinear sample of
    /// `self` at `centre + (p − centre) / s`; background where the four pixels sampled are.
    fn zoomed(&self, s: f32, centre: [f32; 2]) -> Self {
        if s == 1.0 {
            return self.clone();
        }
        let (w, h) = (self.w, self.h);
        let mut grey = vec![0.0; w * h];
        let mut background = vec![false; w * h];
        for y in 0..h {
            for x in 0..w {
                let u = centre[0] + (x as f32 - centre[0]) / s;
                let v = centre[1] + (y as f32 - centre[1]) / s;
                // Beyond the reference the nearest edge is repeated (its gradients stay those of the picture, not
                // of a step to black) and the pixel is not background.
                let inside = u >= 0.0 && v >= 0.0 && u < (w - 1) as f32 && v < (h - 1) as f32;
                let (u, v) = (u.clamp(0.0, (w - 1) as f32 - 1e-3), v.clamp(0.0, (h - 1) as f32 - 1e-3));
                let (x0, y0) = (u as usize, v as usize);
                let (fx, fy) = (u - x0 as f32, v - y0 as f32);
                let j = y0 * w + x0;
                let at = |k: usize| self.grey[k];
                let top = at(j) + (at(j + 1) - at(j)) * fx;
                let bottom = at(j + w) + (at(j + w + 1) - at(j + w)) * fx;
                grey[y * w + x] = top + (bottom - top) * fy;
                background[y * w + x] = inside && [j, j + 1, j + w, j + w + 1].iter().all(|&k| self.background[k]);
            }
        }
        Self::from_parts(grey, w, h, background)
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
/// counting only matches over at least `min_pixels` background pixels; with its cost.
fn best_shift(
    current: &Thumb,
    reference: &Thumb,
    around: [i32; 2],
    radius: i32,
    min_pixels: usize,
) -> Option<([i32; 2], f32)> {
    let mut best: Option<(f32, [i32; 2])> = None;
    for dy in around[1] - radius..=around[1] + radius {
        for dx in around[0] - radius..=around[0] + radius {
            let (c, n) = current.cost(reference, dx, dy);
            if n >= min_pixels && best.is_none_or(|(b, _)| c < b) {
                best = Some((c, [dx, dy]));
            }
        }
    }
    best.map(|(c, s)| (s, c))
}

/// The vertex of the parabola through `(-1, a)`, `(0, b)`, `(1, c)`, within ±0.5; 0 when it opens downward.
fn vertex(a: f32, b: f32, c: f32) -> f32 {
    let curve = a + c - 2.0 * b;
    if curve > 0.0 {
        ((a - c) / (2.0 * curve)).clamp(-0.5, 0.5)
    } else {
        0.0
    }
}

/// Where the picture's background has moved to since the first frame the subject was seen in: a point `p` of the
/// current frame lay at `centre + (p − centre − shift) / scale` in that frame, `centre` being the picture's
/// middle. A camera turning or drifting shifts the picture; a zoom scales it about its middle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraMotion {
    /// The picture's shift (`[x, y]` pixels).
    pub shift: [f32; 2],
    /// The picture's scale (1 without a zoom).
    pub scale: f32,
}

/// The reference frame the current one is matched against.
#[derive(Debug)]
struct Reference {
    fine: Thumb,
    /// Its own motion against the clip's first reference (thumb pixels).
    motion: CameraMotion,
}

/// The picture's motion per frame against the clip's first reference, in working pixels.
#[derive(Debug, Default)]
pub struct BackgroundTracker {
    reference: Option<Reference>,
    /// The last motion measured against the current reference (thumb pixels), where the search starts.
    last: Option<CameraMotion>,
    /// The subject's last box in working pixels, used where a frame has no pose.
    last_subject: Option<[f32; 4]>,
}

impl BackgroundTracker {
    /// A tracker for a new clip.
    pub fn new() -> Self {
        Self::default()
    }

    /// The picture's motion ([`CameraMotion`], working pixels) in `frame`, whose subject lies within `subject` (a
    /// box `[x0, y0, x1, y1]` in working pixels, when seen); `None` where the background cannot be matched, and
    /// before the subject is first seen (an unseen subject walking in would be taken for the background).
    pub fn motion(&mut self, frame: &Pixels, subject: Option<[f32; 4]>) -> Option<CameraMotion> {
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
        let margin = |[x0, y0, x1, y1]: [f32; 4]| {
            let m = SUBJECT_MARGIN * (y1 - y0);
            let top = HEAD_MARGIN * (y1 - y0);
            [(x0 - m) / step, (y0 - top) / step, (x1 + m) / step, (y1 + m) / step]
        };
        let fine = Thumb::new(grey_thumb(frame, w, h, step), w, h, self.last_subject.map(margin));
        let in_working = |m: CameraMotion| CameraMotion { shift: m.shift.map(|v| v * step), scale: m.scale };
        let Some(reference) = &self.reference else {
            let still = CameraMotion { shift: [0.0, 0.0], scale: 1.0 };
            self.reference = Some(Reference { fine, motion: still });
            self.last = Some(still);
            return Some(still);
        };
        // The picture's middle in pixel-index coordinates (pixel k spans k..k + 1 of the thumb's continuous
        // coordinates, in which the middle lies at half the working picture's size over the step).
        let centre = [fw / step / 2.0 - 0.5, fh / step / 2.0 - 0.5];
        let min_pixels = (MIN_BACKGROUND_SHARE * (w * h) as f32) as usize;
        let last = self.last.unwrap_or(CameraMotion { shift: [0.0, 0.0], scale: 1.0 });
        // Coarse: the shift at half size, at the last zoom.
        let coarse = fine.half();
        let around = last.shift.map(|v| (v / 2.0).round() as i32);
        let (rough, _) = best_shift(
            &coarse,
            &reference.fine.zoomed(last.scale, centre).half(),
            around,
            COARSE_RADIUS,
            min_pixels / 4,
        )?;
        // Fine: the zooms around the last one, each with its best shift near the coarse one.
        let tried: Vec<(f32, Thumb, [i32; 2], f32)> = (-2..=2)
            .filter_map(|k| {
                let s = last.scale * (1.0 + k as f32 * SCALE_STEP);
                let zoomed = reference.fine.zoomed(s, centre);
                let (shift, cost) = best_shift(&fine, &zoomed, [2 * rough[0], 2 * rough[1]], 2, min_pixels)?;
                Some((s, zoomed, shift, cost))
            })
            .collect();
        let best = (0..tried.len()).min_by(|&a, &b| tried[a].3.total_cmp(&tried[b].3))?;
        let scale = match (best.checked_sub(1).and_then(|a| tried.get(a)), tried.get(best + 1)) {
            (Some(before), Some(after)) => {
                let t = vertex(before.3, tried[best].3, after.3);
                tried[best].0 * (1.0 + t * SCALE_STEP)
            }
            _ => tried[best].0,
        };
        let (_, zoomed, [dx, dy], _) = &tried[best];
        let (dx, dy) = (*dx, *dy);
        // Sub-pixel by a quadratic through the costs of the 3 × 3 shifts around the best one; kept only where the
        // minimum is distinct in every direction (a striped or plain background leaves a valley along which the
        // shift is unknown).
        let c = |ex: i32, ey: i32| fine.cost(zoomed, dx + ex, dy + ey).0;
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
        let relative = CameraMotion { shift: [dx as f32 + fx, dy as f32 + fy], scale };
        // Against the clip's first reference: the reference's own motion, zoomed by this frame's.
        let base = reference.motion;
        let total = CameraMotion {
            shift: [0, 1].map(|a| relative.shift[a] + scale * base.shift[a]),
            scale: scale * base.scale,
        };
        self.last = Some(relative);
        let moved = relative.shift[0].hypot(relative.shift[1]) >= RENEW_SHARE * w.min(h) as f32;
        if moved || (scale - 1.0).abs() >= RENEW_SCALE {
            self.reference = Some(Reference { fine, motion: total });
            self.last = Some(CameraMotion { shift: [0.0, 0.0], scale: 1.0 });
        }
        Some(in_working(total))
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

    /// A textured picture (blobs at two sizes) moved by `(sx, sy)` pixels and zoomed by `zoom` about its middle
    /// (a point `p` shows the still picture at `middle + (p − middle − shift) / zoom`), with a "subject" (a flat
    /// box) at `subject` that does not move with it.
    fn zoomed_scene(sx: f32, sy: f32, zoom: f32, subject: [u32; 4], texture: bool) -> Pixels {
        let (w, h) = (256, 192);
        let middle = [w as f32 / 2.0, h as f32 / 2.0];
        Pixels::Rgb(RgbImage::from_fn(w, h, |x, y| {
            let [x0, y0, x1, y1] = subject;
            if x >= x0 && x <= x1 && y >= y0 && y <= y1 {
                return Rgb([200, 60, 60]);
            }
            // The pixel's centre, in the still picture.
            let u = middle[0] + (x as f32 + 0.5 - middle[0] - sx) / zoom;
            let v = middle[1] + (y as f32 + 0.5 - middle[1] - sy) / zoom;
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

    fn scene(sx: f32, sy: f32, subject: [u32; 4], texture: bool) -> Pixels {
        zoomed_scene(sx, sy, 1.0, subject, texture)
    }

    #[test]
    fn a_moving_background_is_followed_and_the_subject_ignored() {
        let subject = [100, 40, 150, 180];
        let boxed = Some([100.0, 40.0, 150.0, 180.0]);
        let mut tracker = BackgroundTracker::new();
        let first = tracker.motion(&scene(0.0, 0.0, subject, true), boxed);
        assert_eq!(first, Some(CameraMotion { shift: [0.0, 0.0], scale: 1.0 }));
        for (k, (sx, sy)) in [(1.5, -0.7), (3.2, -1.9), (6.0, -3.1), (9.4, 2.2), (4.0, 5.5)].into_iter().enumerate() {
            let got = tracker.motion(&scene(sx, sy, subject, true), boxed).expect("textured background matched");
            let [x, y] = got.shift;
            assert!((x - sx).abs() <= 1.0 && (y - sy).abs() <= 1.0, "frame {k}: {got:?} for {sx}, {sy}");
            assert!((got.scale - 1.0).abs() <= 0.004, "frame {k}: {got:?}");
        }
    }

    #[test]
    fn a_zoom_is_followed_with_a_drift() {
        // A slow zoom to 1.12 (as over a few seconds of a clip), the hand drifting meanwhile; past the renewal of
        // the reference at 5 %.
        let subject = [110, 50, 146, 170];
        let boxed = Some([110.0, 50.0, 146.0, 170.0]);
        let mut tracker = BackgroundTracker::new();
        tracker.motion(&zoomed_scene(0.0, 0.0, 1.0, subject, true), boxed);
        for k in 1..=24 {
            let zoom = 1.0 + 0.005 * k as f32;
            let (sx, sy) = (0.3 * k as f32, -0.15 * k as f32);
            let got = tracker.motion(&zoomed_scene(sx, sy, zoom, subject, true), boxed).expect("matched");
            assert!((got.scale - zoom).abs() <= 0.006, "frame {k}: {got:?} for zoom {zoom}");
            // A point at the picture's corner lands where the still picture had it, within a pixel and a half.
            let corner = [16.0f32, 16.0];
            let back = |m: CameraMotion, p: [f32; 2], a: usize| {
                let middle = [128.0, 96.0][a];
                middle + (p[a] - middle - m.shift[a]) / m.scale
            };
            let truth = CameraMotion { shift: [sx, sy], scale: zoom };
            for a in 0..2 {
                let (got, want) = (back(got, corner, a), back(truth, corner, a));
                assert!((got - want).abs() <= 1.5, "frame {k}, axis {a}: {got} for {want}");
            }
        }
    }

    #[test]
    fn a_picture_barely_zoomed_matches_itself() {
        // The reference zoomed by 1.0001 (as after a first match a hair off 1) must still match the picture far
        // better than a shift of one pixel does: the samples beyond its edge are not a step to black.
        let Pixels::Rgb(img) = scene(0.0, 0.0, [100, 40, 150, 180], true) else { unreachable!() };
        let grey: Vec<f32> = img.pixels().map(|p| f32::from(p[0])).collect();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let thumb = Thumb::new(grey, w, h, Some([100.0, 40.0, 150.0, 180.0]));
        let zoomed = thumb.zoomed(1.0001, [w as f32 / 2.0 - 0.5, h as f32 / 2.0 - 0.5]);
        let (same, n) = thumb.cost(&zoomed, 0, 0);
        let (off, _) = thumb.cost(&thumb, 1, 0);
        assert!(n > w * h / 2 && same < off / 5.0, "zoomed {same} on {n} pixels, a pixel off {off}");
    }

    #[test]
    fn a_still_camera_reads_no_shift_while_the_subject_moves() {
        let mut tracker = BackgroundTracker::new();
        for k in 0..6 {
            let subject = [90 + 10 * k, 40, 140 + 10 * k, 180];
            let boxed = Some(subject.map(|v| v as f32));
            let got = tracker.motion(&scene(0.0, 0.0, subject, true), boxed).expect("matched");
            let [x, y] = got.shift;
            assert!(x.abs() <= 0.5 && y.abs() <= 0.5 && (got.scale - 1.0).abs() <= 0.003, "frame {k}: {got:?}");
        }
    }

    #[test]
    fn a_plain_wall_gives_no_shift() {
        let subject = [100, 40, 150, 180];
        let boxed = Some([100.0, 40.0, 150.0, 180.0]);
        let mut tracker = BackgroundTracker::new();
        tracker.motion(&scene(0.0, 0.0, subject, false), boxed);
        assert_eq!(tracker.motion(&scene(4.0, 1.0, subject, false), boxed), None);
    }
}
