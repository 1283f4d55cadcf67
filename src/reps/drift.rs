//! A camera that moved where its background could not be read: the planted feet tell.
//!
//! Where the pose stage reads the picture's background (`pose/background.rs`) the kinematics core steadies every
//! point on it. In front of a plain wall there is nothing to read, and a phone held in the hand drifts unseen:
//! its sway moves the hip in the picture as much as a shallow rep does, so reps merge or split and bottoms move.
//! A planted foot does not move in the world, so a planted foot that moves sideways in the picture during a rep
//! was moved by the camera. Sideways only: the ankle landmark rises as the knee bends, which the up-and-down
//! motion cannot be told from.
//!
//! Per rep (views other than a side view, where the ankle's landmark slides with the shank's lean; tasks whose
//! planted feet stay put: squat, single-leg squat, step-down), the planted ankles' sideways range (2nd to 98th
//! percentile over the rep, % of the standing leg). In a bilateral rep the camera moves both ankles alike and the
//! landmarks' noise moves each on its own: where the two ankles' separation spans less than the steadier ankle's
//! own range, that range is taken (a single-leg rep that the drifting picture made look bilateral has one foot
//! lifted, and its stance foot is the steadier); else the range of their midpoint less that of their separation
//! (still real squats: 0.0). The clip's drift is the median over its reps.
//!
//! Measured (`genu analyze --pose` on saved tracks; docs/metrics.md, README's messy section): the 11 real
//! development clips, all filmed still, 0.0–3.3 % of leg where a value is given (their background set aside); the
//! still rendered clips in front of the plain wall 0.0–2.4 (the higher ones zoomed: a zoom moves the feet off the
//! picture's centre); the rendered hand-held ones 8.8–21.9; real clips given a hand's sway (cropped by a moving
//! window) and no background 7.9–14.5.

use crate::kinematics::geometry::{median_of, percentile};
use crate::kinematics::{Side, Signals};

use super::{Rep, Task};

/// The clip's planted feet drift when the median of its reps' drifts reaches this (% of the standing leg). Set on
/// a first reading of the raw landmarks (the real development clips filmed still from the front or obliquely
/// 1.8–4.3 per clip, the tuning hand-held renders `m3_`/`m4_` 8.1–17.7); what the rule itself reads is above.
pub const MIN_DRIFT_PCT_LEG: f64 = 6.0;
/// Samples a rep needs for its drift to be read.
const MIN_SAMPLES: usize = 5;

