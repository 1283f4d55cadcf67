//! Decoding: [`VideoReader`] opens a clip, reads its packets one by one and turns each decoded frame into a
//! [`Frame`] at the working size (upright RGB, or the decoder's planes), checking the timestamps and the clip's
//! completeness on the way.

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;
use ffmpeg_next::{codec, format, media, software::scaling, util::frame};
use image::RgbImage;

use super::rotate::copy_rotated;
use super::*;

/// The video stream's own declared duration in seconds: the stream's duration field; else the per-track
/// `DURATION` tag Matroska/WebM muxers write; else the container's duration, but only when the video is the
/// container's only stream (an audio track that runs longer than the video would otherwise make a complete
/// clip look truncated).
fn video_duration_s(input: &format::context::Input, stream: &ffmpeg::Stream, time_base: f64) -> Option<f64> {
    if stream.duration() > 0 {
        return Some(stream.duration() as f64 * time_base);
    }
    let tag = stream.metadata().iter().find(|(k, _)| k.eq_ignore_ascii_case("DURATION")).map(|(_, v)| v.to_string());
    if let Some(seconds) = tag.as_deref().and_then(parse_clock) {
        return Some(seconds);
    }
    (input.duration() > 0 && input.streams().count() == 1)
        .then(|| input.duration() as f64 / f64::from(ffmpeg::ffi::AV_TIME_BASE))
}

/// `HH:MM:SS.fraction` (Matroska's duration tag) in seconds.
fn parse_clock(text: &str) -> Option<f64> {
    let mut parts = text.trim().split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (h, m, s) = (h.parse::<f64>().ok()?, m.parse::<f64>().ok()?, s.parse::<f64>().ok()?);
    let total = h * 3600.0 + m * 60.0 + s;
    (total.is_finite() && total > 0.0).then_some(total)
}

/// Whether an open file is an ISO-BMFF (MP4/MOV) file whose top-level boxes hold no `moov` (its index): what a
/// recording that was never finished, or a non-faststart file cut short, looks like.
fn iso_bmff_without_index(file: &std::fs::File) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file;
    let Ok(len) = f.seek(SeekFrom::End(0)) else { return false };
    let mut pos = 0u64;
    let mut first = true;
    while pos + 8 <= len {
        let mut head = [0u8; 16];
        if f.seek(SeekFrom::Start(pos)).is_err() || f.read_exact(&mut head[..8]).is_err() {
            return false;
        }
        let kind = &head[4..8];
        if first && kind != b"ftyp" {
            return false;
        }
        first = false;
        if kind == b"moov" {
            return false;
        }
        let size = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => return true, // the box runs to the end of the file: no moov after it
            1 => {
                if f.read_exact(&mut head[8..16]).is_err() {
                    return true;
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&head[8..16]);
                u64::from_be_bytes(b)
            }
            n => u64::from(n),
        };
        if size < 8 {
            return true;
        }
        pos = pos.saturating_add(size);
    }
    !first
}

/// A UTF-8 path naming an open file (Linux: `/proc/self/fd/N`).
fn fd_path(file: &std::fs::File) -> String {
    use std::os::fd::AsRawFd;
    format!("/proc/self/fd/{}", file.as_raw_fd())
}

fn rational_f64(r: ffmpeg::Rational) -> f64 {
    if r.denominator() == 0 {
        0.0
    } else {
        f64::from(r.numerator()) / f64::from(r.denominator())
    }
}

/// A clip opened for decoding.
pub struct VideoReader {
    path: PathBuf,
    input: format::context::Input,
    stream_index: usize,
    decoder: codec::decoder::Video,
    scaler: Option<(scaling::Context, format::Pixel, u32, u32)>,
    info: ClipInfo,
    time_base: f64,
    start_ts: i64,
    decoded: frame::Video,
    scaled: frame::Video,
    packet: ffmpeg::Packet,
    eof_sent: bool,
    done: bool,
    frames: u64,
    first_pts: Option<f64>,
    last_pts: Option<f64>,
    min_dt: f64,
    max_dt: f64,
    fast_convert: bool,
    yuv: bool,
}

impl std::fmt::Debug for VideoReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoReader").field("path", &self.path).field("info", &self.info).finish()
    }
}

