//! The kinematics stage's input: the lower-body points of a [`PoseTrack`] as plain arrays per frame, checked
//! for times that increase and a time base bounded by the track's own length.

use super::*;
use crate::pose::PoseTrack;

/// Landmarks whose image x, y are followed through the pipeline (hips, knees, ankles, heels, toes, shoulders;
/// left and right in pairs).
pub(crate) const IMAGE_POINTS: [usize; 12] = [23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 11, 12];
/// Landmarks whose world x, y, z are followed (hips, knees, ankles, heels, toes; in pairs).
pub(crate) const WORLD_POINTS: [usize; 10] = [23, 24, 25, 26, 27, 28, 29, 30, 31, 32];

/// The landmarks that must be inside the frame for the legs to count as in frame: hips, knees and ankles.
pub(crate) const LEG_LANDMARKS: std::ops::Range<usize> = 23..29;

/// Per-frame raw lower-body data taken from the track.
pub(crate) struct Raw {
    /// Frame times, seconds.
    pub(crate) t: Vec<f64>,
    /// Frame indices.
    pub(crate) frame: Vec<u64>,
    /// x, y per image point (`NaN` when missing).
    pub(crate) img: Vec<[[f64; 2]; IMAGE_POINTS.len()]>,
    /// x, y, z per world point, metres (`NaN` when missing).
    pub(crate) world: Vec<[[f64; 3]; WORLD_POINTS.len()]>,
    /// Mean lower-body visibility.
    pub(crate) visibility: Vec<f64>,
    /// Whether every lower-body landmark is inside the frame.
    pub(crate) in_frame: Vec<bool>,
    /// The nose's visibility (front or back).
    pub(crate) nose_visibility: Vec<f64>,
    /// Where the picture's background had moved to (pixels), where it was matched.
    pub(crate) camera_shift: Vec<Option<[f64; 2]>>,
}

pub(crate) fn extract(track: &PoseTrack) -> Result<Raw, KinematicsError> {
    let n = track.frames.len();
    if n == 0 {
        return Err(KinematicsError::NoFrames);
    }
    let (w, h) = (f64::from(track.clip.width), f64::from(track.clip.height));
    let mut raw = Raw {
        t: Vec::with_capacity(n),
        frame: Vec::with_capacity(n),
        img: Vec::with_capacity(n),
        world: Vec::with_capacity(n),
        visibility: Vec::with_capacity(n),
        in_frame: Vec::with_capacity(n),
        nose_visibility: Vec::with_capacity(n),
        camera_shift: Vec::with_capacity(n),
    };
    let mut last_t = f64::NEG_INFINITY;
    for f in &track.frames {
        if !(f.pts_s.is_finite() && f.pts_s > last_t) {
            return Err(KinematicsError::BadTimes { frame: f.index, t_s: f.pts_s });
        }
        last_t = f.pts_s;
        raw.t.push(f.pts_s);
        raw.frame.push(f.index);
        let mut img = [[f64::NAN; 2]; IMAGE_POINTS.len()];
        let mut world = [[f64::NAN; 3]; WORLD_POINTS.len()];
        let (mut vis, mut inside, mut nose) = (0.0, false, 0.0);
        if let Some(p) = &f.pose {
            let usable =
                p.landmarks.len() == 33 && IMAGE_POINTS.iter().all(|&i| p.landmarks[i].iter().all(|v| v.is_finite()));
            if usable {
                for (k, &i) in IMAGE_POINTS.iter().enumerate() {
                    img[k] = [f64::from(p.landmarks[i][0]), f64::from(p.landmarks[i][1])];
                }
                if p.world.len() == 33 {
                    for (k, &i) in WORLD_POINTS.iter().enumerate() {
                        let v = p.world[i];
                        world[k] = [f64::from(v[0]), f64::from(v[1]), f64::from(v[2])];
                    }
                }
                let lower = 23..33;
                vis = lower.map(|i| f64::from(p.landmarks[i][3])).sum::<f64>() / 10.0;
                // The legs: a toe at the picture's edge (a side view's near foot) leaves the legs measurable.
                inside = LEG_LANDMARKS.clone().all(|i| {
                    let l = p.landmarks[i];
                    let (x, y) = (f64::from(l[0]), f64::from(l[1]));
                    x >= 0.0 && y >= 0.0 && x < w && y < h && f64::from(l[4]) >= MIN_PRESENCE
                });
                nose = f64::from(p.landmarks[NOSE][3]);
            }
        }
        raw.img.push(img);
        raw.world.push(world);
        raw.visibility.push(vis);
        raw.in_frame.push(inside);
        raw.nose_visibility.push(nose);
        raw.camera_shift.push(f.camera_shift.map(|s| s.map(f64::from)).filter(|s| s.iter().all(|v| v.is_finite())));
    }
    Ok(raw)
}

/// Refuse timestamps whose uniform grid would not be bounded by the track's own length: a rate outside
/// [`MIN_RATE_HZ`]..[`MAX_RATE_HZ`], or a span far longer than the frames at that rate (a jump).
pub(crate) fn check_time_base(raw: &Raw, dts: &[f64], rate_hz: f64) -> Result<(), KinematicsError> {
    if !(MIN_RATE_HZ..=MAX_RATE_HZ).contains(&rate_hz) {
        return Err(KinematicsError::BadRate { rate_hz });
    }
    let (first, last) = (raw.t[0], raw.t[raw.t.len() - 1]);
    let grid_len = (last - first) * rate_hz;
    let frames = raw.t.len();
    if grid_len > GRID_MAX_PER_FRAME * frames as f64 + GRID_SLACK {
        let (k, gap_s) = dts.iter().copied().enumerate().fold((0, 0.0), |b, (k, d)| if d > b.1 { (k, d) } else { b });
        return Err(KinematicsError::TimeJump { frame: raw.frame[k], gap_s, frames, span_s: last - first });
    }
    Ok(())
}
