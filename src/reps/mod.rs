//! Repetitions: [`Signals`] in, [`Rep`]s with events and per-leg metrics out, plus statistics across reps.
//!
//! Squat-like tasks (bilateral squat, single-leg squat, step-down) are segmented on the hip drop (filtered
//! hip-midpoint height, % of leg length): a rep is an excursion that goes deeper than
//! [`RepConfig::min_depth_pct`] and comes back above half of that (hysteresis), lasting at least
//! [`MIN_REP_S`]; its depth is the deepest sample's, its bottom the middle of the held bottom
//! ([`HELD_BAND_FRACTION`]), its descent start and ascent end the last and first samples
//! within [`EVENT_FRACTION`] of the rep's depth from standing. A pause at the bottom stays one excursion; a
//! pause at the top separates two; a dip that never reaches the minimum depth is no rep. A rep cut by the
//! start or end of the data counts, flagged as not [`Rep::complete`], when its bottom was seen.
//!
//! Single-leg tasks: the stance leg is the foot that stays planted (the ankle that moves least vertically
//! during the rep); the free foot is lifted (single-leg squat) or lowered past the stance foot (step-down).
//! `auto` looks for a free foot only in frontal and oblique views: from the side the far foot is hidden.
//! Stairs: one cycle per step, from one foot's landing to the other's; the stance leg is the one that landed.
//!
//! Every per-rep value carries the grid sample, source frame and time it was taken at.

use serde::{Deserialize, Serialize};

use crate::kinematics::{majority_view, Cause, Side, Sides, Signals};

mod classify;
mod drift;
mod segment;
mod stairs;
mod types;

pub use types::{
    tasks_in_order, Asymmetry, Ignored, KtoCategory, LegRep, LegStats, Moment, Quality, Rep, RepAnalysis, RepAsymmetry,
    Stat, Task, TaskStats, Value,
};

pub use classify::{LUNGE_MAX_BACK_ANKLE_DROP, LUNGE_MAX_FRONT_ANKLE_RISE, LUNGE_MIN_KNEE_STEP};

pub use drift::{planted_drift, MIN_DRIFT_PCT_LEG};

use classify::{
    auto_task_reason, borrow_task_for_hidden_feet, flag_of, front_leg, lunge_front, planted_leg, quality, stance_of,
    withhold_lunge_flexion,
};
use segment::{excursions, held_bottom, not_a_rep, split_at_stands, typical_depth, Excursion};
use stairs::{along_stairs, stair_reps, vertical_stairs};

pub use stairs::{
    ALONG_FLIGHT, STAIRS_FLEXION_MAX_SIDE_OFF_DEG, STAIRS_MAX_OTHER_SHARE, STAIRS_MAX_STALL_S,
    STAIRS_MIN_DEPTH_RISE_TRUNK, STAIRS_MIN_FOOT_TRAVEL_PCT, STAIRS_MIN_MOVE_TRUNK, STAIRS_MIN_STEP_S,
    STAIRS_MIN_STEP_TRUNK, STAIRS_MIN_STILL_S, STAIRS_MIN_TRAVEL_PCT, STAIRS_SWING_SPEED, STAIRS_SWING_SPEED_TRUNK,
};

/// A rep whose quality score (landmark visibility × share of samples observed × share with the legs in frame) is
/// below this is flagged: kept in reps.csv with the reason, left out of the findings and the statistics. Clear
/// reps of the 11 development clips score 0.68–0.99 (none flagged); the ones the issue reports as nonsense scored
/// 0.00–0.05.
pub const MIN_REP_QUALITY: f64 = 0.5;
/// A rep with the legs (hips, knees, ankles) out of the frame in more than a tenth of its samples is flagged and
/// its per-leg values are left empty: the landmarks outside the picture are the model's guesses (a legs-only
/// step-up reported 218 % knee over toe).
pub const MIN_LEGS_IN_FRAME: f64 = 0.9;
/// The reason the free leg of a single-leg task has no values.
const FREE_LEG: &str = "free leg of a single-leg task";
/// The reason the back leg of a lunge has no values.
const BACK_LEG: &str = "back leg of a lunge (the front leg carries the load and is the one measured)";
/// The reason the swinging leg of a stair step has no values.
const SWING_LEG: &str = "free leg of a stair step (swinging to the next step)";

