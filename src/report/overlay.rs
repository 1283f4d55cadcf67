//! The overlay video and the rep-bottom stills: the subject's own video with the legs drawn on it.
//!
//! A second decoding pass over the clip (after the analysis, which the drawing needs) draws on every frame:
//! each leg's skeleton (left orange, right blue), the hip–ankle line the FPPA is measured against, a plumb line
//! up from the second toe, each leg's live FPPA and knee-over-toe beside its knee (the free leg of a single-leg
//! rep gets no numbers), and the rep counter; for [`INSET_S`] after each rep's bottom a still of that bottom
//! frame is inset in the corner that covers least of the subject. The video keeps the input's resolution up to
//! [`OVERLAY_MAX_SIDE`] on the long side (less with `--overlay-size`), is upright, has the input's frames and
//! timestamps, and is encoded as H.264 in MP4. The same pass returns each rep's bottom frame (drawn) for the
//! HTML report.

use std::collections::HashMap;
use std::path::Path;

use ffmpeg_next as ffmpeg;
use image::{imageops, Rgb, RgbImage};

use imageproc::rect::Rect;

use super::draw::{self, overlap, panel, panel_size, side_colour, WHITE};
use crate::analysis::Analysis;
use crate::kinematics::{Joint, Side};
use crate::pose::landmarker::BODY_LANDMARKS;
use crate::pose::{Pose, PoseTrack};
use crate::video::{DecodeThread, H264Writer, VideoError, VideoOptions};

/// File name of the overlay video.
pub const FILE: &str = "overlay.mp4";

/// Default longest side of the overlay video: the input's own size up to 1080p (1920 x 1080 or 1080 x 1920).
pub const OVERLAY_MAX_SIDE: u32 = 1920;
/// Default longest side of `genu batch`'s overlay videos. At 1080p the overlay pass costs about as much CPU as
/// the pose pass (x264's fastest preset alone is about 10 ms a frame), which would halve a batch's clips per
/// hour; at 960 it costs about a third as much.
pub const BATCH_OVERLAY_MAX_SIDE: u32 = 960;
/// Longest side of the stills embedded in the report.
pub const STILL_MAX_SIDE: u32 = 480;
/// Seconds a rep's bottom still stays inset after the bottom.
pub const INSET_S: f64 = 1.5;
/// The inset's sides as a fraction of the frame's.
const INSET_FRACTION: f32 = 0.35;
/// x264 settings: the fastest preset (encoding is most of the overlay's cost at 1080p), a quality that keeps
/// the text sharp.
const X264_PRESET: &str = "ultrafast";
const X264_CRF: &str = "26";

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
    /// The caller asked to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
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

/// Which grid sample of the signals is nearest each source frame.
fn sample_of_frames(a: &Analysis) -> HashMap<u64, usize> {
    let mut map = HashMap::new();
    for (i, f) in a.signals.frame.iter().enumerate() {
        map.entry(*f).or_insert(i);
    }
    map
}

/// Text size for a picture of `w` x `h`: a 24th of its shorter side (45 px on 1080p, legible on a phone held
/// upright), never below 14 px.
fn text_px(w: u32, h: u32) -> f32 {
    (w.min(h) as f32 / 24.0).max(14.0)
}

fn fmt(v: Option<f64>, unit: &str) -> String {
    v.map_or("--".to_string(), |v| format!("{v:+.0}{unit}"))
}

/// The lines set beside one knee: its FPPA and knee over toe, or only that it is the free leg (which bears no
/// weight, so it has no numbers, as in the tables).
pub fn knee_lines(side: Side, free: bool, fppa: Option<f64>, kto: Option<f64>) -> Vec<String> {
    if free {
        return vec![format!("{} free leg", side.letter())];
    }
    vec![format!("{} FPPA {}", side.letter(), fmt(fppa, "°")), format!("KTO {}", fmt(kto, "%"))]
}

/// Top-left corner of a knee's label of `size`: beside the knee on its outer side (away from the other knee;
/// the right leg's label to the right when the knees are level, as in a side view), centred on the knee's
/// height, `gap` pixels off.
pub fn beside_knee(side: Side, knee: [f32; 2], other: [f32; 2], size: (i32, i32), gap: f32) -> (i32, i32) {
    let outer_right = knee[0] > other[0] + 1.0 || ((knee[0] - other[0]).abs() <= 1.0 && side == Side::Right);
    let x = if outer_right { knee[0] + gap } else { knee[0] - gap - size.0 as f32 };
    (x.round() as i32, (knee[1] - size.1 as f32 / 2.0).round() as i32)
}

/// BlazePose's landmarks from the hips down (hips, knees, ankles, heels, foot tips).
const LEGS: std::ops::Range<usize> = 23..33;

