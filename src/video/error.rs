//! Errors reading a clip: every variant names the file and says the cause in words a user can act on.

use std::path::PathBuf;

use ffmpeg_next as ffmpeg;
use thiserror::Error;

/// Errors reading a clip. Every variant names the file.
#[derive(Debug, Error)]
pub enum VideoError {
    /// The file could not be opened or read at all.
    #[error("'{path}': cannot read file: {source}")]
    Io {
        /// The clip.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("'{path}': file is empty")]
    Empty {
        /// The clip.
        path: PathBuf,
    },
    /// FFmpeg does not recognise the file as a media container.
    #[error("'{path}': not a video file FFmpeg can read ({source})")]
    NotAVideo {
        /// The clip.
        path: PathBuf,
        /// FFmpeg's error.
        source: ffmpeg::Error,
    },
    /// The container has no video stream (an audio-only file, for instance).
    #[error("'{path}': no video stream in the file")]
    NoVideoStream {
        /// The clip.
        path: PathBuf,
    },
    /// The video stream's codec cannot be decoded.
    #[error("'{path}': cannot decode the video stream ({codec}): {source}")]
    Codec {
        /// The clip.
        path: PathBuf,
        /// Codec name.
        codec: String,
        /// FFmpeg's error.
        source: ffmpeg::Error,
    },
    /// Reading or decoding failed part-way.
    #[error("'{path}': read or decode error after {frames} frames ({seconds:.2} s): {source}")]
    Corrupt {
        /// The clip.
        path: PathBuf,
        /// Frames decoded before the error.
        frames: u64,
        /// Time of the last good frame.
        seconds: f64,
        /// FFmpeg's error.
        source: ffmpeg::Error,
    },
    /// The stream ended well before the duration the container declares.
    #[error(
        "'{path}': truncated: decoding stopped after {frames} frames at {seconds:.2} s of a declared {declared_s:.2} s"
    )]
    Truncated {
        /// The clip.
        path: PathBuf,
        /// Frames decoded.
        frames: u64,
        /// Time of the last decoded frame.
        seconds: f64,
        /// Duration the container declares.
        declared_s: f64,
    },
    /// No frame could be decoded.
    #[error("'{path}': the video stream holds no decodable frame")]
    NoFrames {
        /// The clip.
        path: PathBuf,
    },
    /// An MP4/MOV whose index (the `moov` atom) is missing: a recording that was never finished, or a file
    /// cut short before its index.
    #[error("'{path}': truncated or unfinished MP4/MOV: the file has no index (moov atom), so its frames cannot be found; the recording was not finished or the file was cut")]
    Unfinished {
        /// The clip.
        path: PathBuf,
    },
    /// Presentation times go backwards (files joined end to end, or an edit that restarted the clock).
    #[error("'{path}': timestamps step back at frame {frame} (from {from_s:.3} s to {to_s:.3} s): a joined or edited file; re-encode it with continuous timestamps")]
    TimeStepsBack {
        /// The clip.
        path: PathBuf,
        /// The frame whose time is earlier than its predecessor's.
        frame: u64,
        /// Time of the previous frame.
        from_s: f64,
        /// Time of this frame.
        to_s: f64,
    },
    /// The RGB converter failed.
    #[error("'{path}': pixel format conversion failed: {source}")]
    Convert {
        /// The clip.
        path: PathBuf,
        /// FFmpeg's error.
        source: ffmpeg::Error,
    },
}