/// In a step-down the free leg hangs toward the lower surface: at the bottom its hip-to-ankle height in the
/// image is at least this fraction of its standing length. In a single-leg squat or a pistol it is held forward
/// (toward the camera from the front) and its height shrinks. On the real clips this was chosen on (the tuning
/// half of the development clips): 0.45 on a pistol squat, 0.50–0.54 on single-leg squats, 0.56 on a lateral
/// lunge, 0.94–0.97 on eleven lateral step-downs; the threshold sits in the gap.
pub const STEP_DOWN_MIN_HANG: f64 = 0.75;

/// Default minimum depth of a rep, % of leg length: shallow clinical single-leg squats drop the hip by about
/// 8–10 % of leg length, bilateral squats 20–40 %, while standing sway stays under 2 %.
pub const DEFAULT_MIN_DEPTH_PCT: f64 = 5.0;
/// A rep ends when the hip comes back above this fraction of the minimum depth (hysteresis)...
pub const EXIT_FRACTION: f64 = 0.5;
/// ...or above this fraction of the rep's depth so far (a deep squatter who does not quite stand tall).
pub const EXIT_FRACTION_OF_DEPTH: f64 = 0.2;
/// Descent start and ascent end: where the hip is within this fraction of the rep's depth from standing.
pub const EVENT_FRACTION: f64 = 0.1;
/// A rep must start within this fraction of its depth from standing: one already well under way when the clip
/// starts is not a whole rep.
pub const START_FRACTION: f64 = 0.25;
/// A rep cut off by the end of the data counts (as partial) only if the hip had risen back by this fraction of
/// its depth.
pub const END_RISE_FRACTION: f64 = 0.05;
/// Peaks (largest FPPA, most medial knee over toe) are taken over the loaded phase of a rep: the samples where
/// the hip is down by at least this fraction of the rep's depth. Standing posture (feet turned out put the
/// toe tips lateral to the knees) is not the movement being judged.
pub const LOADED_FRACTION: f64 = 0.5;
/// The bottom phase: samples whose hip drop is within this much (% of leg length) of the deepest point.
pub const BOTTOM_BAND_PCT: f64 = 0.5;
/// A rep's bottom is the middle of its held bottom: the samples around the deepest point where the hip drop,
/// averaged over [`HELD_SMOOTH_S`], stays within this fraction of the depth of its deepest, and within
/// [`HELD_BAND_MAX_PCT`]. A pause at the bottom is centred, not read wherever the jitter put the deepest sample
/// (0.3-0.4 s off in a 0.6 s hold).
pub const HELD_BAND_FRACTION: f64 = 0.08;
/// At most this much (% of leg, about a centimetre at the hip) below its deepest is the hip still held at the
/// bottom: a real hold that keeps sinking (a pistol squat's 1.3 s, 2.7 % of leg) has its bottom near its end.
pub const HELD_BAND_MAX_PCT: f64 = 1.0;
/// The span (seconds) the hip drop is averaged over to find the held bottom ([`HELD_BAND_FRACTION`]).
pub const HELD_SMOOTH_S: f64 = 0.2;
/// Shorter excursions are noise, not reps (seconds).
pub const MIN_REP_S: f64 = 0.3;
/// Knee over toe beyond this (% of shank) medially is "medial to the toe", beyond it laterally "lateral".
/// About 2 cm for a 40 cm shank: half a foot's width at the toes, and above the landmark jitter after
/// filtering (under 1 % of shank on the real clips), so that "over the toe" means what a clinician sees.
pub const KTO_OVER_TOE_BAND_PCT: f64 = 5.0;
/// How far genu's knee-over-toe drift can be off (% of shank): the drift is the difference of two landmark
/// readings (the most medial loaded one and the standing one), and a straight leg's knee landmark carries its own
/// bias. On the tuning clips of `tools/synth/accuracy.py --set feet` and `--set roll` the drift was off by
/// 2.0 % of shank on average (max 5.2); this is half as much again, and a drift within it of
/// [`KTO_OVER_TOE_BAND_PCT`] cannot say whether the knee caved in: such a knee is
/// [`KtoCategory::MedialUnclear`].
pub const KTO_DRIFT_ERROR_PCT: f64 = 3.0;
/// An excursion shallower than this fraction of the clip's clear reps is a dip (a set-up, an adjustment), not a
/// rep: judged against the clip itself, not only the absolute floor of `--min-depth`.
pub const RELATIVE_MIN_DEPTH: f64 = 0.4;
/// A partial rep at the clip's start or end must reach this fraction of the clip's clear reps to count.
pub const PARTIAL_MIN_DEPTH: f64 = 0.6;
/// A rep the clip ends in before the hip came back up (its bottom may lie past the end) counts only when it has
/// gone this deep, as a fraction of the clip's clear reps: a clip that ends as the subject reaches the bottom of a
/// last lunge (by eye a rep; 51 % of leg against the clear reps' 52 % on the development clips' forward
/// lunges) counts it; the start of a descent, or a shallower movement, is not a rep.
pub const END_CUT_MIN_DEPTH: f64 = 0.9;
/// The hip this much (% of leg) above its standing height means the feet are off the floor (a heel raise lifts it
/// by under 10 %): an excursion starting within [`LANDING_LOOKBACK_S`] of that begins with a landing.
pub const LANDING_FLIGHT_PCT: f64 = 15.0;
/// How long before an excursion's descent start a flight makes it a landing (seconds).
pub const LANDING_LOOKBACK_S: f64 = 0.5;
/// Clear reps are the excursions at least this fraction as deep as the deepest.
pub const CLEAR_REP_FRACTION: f64 = 0.5;
/// When both ankles travel more than this (% of leg, horizontally) during an excursion, the subject is walking or
/// stepping around (a set-up), not doing a rep. One foot may travel: lunges and step-downs move one foot. The
/// travel is the range of the ankle's x after a running median of [`FEET_TRAVEL_SMOOTH_HALF_S`].
pub const FEET_TRAVEL_MAX_PCT: f64 = 25.0;
/// ...and the feet stepped: the horizontal distance between the ankles (after the same running median) changed
/// by at least this much (% of leg) during the excursion, as it does when one foot moves and then the other. A
/// camera that drifts or zooms moves both feet at once and keeps their distance (session 14: rendered clips
/// with 6–12 cm of hand-held drift 1.1–2.9 %, whose dips a travel alone called "walking"), where a rendered
/// side-shuffle set-up changed it by 35 % and real and rendered walks, stairs and lunges by 23–71 %. Chosen on
/// the stepping tuning clips (`m5_*`) with room below for steps of 7 cm.
pub const FEET_STANCE_CHANGE_MIN_PCT: f64 = 8.0;
/// An excursion with the legs (hips, knees, ankles) inside the picture for less than this share of its samples,
/// before the legs are first seen whole for [`IN_FRAME_RUN_S`] or after they are last seen so, happens while
/// the subject enters or leaves the picture: not a rep.
pub const ENTERING_MAX_IN_FRAME: f64 = 0.5;
/// Seconds the legs must stay whole in the picture for the subject to count as having arrived in it.
pub const IN_FRAME_RUN_S: f64 = 1.0;
/// A rep ends where it started: when the hip midpoint's x at the end of an excursion is more than this (% of leg)
/// from where it was at the start, the body has gone somewhere (a stride of a walk), and it is not a rep.
pub const BODY_TRAVEL_MAX_PCT: f64 = 25.0;
/// A rep ends as far from the camera as it started: when the subject's trunk is more than this many times as
/// long (or short) in the picture at the end of an excursion as at its start, they walked (or climbed) toward or
/// away from the camera, and it is not a rep. A squat's trunk stands upright again at both ends; see
/// docs/metrics.md for the values measured.
pub const DEPTH_TRAVEL_MAX_RATIO: f64 = 1.15;
/// Half-width (seconds) of the windows whose median trunk length [`DEPTH_TRAVEL_MAX_RATIO`] compares.
pub const SIZE_WINDOW_S: f64 = 0.25;
/// A foot steps on its own when, over this many seconds, it moves at least [`STEP_ALONE_MIN_TRUNK`] while the
/// other moves under a third of that: how [`DEPTH_TRAVEL_MAX_RATIO`] tells a walk from a zoom.
pub const STEP_WINDOW_S: f64 = 0.3;
/// See [`STEP_WINDOW_S`] (trunk lengths in the picture). A stair step filmed from the top of the stairs moves
/// the foot 0.08–0.2 trunk lengths in such a window while the planted one jitters under 0.04.
pub const STEP_ALONE_MIN_TRUNK: f64 = 0.08;
/// Half-width (seconds) of the running median taken of the ankle's x before its travel is measured: BlazePose
/// loses the feet for two or three frames at the bottom of a squat filmed from behind (both ankles drawn between
/// the feet), which made the feet of a rendered squat "travel" 26 % of leg. A step lasts far longer.
pub const FEET_TRAVEL_SMOOTH_HALF_S: f64 = 0.1;
/// An excursion's standing height of the hip above its planted foot is read over this many seconds before its
/// start and after its end (the rep stage's split at stands: docs/metrics.md, Repetitions).
pub const STAND_REFERENCE_S: f64 = 1.0;
/// The standing position of a rep is read over this many seconds before its start.
pub const STANDING_LOOKBACK_S: f64 = 1.0;
/// Samples count as standing when the hip is at most this far below its standing level (% of leg).
pub const STANDING_DROP_PCT: f64 = 2.0;
/// Single-leg tasks: the free ankle moves at least this much more than the stance ankle during the rep (% of
/// leg length), and at least [`FREE_FOOT_MIN_RATIO`] times as much. Step-downs from a 20 cm box filmed at knee
/// height move the free ankle only 11–12 % of leg in the picture while the stance ankle's landmark moves 2–4 %:
/// the former 8 % difference alone split a rendered clip's reps between step-down and squat; the ratio keeps
/// bilateral squats where both feet's landmarks move (10–15 % on a real clip) out. Chosen on the development
/// clips' tuning half and the rendered step-downs (values in docs/metrics.md).
pub const FREE_FOOT_MIN_PCT: f64 = 6.0;
/// See [`FREE_FOOT_MIN_PCT`].
pub const FREE_FOOT_MIN_RATIO: f64 = 2.5;
/// Where the stance foot's travel may be the camera's (a hand-held phone drifting or zooming moves both feet in
/// the picture), the free foot's travel relative to the stance foot must reach this (% of leg): on the rendered
/// step-downs, still or drifting camera, it is 9.1–12.9 %, a single-leg squat's 24–32 %; chosen on the tuning
/// clips (session 14) with a margin below the step-downs.
pub const CAMERA_FREE_FOOT_MIN_PCT: f64 = 8.0;
/// See [`CAMERA_FREE_FOOT_MIN_PCT`]: the free foot's travel relative to the stance foot must also reach this
/// share of the rep's depth. A free foot is lifted or lowered about as far as the hip drops or further (0.66–1.7 on
/// every drifting, zooming or real step-down and single-leg rep that fails [`FREE_FOOT_MIN_RATIO`]); a bilateral
/// squat's or a lunge's ankle landmarks wander apart by a fraction of it (0.31–0.43 on every such saved rep:
/// squats from behind, real deep and jump squats, split squats). Both quantities move with the camera only through
/// the depth. Session 15: it replaced a slope of the free ankle's height on the stance ankle's (at least 0.4), which
/// a rendered hand-held single-leg squat and step-down failed at 0.30 and 0.20.
pub const CAMERA_APART_MIN_DEPTH_SHARE: f64 = 0.55;
/// Settings of the rep stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RepConfig {
    /// The task, or `Auto`.
    pub task: Task,
    /// Minimum depth of a rep, % of leg length.
    pub min_depth_pct: f64,
}

