//! A decoded picture: RGB, or the decoder's own 8-bit 4:2:0 planes ([`Pixels`]).
//!
//! The pose stage never needs a whole RGB frame: its models look at a 224-pixel letterbox and a 256-pixel crop.
//! Converting every 1080p frame to RGB, copying it out and turning portrait frames upright cost about a quarter
//! of a frame's CPU, so when no scaling is needed the decoder hands over its own planes and the crops are sampled
//! from them ([`Planes`]), the rotation folded into the sampling.
//!
//! Colour: BT.601 coefficients, studio range (or full range for the `yuvj` formats), which is what FFmpeg's
//! scaler applies when the colour space is not set, and so what OpenCV's frames (and MediaPipe's Python
//! pipeline, which reads them) are made with. Each pixel takes the chroma of its 2x2 block, as that scaler does
//! when it converts without scaling; samples between pixels interpolate luma and chroma alike.

use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::frame;
use image::RgbImage;

/// A decoded picture, upright as a player shows it.
pub enum Pixels {
    /// RGB at the working size, already upright.
    Rgb(RgbImage),
    /// The decoder's planes as stored, with the rotation that makes them upright.
    Yuv(Yuv420),
}

impl std::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Pixels::Rgb(_) => "Rgb",
            Pixels::Yuv(_) => "Yuv420",
        };
        write!(f, "Pixels::{kind}({}x{})", self.width(), self.height())
    }
}

impl Clone for Pixels {
    fn clone(&self) -> Self {
        match self {
            Pixels::Rgb(img) => Pixels::Rgb(img.clone()),
            Pixels::Yuv(yuv) => Pixels::Yuv(Yuv420 { frame: yuv.frame.clone(), ..*yuv }),
        }
    }
}

impl Pixels {
    /// Upright width.
    pub fn width(&self) -> u32 {
        match self {
            Pixels::Rgb(img) => img.width(),
            Pixels::Yuv(yuv) => yuv.planes().upright_size().0,
        }
    }

    /// Upright height.
    pub fn height(&self) -> u32 {
        match self {
            Pixels::Rgb(img) => img.height(),
            Pixels::Yuv(yuv) => yuv.planes().upright_size().1,
        }
    }

    /// A reader of the luma code (0..255) at upright pixel `(x, y)` (the pixel the position falls in; inside the
    /// picture), with the planes looked up once for the many points a caller reads.
    pub fn luma(&self) -> Box<dyn Fn(f32, f32) -> f32 + '_> {
        match self {
            Pixels::Rgb(img) => Box::new(move |x, y| {
                let [r, g, b] = img.get_pixel(x as u32, y as u32).0.map(f32::from);
                0.299 * r + 0.587 * g + 0.114 * b
            }),
            Pixels::Yuv(yuv) => {
                let p = yuv.planes();
                Box::new(move |x, y| {
                    let [sx, sy] = p.to_stored(x, y);
                    f32::from(p.y[sy as usize * p.y_stride + sx as usize])
                })
            }
        }
    }

    /// The picture as upright RGB to draw on, converting planes in place first.
    pub fn make_rgb(&mut self) -> &mut RgbImage {
        if let Pixels::Yuv(_) = self {
            *self = Pixels::Rgb(self.to_rgb().into_owned());
        }
        match self {
            Pixels::Rgb(img) => img,
            Pixels::Yuv(_) => unreachable!("converted above"),
        }
    }

    /// The picture as upright RGB (converted here for planes: each pixel's own luma and its 2x2 block's chroma).
    pub fn to_rgb(&self) -> std::borrow::Cow<'_, RgbImage> {
        match self {
            Pixels::Rgb(img) => std::borrow::Cow::Borrowed(img),
            Pixels::Yuv(yuv) => {
                let p = yuv.planes();
                let (w, h) = p.upright_size();
                std::borrow::Cow::Owned(RgbImage::from_fn(w, h, |x, y| {
                    let [sx, sy] = p.to_stored(x as f32, y as f32);
                    let rgb = p.rgb_at(sx, sy);
                    image::Rgb(rgb.map(|c| c.round() as u8))
                }))
            }
        }
    }
}

/// A decoded 8-bit 4:2:0 frame (`yuv420p` or `yuvj420p`) and the clockwise rotation that makes it upright.
pub struct Yuv420 {
    pub(crate) frame: frame::Video,
    pub(crate) rotation_deg: u32,
}

impl Yuv420 {
    /// Whether `width x height` frames of `format` can be handed over as planes.
    pub(crate) fn supports(format: Pixel, width: u32, height: u32) -> bool {
        matches!(format, Pixel::YUV420P | Pixel::YUVJ420P) && width >= 2 && height >= 2
    }

    /// A view of the planes.
    pub fn planes(&self) -> Planes<'_> {
        let f = &self.frame;
        Planes {
            y: f.data(0),
            u: f.data(1),
            v: f.data(2),
            y_stride: f.stride(0),
            c_stride: [f.stride(1), f.stride(2)],
            width: f.width(),
            height: f.height(),
            rotation_deg: self.rotation_deg,
            full_range: f.format() == Pixel::YUVJ420P,
        }
    }
}

