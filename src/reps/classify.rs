//! What a rep is: the task and stance leg from what the feet do ([`stance_of`]), the data quality, and the
//! gate that flags a rep the findings must not rest on ([`flag_of`]).

use super::*;

pub(crate) fn range_of(series: &[Option<f64>], r: std::ops::RangeInclusive<usize>) -> Option<f64> {
    let v: Vec<f64> = r.filter_map(|i| series.get(i).copied().flatten()).collect();
    let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
    (!v.is_empty()).then_some(hi - lo)
}

/// Which leg is planted during a rep, and what the free foot does: `(stance, task)`.
pub(crate) fn stance_of(s: &Signals, start: usize, bottom: usize, end: usize) -> Option<(Side, Task)> {
    // From the side the far foot is hidden and its landmark wanders: do not read a lifted foot into it.
    if majority_view(&s.view[start..=end]).is_sagittal() {
        return None;
    }
    let moves = s.legs.as_ref().map(|leg| range_of(&leg.ankle_drop_pct_leg, start..=end));
    let (l, r) = ((*moves.left())?, (*moves.right())?);
    let (stance, free_move, stance_move) = if l <= r { (Side::Left, r, l) } else { (Side::Right, l, r) };
    let free = stance.other();
    let free_at_bottom = s.legs[free].ankle_drop_pct_leg[bottom]?;
    let stance_at_bottom = s.legs[stance].ankle_drop_pct_leg[bottom]?;
    // One foot moves while the other stays put; where it ends up tells a step-down from a single-leg squat.
    if free_move - stance_move < FREE_FOOT_MIN_PCT || free_move < FREE_FOOT_MIN_RATIO * stance_move {
        return None;
    }
    // Lowered past the stance foot AND hanging: a step-down. A pistol's free foot, held forward, may also sit
    // low in the picture (nearer the camera), but its leg no longer hangs.
    let hang = s.standing.zip(s.points.get(bottom)).and_then(|(st, p)| {
        let h = (p[free].ankle[1] - p[free].hip[1]) / st.leg_px[free];
        (st.leg_px[free] > 0.0 && h.is_finite()).then_some(h)
    });
    let task = if free_at_bottom > stance_at_bottom && hang.is_none_or(|h| h >= STEP_DOWN_MIN_HANG) {
        Task::StepDown
    } else {
        Task::SingleLegSquat
    };
    Some((stance, task))
}

pub(crate) fn quality(s: &Signals, r: std::ops::RangeInclusive<usize>) -> Quality {
    let idx: Vec<usize> = r.collect();
    let n = idx.len().max(1) as f64;
    let visibility = idx.iter().map(|&i| s.visibility[i]).sum::<f64>() / n;
    let observed = idx.iter().filter(|&&i| s.valid[i] && !s.filled[i]).count() as f64 / n;
    let in_frame = idx.iter().filter(|&&i| s.in_frame[i]).count() as f64 / n;
    Quality { score: visibility * observed * in_frame, visibility, observed, in_frame }
}

/// Why a rep is flagged (kept in the table, left out of the findings and the statistics), if it is: the legs out
/// of the frame for long, a low quality score, or no view.
pub(crate) fn flag_of(quality: &Quality, view: crate::kinematics::View) -> Option<String> {
    if quality.in_frame < MIN_LEGS_IN_FRAME {
        Some(format!(
            "legs out of the frame in {:.0} % of the rep: its per-leg values would be guesses and are left empty",
            (1.0 - quality.in_frame) * 100.0
        ))
    } else if quality.score < MIN_REP_QUALITY {
        Some(format!(
            "data quality {:.2} is below {MIN_REP_QUALITY} (landmark visibility {:.2}, {:.0} % of samples observed)",
            quality.score,
            quality.visibility,
            quality.observed * 100.0
        ))
    } else if view == crate::kinematics::View::Unknown {
        Some("the view could not be told during the rep".into())
    } else {
        None
    }
}

/// The leg whose ankle moves least during samples `start..=end` (for a single-leg task given by the user).
pub(crate) fn planted_leg(s: &Signals, start: usize, end: usize) -> Side {
    let moves = s.legs.as_ref().map(|leg| range_of(&leg.ankle_drop_pct_leg, start..=end).unwrap_or(f64::INFINITY));
    if moves.left() <= moves.right() {
        Side::Left
    } else {
        Side::Right
    }
}
