//! Video encoding: RGB images or decoded frames in, an H.264 (libx264) MP4 or Matroska file out, each frame at
//! its own presentation time so the output keeps the input's timing (the overlay video).

use std::path::Path;

use ffmpeg_next as ffmpeg;
use ffmpeg_next::{codec, format, software::scaling, util::frame};
use image::RgbImage;

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
        // Say which colours the numbers mean (those of `rgb_to_yuv420`): players otherwise guess from the size.
        enc.set_colorspace(ffmpeg::color::Space::SMPTE170M);
        enc.set_color_range(ffmpeg::color::Range::MPEG);
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
        self.send(pts_s)
    }

    /// Send the converted frame, shown at `pts_s`, to the encoder and write what comes out.
    fn send(&mut self, pts_s: f64) -> Result<(), ffmpeg::Error> {
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

    /// Encode an RGB image shown at `pts_s`. An image of the writer's size is converted here, straight into
    /// the encoder's planes (BT.601, studio range); FFmpeg's converter took three times as long for packed RGB,
    /// after a copy into its own buffer. Other sizes go through FFmpeg's scaler.
    pub fn push_rgb(&mut self, img: &RgbImage, pts_s: f64) -> Result<(), ffmpeg::Error> {
        if (img.width(), img.height()) == (self.width, self.height) {
            if self.yuv.width() != self.width || self.yuv.height() != self.height {
                self.yuv = frame::Video::new(format::Pixel::YUV420P, self.width, self.height);
            }
            rgb_to_yuv420(img, &mut self.yuv);
            return self.send(pts_s);
        }
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

/// Convert `img` into the planes of `yuv` (YUV 4:2:0, the same even size or one pixel larger), with the
/// BT.601 studio-range matrix the writer declares: luma per pixel, chroma from each 2 x 2 block's mean.
pub(crate) fn rgb_to_yuv420(img: &RgbImage, yuv: &mut frame::Video) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw: &[u8] = img.as_raw();
    let stride = yuv.stride(0);
    let luma = yuv.data_mut(0);
    for (y, src) in raw.chunks_exact(3 * w).enumerate().take(h) {
        for (out, p) in luma[y * stride..y * stride + w].iter_mut().zip(src.chunks_exact(3)) {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            *out = (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
        }
    }
    // Chroma: each plane in its own pass over the 2 x 2 blocks (the planes cannot be borrowed together).
    for (plane, coefficients) in [(1, [-38, -74, 112]), (2, [112, -94, -18])] {
        let stride = yuv.stride(plane);
        let data = yuv.data_mut(plane);
        for cy in 0..h / 2 {
            let (top, bottom) = (&raw[2 * cy * 3 * w..][..3 * w], &raw[(2 * cy + 1) * 3 * w..][..3 * w]);
            let out = &mut data[cy * stride..cy * stride + w / 2];
            for (cx, o) in out.iter_mut().enumerate() {
                let sum = |c: usize| {
                    let i = 6 * cx + c;
                    i32::from(top[i]) + i32::from(top[i + 3]) + i32::from(bottom[i]) + i32::from(bottom[i + 3])
                };
                let [kr, kg, kb] = coefficients;
                *o = (((kr * sum(0) + kg * sum(1) + kb * sum(2) + 512) >> 10) + 128) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_converts_to_studio_range_bt601() {
        ffmpeg::init().expect("ffmpeg");
        let mut yuv = frame::Video::new(format::Pixel::YUV420P, 4, 2);
        // Left 2 x 2 block white, right block pure red.
        let img = RgbImage::from_fn(4, 2, |x, _| if x < 2 { image::Rgb([255; 3]) } else { image::Rgb([255, 0, 0]) });
        rgb_to_yuv420(&img, &mut yuv);
        assert_eq!(&yuv.data(0)[..4], &[235, 235, 82, 82]);
        assert_eq!(yuv.data(0)[yuv.stride(0)], 235, "second row");
        // White has no colour; red is BT.601's (Cb, Cr) = (90, 240).
        assert_eq!(&yuv.data(1)[..2], &[128, 90]);
        assert_eq!(&yuv.data(2)[..2], &[128, 240]);
    }
}
