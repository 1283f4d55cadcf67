//! Video encoding: RGB images or decoded frames in, an H.264 (libx264) MP4 or Matroska file out, each frame at
//! its own presentation time so the output keeps the input's timing (the overlay video and the pose pass's
//! preview copy).

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;
use ffmpeg_next::{codec, format, software::scaling, util::frame};
use image::RgbImage;

use super::{working_size, Frame, FrameObserver, VideoError};

/// Time base of written streams (90 kHz, the MPEG convention).
pub(crate) const OUT_TIME_BASE: i32 = 90_000;

/// An H.264 (libx264) writer into MP4 or Matroska, fed with RGB images or decoded frames of any pixel format,
/// each with its own presentation time, so the output keeps the input's timing.
pub struct H264Writer {
    octx: format::context::Output,
    encoder: codec::encoder::Video,
    scaler: Option<(scaling::Context, format::Pixel, u32, u32)>,
    rgb: frame::Video,
    yuv: frame::Video,
    width: u32,
    height: u32,
    stream_tb: ffmpeg::Rational,
    /// One frame's duration at the nominal rate, in the writer's time base.
    frame_ticks: i64,
    /// Presentation time of the last frame sent, in the writer's time base.
    last_pts: Option<i64>,
}

impl std::fmt::Debug for H264Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("H264Writer").field("width", &self.width).field("height", &self.height).finish()
    }
}

impl H264Writer {
    /// Create `path` (container `format_name`, e.g. "mp4" or "matroska") for `width x height` video (rounded
    /// down to even), x264 `preset` and `crf`.
    pub fn create(
        path: &Path,
        format_name: &str,
        width: u32,
        height: u32,
        fps: f64,
        preset: &str,
        crf: &str,
    ) -> Result<Self, ffmpeg::Error> {
        ffmpeg::init()?;
        let mut octx = format::output_as(path, format_name)?;
        let global = octx.format().flags().contains(format::Flags::GLOBAL_HEADER);
        let codec = codec::encoder::find(codec::Id::H264).ok_or(ffmpeg::Error::EncoderNotFound)?;
        let mut ost = octx.add_stream(codec)?;
        let mut enc = codec::context::Context::new_with_codec(codec).encoder().video()?;
        let (w, h) = ((width & !1).max(2), (height & !1).max(2));
        enc.set_width(w);
        enc.set_height(h);
        enc.set_format(format::Pixel::YUV420P);
        enc.set_time_base(ffmpeg::Rational(1, OUT_TIME_BASE));
        if fps > 0.0 {
            enc.set_frame_rate(Some(ffmpeg::Rational((fps * 1000.0).round() as i32, 1000)));
        }
        if global {
            enc.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let mut opts = ffmpeg::Dictionary::new();
        opts.set("preset", preset);
        opts.set("crf", crf);
        // Small frames: x264's own frame threads cost more than they give, and compete with the other work.
        opts.set("threads", "1");
        let encoder = enc.open_with(opts)?;
        ost.set_parameters(&encoder);
        ost.set_time_base(ffmpeg::Rational(1, OUT_TIME_BASE));
        octx.write_header()?;
        let stream_tb = octx.stream(0).map_or(ffmpeg::Rational(1, OUT_TIME_BASE), |s| s.time_base());
        Ok(Self {
            octx,
            encoder,
            scaler: None,
            rgb: frame::Video::empty(),
            yuv: frame::Video::empty(),
            width: w,
            height: h,
            stream_tb,
            frame_ticks: if fps > 0.0 { (f64::from(OUT_TIME_BASE) / fps).round() as i64 } else { 0 },
            last_pts: None,
        })
    }

    /// Encode a decoded frame (any pixel format and size; scaled to the writer's size) shown at `pts_s`.
    pub fn push_frame(&mut self, src: &frame::Video, pts_s: f64) -> Result<(), ffmpeg::Error> {
        let (fmt, w, h) = (src.format(), src.width(), src.height());
        if !matches!(&self.scaler, Some((_, f, sw, sh)) if *f == fmt && *sw == w && *sh == h) {
            let ctx = scaling::Context::get(
                fmt,
                w,
                h,
                format::Pixel::YUV420P,
                self.width,
                self.height,
                scaling::Flags::FAST_BILINEAR,
            )?;
            self.scaler = Some((ctx, fmt, w, h));
        }
        if let Some((ctx, ..)) = self.scaler.as_mut() {
            ctx.run(src, &mut self.yuv)?;
        }
        // Muxers refuse times that do not increase; a repeated timestamp is moved on by one tick (the written
        // clips are for viewing, and the overlay pairs frames by index, not time).
        let mut pts = (pts_s * f64::from(OUT_TIME_BASE)).round() as i64;
        if let Some(last) = self.last_pts.filter(|&l| pts <= l) {
            pts = last + 1;
        }
        self.last_pts = Some(pts);
        self.yuv.set_pts(Some(pts));
        self.encoder.send_frame(&self.yuv)?;
        self.drain()
    }

    /// Encode an RGB image shown at `pts_s`.
    pub fn push_rgb(&mut self, img: &RgbImage, pts_s: f64) -> Result<(), ffmpeg::Error> {
        if self.rgb.width() != img.width() || self.rgb.height() != img.height() {
            self.rgb = frame::Video::new(format::Pixel::RGB24, img.width(), img.height());
        }
        let stride = self.rgb.stride(0);
        let row = 3 * img.width() as usize;
        let raw: &[u8] = img.as_raw();
        let data = self.rgb.data_mut(0);
        for y in 0..img.height() as usize {
            data[y * stride..y * stride + row].copy_from_slice(&raw[y * row..(y + 1) * row]);
        }
        let rgb = std::mem::replace(&mut self.rgb, frame::Video::empty());
        let result = self.push_frame(&rgb, pts_s);
        self.rgb = rgb;
        result
    }

    fn drain(&mut self) -> Result<(), ffmpeg::Error> {
        let mut packet = ffmpeg::Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            packet.set_stream(0);
            // Without a duration the MP4 muxer's edit list ends at the last frame's start and drops it.
            if packet.duration() <= 0 {
                packet.set_duration(self.frame_ticks);
            }
            packet.rescale_ts(ffmpeg::Rational(1, OUT_TIME_BASE), self.stream_tb);
            packet.write_interleaved(&mut self.octx)?;
        }
        Ok(())
    }