impl VideoReader {
    /// Open a clip, find its video stream and read its facts.
    pub fn open(path: &Path, options: VideoOptions) -> Result<Self, VideoError> {
        let io = |source| VideoError::Io { path: path.into(), source };
        // Never open a FIFO or a device: reading one could block forever.
        crate::fsx::require_regular(path).map_err(io)?;
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.len() == 0 {
            return Err(VideoError::Empty { path: path.into() });
        }
        // Fail on unreadable files with the OS's reason rather than FFmpeg's generic one.
        let file = std::fs::File::open(path).map_err(|source| VideoError::Io { path: path.into(), source })?;
        ffmpeg::init().map_err(|source| VideoError::NotAVideo { path: path.into(), source })?;
        ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Fatal);
        // FFmpeg's Rust binding takes UTF-8 paths only; a file name that is not UTF-8 is opened through the
        // already-open descriptor instead.
        let opened = match path.to_str() {
            Some(p) => format::input(p),
            None => format::input(&fd_path(&file)),
        };
        let input = match opened {
            Ok(input) => input,
            Err(source) => {
                if iso_bmff_without_index(&file) {
                    return Err(VideoError::Unfinished { path: path.into() });
                }
                return Err(VideoError::NotAVideo { path: path.into(), source });
            }
        };
        drop(file);
        let stream = input.streams().best(media::Type::Video).ok_or(VideoError::NoVideoStream { path: path.into() })?;
        let stream_index = stream.index();
        let params = stream.parameters();
        let codec_name = codec::decoder::find(params.id())
            .map(|c| c.name().to_string())
            .unwrap_or_else(|| format!("{:?}", params.id()));
        let codec_err = |source| VideoError::Codec { path: path.into(), codec: codec_name.clone(), source };
        let mut context = codec::context::Context::from_parameters(params).map_err(codec_err)?;
        if options.threads != 1 {
            context.set_threading(codec::threading::Config {
                kind: codec::threading::Type::Frame,
                count: options.threads,
                ..Default::default()
            });
        }
        let mut decoder = context.decoder().video().map_err(codec_err)?;
        if options.preview {
            decoder.skip_loop_filter(ffmpeg::Discard::All);
        }
        if decoder.width() == 0 || decoder.height() == 0 {
            return Err(VideoError::NoVideoStream { path: path.into() });
        }

        let mut rotation_deg = 0;
        for side in stream.side_data() {
            if side.kind() == codec::packet::side_data::Type::DisplayMatrix && side.data().len() >= 36 {
                let mut m = [0i32; 9];
                for (i, chunk) in side.data().chunks_exact(4).take(9).enumerate() {
                    m[i] = i32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
                rotation_deg = rotation_from_display_matrix(&m);
            }
        }
        let (coded_width, coded_height) = (decoder.width(), decoder.height());
        let (width, height) =
            if rotation_deg % 180 == 90 { (coded_height, coded_width) } else { (coded_width, coded_height) };
        let (work_width, work_height) = working_size(width, height, options.max_side);
        let tb = stream.time_base();
        let time_base = rational_f64(tb);
        let nominal = rational_f64(stream.avg_frame_rate());
        let nominal_fps = if nominal > 0.0 { nominal } else { rational_f64(stream.rate()) };
        let duration_s = video_duration_s(&input, &stream, time_base);
        let frame_count = (stream.frames() > 0).then(|| stream.frames() as u64);
        let start_ts = if stream.start_time() == ffmpeg::ffi::AV_NOPTS_VALUE { 0 } else { stream.start_time() };
        let info = ClipInfo {
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            width,
            height,
            coded_width,
            coded_height,
            rotation_deg,
            work_width,
            work_height,
            time_base: (tb.numerator(), tb.denominator()),
            nominal_fps,
            measured_fps: None,
            variable_frame_rate: None,
            duration_s,
            codec: codec_name,
            frame_count,
        };
        Ok(Self {
            path: path.into(),
            input,
            stream_index,
            decoder,
            scaler: None,
            info,
            time_base,
            start_ts,
            decoded: frame::Video::empty(),
            scaled: frame::Video::empty(),
            packet: ffmpeg::Packet::empty(),
            eof_sent: false,
            done: false,
            frames: 0,
            first_pts: None,
            last_pts: None,
            min_dt: f64::INFINITY,
            max_dt: 0.0,
            fast_convert: options.preview,
            yuv: options.yuv,
        })
    }

