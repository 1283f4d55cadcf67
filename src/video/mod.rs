//! Video: a clip file in, upright frames with their real timestamps out ([`VideoReader`] in `decode`, on
//! its own thread with [`DecodeThread`]); H.264 files out ([`H264Writer`] in `encode`).
//!
//! * Input: any file FFmpeg can demux with a video stream (MP4/MOV, MPEG-TS, MKV/WebM; H.264, HEVC, VP9, …).
//! * Output: [`ClipInfo`] (known before decoding, completed by [`VideoReader::finish`]) and a stream of
//!   [`Frame`]s in decode order, each with its presentation time in seconds from the stream's start.
//!
//! Frames are converted to RGB at a *working resolution* ([`VideoOptions::max_side`]): the pose models look at
//! 224- and 256-pixel inputs, so converting a 4K frame at full size is wasted work. With [`VideoOptions::yuv`],
//! frames that need no scaling are not converted at all: the decoder's planes are handed over ([`Pixels`]).
//! Sizes in [`ClipInfo`] (`width`, `height`) are the full display size after rotation;
//! `work_width`/`work_height` are the size of [`Frame::pixels`]. Landmark coordinates are reported in full-size
//! pixels: multiply working pixels by [`ClipInfo::work_to_full`].
//!
//! Rotation: phones store portrait video as landscape frames plus a display matrix. The matrix's rotation is
//! applied here, so frames are upright as a player shows them. Timestamps: every frame keeps its own
//! timestamp (variable frame rate and slow-motion clips are common); nothing assumes a constant rate.
//! Packets are read one by one so a read or decode error surfaces with how far decoding got, and a clip that
//! ends well before its declared duration is reported as truncated.

mod decode;
mod encode;
mod error;
mod pixels;
mod rotate;
mod thread;

pub use decode::VideoReader;
pub use encode::H264Writer;
pub use error::VideoError;
pub use pixels::{Pixels, Planes, Yuv420};
pub use rotate::rotation_from_display_matrix;
pub use thread::DecodeThread;

use serde::{Deserialize, Serialize};

/// Default longest side of the working frames, in pixels. Full HD and smaller clips are used at full size, as
/// MediaPipe uses them (the models' crops are sampled from the full frame; a pre-scaled frame changes
/// borderline detections), while 4K clips are halved, which halves their colour-conversion cost.
pub const DEFAULT_MAX_SIDE: u32 = 1920;
/// A clip whose last decoded frame ends this much before the declared duration is reported as truncated,
/// unless the shortfall is within [`TRUNCATION_TOLERANCE_FRAMES`] frame intervals.
pub const TRUNCATION_TOLERANCE_S: f64 = 0.5;
/// A stream that ends cleanly after less than 1/this of its declared duration has a header that lies about
/// its length (a cut file ends in a read error or keeps a realistic share of its frames); see
/// `VideoReader::check_complete`.
pub const IMPLAUSIBLE_DURATION_RATIO: f64 = 100.0;
/// Frame intervals of slack when comparing decoded length with the declared duration.
pub const TRUNCATION_TOLERANCE_FRAMES: f64 = 3.0;
/// A frame may be this much earlier than its predecessor (rounding of time bases) before the timestamps are
/// taken as stepping back.
pub const TIME_STEP_BACK_TOLERANCE_S: f64 = 1e-6;
/// Frames that may wait between the decoding thread and the consumer.
pub const DECODE_QUEUE: usize = 4;

/// Facts about a clip. Sizes are in pixels after rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipInfo {
    /// File name of the input (without folders), for reports.
    pub file_name: String,
    /// Display width after rotation, full resolution.
    pub width: u32,
    /// Display height after rotation, full resolution.
    pub height: u32,
    /// Width of the frames as stored in the file, before rotation.
    pub coded_width: u32,
    /// Height of the frames as stored in the file, before rotation.
    pub coded_height: u32,
    /// Clockwise rotation applied to the stored frames to make them upright: 0, 90, 180 or 270 degrees.
    pub rotation_deg: u32,
    /// Width of the decoded working frames ([`Frame::pixels`]).
    pub work_width: u32,
    /// Height of the decoded working frames.
    pub work_height: u32,
    /// Stream time base as (numerator, denominator) seconds.
    pub time_base: (i32, i32),
    /// Frame rate declared by the container (average rate, else the stream's base rate); 0 when unknown.
    pub nominal_fps: f64,
    /// Frame rate measured from the decoded timestamps: (frames − 1) / (last − first). Set after decoding.
    pub measured_fps: Option<f64>,
    /// Whether the decoded frame intervals vary by more than 10 % (variable frame rate). Set after decoding.
    pub variable_frame_rate: Option<bool>,
    /// Duration declared by the container, in seconds.
    pub duration_s: Option<f64>,
    /// Codec name (e.g. `h264`, `hevc`, `vp9`).
    pub codec: String,
    /// Number of frames: declared by the container before decoding, the decoded count after.
    pub frame_count: Option<u64>,
}

impl ClipInfo {
    /// Factor from working-frame pixels to full-resolution pixels.
    pub fn work_to_full(&self) -> f64 {
        f64::from(self.width) / f64::from(self.work_width.max(1))
    }
}

/// One decoded frame.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Position in decode (= presentation) order, from 0.
    pub index: u64,
    /// Presentation time in seconds from the start of the stream.
    pub pts_s: f64,
    /// The picture at the working resolution: RGB, or the decoder's planes (see [`VideoOptions::yuv`]).
    pub pixels: Pixels,
}

/// Decoding options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoOptions {
    /// Longest side of the working frames in pixels; frames are never upscaled.
    pub max_side: u32,
    /// Decoder threads (0 lets FFmpeg choose).
    pub threads: usize,
    /// Preview quality: skip the codec's in-loop deblocking filter (about a third faster for H.264, slightly
    /// blockier) and convert colours with the fastest filter. For the overlay video, never for the pose stage.
    pub preview: bool,
    /// Hand over 8-bit 4:2:0 frames that need no scaling as the decoder made them ([`Pixels::Yuv`]) instead of
    /// converting them to upright RGB; the pose stage samples its crops from the planes directly. Other frames
    /// are converted as usual.
    pub yuv: bool,
}

impl Default for VideoOptions {
    fn default() -> Self {
        Self { max_side: DEFAULT_MAX_SIDE, threads: 1, preview: false, yuv: false }
    }
}

/// Even size no larger than `max_side` on the long side, keeping the aspect ratio.
pub(crate) fn working_size(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side || max_side == 0 {
        return (width, height);
    }
    let scale = f64::from(max_side) / f64::from(long);
    let even = |v: u32| ((f64::from(v) * scale / 2.0).round() as u32 * 2).max(2);
    (even(width), even(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_size_keeps_aspect_and_never_upscales() {
        assert_eq!(working_size(1920, 1080, 960), (960, 540));
        assert_eq!(working_size(1080, 1920, 960), (540, 960));
        assert_eq!(working_size(640, 360, 960), (640, 360));
        assert_eq!(working_size(1768, 994, 960), (960, 540));
    }
}
