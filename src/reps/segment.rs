//! Segmentation: the hip-drop signal in, the excursions that are reps (and those that are not, with why) out.

use super::*;
use crate::kinematics::filter::range_of;
use crate::kinematics::hip_mid_y;

/// Why an excursion is not a rep, if it is not: a dip far shallower than the clip's clear reps, a partial rep at
/// the clip's edge that stays shallow, or a movement during which the subject moved about ([`moved_about`]).
pub(crate) fn not_a_rep(s: &Signals, ex: &Excursion, typical_depth: Option<f64>) -> Option<String> {
    let depth = s.hip_drop_pct_leg[ex.bottom].unwrap_or(0.0);
    if !ex.rising && typical_depth.is_none_or(|t| depth < END_CUT_MIN_DEPTH * t) {
        return Some(format!(
            "the clip ends on the way down, at {depth:.0} % of leg{}: the bottom was not seen",
            typical_depth.map_or(String::new(), |t| format!(" (clear reps: {t:.0} %)"))
        ));
    }
    standing_leg(s)?;
    if let Some(why) = moved_about(s, ex) {
        return Some(why);
    }
    let typical = typical_depth?;
    if depth < RELATIVE_MIN_DEPTH * typical {
        return Some(format!(
            "hip dip {depth:.0} % of leg, under {:.0} % of this clip's clear reps ({typical:.0} %)",
            RELATIVE_MIN_DEPTH * 100.0
        ));
    }
    // The landing after a jump: the hip falls from a flight into a dip far shallower than the clip's reps (the
    // knees absorbing the landing; a jump squat's own reps start from a landing too, but go as deep as the others).
    let lookback = (LANDING_LOOKBACK_S * s.rate_hz).round() as usize;
    let highest = s.hip_drop_pct_leg[ex.start.saturating_sub(lookback)..=ex.start].iter().flatten().copied();
    let flight = -highest.fold(f64::INFINITY, f64::min);
    if depth < PARTIAL_MIN_DEPTH * typical && flight > LANDING_FLIGHT_PCT {
        return Some(format!(
            "hip dip {depth:.0} % of leg just after a jump (the hip {flight:.0} % of leg above standing): the landing, under {:.0} % of this clip's clear reps ({typical:.0} %)",
            PARTIAL_MIN_DEPTH * 100.0
        ));
    }
    if !ex.complete && depth < PARTIAL_MIN_DEPTH * typical {
        return Some(format!(
            "partial rep cut by the clip's edge reaching only {depth:.0} % of leg (clear reps: {typical:.0} %)"
        ));
    }
    None
}

/// The standing leg length (pixels, the longer leg's), if there is one.
fn standing_leg(s: &Signals) -> Option<f64> {
    s.standing.map(|st| st.leg_px.left().max(*st.leg_px.right())).filter(|l| *l > 0.0)
}

