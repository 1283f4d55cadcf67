//! Image sampling and regions of interest shared by the detector and the landmark model.
//!
//! Coordinates are pixel coordinates of the frame with pixel centres at integers (pixel `(i, j)` is the point
//! `(i, j)`), the convention of OpenCV and so of MediaPipe, whose models were trained with it; x grows to the
//! right and y downwards. Angles are in radians; a positive
//! rotation turns the image x axis towards the y axis (clockwise on screen, since y points down).

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::video::{Pixels, Planes};

/// How to fill samples that fall outside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Black (value 0 before normalisation): the detector's letterbox.
    Zero,
    /// The nearest edge pixel: the landmark model's crop.
    Replicate,
}

/// A rotated square region of the frame, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Roi {
    /// Centre x.
    pub cx: f32,
    /// Centre y.
    pub cy: f32,
    /// Side length.
    pub size: f32,
    /// Rotation in radians (see the module doc for the sense).
    pub rotation: f32,
}

/// MediaPipe enlarges the square found from the alignment points by this factor so the whole body fits.
pub const ROI_SCALE: f32 = 1.25;

/// Wrap an angle into [-π, π).
pub fn normalize_angle(a: f32) -> f32 {
    let two_pi = std::f32::consts::TAU;
    (a + std::f32::consts::PI).rem_euclid(two_pi) - std::f32::consts::PI
}

impl Roi {
    /// The region from two alignment points: `centre` (the hip centre) and `scale_point` (a point whose
    /// distance from the centre is half the body's extent and whose direction gives the body's rotation, so that
    /// the body stands upright in the crop). The square is then enlarged by [`ROI_SCALE`].
    pub fn from_alignment(centre: [f32; 2], scale_point: [f32; 2]) -> Self {
        let dx = scale_point[0] - centre[0];
        let dy = scale_point[1] - centre[1];
        let size = 2.0 * dx.hypot(dy);
        let rotation = normalize_angle(std::f32::consts::FRAC_PI_2 - (-dy).atan2(dx));
        Self { cx: centre[0], cy: centre[1], size: size * ROI_SCALE, rotation }
    }

    /// Map a point given in the crop's normalised coordinates (0..1 across the crop) to frame pixels.
    pub fn to_frame(&self, u: f32, v: f32) -> [f32; 2] {
        let (s, c) = self.rotation.sin_cos();
        let x0 = (u - 0.5) * self.size;
        let y0 = (v - 0.5) * self.size;
        [self.cx + c * x0 - s * y0, self.cy + s * x0 + c * y0]
    }

    /// Multiply position and size by `k` (e.g. from working to full-resolution pixels).
    pub fn scaled(&self, k: f32) -> Self {
        Self { cx: self.cx * k, cy: self.cy * k, size: self.size * k, rotation: self.rotation }
    }
}

/// Bilinear sample of `img` at continuous position `(x, y)`, channel values 0..255.
#[inline]
fn sample(img: &RgbImage, x: f32, y: f32, border: Border) -> [f32; 3] {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let x0 = x.floor();
    let y0 = y.floor();
    let ax = x - x0;
    let ay = y - y0;
    let (x0, y0) = (x0 as i64, y0 as i64);
    let raw: &[u8] = img.as_raw();
    let px = |xi: i64, yi: i64| -> [f32; 3] {
        let inside = xi >= 0 && yi >= 0 && xi < w && yi < h;
        if !inside && border == Border::Zero {
            return [0.0; 3];
        }
        let xi = xi.clamp(0, w - 1) as usize;
        let yi = yi.clamp(0, h - 1) as usize;
        let o = 3 * (yi * w as usize + xi);
        [f32::from(raw[o]), f32::from(raw[o + 1]), f32::from(raw[o + 2])]
    };
    let p00 = px(x0, y0);
    let p10 = px(x0 + 1, y0);
    let p01 = px(x0, y0 + 1);
    let p11 = px(x0 + 1, y0 + 1);
    let mut out = [0.0; 3];
    for c in 0..3 {
        let top = p00[c] + (p10[c] - p00[c]) * ax;
        let bottom = p01[c] + (p11[c] - p01[c]) * ax;
        out[c] = top + (bottom - top) * ay;
    }
    out
}