/// The box around landmarks `which` of the subject in `poses` (landmarks in full pixels, `k` full → picture
/// scale), widened by a tenth on every side.
pub fn subject_box<'a>(poses: impl Iterator<Item = &'a Pose>, which: std::ops::Range<usize>, k: f32) -> Option<Rect> {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    let points = poses.flat_map(|p| p.landmarks.get(which.clone()).unwrap_or_default());
    for l in points.filter(|l| l[0].is_finite() && l[1].is_finite()) {
        (x0, y0, x1, y1) = (x0.min(l[0] * k), y0.min(l[1] * k), x1.max(l[0] * k), y1.max(l[1] * k));
    }
    if x0 > x1 {
        return None;
    }
    let (mx, my) = (0.1 * (x1 - x0), 0.1 * (y1 - y0));
    let (x, y) = ((x0 - mx).floor() as i32, (y0 - my).floor() as i32);
    let (w, h) = ((x1 + mx).ceil() as i32 - x, (y1 + my).ceil() as i32 - y);
    Some(Rect::at(x, y).of_size(w.max(1) as u32, h.max(1) as u32))
}

/// Top-left corner for an inset of `size` in a `w` x `h` picture: of the four corners (`margin` in), the one
/// that covers least of the subject's legs (`subject[0]`), then least of the whole subject (`subject[1]`);
/// top right when nothing decides. The top corners are below the counter panel `header`.
pub fn inset_corner(
    w: u32,
    h: u32,
    size: (i32, i32),
    margin: i32,
    subject: [Option<Rect>; 2],
    header: Rect,
) -> (i32, i32) {
    let (right, bottom) = (w as i32 - size.0 - margin, h as i32 - size.1 - margin);
    let top = (header.bottom() + 1 + margin).min(bottom);
    let corners = [(right, top), (margin, top), (right, bottom), (margin, bottom)];
    let cost = |&(x, y): &(i32, i32)| {
        let area = Rect::at(x, y).of_size(size.0.max(1) as u32, size.1.max(1) as u32);
        let covers = |s: Option<Rect>| s.map_or(0, |s| overlap(&area, &s));
        (covers(subject[0]), covers(subject[1]))
    };
    corners.iter().copied().min_by_key(cost).unwrap_or((right, top))
}

/// A rep's bottom still as inset: the picture shrunk to the inset's width, and where it goes.
struct Inset {
    t_s: f64,
    rep: usize,
    thumb: RgbImage,
    at: (i32, i32),
}

/// What every frame's drawing reads.
struct Scene<'a> {
    analysis: &'a Analysis,
    samples: HashMap<u64, usize>,
    poses: HashMap<u64, &'a Pose>,
    /// Poses in frame order with their times, for the subject's box over an inset's time.
    timeline: Vec<(f64, &'a Pose)>,
    /// Full → picture pixels.
    k: f32,
    px: f32,
}

impl Scene<'_> {
    fn header_lines(&self, t_s: f64) -> [String; 2] {
        let reps = &self.analysis.reps.reps;
        let done = reps.iter().filter(|r| r.bottom.t_s <= t_s).count();
        [format!("rep {done}/{}   {t_s:.1} s", reps.len()), "+ = valgus, knee medial of 2nd toe".to_string()]
    }

    fn header(&self, img: &mut RgbImage, t_s: f64) -> Rect {
        let [a, b] = self.header_lines(t_s);
        let margin = (self.px * 0.3) as i32;
        let small = Rgb([200, 200, 200]);
        panel(img, margin, margin, self.px * 0.8, &[(a.as_str(), WHITE), (b.as_str(), small)])
    }

    /// Where [`Scene::header`] draws at `t_s`.
    fn header_area(&self, t_s: f64) -> Rect {
        let [a, b] = self.header_lines(t_s);
        let margin = (self.px * 0.3) as i32;
        let (w, h) = panel_size(&[a.as_str(), b.as_str()], self.px * 0.8);
        Rect::at(margin, margin).of_size(w as u32, h as u32)
    }

    /// Each leg's numbers beside its knee.
    fn knee_labels(&self, img: &mut RgbImage, index: u64, t_s: f64) {
        let Some(pose) = self.poses.get(&index) else { return };
        let s = &self.analysis.signals;
        let sample = self.samples.get(&index).copied();
        let free = self
            .analysis
            .reps
            .reps
            .iter()
            .find(|r| r.descent_start.t_s <= t_s && t_s <= r.ascent_end.t_s)
            .and_then(|r| r.stance)
            .map(Side::other);
        let knee = |side: Side| {
            let [x, y] = pose.xy(Joint::Knee.landmark(side));
            [x * self.k, y * self.k]
        };
        let px = self.px * 0.8;
        for side in Side::BOTH {
            let (fppa, kto) =
                sample.map_or((None, None), |i| (s.legs[side].fppa_deg[i], s.legs[side].kto_pct_shank[i]));
            let lines = knee_lines(side, free == Some(side), fppa, kto);
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let size = panel_size(&refs, px);
            let (at_knee, other) = (knee(side), knee(side.other()));
            if !at_knee.iter().all(|v| v.is_finite()) {
                continue;
            }
            let (x, y) = beside_knee(side, at_knee, other, size, px);
            let coloured: Vec<(&str, Rgb<u8>)> = refs.iter().map(|t| (*t, side_colour(side))).collect();
            panel(img, x, y, px, &coloured);
        }
    }

    /// The inset for the rep whose bottom is this frame.
    fn inset(&self, img: &RgbImage, t_s: f64, rep: usize, header: Rect) -> Inset {
        let (w, h) = (img.width(), img.height());
        let (tw, th) = (((w as f32 * INSET_FRACTION) as u32).max(1), ((h as f32 * INSET_FRACTION) as u32).max(1));
        let thumb = imageops::resize(img, tw, th, imageops::FilterType::Triangle);
        let during = || self.timeline.iter().filter(|(t, _)| *t >= t_s && *t <= t_s + INSET_S).map(|(_, p)| *p);
        let subject = [subject_box(during(), LEGS, self.k), subject_box(during(), 0..BODY_LANDMARKS, self.k)];
        let at = inset_corner(w, h, (tw as i32, th as i32), (self.px * 0.3) as i32, subject, header);
        Inset { t_s, rep, thumb, at }
    }
}