impl Default for RepConfig {
    fn default() -> Self {
        Self { task: Task::Auto, min_depth_pct: DEFAULT_MIN_DEPTH_PCT }
    }
}

fn moment(s: &Signals, i: usize) -> Moment {
    Moment { sample: i, frame: s.frame[i], t_s: s.t_s[i] }
}

/// The mean of `series` over the bottom phase `window` (the samples around the bottom within
/// [`BOTTOM_BAND_PCT`] of its hip drop), reported at the bottom `i`. Averaging the held bottom keeps single-frame
/// jitter out of the headline numbers.
fn value_at(
    s: &Signals,
    series: &[Option<f64>],
    i: usize,
    window: std::ops::RangeInclusive<usize>,
    reason: &str,
) -> Value {
    let v: Vec<f64> = window.filter_map(|k| series.get(k).copied().flatten()).collect();
    if v.is_empty() || series.get(i).copied().flatten().is_none() {
        return Value::absent(reason);
    }
    Value { value: Some(v.iter().sum::<f64>() / v.len() as f64), at: Some(moment(s, i)), reason: None }
}

/// Samples around the bottom `bottom` whose hip drop is within [`BOTTOM_BAND_PCT`] of its own.
fn bottom_phase(s: &Signals, bottom: usize, start: usize, end: usize) -> std::ops::RangeInclusive<usize> {
    let d = &s.hip_drop_pct_leg;
    let Some(deepest) = d[bottom] else { return bottom..=bottom };
    let near = |k: usize| d[k].is_some_and(|v| v >= deepest - BOTTOM_BAND_PCT);
    let (mut a, mut b) = (bottom, bottom);
    while a > start && near(a - 1) {
        a -= 1;
    }
    while b < end && near(b + 1) {
        b += 1;
    }
    a..=b
}