/// An affine map from output pixels to frame positions: output pixel `(u, v)` samples the frame at
/// `origin + u * du + v * dv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warp {
    /// Frame position of the output's (0, 0) corner.
    pub origin: [f32; 2],
    /// Frame displacement of one output pixel to the right.
    pub du: [f32; 2],
    /// Frame displacement of one output pixel down.
    pub dv: [f32; 2],
}

impl Warp {
    /// The warp that fills an `n x n` output with the rotated square `roi`.
    pub fn from_roi(roi: &Roi, n: usize) -> Self {
        let step = roi.size / n as f32;
        let (s, c) = roi.rotation.sin_cos();
        let du = [c * step, s * step];
        let dv = [-s * step, c * step];
        let half = roi.size / 2.0;
        let origin = [roi.cx - c * half + s * half, roi.cy - s * half - c * half];
        Self { origin, du, dv }
    }

    /// Where output pixel `(u, v)` samples the frame.
    #[inline]
    pub fn at(&self, u: f32, v: f32) -> [f32; 2] {
        [self.origin[0] + u * self.du[0] + v * self.dv[0], self.origin[1] + u * self.du[1] + v * self.dv[1]]
    }
}

/// Fill `out` (an `n x n x 3` NHWC float slice) by sampling `img` through `warp` (in upright frame pixels),
/// mapping each channel value `p` (0..255) to `p * scale + offset`.
pub fn warp_into(img: &Pixels, warp: &Warp, n: usize, border: Border, scale: f32, offset: f32, out: &mut [f32]) {
    match img {
        Pixels::Rgb(rgb) => warp_rgb(rgb, warp, n, border, scale, offset, out),
        Pixels::Yuv(yuv) => warp_yuv(&yuv.planes(), warp, n, border, scale, offset, out),
    }
}

/// The output columns `first..=last` of the row starting at `start` and stepping `step` whose 2x2 neighbourhood
/// lies inside a `w x h` frame, with one sample of margin on each side against rounding (`first > last` when
/// there are none).
fn inside_run(start: [f32; 2], step: [f32; 2], w: f32, h: f32, n: usize) -> (usize, usize) {
    // Interval of u with 0 <= x(u) < w - 1 and 0 <= y(u) < h - 1.
    let (mut lo, mut hi) = (0.0f32, n as f32 - 1.0);
    for (start, step, limit) in [(start[0], step[0], w - 1.0), (start[1], step[1], h - 1.0)] {
        if step.abs() < 1e-12 {
            if !(start >= 0.0 && start < limit) {
                lo = f32::INFINITY;
            }
            continue;
        }
        let (a, b) = ((0.0 - start) / step, (limit - start) / step);
        lo = lo.max(a.min(b));
        hi = hi.min(a.max(b));
    }
    let first = if lo.is_finite() { (lo.ceil() + 1.0).max(0.0) as usize } else { n };
    let last = if hi.is_finite() && hi >= 1.0 { (hi.floor() - 1.0).min(n as f32 - 1.0) as usize } else { 0 };
    (first, last)
}

/// [`warp_into`] for RGB: each row is split into the run of samples that lie safely inside the frame, read with
/// a lean bilinear loop, and the samples near or beyond the edges, which go through the border rule.
fn warp_rgb(img: &RgbImage, warp: &Warp, n: usize, border: Border, scale: f32, offset: f32, out: &mut [f32]) {
    debug_assert_eq!(out.len(), n * n * 3);
    let (w, h) = (img.width() as f32, img.height() as f32);
    let stride = 3 * img.width() as usize;
    let raw: &[u8] = img.as_raw();
    for v in 0..n {
        let row = &mut out[v * n * 3..(v + 1) * n * 3];
        let (first, last) = inside_run(warp.at(0.0, v as f32), warp.du, w, h, n);
        for u in 0..n {
            let [x, y] = warp.at(u as f32, v as f32);
            let px = &mut row[3 * u..3 * u + 3];
            if u >= first && u <= last {
                let (xi, yi) = (x as usize, y as usize);
                let (ax, ay) = (x - xi as f32, y - yi as f32);
                let o = yi * stride + 3 * xi;
                let top = &raw[o..o + 6];
                let bottom = &raw[o + stride..o + stride + 6];
                for c in 0..3 {
                    let t = f32::from(top[c]) + (f32::from(top[c + 3]) - f32::from(top[c])) * ax;
                    let b = f32::from(bottom[c]) + (f32::from(bottom[c + 3]) - f32::from(bottom[c])) * ax;
                    px[c] = (t + (b - t) * ay) * scale + offset;
                }
            } else {
                let p = sample(img, x, y, border);
                for c in 0..3 {
                    px[c] = p[c] * scale + offset;
                }
            }
        }
    }
}