/// The drawn bottom frame as a still for the report, at most [`STILL_MAX_SIDE`] on its long side.
fn still_of(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width(), img.height());
    let f = STILL_MAX_SIDE as f32 / w.max(h) as f32;
    if f < 1.0 {
        imageops::resize(img, (w as f32 * f) as u32, (h as f32 * f) as u32, imageops::FilterType::Triangle)
    } else {
        img.clone()
    }
}

/// One decoding pass over `clip` at most `max_side` pixels on the long side: encode the overlay into `out`
/// (when given) and return every rep's bottom still (without `out`, the pass ends at the last bottom). `stop`
/// is asked after every frame; when it says so, the pass ends with [`OverlayError::Interrupted`] (and the
/// unfinished video is left under its temporary name, for the caller to remove).
pub fn render_pass(
    clip: &Path,
    max_side: u32,
    out: Option<&Path>,
    track: &PoseTrack,
    analysis: &Analysis,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Vec<Still>, OverlayError> {
    // Preview quality (no deblocking, fastest colour conversion) on its own thread, beside the drawing and
    // encoding. Without a video only the bottoms are drawn: the frames stay in their decoded planes (where the
    // clip needs no scaling) and only the bottoms are converted to RGB.
    let options = VideoOptions { max_side, threads: 1, preview: true, yuv: out.is_none() };
    let mut decoder = DecodeThread::open(clip, options)?;
    let (w, h) = (decoder.info().work_width, decoder.info().work_height);
    let poses: HashMap<u64, &Pose> =
        track.frames.iter().filter_map(|f| f.pose.as_ref().map(|p| (f.index, p))).collect();
    let timeline = track.frames.iter().filter_map(|f| f.pose.as_ref().map(|p| (f.pts_s, p))).collect();
    let scene = Scene {
        analysis,
        samples: sample_of_frames(analysis),
        poses,
        timeline,
        k: w as f32 / track.clip.width.max(1) as f32,
        px: text_px(w, h),
    };
    let bottoms: HashMap<u64, usize> = analysis.reps.reps.iter().map(|r| (r.bottom.frame, r.number)).collect();
    // Written under a temporary name genu owns, renamed when complete, removed on failure.
    let tmp = out.map(|o| o.with_file_name(format!("{}overlay.mp4", crate::fsx::TEMP_PREFIX)));
    let fps = track.clip.nominal_fps;
    let mut enc = match &tmp {
        Some(t) => Some(H264Writer::create(t, "mp4", w, h, fps, X264_PRESET, X264_CRF)?),
        None => None,
    };
    let roll = analysis.signals.roll_deg;
    let mut stills = Vec::new();
    let mut inset: Option<Inset> = None;
    // Without a video only the bottoms are drawn, and decoding stops after the last of them.
    let last_bottom = bottoms.keys().max().copied();
    while let Some(frame) = decoder.next_frame() {
        let mut frame = frame?;
        let (index, t_s) = (frame.index, frame.pts_s);
        if enc.is_none() && !bottoms.contains_key(&index) {
            decoder.recycle(frame);
            if last_bottom.is_none_or(|last| index >= last) {
                break;
            }
            if stop() {
                return Err(OverlayError::Interrupted);
            }
            continue;
        }
        let img = frame.pixels.make_rgb();
        if let Some(p) = scene.poses.get(&index) {
            draw::legs(img, &p.landmarks, scene.k, roll);
        }
        if let Some(&rep) = bottoms.get(&index) {
            let mut bottom = img.clone();
            scene.knee_labels(&mut bottom, index, t_s);
            stills.push(Still { rep, frame: index, image: still_of(&bottom) });
            inset = Some(scene.inset(&bottom, t_s, rep, scene.header_area(t_s)));
        }
        if let Some(i) = inset.as_ref().filter(|i| t_s - i.t_s <= INSET_S) {
            imageops::overlay(img, &i.thumb, i64::from(i.at.0), i64::from(i.at.1));
            let caption = format!("rep {} bottom", i.rep);
            panel(img, i.at.0, i.at.1, scene.px * 0.7, &[(caption.as_str(), WHITE)]);
        }
        scene.knee_labels(img, index, t_s);
        scene.header(img, t_s);
        if let Some(e) = enc.as_mut() {
            e.push_rgb(img, t_s)?;
        }
        decoder.recycle(frame);
        if stop() {
            return Err(OverlayError::Interrupted);
        }
    }
    decoder.finish();
    if let (Some(e), Some(t), Some(o)) = (enc, tmp, out) {
        e.finish()?;
        std::fs::rename(t, o)?;
    }
    Ok(stills)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_leg_gets_no_numbers() {
        assert_eq!(knee_lines(Side::Left, true, Some(12.0), Some(30.0)), vec!["L free leg".to_string()]);
        let lines = knee_lines(Side::Right, false, Some(12.4), None);
        assert_eq!(lines, vec!["R FPPA +12°".to_string(), "KTO --".to_string()]);
    }

    #[test]
    fn knee_labels_go_on_the_outer_side() {
        // Front view: the knee on the picture's right gets its label to the right, the other to the left.
        assert_eq!(beside_knee(Side::Left, [600.0, 500.0], [400.0, 500.0], (100, 40), 10.0), (610, 480));
        assert_eq!(beside_knee(Side::Right, [400.0, 500.0], [600.0, 500.0], (100, 40), 10.0), (290, 480));
        // Knees level (side view): the two labels still go to different sides.
        let l = beside_knee(Side::Left, [500.0, 500.0], [500.0, 500.0], (100, 40), 10.0);
        let r = beside_knee(Side::Right, [500.0, 500.0], [500.0, 500.0], (100, 40), 10.0);
        assert!(l.0 < 500 && r.0 > 500, "{l:?} {r:?}");
    }

    #[test]
    fn the_inset_avoids_the_legs_first_and_sits_below_the_counter() {
        let header = Rect::at(10, 10).of_size(300, 80);
        let size = (400, 300);
        // Legs in the bottom right: top right is free of them.
        let legs = Some(Rect::at(1200, 600).of_size(400, 450));
        let body = Some(Rect::at(1200, 100).of_size(400, 950));
        let (x, y) = inset_corner(1920, 1080, size, 10, [legs, body], header);
        assert_eq!((x, y), (10, 100), "top left: clear of the legs and the body, below the counter");
        // The body everywhere on top, the legs bottom left: bottom right.
        let legs = Some(Rect::at(0, 700).of_size(600, 380));
        let body = Some(Rect::at(0, 0).of_size(1920, 700));
        assert_eq!(inset_corner(1920, 1080, size, 10, [legs, body], header), (1510, 770));
        // Nobody in view: top right.
        assert_eq!(inset_corner(1920, 1080, size, 10, [None, None], header), (1510, 100));
    }

    #[test]
    fn the_subject_box_covers_the_chosen_landmarks_with_a_margin() {
        let mut landmarks = vec![[f32::NAN, f32::NAN, 0.0, 1.0, 1.0]; BODY_LANDMARKS];
        landmarks[23] = [100.0, 200.0, 0.0, 1.0, 1.0];
        landmarks[28] = [200.0, 400.0, 0.0, 1.0, 1.0];
        landmarks[0] = [150.0, 10.0, 0.0, 1.0, 1.0];
        let pose = Pose { pose_flag: None, roi: None, landmarks, world: Vec::new() };
        let legs = subject_box(std::iter::once(&pose), LEGS, 0.5).expect("box");
        assert_eq!(legs, Rect::at(45, 90).of_size(60, 120));
        let body = subject_box(std::iter::once(&pose), 0..BODY_LANDMARKS, 1.0).expect("box");
        assert!(body.top() < 10 && body.bottom() + 1 > 400, "{body:?}");
    }
}
