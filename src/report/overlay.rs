//! The overlay video and the rep-bottom stills: the subject's own video with the legs drawn on it.
//!
//! One decoding pass over the clip draws, on every frame: each leg's skeleton (left orange, right blue), the
//! hip–ankle line the FPPA is measured against, a plumb line up from the second toe, the live FPPA and
//! knee-over-toe of each leg and the rep counter; for 1.5 s after each rep's bottom a still of that bottom frame
//! is inset in the corner. The result is encoded as H.264 in MP4, upright, with the input's timestamps. The
//! same pass returns each rep's bottom frame (drawn) for the HTML report.

use std::collections::HashMap;
use std::path::Path;

use ffmpeg_next as ffmpeg;
use image::{imageops, Rgb, RgbImage};
use imageproc::drawing::{draw_filled_circle_mut, draw_filled_rect_mut, draw_line_segment_mut};
use imageproc::rect::Rect;

use crate::analysis::Analysis;

/// File name of the overlay video.
pub const FILE: &str = "overlay.mp4";
use crate::kinematics::{Joint, Side};
use crate::pose::PoseTrack;
use crate::video::{H264Writer, VideoError, VideoOptions, VideoReader};

/// Longest side of the overlay video: enough to see the knees, cheap to encode.
pub const OVERLAY_MAX_SIDE: u32 = 540;
/// Longest side of the stills embedded in the report.
pub const STILL_MAX_SIDE: u32 = 480;
/// Seconds a rep's bottom still stays inset after the bottom.
pub const INSET_S: f64 = 1.5;
/// x264 settings: fast to encode, small enough to mail.
const X264_PRESET: &str = "ultrafast";
const X264_CRF: &str = "26";