/// Why an excursion is no rep because the subject moved about during it, if it is: entering or leaving the
/// picture, walking or stepping (both feet travelled and stepped), the body travelling sideways, or a walk toward
/// or away from the camera.
fn moved_about(s: &Signals, ex: &Excursion) -> Option<String> {
    let depth = s.hip_drop_pct_leg[ex.bottom].unwrap_or(0.0);
    let leg = standing_leg(s)?;
    // Entering or leaving the picture: the legs are out of it for most of the excursion, before the legs are
    // first seen whole for a while or after they are last seen so (a rep that loses the legs mid-clip is kept,
    // flagged; so are the reps of a clip that never shows the legs whole).
    let valid: Vec<usize> = (ex.start..=ex.end).filter(|&i| s.valid[i]).collect();
    let here = valid.iter().filter(|&&i| s.in_frame[i]).count() as f64 / valid.len().max(1) as f64;
    if here < ENTERING_MAX_IN_FRAME {
        if let Some((first, last)) = in_frame_span(s) {
            if ex.bottom < first || ex.bottom > last {
                return Some(format!(
                    "hip dip {depth:.0} % of leg with the legs in the picture only {:.0} % of the time: the subject was entering or leaving it",
                    here * 100.0
                ));
            }
        }
    }
    // Each ankle's x over the excursion, smoothed: how far both feet travelled, and whether they stepped. (Not
    // when the data ends at the bottom: a forward lunge's front foot is still out there, its step back past the
    // end, and its back foot's ankle comes forward as the heel rises; a walk-out's dips stay far shallower than
    // the clip's reps, which `not_a_rep` asks of an excursion the data cuts.)
    if s.points.len() == s.len() && ex.rising {
        let x = Sides::from_fn(|side| smoothed_ankle(s, side, 0, ex.start, ex.end));
        let travel =
            |side: Side| range_of(&x[side], 0..=x[side].len().saturating_sub(1)).map_or(0.0, |r| r / leg * 100.0);
        let feet = travel(Side::Left).min(travel(Side::Right));
        let stepped = if feet > FEET_TRAVEL_MAX_PCT { apart_change_pct(&x, leg) } else { 0.0 };
        if stepped >= FEET_STANCE_CHANGE_MIN_PCT {
            return Some(format!(
                "hip dip {depth:.0} % of leg while both feet moved ({feet:.0} % of leg) and stepped (their distance changed {stepped:.0} %): walking or a set-up"
            ));
        }
    }
    // A rep ends where it started; a stride does not (one foot is planted through a short dip of a walk, so the
    // feet alone miss it).
    let hip_x = |i: usize| s.points.get(i).map_or(f64::NAN, |p| (p.left().hip[0] + p.right().hip[0]) / 2.0);
    let moved = (hip_x(ex.end) - hip_x(ex.start)).abs() / leg * 100.0;
    // (Unless the data ends at the bottom: a forward lunge's hips are ahead of where they started there.)
    if moved > BODY_TRAVEL_MAX_PCT && ex.rising {
        return Some(format!(
            "hip dip {depth:.0} % of leg while the body moved {moved:.0} % of leg sideways in the picture: walking or a set-up"
        ));
    }
    // Nor does a walk toward or away from the camera, which moves the hips up or down in the picture without a
    // sideways stride: the subject's size changes between the excursion's start and end.
    // A zoom or a reframe changes the size as much, but moves both feet at once; a walk steps one foot at a time.
    let walked = || each_foot_stepped_alone(s, ex.start, ex.end);
    if let Some(ratio) =
        size_change(s, ex.start, ex.end).filter(|r| r.max(1.0 / r) > DEPTH_TRAVEL_MAX_RATIO && walked())
    {
        return Some(format!(
            "hip dip {depth:.0} % of leg while the subject {} the camera (trunk {ratio:.2} times as long in the picture at the end): walking, stairs or a set-up",
            if ratio > 1.0 { "came toward" } else { "went away from" }
        ));
    }
    None
}

/// The first and the last sample of the stretches where the legs stay whole in the picture for at least
/// [`IN_FRAME_RUN_S`]; `None` when there is no such stretch.
fn in_frame_span(s: &Signals) -> Option<(usize, usize)> {
    let need = ((IN_FRAME_RUN_S * s.rate_hz).round() as usize).max(1);
    let (mut first, mut last, mut run) = (None, None, 0);
    for i in 0..s.len() {
        run = if s.valid[i] && s.in_frame[i] { run + 1 } else { 0 };
        if run >= need {
            first.get_or_insert(i + 1 - need);
            last = Some(i);
        }
    }
    first.zip(last)
}

/// The depth of the clip's clear reps: the median depth of the excursions at least half as deep as the deepest.
pub(crate) fn typical_depth(s: &Signals, found: &[Excursion]) -> Option<f64> {
    let depths: Vec<f64> = found.iter().filter(|e| e.rising).filter_map(|e| s.hip_drop_pct_leg[e.bottom]).collect();
    let deepest = depths.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut clear: Vec<f64> = depths.into_iter().filter(|d| *d >= CLEAR_REP_FRACTION * deepest).collect();
    crate::kinematics::filter::percentile(&mut clear, 50.0)
}