    /// Flush the encoder and close the file.
    pub fn finish(mut self) -> Result<(), ffmpeg::Error> {
        self.encoder.send_eof()?;
        self.drain()?;
        self.octx.write_trailer()
    }
}

/// A [`FrameObserver`] that records the frames it sees (upright RGB) into a small H.264 Matroska copy of the
/// clip, at most `max_side` on the long side, for a later pass (the overlay video) that must not decode the
/// clip again. The first error is kept, recording stops, and `end` returns it.
pub struct PreviewRecorder {
    path: PathBuf,
    max_side: u32,
    fps: f64,
    writer: Option<H264Writer>,
    error: Option<VideoError>,
}

impl std::fmt::Debug for PreviewRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewRecorder").field("path", &self.path).field("max_side", &self.max_side).finish()
    }
}

impl PreviewRecorder {
    /// A recorder into `path` (created with the first frame) of a clip at `fps` frames per second (nominal).
    pub fn new(path: &Path, max_side: u32, fps: f64) -> Self {
        Self { path: path.to_path_buf(), max_side, fps, writer: None, error: None }
    }

    fn fail(&mut self, source: ffmpeg::Error) {
        let folder = self.path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.error.get_or_insert(VideoError::Preview { folder, source });
        self.writer = None;
    }
}