/// [`warp_into`] for 4:2:0 planes: the warp is turned into the stored orientation, luma and chroma are each
/// interpolated bilinearly at the sample's position and converted to RGB there. Samples whose neighbourhood
/// leaves the frame take the border rule: the nearest edge, or black outside it.
fn warp_yuv(p: &Planes, warp: &Warp, n: usize, border: Border, scale: f32, offset: f32, out: &mut [f32]) {
    debug_assert_eq!(out.len(), n * n * 3);
    let stored = Warp {
        origin: p.to_stored(warp.origin[0], warp.origin[1]),
        du: p.to_stored_step(warp.du[0], warp.du[1]),
        dv: p.to_stored_step(warp.dv[0], warp.dv[1]),
    };
    let (w, h) = (p.width as f32, p.height as f32);
    let put = |px: &mut [f32], rgb: [f32; 3]| {
        for c in 0..3 {
            px[c] = rgb[c] * scale + offset;
        }
    };
    for v in 0..n {
        let row = &mut out[v * n * 3..(v + 1) * n * 3];
        let start = stored.at(0.0, v as f32);
        let (first, last) = inside_run(start, stored.du, w, h, n);
        // The samples near or beyond the edges, through the border rule.
        for (u, px) in row.chunks_exact_mut(3).enumerate().filter(|(u, _)| *u < first || *u > last) {
            let [x, y] = stored.at(u as f32, v as f32);
            put(px, yuv_border_sample(p, x, y, border));
        }
        // The run inside the frame, in a tight loop of its own.
        if first <= last {
            for (u, px) in row.chunks_exact_mut(3).enumerate().take(last + 1).skip(first) {
                let [x, y] = stored.at(u as f32, v as f32);
                let (xi, yi) = (x as u32 as usize, y as u32 as usize);
                let [l, cb, cr] = p.ycc_between(xi, yi, x - xi as f32, y - yi as f32);
                put(px, p.rgb_of(l, cb, cr));
            }
        }
    }
}

/// A sample near or beyond the edges of 4:2:0 planes: with [`Border::Replicate`] the nearest edge; with
/// [`Border::Zero`] the neighbours outside the frame count as black.
fn yuv_border_sample(p: &Planes, x: f32, y: f32, border: Border) -> [f32; 3] {
    let (w, h) = (p.width as f32, p.height as f32);
    let all_inside = x >= 0.0 && y >= 0.0 && x <= w - 1.0 && y <= h - 1.0;
    if border == Border::Replicate || all_inside {
        return p.rgb_at(x, y);
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (ax, ay) = (x - x0, y - y0);
    let mut acc = [0.0f32; 3];
    for (dx, dy, weight) in [
        (0.0, 0.0, (1.0 - ax) * (1.0 - ay)),
        (1.0, 0.0, ax * (1.0 - ay)),
        (0.0, 1.0, (1.0 - ax) * ay),
        (1.0, 1.0, ax * ay),
    ] {
        let (xi, yi) = (x0 + dx, y0 + dy);
        if weight == 0.0 || xi < 0.0 || yi < 0.0 || xi > w - 1.0 || yi > h - 1.0 {
            continue;
        }
        let rgb = p.rgb_at(xi, yi);
        for c in 0..3 {
            acc[c] += weight * rgb[c];
        }
    }
    acc
}

/// Letterbox geometry: the frame scaled to fit an `n x n` square, centred, the rest padded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Padding on the left as a fraction of the square's side.
    pub pad_x: f32,
    /// Padding on the top as a fraction of the square's side.
    pub pad_y: f32,
    /// Frame width.
    pub width: f32,
    /// Frame height.
    pub height: f32,
}