/// One excursion of the hip: sample indices of its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Excursion {
    /// Start of the descent.
    pub(crate) start: usize,
    /// Deepest sample.
    pub(crate) bottom: usize,
    /// End of the ascent.
    pub(crate) end: usize,
    /// False when the descent started before the data did.
    pub(crate) complete: bool,
    /// False when the data ends before the hip rose back from the deepest sample seen: the true bottom may lie
    /// past the end.
    pub(crate) rising: bool,
}

/// Excursions of the hip drop below the minimum depth.
pub(crate) fn excursions(drop: &[Option<f64>], rate_hz: f64, min_depth: f64) -> Vec<Excursion> {
    let exit_floor = EXIT_FRACTION * min_depth;
    let mut out = Vec::new();
    let n = drop.len();
    let mut i = 0;
    let mut last_end = 0usize;
    while i < n {
        if !drop[i].is_some_and(|d| d >= min_depth) {
            i += 1;
            continue;
        }
        // In a rep: follow it until the hip comes back up past the exit level.
        let mut j = i;
        let mut bottom = i;
        while j < n {
            let exit = exit_floor.max(EXIT_FRACTION_OF_DEPTH * drop[bottom].unwrap_or(0.0));
            match drop[j] {
                Some(d) if d <= exit => break,
                Some(d) if d > drop[bottom].unwrap_or(f64::NEG_INFINITY) => bottom = j,
                _ => {}
            }
            j += 1;
        }
        let depth = drop[bottom].unwrap_or(0.0);
        let level = EVENT_FRACTION * depth;
        let mut start = bottom;
        while start > last_end && drop[start - 1].is_some_and(|d| d > level) {
            start -= 1;
        }
        let start = start.saturating_sub(1).max(last_end);
        // A rep already under way when the clip (or the data after a long gap) starts counts as a partial rep
        // if its bottom was seen (the hip went further down after the data started).
        let from_standing = drop[start].is_some_and(|d| d <= exit_floor.max(START_FRACTION * depth));
        let data_start = start == 0 || drop[start - 1].is_none();
        let seen_from_bottom = from_standing || (data_start && bottom > start + 1);
        if j >= n {
            // The data ends before the hip came back: a partial rep if it was clearly rising again.
            let last = (bottom..n).rev().find(|&k| drop[k].is_some()).unwrap_or(bottom);
            let risen = depth - drop[last].unwrap_or(depth);
            let rising = last > bottom && risen >= exit_floor.max(END_RISE_FRACTION * depth);
            // Not yet rising: kept for `not_a_rep` to judge against the clip's clear reps.
            if seen_from_bottom && (rising || (last - start) as f64 / rate_hz >= MIN_REP_S) {
                out.push(Excursion { start, bottom, end: last, complete: false, rising });
            }
            break;
        }
        // The ascent ends where the hip is back within EVENT_FRACTION of the depth from standing, or, once it has
        // come back past the exit level, where it starts down again: a clip whose standing level sits a little
        // below the highest stand (1.6 % of leg between two 14 % step-downs) has two reps, not one that swallows
        // the next.
        let mut end = bottom;
        while end + 1 < n && drop[end + 1].is_some_and(|d| d > level) {
            if end >= j && drop[end + 1] > drop[end] {
                break;
            }
            end += 1;
        }
        let end = (end + 1).min(n - 1);
        if seen_from_bottom && (end - start) as f64 / rate_hz >= MIN_REP_S {
            out.push(Excursion { start, bottom, end, complete: from_standing, rising: true });
            last_end = end;
            // Go on from the trough after this rep (a jump squatter dips into the next rep without standing).
            i = end;
            while i + 1 < n && drop[i + 1].is_some_and(|d| drop[i].is_some_and(|c| d <= c)) {
                i += 1;
            }
            i += 1;
        } else {
            i = j;
        }
    }
    out
}