/// How far the planted feet of `reps` moved sideways in the picture while planted (median over the reps, % of
/// the standing leg); `None` when no rep could tell (side views, lunges and stairs only, no standing).
pub fn planted_drift(s: &Signals, reps: &[Rep]) -> Option<f64> {
    let standing = s.standing.as_ref()?;
    let leg = (standing.leg_px[Side::Left] + standing.leg_px[Side::Right]) / 2.0;
    if leg <= 0.0 {
        return None;
    }
    let per_rep = reps
        .iter()
        .filter(|r| !r.view.is_sagittal() && matches!(r.task, Task::Squat | Task::SingleLegSquat | Task::StepDown))
        .filter_map(|r| {
            let samples = r.descent_start.sample..=r.ascent_end.sample;
            let x = |side: Side, i: usize| s.points.get(i).map(|p| p[side].ankle[0]).filter(|x| x.is_finite());
            let range = |v: Vec<f64>| {
                (v.len() >= MIN_SAMPLES).then(|| Some(percentile(&v, 98.0)? - percentile(&v, 2.0)?)).flatten()
            };
            let moved = match r.stance {
                Some(side) => range(samples.filter_map(|i| x(side, i)).collect())?,
                None => {
                    let both: Vec<(f64, f64)> =
                        samples.filter_map(|i| Some((x(Side::Left, i)?, x(Side::Right, i)?))).collect();
                    let each = [range(both.iter().map(|b| b.0).collect())?, range(both.iter().map(|b| b.1).collect())?];
                    let still = each[0].min(each[1]);
                    let apart = range(both.iter().map(|(l, r)| l - r).collect())?;
                    if apart < still {
                        // Both feet moved together further than apart: the camera's motion, read on the foot that
                        // moved less (a single-leg rep read as bilateral on the drifting picture lifts the other).
                        still
                    } else {
                        // The landmarks' noise (or a foot's own motion) dominates: the midpoint's range less the
                        // separation's.
                        let mid = range(both.iter().map(|(l, r)| (l + r) / 2.0).collect())?;
                        (mid - apart).max(0.0)
                    }
                }
            };
            Some(100.0 * moved / leg)
        });
    median_of(per_rep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::{compute_signals, KinematicsConfig};
    use crate::reps::{find_reps, RepConfig};
    use crate::synthetic::{generate, SynthRep, SynthSpec};

    /// The drift of a synthetic clip (landmark noise of 2 pixels on a 400-pixel leg, as BlazePose's on a
    /// phone's clip) whose every point is moved sideways by `sway` (pixels at a time in seconds).
    fn drift_of(spec: SynthSpec, sway: impl Fn(f64) -> f64) -> Option<f64> {
        let (mut track, _) = generate(&SynthSpec { noise_px: 2.0, reps: vec![SynthRep::plain(25.0); 3], ..spec });
        for f in &mut track.frames {
            let dx = sway(f.pts_s) as f32;
            if let Some(p) = f.pose.as_mut() {
                p.landmarks.iter_mut().for_each(|l| l[0] += dx);
            }
        }
        let s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
        let reps = find_reps(&s, &RepConfig::default());
        assert_eq!(reps.reps.len(), 3, "{:?}", reps.reps);
        planted_drift(&s, &reps.reps)
    }

    /// A hand's sway: 30 pixels either way (7.5 % of the leg), one cycle in about 5 seconds.
    fn sway(t: f64) -> f64 {
        30.0 * (1.3 * t).sin()
    }

    #[test]
    fn a_still_camera_leaves_the_planted_feet_still() {
        for spec in [SynthSpec::default(), SynthSpec { stance: Some(Side::Left), ..SynthSpec::default() }] {
            let d = drift_of(spec, |_| 0.0).expect("frontal reps give a drift");
            assert!(d < MIN_DRIFT_PCT_LEG / 2.0, "{d}");
        }
    }

    #[test]
    fn a_swaying_camera_moves_the_planted_feet() {
        for spec in [SynthSpec::default(), SynthSpec { stance: Some(Side::Right), ..SynthSpec::default() }] {
            let d = drift_of(spec, sway).expect("frontal reps give a drift");
            assert!(d >= MIN_DRIFT_PCT_LEG, "{d}");
        }
    }

    #[test]
    fn a_single_leg_rep_read_as_bilateral_still_shows_the_camera() {
        // On a drifting picture a single-leg rep can be read as a bilateral squat: the lifted foot's own motion
        // (here it also swings sideways, 15 pixels either way) must not cancel the camera's, which the stance
        // foot still shows.
        let drift_as_bilateral = |sway: &dyn Fn(f64) -> f64| {
            let spec = SynthSpec { stance: Some(Side::Left), noise_px: 2.0, ..SynthSpec::default() };
            let (mut track, _) = generate(&SynthSpec { reps: vec![SynthRep::plain(25.0); 3], ..spec });
            for f in &mut track.frames {
                let dx = sway(f.pts_s) as f32;
                let swing = (15.0 * (std::f64::consts::TAU * (f.pts_s - 1.0) / 3.0).sin()) as f32;
                f.pose.iter_mut().for_each(|p| {
                    p.landmarks.iter_mut().for_each(|l| l[0] += dx);
                    // The right (free) foot: ankle, heel and foot index.
                    [28, 30, 32].into_iter().for_each(|k| p.landmarks[k][0] += swing);
                });
            }
            let s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
            let mut reps = find_reps(&s, &RepConfig::default()).reps;
            assert_eq!(reps.len(), 3);
            reps.iter_mut().for_each(|r| (r.task, r.stance) = (Task::Squat, None));
            planted_drift(&s, &reps).expect("frontal reps give a drift")
        };
        let swaying = drift_as_bilateral(&sway);
        assert!(swaying >= MIN_DRIFT_PCT_LEG, "{swaying}");
        let still = drift_as_bilateral(&|_| 0.0);
        assert!(still < MIN_DRIFT_PCT_LEG / 2.0, "{still}");
    }

    #[test]
    fn side_views_and_lunges_do_not_tell() {
        use crate::synthetic::SynthView;
        let side = SynthSpec { view: SynthView::SagittalLeft, ..SynthSpec::default() };
        assert_eq!(drift_of(side, sway), None);
        let lunge = SynthSpec { lunge_front: Some(Side::Left), ..SynthSpec::default() };
        assert_eq!(drift_of(lunge, sway), None);
    }
}