    /// The clip's facts as known so far.
    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// A frame buffer of the working size, to pass to [`VideoReader::read_into`].
    pub fn new_frame(&self) -> Frame {
        Frame { index: 0, pts_s: 0.0, pixels: Pixels::Rgb(RgbImage::new(self.info.work_width, self.info.work_height)) }
    }

    /// A read or decode error part-way; when the frames so far fall well short of the declared duration, the
    /// file was cut, and that is what the error says.
    fn corrupt(&self, source: ffmpeg::Error) -> VideoError {
        if let Err(truncated @ VideoError::Truncated { .. }) = self.check_length() {
            return truncated;
        }
        VideoError::Corrupt {
            path: self.path.clone(),
            frames: self.frames,
            seconds: self.last_pts.unwrap_or(0.0),
            source,
        }
    }

    /// Decode the next frame into `out` (reusing its buffer). Returns `Ok(false)` at the end of the stream.
    pub fn read_into(&mut self, out: &mut Frame) -> Result<bool, VideoError> {
        if self.done {
            return Ok(false);
        }
        loop {
            match self.decoder.receive_frame(&mut self.decoded) {
                Ok(()) => {
                    self.convert(out)?;
                    return Ok(true);
                }
                Err(ffmpeg::Error::Eof) => {
                    self.done = true;
                    return self.check_complete().map(|()| false);
                }
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::util::error::EAGAIN => {}
                Err(e) => return Err(self.corrupt(e)),
            }
            // The decoder wants input: read packets until one of our stream arrives, or the end.
            loop {
                if self.eof_sent {
                    break;
                }
                match self.packet.read(&mut self.input) {
                    Ok(()) => {
                        if self.packet.stream() != self.stream_index {
                            continue;
                        }
                        if let Err(e) = self.decoder.send_packet(&self.packet) {
                            return Err(self.corrupt(e));
                        }
                        break;
                    }
                    Err(ffmpeg::Error::Eof) => {
                        self.decoder.send_eof().map_err(|e| self.corrupt(e))?;
                        self.eof_sent = true;
                        break;
                    }
                    Err(e) => return Err(self.corrupt(e)),
                }
            }
        }
    }

    /// After the last frame: no frames at all, or far fewer than declared, is an error. A declared duration
    /// over [`IMPLAUSIBLE_DURATION_RATIO`] times what a cleanly ended stream held is a header that lies (an AVI
    /// whose frame count says 2^31), not a cut file, and is not believed.
    fn check_complete(&self) -> Result<(), VideoError> {
        let Some(last) = self.last_pts else {
            return Err(VideoError::NoFrames { path: self.path.clone() });
        };
        let interval = if self.info.nominal_fps > 0.0 { 1.0 / self.info.nominal_fps } else { 0.04 };
        if self.info.duration_s.is_some_and(|d| d > IMPLAUSIBLE_DURATION_RATIO * (last + interval)) {
            return Ok(());
        }
        self.check_length()
    }

    /// Frames decoded so far against the declared duration.
    fn check_length(&self) -> Result<(), VideoError> {
        let last = self.last_pts.unwrap_or(0.0);
        if let Some(declared) = self.info.duration_s {
            let interval = if self.info.nominal_fps > 0.0 { 1.0 / self.info.nominal_fps } else { 0.04 };
            let slack = TRUNCATION_TOLERANCE_S.max(TRUNCATION_TOLERANCE_FRAMES * interval);
            if last + interval + slack < declared {
                return Err(VideoError::Truncated {
                    path: self.path.clone(),
                    frames: self.frames,
                    seconds: last,
                    declared_s: declared,
                });
            }
        }
        Ok(())
    }