/// Colour of the left leg.
pub const LEFT_COLOUR: Rgb<u8> = Rgb([255, 140, 0]);
/// Colour of the right leg.
pub const RIGHT_COLOUR: Rgb<u8> = Rgb([0, 170, 255]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
const GREEN: Rgb<u8> = Rgb([60, 230, 90]);
const PANEL: Rgb<u8> = Rgb([20, 20, 20]);

/// Errors making the overlay.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The clip could not be decoded again.
    #[error(transparent)]
    Video(#[from] VideoError),
    /// FFmpeg refused to encode or write.
    #[error("encoding the overlay: {0}")]
    Encode(#[from] ffmpeg::Error),
    /// The output could not be moved into place.
    #[error("writing the overlay: {0}")]
    Io(#[from] std::io::Error),
}

/// A rep's bottom frame with the legs drawn, for the report.
#[derive(Debug, Clone)]
pub struct Still {
    /// Rep number.
    pub rep: usize,
    /// Source frame index.
    pub frame: u64,
    /// The picture.
    pub image: RgbImage,
}

/// Draw a line about `width` pixels thick, as parallel one-pixel lines (much cheaper than filling a polygon,
/// and the same to the eye at these widths).
fn thick_line(img: &mut RgbImage, a: [f32; 2], b: [f32; 2], width: f32, colour: Rgb<u8>) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = dx.hypot(dy);
    if len.is_nan() || len <= 0.5 || !a.iter().chain(&b).all(|v| v.is_finite()) {
        return;
    }
    let (nx, ny) = (-dy / len, dx / len);
    let n = width.round().max(1.0) as i32;
    for k in 0..n {
        let o = k as f32 - (n - 1) as f32 / 2.0;
        draw_line_segment_mut(img, (a[0] + nx * o, a[1] + ny * o), (b[0] + nx * o, b[1] + ny * o), colour);
    }
}

/// Write ASCII text with the 8x8 bitmap font at `scale`, on a dark box.
pub fn text(img: &mut RgbImage, x: i32, y: i32, scale: u32, s: &str, colour: Rgb<u8>) {
    use font8x8::UnicodeFonts;
    let cell = 8 * scale as i32;
    let w = (s.chars().count() as i32 * cell + 2 * scale as i32).max(1) as u32;
    let (iw, ih) = (img.width() as i32, img.height() as i32);
    if x >= iw || y >= ih {
        return;
    }
    draw_filled_rect_mut(img, Rect::at(x, y).of_size(w, (cell + 2 * scale as i32) as u32), PANEL);
    for (k, ch) in s.chars().enumerate() {
        let Some(glyph) = font8x8::BASIC_FONTS.get(ch) else { continue };
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8 {
                if bits & (1 << col) == 0 {
                    continue;
                }
                let px = x + scale as i32 + k as i32 * cell + col * scale as i32;
                let py = y + scale as i32 + row as i32 * scale as i32;
                for dy in 0..scale as i32 {
                    for dx in 0..scale as i32 {
                        let (qx, qy) = (px + dx, py + dy);
                        if qx >= 0 && qy >= 0 && qx < iw && qy < ih {
                            img.put_pixel(qx as u32, qy as u32, colour);
                        }
                    }
                }
            }
        }
    }
}

/// The colour a side is drawn in, everywhere (overlay, stills, plots).
pub fn side_colour(side: Side) -> Rgb<u8> {
    match side {
        Side::Left => LEFT_COLOUR,
        Side::Right => RIGHT_COLOUR,
    }
}

fn fmt(v: Option<f64>, unit: &str) -> String {
    v.map_or("--".to_string(), |v| format!("{v:+.0}{unit}"))
}

/// Draw the legs of one frame's pose (`landmarks` in full-resolution pixels, `k` full → image scale).
pub fn draw_legs(img: &mut RgbImage, landmarks: &[[f32; 5]], k: f32, roll_deg: f64) {
    let p = |i: usize| [landmarks[i][0] * k, landmarks[i][1] * k];
    let width = (img.width().max(img.height()) as f32 / 300.0).max(2.0);
    let (s, c) = (roll_deg.to_radians() as f32).sin_cos();
    for side in Side::BOTH {
        let colour = side_colour(side);
        let at = |j: Joint| p(j.landmark(side));
        let (hip, knee, ankle, heel, toe) =
            (at(Joint::Hip), at(Joint::Knee), at(Joint::Ankle), at(Joint::Heel), at(Joint::Toe));
        // The hip–ankle line the FPPA is measured against.
        thick_line(img, hip, ankle, (width / 2.0).max(1.0), WHITE);
        // Plumb line from the second toe, up to hip height (tilted with the camera's roll).
        let up = (toe[1] - hip[1]).max(0.0);
        thick_line(img, toe, [toe[0] + s * up, toe[1] - c * up], (width / 2.0).max(1.0), GREEN);
        for (a, b) in [(hip, knee), (knee, ankle), (ankle, heel), (heel, toe), (ankle, toe)] {
            thick_line(img, a, b, width, colour);
        }
        for q in [hip, knee, ankle, toe] {
            if q.iter().all(|v| v.is_finite()) {
                draw_filled_circle_mut(img, (q[0] as i32, q[1] as i32), (width * 1.3) as i32, colour);
            }
        }
    }
    thick_line(img, p(23), p(24), width, WHITE);
}

/// Which grid sample of the signals is nearest each source frame.
fn sample_of_frames(a: &Analysis) -> HashMap<u64, usize> {
    let mut map = HashMap::new();
    for (i, f) in a.signals.frame.iter().enumerate() {
        map.entry(*f).or_insert(i);
    }
    map
}

/// One pass over `preview` (the small upright copy of the clip recorded during the pose pass by a
/// [`crate::video::PreviewRecorder`]): encode the overlay into `out` (when given) and return every
/// rep's bottom still.
pub fn render_pass(
    preview: &Path,
    out: Option<&Path>,
    track: &PoseTrack,
    analysis: &Analysis,
) -> Result<Vec<Still>, OverlayError> {
    let mut reader =
        VideoReader::open(preview, VideoOptions { max_side: OVERLAY_MAX_SIDE, threads: 1, preview: true })?;
    let (w, h) = (reader.info().work_width, reader.info().work_height);
    let k = w as f32 / track.clip.width.max(1) as f32;
    let samples = sample_of_frames(analysis);
    let reps = &analysis.reps.reps;
    let bottoms: HashMap<u64, usize> = reps.iter().map(|r| (r.bottom.frame, r.number)).collect();
    let poses: HashMap<u64, &crate::pose::Pose> =
        track.frames.iter().filter_map(|f| f.pose.as_ref().map(|p| (f.index, p))).collect();
    // Written under a temporary name genu owns, renamed when complete, removed on failure.
    let tmp = out.map(|o| o.with_file_name(format!("{}overlay.mp4", crate::fsx::TEMP_PREFIX)));
    let fps = track.clip.nominal_fps;
    let mut enc = match &tmp {
        Some(t) => Some(H264Writer::create(t, "mp4", w, h, fps, X264_PRESET, X264_CRF)?),
        None => None,
    };
    let scale = (w.max(h) / 320).max(1);
    let roll = analysis.signals.roll_deg;
    let mut stills = Vec::new();
    let mut inset: Option<(f64, usize, RgbImage)> = None;
    let mut frame = reader.new_frame();
    while reader.read_into(&mut frame)? {
        let img = &mut frame.rgb;
        if let Some(p) = poses.get(&frame.index) {
            draw_legs(img, &p.landmarks, k, roll);
        }
        if let Some(&rep) = bottoms.get(&frame.index) {
            let (w, h) = (img.width(), img.height());
            let f = STILL_MAX_SIDE as f32 / w.max(h) as f32;
            let still = if f < 1.0 {
                imageops::resize(img, (w as f32 * f) as u32, (h as f32 * f) as u32, imageops::FilterType::Triangle)
            } else {
                img.clone()
            };
            stills.push(Still { rep, frame: frame.index, image: still.clone() });
            // The inset takes at most a third of the frame's width.
            let tw = (img.width() / 3).max(1);
            let th = (u64::from(still.height()) * u64::from(tw) / u64::from(still.width().max(1))).max(1) as u32;
            let thumb = imageops::resize(&still, tw, th, imageops::FilterType::Triangle);
            inset = Some((frame.pts_s, rep, thumb));
        }
        let sample = samples.get(&frame.index).copied();
        let s = &analysis.signals;
        let done = reps.iter().filter(|r| r.bottom.t_s <= frame.pts_s).count();
        text(img, 4, 4, scale, &format!("rep {done}/{}  {:.1}s", reps.len(), frame.pts_s), WHITE);
        // In a single-leg rep the free leg bears no weight: it gets no numbers, as in the tables.
        let free = reps
            .iter()
            .find(|r| r.descent_start.t_s <= frame.pts_s && frame.pts_s <= r.ascent_end.t_s)
            .and_then(|r| r.stance)
            .map(Side::other);
        for side in Side::BOTH {
            let (fppa, kto) =
                sample.map_or((None, None), |i| (s.legs[side].fppa_deg[i], s.legs[side].kto_pct_shank[i]));
            let name = side.letter();
            let label = if free == Some(side) {
                format!("{name} free leg: not measured")
            } else {
                format!("{name} FPPA {}  KTO {}", fmt(fppa, "d"), fmt(kto, "%"))
            };
            let y = 4 + (side.index() as i32 + 1) * (10 * scale as i32 + 2);
            text(img, 4, y, scale, &label, side_colour(side));
        }
        if let Some((t0, rep, thumb)) = &inset {
            if frame.pts_s - t0 <= INSET_S {
                let x = img.width().saturating_sub(thumb.width() + 4);
                imageops::overlay(img, thumb, i64::from(x), 4);
                text(img, x as i32, (thumb.height() + 6) as i32, scale, &format!("rep {rep} bottom"), WHITE);
            }
        }
        if let Some(e) = enc.as_mut() {
            e.push_rgb(img, frame.pts_s)?;
        }
    }
    if let (Some(e), Some(t), Some(o)) = (enc, tmp, out) {
        e.finish()?;
        std::fs::rename(t, o)?;
    }
    Ok(stills)
}