/// The excursions with each one that holds several reps in the subject's own frame split between them.
///
/// The hip's height in the picture moves with the camera: a hand-held phone drifting 3-6 cm up and down moves it
/// as much as a shallow rep does, so the stand between two single-leg squats can read 4-5 % of leg deep, short
/// of the exit level, and two reps merge into one excursion. The hip's height above the planted ankle does not
/// move with the camera. Where, inside an excursion, it comes back to the standing height (within the exit
/// level) between two stretches at least `min_depth` below it, the excursion is split there, at the highest
/// sample. The planted foot is the one whose ankle moved least in the picture over the excursion (the free foot
/// of a single-leg task moves far more); the standing height is the highest over [`STAND_REFERENCE_S`] before
/// the excursion and after it, taken linearly between the two (a slow zoom scales it). An excursion during which
/// the subject moved about ([`moved_about`]: walking, entering the picture) is left whole: its pieces would each
/// walk too little to be caught (a level walk toward the camera, split at its strides, became two squats).
pub(crate) fn split_at_stands(s: &Signals, found: Vec<Excursion>, min_depth: f64) -> Vec<Excursion> {
    let Some(leg) = standing_leg(s).filter(|_| s.points.len() == s.len()) else {
        return found;
    };
    found
        .into_iter()
        .flat_map(|ex| if moved_about(s, &ex).is_some() { vec![ex] } else { split_one(s, ex, leg, min_depth) })
        .collect()
}

/// One excursion split at its stands ([`split_at_stands`]).
fn split_one(s: &Signals, ex: Excursion, leg: f64, min_depth: f64) -> Vec<Excursion> {
    let look = (STAND_REFERENCE_S * s.rate_hz).round() as usize;
    let (a, b) = (ex.start.saturating_sub(look), (ex.end + look).min(s.len() - 1));
    let ankle_y = Sides::from_fn(|side| smoothed_ankle(s, side, 1, a, b));
    let (inside_a, inside_b) = (ex.start - a, ex.end - a);
    let moved = |side: Side| range_of(&ankle_y[side], inside_a..=inside_b).unwrap_or(f64::INFINITY);
    let planted = if moved(Side::Left) <= moved(Side::Right) { Side::Left } else { Side::Right };
    // The hip's height above the planted ankle, % of leg.
    let height: Vec<Option<f64>> = (a..=b)
        .map(|i| {
            let ankle = ankle_y[planted][i - a].filter(|_| s.valid[i])?;
            Some((ankle - hip_mid_y(&s.points[i])) / leg * 100.0).filter(|h| h.is_finite())
        })
        .collect();
    let highest = |r: std::ops::RangeInclusive<usize>| r.filter_map(|k| height[k]).reduce(f64::max);
    let (before, after) = match (highest(0..=inside_a), highest(inside_b..=b - a)) {
        (Some(x), Some(y)) => (x, y),
        (Some(x), None) | (None, Some(x)) => (x, x),
        (None, None) => return vec![ex],
    };
    let span = (inside_b - inside_a).max(1) as f64;
    let below = |k: usize| height[k].map(|h| before + (after - before) * (k - inside_a) as f64 / span - h);
    // Walk the excursion: a stretch at least min_depth below standing, then a stand, then another such stretch.
    let mut cuts = Vec::new();
    let (mut deepest, mut stand): (f64, Option<(usize, f64)>) = (f64::NEG_INFINITY, None);
    let mut last_cut = ex.start;
    for k in inside_a..=inside_b {
        let Some(d) = below(k) else { continue };
        match stand {
            None => {
                deepest = deepest.max(d);
                let exit = (EXIT_FRACTION * min_depth).max(EXIT_FRACTION_OF_DEPTH * deepest);
                if deepest >= min_depth && d <= exit {
                    stand = Some((k, d));
                }
            }
            Some((at, low)) => {
                if d < low {
                    stand = Some((k, d));
                } else if d >= min_depth {
                    let cut = a + at;
                    let long = |x: usize, y: usize| (y - x) as f64 / s.rate_hz >= MIN_REP_S;
                    if long(last_cut, cut) && long(cut, ex.end) {
                        cuts.push(cut);
                        last_cut = cut;
                    }
                    (deepest, stand) = (d, None);
                }
            }
        }
    }
    if cuts.is_empty() {
        return vec![ex];
    }
    let bounds: Vec<usize> = std::iter::once(ex.start).chain(cuts).chain(std::iter::once(ex.end)).collect();
    let last = bounds.len() - 2;
    bounds
        .windows(2)
        .enumerate()
        .map(|(n, w)| {
            let bottom = (w[0]..=w[1])
                .filter(|&i| s.hip_drop_pct_leg[i].is_some())
                .max_by(|&x, &y| s.hip_drop_pct_leg[x].partial_cmp(&s.hip_drop_pct_leg[y]).expect("finite"))
                .unwrap_or(w[0]);
            Excursion { start: w[0], bottom, end: w[1], complete: n > 0 || ex.complete, rising: n < last || ex.rising }
        })
        .collect()
}