    /// Scale the decoded frame to the working size as RGB and turn it upright into `out`.
    fn convert_rgb(&mut self, fmt: format::Pixel, w: u32, h: u32, out: &mut Frame) -> Result<(), VideoError> {
        let rotated = self.info.rotation_deg % 180 == 90;
        // Scale to the working size in the stored orientation, then rotate while copying out.
        let (sw, sh) = if rotated {
            (self.info.work_height, self.info.work_width)
        } else {
            (self.info.work_width, self.info.work_height)
        };
        let stale = !matches!(&self.scaler, Some((_, f, cw, ch)) if *f == fmt && *cw == w && *ch == h);
        if stale {
            // At full size, convert as OpenCV does (bicubic chroma upsampling), since MediaPipe's Python
            // pipeline sees OpenCV's frames; when shrinking, average areas so that nothing aliases.
            let flags = if self.fast_convert {
                scaling::Flags::FAST_BILINEAR
            } else if (sw, sh) == (w, h) {
                scaling::Flags::BICUBIC
            } else {
                scaling::Flags::AREA
            };
            let ctx = scaling::Context::get(fmt, w, h, format::Pixel::RGB24, sw, sh, flags)
                .map_err(|source| VideoError::Convert { path: self.path.clone(), source })?;
            self.scaler = Some((ctx, fmt, w, h));
        }
        if let Some((ctx, ..)) = self.scaler.as_mut() {
            ctx.run(&self.decoded, &mut self.scaled)
                .map_err(|source| VideoError::Convert { path: self.path.clone(), source })?;
        }
        let (ww, wh) = (self.info.work_width, self.info.work_height);
        if !matches!(&out.pixels, Pixels::Rgb(img) if img.width() == ww && img.height() == wh) {
            out.pixels = Pixels::Rgb(RgbImage::new(ww, wh));
        }
        if let Pixels::Rgb(img) = &mut out.pixels {
            copy_rotated(self.scaled.data(0), self.scaled.stride(0), sw, sh, self.info.rotation_deg, img);
        }
        Ok(())
    }

    fn convert(&mut self, out: &mut Frame) -> Result<(), VideoError> {
        let (fmt, w, h) = (self.decoded.format(), self.decoded.width(), self.decoded.height());
        let ts = self.decoded.timestamp().or(self.decoded.pts());
        let unscaled = (self.info.work_width, self.info.work_height) == (self.info.width, self.info.height)
            && (w, h) == (self.info.coded_width, self.info.coded_height);
        if self.yuv && unscaled && Yuv420::supports(fmt, w, h) {
            // Hand the decoded frame over and keep the consumer's old one to receive into (the decoder
            // releases its contents first).
            let old = std::mem::replace(&mut out.pixels, Pixels::Rgb(RgbImage::new(0, 0)));
            let mut frame = match old {
                Pixels::Yuv(yuv) => yuv.frame,
                Pixels::Rgb(_) => frame::Video::empty(),
            };
            std::mem::swap(&mut frame, &mut self.decoded);
            out.pixels = Pixels::Yuv(Yuv420 { frame, rotation_deg: self.info.rotation_deg });
        } else {
            self.convert_rgb(fmt, w, h, out)?;
        }
        let pts_s = match (ts, self.last_pts) {
            (Some(t), _) => (t - self.start_ts) as f64 * self.time_base,
            (None, Some(prev)) => prev + if self.info.nominal_fps > 0.0 { 1.0 / self.info.nominal_fps } else { 0.0 },
            (None, None) => 0.0,
        };
        if let Some(prev) = self.last_pts {
            let dt = pts_s - prev;
            if dt < -TIME_STEP_BACK_TOLERANCE_S {
                return Err(VideoError::TimeStepsBack {
                    path: self.path.clone(),
                    frame: self.frames,
                    from_s: prev,
                    to_s: pts_s,
                });
            }
            if dt > 0.0 {
                self.min_dt = self.min_dt.min(dt);
                self.max_dt = self.max_dt.max(dt);
            }
        }
        self.first_pts.get_or_insert(pts_s);
        self.last_pts = Some(pts_s);
        out.index = self.frames;
        out.pts_s = pts_s;
        self.frames += 1;
        Ok(())
    }

    /// Complete the clip facts with what decoding measured (frame count, measured and variable frame rate).
    pub fn finish(&self) -> ClipInfo {
        let mut info = self.info.clone();
        info.frame_count = Some(self.frames);
        if let (Some(first), Some(last)) = (self.first_pts, self.last_pts) {
            if self.frames > 1 && last > first {
                info.measured_fps = Some((self.frames - 1) as f64 / (last - first));
                info.variable_frame_rate = Some(self.max_dt > 1.1 * self.min_dt);
            }
        }
        info
    }
}
