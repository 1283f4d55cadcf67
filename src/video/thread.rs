//! Decoding on its own thread: [`DecodeThread`] owns a [`VideoReader`] on a named thread and hands frames over a
//! bounded channel, recycling their buffers.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use super::{ClipInfo, Frame, VideoError, VideoOptions, VideoReader, DECODE_QUEUE};

/// Decoding on its own thread, so that decoding the next frames overlaps with work on the current one.
///
/// Frame buffers travel in a loop: the consumer hands each frame back with [`DecodeThread::recycle`] and the
/// decoder refills it, so no frame buffer is allocated after the first few.
pub struct DecodeThread {
    info: ClipInfo,
    frames: Receiver<Result<Frame, VideoError>>,
    spare: SyncSender<Frame>,
    handle: Option<JoinHandle<Option<ClipInfo>>>,
}

impl std::fmt::Debug for DecodeThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeThread").field("info", &self.info).finish()
    }
}

impl DecodeThread {
    /// Open `path` on a new thread and start decoding there (FFmpeg's scaler cannot move between threads, so
    /// the reader lives on the decoding thread). Returns once the clip is open, with its facts.
    pub fn open(path: &Path, options: VideoOptions) -> Result<Self, VideoError> {
        let (tx, frames) = mpsc::sync_channel::<Result<Frame, VideoError>>(DECODE_QUEUE);
        let (spare, spare_rx) = mpsc::sync_channel::<Frame>(DECODE_QUEUE + 2);
        let (info_tx, info_rx) = mpsc::sync_channel::<Result<ClipInfo, VideoError>>(1);
        let path_buf = path.to_path_buf();
        let spawned = std::thread::Builder::new().name("genu-decode".into()).spawn(move || {
            let mut reader = match VideoReader::open(&path_buf, options) {
                Ok(r) => r,
                Err(e) => {
                    let _ = info_tx.send(Err(e));
                    return None;
                }
            };
            if info_tx.send(Ok(reader.info().clone())).is_err() {
                return None;
            }
            loop {
                let mut frame = spare_rx.try_recv().unwrap_or_else(|_| reader.new_frame());
                match reader.read_into(&mut frame) {
                    Ok(true) => {
                        if tx.send(Ok(frame)).is_err() {
                            break;
                        }
                    }
                    Ok(false) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            Some(reader.finish())
        });
        let handle = spawned.map_err(|source| VideoError::Io { path: path.into(), source })?;
        match info_rx.recv() {
            Ok(Ok(info)) => Ok(Self { info, frames, spare, handle: Some(handle) }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(VideoError::Io {
                path: path.into(),
                source: std::io::Error::other("the decoding thread stopped before opening the clip"),
            }),
        }
    }

    /// Facts known before decoding.
    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// The next frame, an error, or `None` at the end.
    pub fn next_frame(&mut self) -> Option<Result<Frame, VideoError>> {
        self.frames.recv().ok()
    }

    /// Give a frame's buffer back for reuse.
    pub fn recycle(&self, frame: Frame) {
        let _ = self.spare.try_send(frame);
    }

    /// Wait for the decoder and return the completed clip facts.
    pub fn finish(mut self) -> ClipInfo {
        // Dropping the receiver stops a decoder that is still running.
        let Self { info, frames, handle, .. } = &mut self;
        drop(std::mem::replace(frames, mpsc::sync_channel(0).1));
        handle.take().and_then(|h| h.join().ok().flatten()).unwrap_or_else(|| info.clone())
    }
}