/// Borrowed 8-bit 4:2:0 planes in their stored orientation.
#[derive(Debug, Clone, Copy)]
pub struct Planes<'a> {
    /// Luma, `height` rows of `y_stride` bytes.
    pub y: &'a [u8],
    /// Blue-difference chroma, half size rounded up.
    pub u: &'a [u8],
    /// Red-difference chroma.
    pub v: &'a [u8],
    /// Bytes per luma row.
    pub y_stride: usize,
    /// Bytes per chroma row (u, v).
    pub c_stride: [usize; 2],
    /// Stored width.
    pub width: u32,
    /// Stored height.
    pub height: u32,
    /// Clockwise rotation that makes the stored picture upright: 0, 90, 180 or 270.
    pub rotation_deg: u32,
    /// Full-range (JPEG) levels instead of studio range.
    pub full_range: bool,
}

impl Planes<'_> {
    /// Width and height after rotation.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.rotation_deg % 180 == 90 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }

    /// The stored position of upright position `(x, y)`.
    #[inline]
    pub fn to_stored(&self, x: f32, y: f32) -> [f32; 2] {
        let (w, h) = ((self.width - 1) as f32, (self.height - 1) as f32);
        match self.rotation_deg {
            90 => [y, h - x],
            180 => [w - x, h - y],
            270 => [w - y, x],
            _ => [x, y],
        }
    }

    /// The stored displacement of upright displacement `(dx, dy)`.
    #[inline]
    pub fn to_stored_step(&self, dx: f32, dy: f32) -> [f32; 2] {
        match self.rotation_deg {
            90 => [dy, -dx],
            180 => [-dx, -dy],
            270 => [-dy, dx],
            _ => [dx, dy],
        }
    }

    /// Bilinear luma and chroma codes at stored position `(x, y)` whose 2x2 neighbourhood, pixel `(xi, yi)` and
    /// the next right and down, lies inside the planes, with `(ax, ay)` the position within it.
    #[inline(always)]
    pub fn ycc_between(&self, xi: usize, yi: usize, ax: f32, ay: f32) -> [f32; 3] {
        #[inline(always)]
        fn bilinear(plane: &[u8], r0: usize, r1: usize, c0: usize, c1: usize, ax: f32, ay: f32) -> f32 {
            let p = |i: usize| f32::from(plane[i]);
            let top = p(r0 + c0) + (p(r0 + c1) - p(r0 + c0)) * ax;
            let bottom = p(r1 + c0) + (p(r1 + c1) - p(r1 + c0)) * ax;
            top + (bottom - top) * ay
        }
        let (ys, [us, vs]) = (self.y_stride, self.c_stride);
        let luma = bilinear(self.y, yi * ys, (yi + 1) * ys, xi, xi + 1, ax, ay);
        let (cy0, cy1, cx0, cx1) = (yi >> 1, (yi + 1) >> 1, xi >> 1, (xi + 1) >> 1);
        let cb = bilinear(self.u, cy0 * us, cy1 * us, cx0, cx1, ax, ay);
        let cr = bilinear(self.v, cy0 * vs, cy1 * vs, cx0, cx1, ax, ay);
        [luma, cb, cr]
    }

    /// RGB (0..255, clipped) of luma `y` and chroma `cb`, `cr` (0..255 codes), half a code lower than the exact
    /// value as FFmpeg's converter, which truncates, gives it.
    #[inline(always)]
    pub fn rgb_of(&self, y: f32, cb: f32, cr: f32) -> [f32; 3] {
        let (y, cb, cr) = if self.full_range {
            (y - 0.5, cb - 128.0, cr - 128.0)
        } else {
            ((y - 16.0) * (255.0 / 219.0) - 0.5, (cb - 128.0) * (255.0 / 224.0), (cr - 128.0) * (255.0 / 224.0))
        };
        [
            (y + 1.402 * cr).clamp(0.0, 255.0),
            (y - 0.344_136 * cb - 0.714_136 * cr).clamp(0.0, 255.0),
            (y + 1.772 * cb).clamp(0.0, 255.0),
        ]
    }

    /// RGB at stored position `(x, y)`, bilinear, positions beyond the edges taken from the nearest edge.
    pub fn rgb_at(&self, x: f32, y: f32) -> [f32; 3] {
        let (w, h) = (self.width as usize, self.height as usize);
        let x = x.clamp(0.0, (w - 1) as f32);
        let y = y.clamp(0.0, (h - 1) as f32);
        // At the last column or row, step back one pixel so that the neighbourhood stays inside.
        let (xi, yi) = ((x as usize).min(w.saturating_sub(2)), (y as usize).min(h.saturating_sub(2)));
        let [l, cb, cr] = self.ycc_between(xi, yi, x - xi as f32, y - yi as f32);
        self.rgb_of(l, cb, cr)
    }
}