impl FrameObserver for PreviewRecorder {
    fn end(&mut self) -> Result<(), VideoError> {
        let folder = self.path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.writer.take() {
            Some(w) => w.finish().map_err(|source| VideoError::Preview { folder, source }),
            None => Ok(()),
        }
    }

    fn frame(&mut self, frame: &Frame) {
        if self.error.is_some() {
            return;
        }
        if self.writer.is_none() {
            let (w, h) = working_size(frame.rgb.width(), frame.rgb.height(), self.max_side);
            match H264Writer::create(&self.path, "matroska", w, h, self.fps, "ultrafast", "20") {
                Ok(writer) => self.writer = Some(writer),
                Err(e) => return self.fail(e),
            }
        }
        if let Some(w) = self.writer.as_mut() {
            // Shrunk here, reading only the pixels it samples: scaling the full frame inside the encoder would
            // first copy all of it (6 MB at 1080p) into FFmpeg's buffer.
            let small = shrink(&frame.rgb, w.width, w.height);
            if let Err(e) = w.push_rgb(small.as_ref().unwrap_or(&frame.rgb), frame.pts_s) {
                self.fail(e);
            }
        }
    }
}

/// `img` shrunk to `w x h` (not larger than it) by averaging the 2 x 2 source pixels around each sample point:
/// cheap, and smooth enough for a preview that is drawn on and shrunk no further. `None` when `img` already has
/// that size (or the size is empty): use it as it is.
pub(crate) fn shrink(img: &RgbImage, w: u32, h: u32) -> Option<RgbImage> {
    let (sw, sh) = (img.width(), img.height());
    if (w, h) == (sw, sh) || w == 0 || h == 0 {
        return None;
    }
    // Per output column and row, the first of the two source pixels it averages (the second is the next one).
    let taps = |n: u32, src: u32| -> Vec<usize> {
        let f = f64::from(src) / f64::from(n);
        (0..n).map(|i| ((f64::from(i) + 0.5) * f - 0.5).clamp(0.0, f64::from(src - 1)) as usize).collect()
    };
    let (xs, ys) = (taps(w, sw), taps(h, sh));
    let (last_x, last_y) = (sw as usize - 1, sh as usize - 1);
    let raw = img.as_raw();
    let stride = 3 * sw as usize;
    let mut out = vec![0u8; 3 * (w * h) as usize];
    for (row, &y0) in out.chunks_exact_mut(3 * w as usize).zip(&ys) {
        let (r0, r1) = (&raw[y0 * stride..][..stride], &raw[(y0 + 1).min(last_y) * stride..][..stride]);
        for (px, &x0) in row.chunks_exact_mut(3).zip(&xs) {
            let (a, b) = (3 * x0, 3 * (x0 + 1).min(last_x));
            for c in 0..3 {
                let sum = u16::from(r0[a + c]) + u16::from(r0[b + c]) + u16::from(r1[a + c]) + u16::from(r1[b + c]);
                px[c] = ((sum + 2) / 4) as u8;
            }
        }
    }
    RgbImage::from_raw(w, h, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_averages_and_keeps_the_picture_in_place() {
        // Left half black, right half white, 8 x 4 into 4 x 2: the left columns stay black, the right white.
        let img = RgbImage::from_fn(8, 4, |x, _| if x < 4 { image::Rgb([0; 3]) } else { image::Rgb([255; 3]) });
        let s = shrink(&img, 4, 2).expect("smaller");
        assert_eq!((s.width(), s.height()), (4, 2));
        assert_eq!(s.get_pixel(0, 0).0, [0; 3]);
        assert_eq!(s.get_pixel(3, 1).0, [255; 3]);
        // A flat grey stays exactly that grey.
        let grey = RgbImage::from_pixel(9, 7, image::Rgb([100, 150, 200]));
        assert!(shrink(&grey, 4, 3).expect("smaller").pixels().all(|p| p.0 == [100, 150, 200]));
        assert!(shrink(&grey, 9, 7).is_none(), "same size: used as it is");
    }
}