fn peak(s: &Signals, series: &[Option<f64>], samples: &[usize], reason: &str) -> Value {
    samples
        .iter()
        .filter_map(|&i| series.get(i).copied().flatten().map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(|| Value::absent(reason), |(i, v)| Value { value: Some(v), at: Some(moment(s, i)), reason: None })
}

fn standing_value(s: &Signals, series: &[Option<f64>], start: usize, end: usize, reason: &str) -> Value {
    let span = (STANDING_LOOKBACK_S * s.rate_hz).round() as usize;
    // Within the rep's shot (an edited clip's next shot is another view of the subject).
    let shot = crate::kinematics::shot_of(&s.cuts, start, s.len());
    let standing = |i: &usize| {
        shot.contains(i) && s.hip_drop_pct_leg[*i].is_some_and(|d| d <= STANDING_DROP_PCT) && series[*i].is_some()
    };
    let mut idx: Vec<usize> = (start.saturating_sub(span)..=start).filter(standing).collect();
    if idx.is_empty() {
        idx = (end..(end + span + 1).min(s.len())).filter(standing).collect();
    }
    let mut v: Vec<f64> = idx.iter().filter_map(|&i| series[i]).collect();
    match crate::kinematics::filter::percentile(&mut v, 50.0) {
        Some(m) => Value { value: Some(m), at: idx.get(idx.len() / 2).map(|&i| moment(s, i)), reason: None },
        None if reason == NOT_MEASURED => Value::absent("no standing samples next to the rep"),
        None => Value::absent(format!("no standing samples next to the rep ({reason})")),
    }
}

/// Why `metric` of leg `side` is missing at sample `i`: the clip's reason for the cause at that moment (see
/// `kinematics::reasons`), else its first reason for the metric.
fn missing_reason(s: &Signals, metric: &str, side: Side, i: usize) -> String {
    let at = |series: &Sides<Vec<Option<Cause>>>| series[side].get(i).copied().flatten();
    let cause = match metric {
        "fppa_deg" => at(&s.missing.fppa),
        "kto_pct_shank" => at(&s.missing.kto),
        _ => None,
    };
    s.missing
        .reason(metric, cause)
        .or_else(|| s.unavailable.iter().find(|u| u.metric == metric).map(|u| u.reason.as_str()))
        .unwrap_or(NOT_MEASURED)
        .to_string()
}

/// Whether leg `side`'s FPPA is missing at sample `i` for a segment too foreshortened for a 2D angle.
fn foreshortened(s: &Signals, side: Side, i: usize) -> bool {
    s.missing.fppa[side].get(i).copied().flatten() == Some(Cause::Foreshortened)
}

/// How the reason for a flexion-matched FPPA the knee never reached starts (the findings recognise it by this).
pub(crate) const NOT_REACHED: &str = "the knee did not reach";

/// The reason of a value missing with no cause known.
const NOT_MEASURED: &str = "not measured at this moment";

/// One leg's values over a rep; every value empty with `withheld` as the reason when given (the free leg of a
/// single-leg task, legs out of the frame).
fn leg_rep(s: &Signals, side: Side, start: usize, bottom: usize, end: usize, withheld: Option<&str>) -> LegRep {
    let leg = &s.legs[side];
    if let Some(reason) = withheld {
        return LegRep::withheld(reason);
    }
    let why = |metric: &str, i: usize| missing_reason(s, metric, side, i);
    let w = bottom_phase(s, bottom, start, end);
    // The loaded phase: the hip at least LOADED_FRACTION of its drop at the bottom (all of the rep for stairs,
    // whose "bottom" is the deepest knee bend rather than the lowest hip).
    let at_bottom = s.hip_drop_pct_leg[bottom].unwrap_or(0.0);
    let loaded: Vec<usize> = (start..=end)
        .filter(|&i| at_bottom <= 0.0 || s.hip_drop_pct_leg[i].is_some_and(|d| d >= LOADED_FRACTION * at_bottom))
        .collect();
    let kto_peak = peak(s, &leg.kto_pct_shank, &loaded, &why("kto_pct_shank", bottom));
    let kto_standing = standing_value(s, &leg.kto_pct_shank, start, end, &why("kto_pct_shank", start));
    let kto_drift = kto_peak.value.zip(kto_standing.value).map(|(p, st)| p - st);
    let fppa_bottom = value_at(s, &leg.fppa_deg, bottom, w.clone(), &why("fppa_deg", bottom));
    let fppa_uncertainty_deg =
        fppa_bottom.value.and_then(|_| value_at(s, &leg.fppa_uncertainty_deg, bottom, w.clone(), "").value);
    let kto_bottom = value_at(s, &leg.kto_pct_shank, bottom, w.clone(), &why("kto_pct_shank", bottom));
    let kto_uncertainty_pct_shank =
        kto_bottom.value.and_then(|_| value_at(s, &leg.kto_uncertainty_pct_shank, bottom, w.clone(), "").value);
    let at_flexion = |deg: f64| -> (Value, Option<f64>) {
        let Some(i) = (start..=bottom).find(|&i| leg.knee_flexion_deg[i].is_some_and(|f| f >= deg)) else {
            return (Value::absent(format!("{NOT_REACHED} {deg:.0} degrees of flexion on the descent")), None);
        };
        match leg.fppa_deg[i] {
            Some(v) => (
                Value { value: Some(v), at: Some(moment(s, i)), reason: None },
                leg.fppa_uncertainty_deg.get(i).copied().flatten(),
            ),
            None => (Value::absent(why("fppa_deg", i)), None),
        }
    };
    let (fppa_at_45_deg, fppa_at_45_uncertainty_deg) = at_flexion(45.0);
    let (fppa_at_60_deg, fppa_at_60_uncertainty_deg) = at_flexion(60.0);
    LegRep {
        fppa_bottom_deg: fppa_bottom,
        fppa_uncertainty_deg,
        fppa_at_45_deg,
        fppa_at_45_uncertainty_deg,
        fppa_at_60_deg,
        fppa_at_60_uncertainty_deg,
        fppa_peak_deg: match loaded.iter().find(|&&i| foreshortened(s, side, i)) {
            // A peak over a phase part of which cannot be seen is no peak: the samples next to the foreshortened
            // ones read the thigh nearly end-on (a real deep squat's "peak" read −57°).
            Some(&i) => Value::absent(why("fppa_deg", i)),
            None => peak(s, &leg.fppa_deg, &loaded, &why("fppa_deg", bottom)),
        },
        kto_bottom_pct_shank: kto_bottom,
        kto_uncertainty_pct_shank,
        kto_category: kto_peak.value.map(|p| KtoCategory::classify(p, kto_drift)),
        kto_standing_pct_shank: kto_standing,
        toe_out_deg: standing_value(s, &leg.toe_out_deg, start, end, &why("toe_out_deg", start)),
        kto_drift_pct_shank: kto_drift,
        kto_medial_peak_pct_shank: kto_peak,
        hip_below_knee_pct_leg: value_at(
            s,
            &leg.hip_below_knee_pct_leg,
            bottom,
            w.clone(),
            &why("hip_below_knee_pct_leg", bottom),
        ),
        knee_flexion_deg: value_at(s, &leg.knee_flexion_deg, bottom, w, &why("knee_flexion_deg", bottom)),
        knee_flexion_source: leg.knee_flexion_source.get(bottom).copied().flatten(),
    }
}

/// One rep over the excursion `ex`, its values read at `ex.bottom`; `depth_pct_leg` as the caller measures it (the
/// deepest sample's for a squat-like rep, none on stairs).
fn build_rep(s: &Signals, number: usize, task: Task, stance: Option<Side>, ex: Excursion, depth_pct_leg: f64) -> Rep {
    let Excursion { start, bottom, end, complete, .. } = ex;
    let quality = quality(s, start..=end);
    let view = majority_view(&s.view[start..=end]);
    let flag = flag_of(&quality, view);
    let out_of_frame = (quality.in_frame < MIN_LEGS_IN_FRAME).then(|| flag.clone().unwrap_or_default());
    let free_leg = match task {
        Task::Stairs => SWING_LEG,
        Task::Lunge => BACK_LEG,
        _ => FREE_LEG,
    };
    let withheld = |free: bool| out_of_frame.as_deref().or(free.then_some(free_leg));
    let mut legs = Sides::from_fn(|side| leg_rep(s, side, start, bottom, end, withheld(stance == Some(side.other()))));
    if let Some(front) = stance.filter(|_| task == Task::Lunge && !view.is_sagittal()) {
        withhold_lunge_flexion(&mut legs[front]);
    }
    let pair = |pick: fn(&LegRep) -> &Value| Asymmetry::of(pick(legs.left()).value, pick(legs.right()).value);
    let asymmetry = RepAsymmetry {
        fppa_peak_deg: pair(|l| &l.fppa_peak_deg),
        kto_medial_peak_pct_shank: pair(|l| &l.kto_medial_peak_pct_shank),
        knee_flexion_deg: pair(|l| &l.knee_flexion_deg),
    };
    let mut yaws: Vec<f64> = s.camera_yaw_deg.get(start..=end).into_iter().flatten().flatten().copied().collect();
    let camera_yaw_deg = crate::kinematics::filter::percentile(&mut yaws, 50.0);
    let w = bottom_phase(s, bottom, start, end);
    let bilateral = |series: &[Option<f64>], metric: &str| {
        if stance.is_some() {
            return Value::absent("one leg is measured in this task: no bilateral value");
        }
        if let Some(reason) = &out_of_frame {
            return Value::absent(reason.clone());
        }
        let reason = match s.missing.fppa_mean.get(bottom).copied().flatten() {
            Some(cause @ Cause::Foreshortened) => s.missing.reason("fppa_deg", Some(cause)).map(str::to_string),
            _ => None,
        }
        .unwrap_or_else(|| format!("needs a frontal view of both legs ({metric})"));
        if series.len() != s.len() {
            return Value::absent(reason);
        }
        value_at(s, series, bottom, w.clone(), &reason)
    };
    let fppa_mean_bottom_deg = bilateral(&s.fppa_mean_deg, "mean FPPA");
    let kasr_bottom = bilateral(&s.kasr, "knee-to-ankle separation");
    Rep {
        number,
        task,
        stance,
        complete,
        descent_start: moment(s, start),
        bottom: moment(s, bottom),
        ascent_end: moment(s, end),
        depth_pct_leg,
        view,
        camera_yaw_deg,
        fppa_mean_bottom_deg,
        kasr_bottom,
        legs,
        asymmetry,
        quality,
        flag,
    }
}

/// Find the reps in a clip's signals and measure them.
pub fn find_reps(s: &Signals, config: &RepConfig) -> RepAnalysis {
    let vertical = matches!(config.task, Task::Auto | Task::Stairs).then(|| vertical_stairs(s)).flatten();
    let (reps, ignored, task, task_reason) = match (config.task, vertical) {
        (Task::Stairs, clip) => {
            let clip = clip.or_else(|| along_stairs(s));
            let reason = clip.as_ref().map_or("given".to_string(), |c| format!("given; {}", c.reason));
            (stair_reps(s, clip.as_ref()), Vec::new(), Task::Stairs, reason)
        }
        (Task::Auto, Some(clip)) => (stair_reps(s, Some(&clip)), Vec::new(), Task::Stairs, clip.reason),
        _ => {
            let found = excursion_reps(s, config);
            // No squat rep, and the subject stepped toward or away from the camera along a flight of stairs.
            let along = (config.task == Task::Auto && found.0.is_empty()).then(|| along_stairs(s)).flatten();
            match along.map(|clip| (stair_reps(s, Some(&clip)), clip)) {
                Some((reps, clip)) if !reps.is_empty() => (reps, Vec::new(), Task::Stairs, clip.reason),
                _ => found,
            }
        }
    };
    let stairs = task == Task::Stairs;
    let note = reps.is_empty().then(|| empty_note(s, config, stairs, &ignored));
    // Statistics over the reps that are not flagged, per task; the clip's own are its task's.
    let by_task = TaskStats::per_task(&reps);
    let own = by_task.iter().find(|t| t.task == task);
    RepAnalysis {
        task,
        task_reason,
        depth_pct_leg: own.and_then(|t| t.depth_pct_leg),
        legs: own
            .map_or_else(|| Sides::from_fn(|side| LegStats::of(std::iter::empty::<&Rep>(), side)), |t| t.legs.clone()),
        by_task,
        reps,
        note,
        ignored,
    }
}

/// The reps of a squat-like clip: the hip-drop excursions that are reps, each with its task and stance leg;
/// the excursions that are not, with why; the clip's task and why.
fn excursion_reps(s: &Signals, config: &RepConfig) -> (Vec<Rep>, Vec<Ignored>, Task, String) {
    let found =
        split_at_stands(s, excursions(&s.hip_drop_pct_leg, s.rate_hz, config.min_depth_pct), config.min_depth_pct);
    // One-leg excursions (a foot lifted or lowered) are judged against the clip's other one-leg excursions when
    // it has at least two: single-leg squats are shallower than bilateral ones (a mixed clip of 44 % squats and
    // 15 % single-leg squats lost every single-leg rep as a dip "under 40 % of the clear reps").
    let stances: Vec<Option<(Side, Task)>> = found.iter().map(|e| stance_of(s, e.start, e.bottom, e.end)).collect();
    // (Only those the subject did not move about or enter the picture during: a dip of a walk-in is no yardstick.)
    let of_one_leg: Vec<Excursion> = found
        .iter()
        .zip(&stances)
        .filter(|(e, st)| st.is_some() && not_a_rep(s, e, None).is_none())
        .map(|(e, _)| *e)
        .collect();
    let typical = typical_depth(s, &found);
    let typical_one_leg = (of_one_leg.len() >= 2).then(|| typical_depth(s, &of_one_leg)).flatten().or(typical);
    let (mut kept, mut ignored) = (Vec::new(), Vec::new());
    for (ev, stance) in found.into_iter().zip(stances) {
        match not_a_rep(s, &ev, if stance.is_some() { typical_one_leg } else { typical }) {
            Some(reason) => ignored.push(Ignored {
                bottom: moment(s, ev.bottom),
                depth_pct_leg: s.hip_drop_pct_leg[ev.bottom].unwrap_or(f64::NAN),
                reason,
            }),
            None => kept.push((ev, stance)),
        }
    }
    let mut reads: Vec<(Task, Option<Side>)> = kept
        .iter()
        .map(|&(ev, free_foot)| {
            let (start, bottom, end) = (ev.start, ev.bottom, ev.end);
            match config.task {
                Task::Auto => lunge_front(s, start, bottom, end)
                    .map(|front| (Task::Lunge, Some(front)))
                    .or_else(|| free_foot.map(|(st, t)| (t, Some(st))))
                    .unwrap_or((Task::Squat, None)),
                Task::Squat => (Task::Squat, None),
                Task::Lunge => {
                    (Task::Lunge, Some(front_leg(s, start, bottom, end).unwrap_or_else(|| planted_leg(s, start, end))))
                }
                t => (t, Some(free_foot.map_or_else(|| planted_leg(s, start, end), |(st, _)| st))),
            }
        })
        .collect();
    let borrowed = if config.task == Task::Auto {
        let visibility: Vec<f64> = kept.iter().map(|(ev, _)| quality(s, ev.start..=ev.end).visibility).collect();
        borrow_task_for_hidden_feet(&mut reads, &visibility)
    } else {
        Vec::new()
    };
    let tasks: Vec<Task> = reads.iter().map(|r| r.0).collect();
    let reps: Vec<Rep> = kept
        .into_iter()
        .zip(&reads)
        .enumerate()
        .map(|(k, ((ev, _), &(task, stance)))| {
            // Measured at the middle of the held bottom; the depth stays the deepest the hip went.
            let held = Excursion { bottom: held_bottom(&s.hip_drop_pct_leg, s.rate_hz, &ev), ..ev };
            build_rep(s, k + 1, task, stance, held, s.hip_drop_pct_leg[ev.bottom].unwrap_or(f64::NAN))
        })
        .collect();
    let task = match config.task {
        Task::Auto => [Task::Squat, Task::SingleLegSquat, Task::StepDown, Task::Lunge]
            .into_iter()
            .max_by_key(|t| tasks.iter().filter(|x| *x == t).count())
            .filter(|_| !tasks.is_empty())
            .unwrap_or(Task::Squat),
        t => t,
    };
    let reason = match config.task {
        Task::Auto if tasks.is_empty() => "no reps to judge from; squat assumed".into(),
        Task::Auto => auto_task_reason(&tasks, task, &borrowed, &reps),
        _ => "given".into(),
    };
    (reps, ignored, task, reason)
}

/// Why a clip has no reps.
fn empty_note(s: &Signals, config: &RepConfig, stairs: bool, ignored: &[Ignored]) -> String {
    if !s.valid.iter().any(|v| *v) {
        "no person was tracked in the clip".to_string()
    } else if s.standing.is_none() {
        "no standing position found to measure depth from".to_string()
    } else if stairs {
        "no foot landings found".to_string()
    } else if !ignored.is_empty() {
        format!(
            "{} hip {} deeper than {:.0} % of leg, none of them a rep (listed with the reason)",
            ignored.len(),
            if ignored.len() == 1 { "dip" } else { "dips" },
            config.min_depth_pct
        )
    } else {
        format!("the hip never dropped {:.0} % of leg length and came back up", config.min_depth_pct)
    }
}

#[cfg(test)]
mod tests;