impl Letterbox {
    /// Letterbox for a `width x height` frame.
    pub fn new(width: u32, height: u32) -> Self {
        let (w, h) = (width as f32, height as f32);
        let long = w.max(h);
        Self { pad_x: (1.0 - w / long) / 2.0, pad_y: (1.0 - h / long) / 2.0, width: w, height: h }
    }

    /// The warp filling an `n x n` output.
    pub fn warp(&self, n: usize) -> Warp {
        let long = self.width.max(self.height);
        let step = long / n as f32;
        Warp { origin: [-self.pad_x * long, -self.pad_y * long], du: [step, 0.0], dv: [0.0, step] }
    }

    /// A point in letterboxed normalised coordinates (0..1 across the square) to frame pixels.
    pub fn to_frame(&self, x: f32, y: f32) -> [f32; 2] {
        let fx = (x - self.pad_x) / (1.0 - 2.0 * self.pad_x);
        let fy = (y - self.pad_y) / (1.0 - 2.0 * self.pad_y);
        [fx * self.width, fy * self.height]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn roi_from_upright_body() {
        // Scale point straight above the hip centre: the body is upright, rotation 0.
        let roi = Roi::from_alignment([100.0, 200.0], [100.0, 120.0]);
        assert_abs_diff_eq!(roi.rotation, 0.0, epsilon = 1e-6);
        assert_abs_diff_eq!(roi.size, 2.0 * 80.0 * ROI_SCALE, epsilon = 1e-4);
        // Body lying with the head to the right: the crop must turn by -90 degrees to stand it up.
        let roi = Roi::from_alignment([100.0, 200.0], [180.0, 200.0]);
        assert_abs_diff_eq!(roi.rotation, std::f32::consts::FRAC_PI_2, epsilon = 1e-6);
        // The top of the crop (u = 0.5, v = 0) is then at the head side.
        let top = roi.to_frame(0.5, 0.0);
        assert!(top[0] > 100.0, "{top:?}");
    }

    #[test]
    fn warp_and_to_frame_agree() {
        let roi = Roi { cx: 50.0, cy: 60.0, size: 40.0, rotation: 0.7 };
        let warp = Warp::from_roi(&roi, 256);
        for (u, v) in [(0.0, 0.0), (128.0, 128.0), (256.0, 0.0), (17.0, 203.0)] {
            let a = warp.at(u, v);
            let b = roi.to_frame(u / 256.0, v / 256.0);
            assert_abs_diff_eq!(a[0], b[0], epsilon = 1e-3);
            assert_abs_diff_eq!(a[1], b[1], epsilon = 1e-3);
        }
    }

    #[test]
    fn letterbox_round_trip() {
        let lb = Letterbox::new(1600, 900);
        let warp = lb.warp(224);
        // Output pixel centre (u, v) in normalised letterbox units maps to the same frame point both ways.
        for (u, v) in [(10.0, 60.0), (112.0, 112.0), (200.0, 150.0)] {
            let a = warp.at(u, v);
            let b = lb.to_frame(u / 224.0, v / 224.0);
            assert_abs_diff_eq!(a[0], b[0], epsilon = 1e-2);
            assert_abs_diff_eq!(a[1], b[1], epsilon = 1e-2);
        }
    }

    #[test]
    fn interior_fast_path_matches_general_sampling() {
        let img = RgbImage::from_fn(300, 200, |x, y| {
            image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, ((x + y) % 256) as u8])
        });
        let inside = Roi { cx: 150.0, cy: 100.0, size: 120.0, rotation: 0.4 };
        let warp = Warp::from_roi(&inside, 64);
        let mut fast = vec![0.0; 64 * 64 * 3];
        warp_rgb(&img, &warp, 64, Border::Replicate, 1.0 / 255.0, 0.0, &mut fast);
        for v in 0..64 {
            for u in 0..64 {
                let [x, y] = warp.at(u as f32, v as f32);
                let p = sample(&img, x, y, Border::Replicate);
                for c in 0..3 {
                    assert_abs_diff_eq!(fast[(v * 64 + u) * 3 + c], p[c] / 255.0, epsilon = 1e-4);
                }
            }
        }
    }

    /// 4:2:0 planes of a `w x h` picture (up to 41 x 31) whose luma and chroma vary smoothly and differently,
    /// inside the RGB gamut (clipping, after interpolation here and before it in RGB, would differ).
    fn planes(w: u32, h: u32) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let y = (0..w * h).map(|i| (70 + i % w + i / w) as u8).collect();
        let u = (0..cw * ch).map(|i| (120 + (i % cw) * 2) as u8).collect();
        let v = (0..cw * ch).map(|i| (110 + (i / cw) * 2) as u8).collect();
        (y, u, v)
    }

    #[test]
    fn planes_sample_as_their_rgb_conversion_in_every_rotation() {
        // Odd width and height: the last chroma column and row each serve a single luma column or row.
        let (w, h) = (41u32, 31u32);
        let (y, u, v) = planes(w, h);
        for rotation_deg in [0, 90, 180, 270] {
            let p = Planes {
                y: &y,
                u: &u,
                v: &v,
                y_stride: w as usize,
                c_stride: [w.div_ceil(2) as usize; 2],
                width: w,
                height: h,
                rotation_deg,
                full_range: false,
            };
            let (uw, uh) = p.upright_size();
            // The same picture as RGB, upright, each pixel converted on its own.
            let rgb = RgbImage::from_fn(uw, uh, |x, y| {
                let [sx, sy] = p.to_stored(x as f32, y as f32);
                image::Rgb(p.rgb_at(sx, sy).map(|c| c.round() as u8))
            });
            // A rotated crop reaching past two edges, and the letterbox with black borders.
            let roi = Roi { cx: 25.0, cy: 12.0, size: 30.0, rotation: 0.5 };
            let letterbox = Letterbox::new(uw, uh).warp(16);
            for (warp, n, border) in [(Warp::from_roi(&roi, 24), 24, Border::Replicate), (letterbox, 16, Border::Zero)]
            {
                let (mut a, mut b) = (vec![0.0; n * n * 3], vec![0.0; n * n * 3]);
                warp_yuv(&p, &warp, n, border, 1.0, 0.0, &mut a);
                warp_rgb(&rgb, &warp, n, border, 1.0, 0.0, &mut b);
                let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
                // Half a code from rounding the RGB picture.
                assert!(worst < 0.6, "rotation {rotation_deg}, {border:?}: {worst}");
            }
            // Outside the picture the letterbox is black: its first pixel lies in the padding (above a
            // landscape picture, left of a portrait one).
            let mut a = vec![1.0; 16 * 16 * 3];
            warp_yuv(&p, &Letterbox::new(uw, uh).warp(16), 16, Border::Zero, 1.0, 0.0, &mut a);
            assert_eq!(&a[..3], &[0.0, 0.0, 0.0], "rotation {rotation_deg}");
        }
    }

    #[test]
    fn sampling_reads_pixel_centres_exactly_and_pads() {
        let mut img = RgbImage::new(4, 3);
        img.put_pixel(2, 1, image::Rgb([200, 100, 50]));
        assert_eq!(sample(&img, 2.0, 1.0, Border::Zero), [200.0, 100.0, 50.0]);
        // Halfway between two pixel centres: the mean.
        assert_eq!(sample(&img, 2.5, 1.0, Border::Zero), [100.0, 50.0, 25.0]);
        img.put_pixel(0, 0, image::Rgb([10, 10, 10]));
        assert_eq!(sample(&img, -5.0, -5.0, Border::Replicate), [10.0, 10.0, 10.0]);
        assert_eq!(sample(&img, -5.0, -5.0, Border::Zero), [0.0, 0.0, 0.0]);
    }
}