/// The middle of an excursion's held bottom ([`HELD_BAND_FRACTION`]) in the hip drop `drop` sampled at
/// `rate_hz`. A rep the data ends in before the hip rose keeps its deepest sample seen.
pub(crate) fn held_bottom(drop: &[Option<f64>], rate_hz: f64, ex: &Excursion) -> usize {
    let Some(depth) = drop[ex.bottom].filter(|_| ex.rising && ex.end > ex.start) else { return ex.bottom };
    let half = ((HELD_SMOOTH_S * rate_hz / 2.0).round() as usize).max(1);
    let smooth: Vec<Option<f64>> = (ex.start..=ex.end)
        .map(|i| {
            let v: Vec<f64> =
                (i.saturating_sub(half).max(ex.start)..=(i + half).min(ex.end)).filter_map(|k| drop[k]).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    let Some((peak_at, peak)) =
        smooth.iter().enumerate().filter_map(|(k, v)| v.map(|v| (k, v))).max_by(|x, y| x.1.total_cmp(&y.1))
    else {
        return ex.bottom;
    };
    let band = (HELD_BAND_FRACTION * depth).min(HELD_BAND_MAX_PCT);
    let held = |k: usize| smooth[k].is_some_and(|v| v >= peak - band);
    let (mut a, mut b) = (peak_at, peak_at);
    while a > 0 && held(a - 1) {
        a -= 1;
    }
    while b + 1 < smooth.len() && held(b + 1) {
        b += 1;
    }
    // The sample nearest the middle that has a value (the deepest one has).
    let (a, b) = (ex.start + a, ex.start + b);
    let middle = (a + b) / 2;
    (a..=b).filter(|&i| drop[i].is_some()).min_by_key(|&i| i.abs_diff(middle)).unwrap_or(ex.bottom)
}

/// One coordinate (`axis` 0: x, 1: y) of an ankle over samples `a..=b`, after a running median of
/// ±[`FEET_TRAVEL_SMOOTH_HALF_S`] (the frames where BlazePose loses the feet are not a step).
pub(crate) fn smoothed_ankle(s: &Signals, side: Side, axis: usize, a: usize, b: usize) -> Vec<Option<f64>> {
    let v: Vec<Option<f64>> = (a..=b).map(|i| Some(s.points[i][side].ankle[axis]).filter(|x| x.is_finite())).collect();
    crate::kinematics::filter::running_median(&v, (FEET_TRAVEL_SMOOTH_HALF_S * s.rate_hz).round() as usize)
}

/// How far the horizontal distance between the ankles changed (% of `leg` pixels), from each ankle's smoothed x
/// over the same samples ([`smoothed_ankle`]): a step changes it, a camera moving both feet does not.
pub(crate) fn apart_change_pct(x: &Sides<Vec<Option<f64>>>, leg: f64) -> f64 {
    let apart: Vec<Option<f64>> =
        x.left().iter().zip(x.right()).map(|(l, r)| Some((l.as_ref()? - r.as_ref()?) / leg * 100.0)).collect();
    range_of(&apart, 0..=apart.len().saturating_sub(1)).unwrap_or(0.0)
}

/// How many times as long the trunk is in the picture around sample `b` as around sample `a` (medians over
/// [`SIZE_WINDOW_S`] either side): above 1 the subject came nearer the camera (or it zoomed in).
pub(crate) fn size_change(s: &Signals, a: usize, b: usize) -> Option<f64> {
    let trunk = |k: usize| s.trunk_px.get(k).copied().flatten();
    Some(median_around(s, b, trunk)? / median_around(s, a, trunk)?).filter(|r| r.is_finite() && *r > 0.0)
}

/// The median of `value` over the samples within [`SIZE_WINDOW_S`] of sample `i`.
pub(crate) fn median_around(s: &Signals, i: usize, value: impl Fn(usize) -> Option<f64>) -> Option<f64> {
    let half = (SIZE_WINDOW_S * s.rate_hz).round() as usize;
    let hi = (i + half).min(s.len().checked_sub(1)?);
    crate::kinematics::geometry::median_of((i.saturating_sub(half)..=hi).filter_map(value))
}

/// Whether, between samples `a` and `b`, each foot in turn moved on its own: over some [`STEP_WINDOW_S`] the
/// left ankle moved at least [`STEP_ALONE_MIN_TRUNK`] trunk lengths in the picture while the right moved under a
/// third of that, and over another the reverse. Steps do this; a zoom, a reframe or a jump moves both feet
/// together, and a single-leg squat moves only its free foot.
pub(crate) fn each_foot_stepped_alone(s: &Signals, a: usize, b: usize) -> bool {
    let alone = feet_that_moved_alone(s, a, b);
    *alone.left() && *alone.right()
}

/// Which feet, between samples `a` and `b`, moved on their own over some [`STEP_WINDOW_S`]: at least
/// [`STEP_ALONE_MIN_TRUNK`] trunk lengths in the picture while the other moved under a third of that (see
/// [`each_foot_stepped_alone`]). A camera that drifts or zooms moves both feet at once, so it moves neither alone.
pub(crate) fn feet_that_moved_alone(s: &Signals, a: usize, b: usize) -> Sides<bool> {
    if s.points.len() != s.len() || s.trunk_px.len() != s.len() || b <= a {
        return Sides::from_fn(|_| false);
    }
    let ankle = Sides::from_fn(|side| [smoothed_ankle(s, side, 0, a, b), smoothed_ankle(s, side, 1, a, b)]);
    let w = ((STEP_WINDOW_S * s.rate_hz).round() as usize).max(1);
    let moved = |side: Side, i: usize, trunk: f64| -> Option<f64> {
        let [x, y] = &ankle[side];
        Some(((x[i + w]? - x[i]?).powi(2) + (y[i + w]? - y[i]?).powi(2)).sqrt() / trunk)
    };
    let mut alone = Sides::from_fn(|_| false);
    for i in 0..(b - a + 1).saturating_sub(w) {
        let Some(trunk) = s.trunk_px[a + i] else { continue };
        let (Some(l), Some(r)) = (moved(Side::Left, i, trunk), moved(Side::Right, i, trunk)) else { continue };
        if l >= STEP_ALONE_MIN_TRUNK && r < l / 3.0 {
            alone[Side::Left] = true;
        }
        if r >= STEP_ALONE_MIN_TRUNK && l < r / 3.0 {
            alone[Side::Right] = true;
        }
    }
    alone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::{compute_signals, KinematicsConfig};
    use crate::synthetic::{generate, SynthSpec};

    /// A clip's signals whose trunk length and ankles are replaced: the trunk goes from 100 px to `grow` times
    /// that over the clip, and `ankle(side, t)` places each ankle (pixels).
    fn with_feet(grow: f64, ankle: impl Fn(Side, f64) -> [f64; 2]) -> Signals {
        let (track, _) = generate(&SynthSpec::default());
        let mut s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
        let n = s.len();
        s.trunk_px = (0..n).map(|i| Some(100.0 * (1.0 + (grow - 1.0) * i as f64 / (n - 1) as f64))).collect();
        for i in 0..n {
            for side in Side::BOTH {
                s.points[i][side].ankle = ankle(side, s.t_s[i]);
            }
        }
        s
    }

    /// 0 before `a`, 1 after `b`, linear between.
    fn ramp(t: f64, a: f64, b: f64) -> f64 {
        ((t - a) / (b - a)).clamp(0.0, 1.0)
    }

    #[test]
    fn steps_one_foot_at_a_time_are_a_walk_and_a_zoom_is_not() {
        // Each foot in turn moves 30 px (0.3 trunk lengths) in 0.4 s while the other stays put.
        let walk = with_feet(1.5, |side, t| match side {
            Side::Left => [300.0, 500.0 + 30.0 * ramp(t, 2.0, 2.4)],
            Side::Right => [200.0, 500.0 + 30.0 * ramp(t, 3.0, 3.4)],
        });
        let end = walk.len() - 1;
        assert!(each_foot_stepped_alone(&walk, 0, end));
        let grow = size_change(&walk, 0, end).expect("trunk seen");
        assert!((grow - 1.5).abs() < 0.05, "{grow}");
        // A zoom: both feet move together, as far.
        let zoom = with_feet(1.5, |side, t| {
            let x = if side == Side::Left { 300.0 } else { 200.0 };
            [x, 500.0 + 30.0 * ramp(t, 2.0, 3.4)]
        });
        assert!(!each_foot_stepped_alone(&zoom, 0, end));
        // A single-leg squat: only the free foot moves, up and back down.
        let single = with_feet(1.0, |side, t| match side {
            Side::Left => [300.0, 500.0 - 30.0 * (ramp(t, 2.0, 2.4) - ramp(t, 3.0, 3.4))],
            Side::Right => [200.0, 500.0],
        });
        assert!(!each_foot_stepped_alone(&single, 0, end));
        // The walk's first step alone is not enough.
        assert!(!each_foot_stepped_alone(&walk, 0, (2.8 * walk.rate_hz) as usize));
    }

    #[test]
    fn feet_that_travel_together_are_the_camera_not_a_walk() {
        // Over the first rep both ankles travel 0.6 leg lengths sideways: one foot and then the other (a
        // side-shuffle set-up), or both at once (a camera drifting).
        let base = with_feet(1.0, |side, _| [if side == Side::Left { 300.0 } else { 200.0 }, 500.0]);
        let ex = excursions(&base.hip_drop_pct_leg, base.rate_hz, DEFAULT_MIN_DEPTH_PCT)[0];
        let leg = base.standing.expect("standing").leg_px.left().max(*base.standing.expect("standing").leg_px.right());
        let (t0, t1) = (base.t_s[ex.start], base.t_s[ex.end]);
        let half = (t0 + t1) / 2.0;
        let shift = 0.6 * leg;
        let stepped = with_feet(1.0, |side, t| match side {
            Side::Left => [300.0 + shift * ramp(t, t0, half), 500.0],
            Side::Right => [200.0 + shift * ramp(t, half, t1), 500.0],
        });
        let why = not_a_rep(&stepped, &ex, None).expect("a set-up");
        assert!(why.contains("stepped") && why.contains("walking or a set-up"), "{why}");
        let drifted =
            with_feet(1.0, |side, t| [if side == Side::Left { 300.0 } else { 200.0 } + shift * ramp(t, t0, t1), 500.0]);
        assert_eq!(not_a_rep(&drifted, &ex, None), None);
        let x = Sides::from_fn(|side| smoothed_ankle(&drifted, side, 0, ex.start, ex.end));
        assert!(apart_change_pct(&x, leg) < 1.0);
        // The data ending at the bottom of a forward lunge, its front foot out and its back ankle come forward:
        // the feet are not judged, the depth is (a cut rep as deep as the clip's reps counts, a shallower one not).
        // Both feet travel and step before the bottom.
        let tb = base.t_s[ex.bottom];
        let quarter = (t0 + tb) / 2.0;
        let lunged = with_feet(1.0, |side, t| match side {
            Side::Left => [300.0 + shift * ramp(t, t0, quarter), 500.0],
            Side::Right => [200.0 + shift * ramp(t, quarter, tb), 500.0],
        });
        let why = not_a_rep(&lunged, &Excursion { end: ex.bottom, ..ex }, None).expect("stepped");
        assert!(why.contains("stepped"), "{why}");
        let cut = Excursion { end: ex.bottom, rising: false, ..ex };
        let depth = lunged.hip_drop_pct_leg[ex.bottom].expect("bottom seen");
        assert_eq!(not_a_rep(&lunged, &cut, Some(depth)), None);
        let why = not_a_rep(&lunged, &cut, Some(2.0 * depth)).expect("shallow");
        assert!(why.contains("ends on the way down"), "{why}");
    }
}
