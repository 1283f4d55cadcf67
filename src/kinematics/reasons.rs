//! Why a metric is missing: the clip-level facts the metric stage gathers (filmed from behind, views that are
//! not frontal, a camera yaw too large or too uncertain, foreshortened segments, no side view), turned into the
//! [`Unavailable`] entries that reps, the CSV and the report quote.
//!
//! Order matters: the clip's list gives the most basic cause first. A rep's missing value quotes the reason of
//! its own moment ([`Missing`]): a deep squat filmed square has its bottom FPPA withheld for the thigh pointing at
//! the camera, not for a yaw that withheld values elsewhere in the clip.

use super::*;

/// How the reason for a foreshortened segment starts (the findings recognise it by this).
pub(crate) const FORESHORTENED_REASON: &str = "the thigh or shank points at the camera";

/// Why one sample's frontal value (a leg's FPPA or knee over toe, the mean FPPA of both knees) is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// Filmed from behind.
    Behind,
    /// The view at that moment is not frontal.
    NotFrontal,
    /// A yaw within the measured yaw's uncertainty could move the value too far.
    YawUncertain,
    /// The yaw is beyond what the rectification handles, or could not be measured.
    YawBeyond,
    /// The thigh or shank is too foreshortened or tilted for a 2D angle (at the measured yaw or at an end of
    /// its uncertainty).
    Foreshortened,
}

/// The cause of each missing frontal value per sample, and the clip's reason for each cause: what a rep quotes
/// for a value missing at its moment. Not written out (the clip's reasons are in [`Signals::unavailable`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Missing {
    /// Per leg and sample: why FPPA is missing (`None` where it has a value or no cause is known).
    pub(crate) fppa: Sides<Vec<Option<Cause>>>,
    /// Per leg and sample: why knee over toe is missing.
    pub(crate) kto: Sides<Vec<Option<Cause>>>,
    /// Per sample: why the mean FPPA of both knees is missing.
    pub(crate) fppa_mean: Vec<Option<Cause>>,
    /// The clip's reasons, each with the cause it states.
    pub(crate) texts: Vec<(Cause, Unavailable)>,
}

impl Missing {
    /// The clip's reason for `metric` missing for `cause`, if it stated one.
    pub(crate) fn reason(&self, metric: &str, cause: Option<Cause>) -> Option<&str> {
        let cause = cause?;
        self.texts.iter().find(|(c, u)| *c == cause && u.metric == metric).map(|(_, u)| u.reason.as_str())
    }
}

/// Half toe-out sum (degrees) from which feet too turned out to read the camera's angle are named in the advice:
/// feet standing straight read 1–2.5° in BlazePose's picture (the rendered yaw set), where what limits them is
/// the landmarks, not the stance.
pub(crate) const TOE_OUT_ADVICE_MIN_DEG: f64 = 5.0;

/// The facts behind the missing values of one clip.
pub(crate) struct Withheld {
    /// Frontal frames filmed from behind.
    pub(crate) from_behind: bool,
    /// Some samples are frontal (and rectified).
    pub(crate) any_frontal: bool,
    /// Some valid samples are not frontal.
    pub(crate) any_non_frontal: bool,
    /// The clip's majority view.
    pub(crate) clip_view: View,
    /// The worst value withheld for the yaw's uncertainty: (yaw, the yaw's uncertainty, the change it could make
    /// to FPPA).
    pub(crate) uncertain: Option<(f64, f64, f64)>,
    /// The yaw rests on the hip line alone, checked against the standing knee line (no standing with both feet
    /// planted).
    pub(crate) hip_line_only: bool,
    /// Half the standing feet's toe-out sum in the picture (degrees), where the feet were read.
    pub(crate) half_toe_out: Option<f64>,
    /// The largest yaw beyond what the rectification handles (`NaN` when it could not be measured).
    pub(crate) yaw_withheld: Option<f64>,
    /// Some frontal samples had a segment too foreshortened or tilted for a 2D angle.
    pub(crate) foreshortened: bool,
    /// No side view in a clip with valid samples.
    pub(crate) no_side_view: bool,
    /// The largest camera yaw (degrees) at which a toe-out was withheld for being off square.
    pub(crate) toe_out_yaw: Option<f64>,
}

impl Withheld {
    /// The reasons, most basic first, each with the per-sample cause it states (none for the clip-level ones).
    pub(crate) fn reasons(&self) -> Vec<(Option<Cause>, Unavailable)> {
        let mut out = Vec::new();
        let mut say = |cause: Option<Cause>, metrics: &[&str], reason: String| {
            out.extend(metrics.iter().map(|m| (cause, Unavailable { metric: (*m).into(), reason: reason.clone() })));
        };
        const FRONTAL: [&str; 5] =
            ["fppa_deg", "kto_pct_shank", "pelvic_obliquity_deg", "pelvic_shift_pct_stance", "toe_out_deg"];
        if self.from_behind {
            say(
                Some(Cause::Behind),
                &["fppa_deg"],
                format!(
                    "filmed from behind: BlazePose's depth of a back misreads the camera's yaw by up to {BACK_YAW_ERROR_DEG:.0} degrees, which moves each knee's FPPA the opposite way; only the mean of both knees and the knee-to-ankle separation ratio are given (film from the front for per-leg values)"
                ),
            );
            say(
                Some(Cause::Behind),
                &["kto_pct_shank", "toe_out_deg"],
                "filmed from behind: the toes are hidden behind the heels, so knee over toe and toe-out are not measured"
                    .into(),
            );
        }
        if self.any_non_frontal {
            // A frontal clip whose frontal samples were all withheld for the yaw is still only partly not frontal.
            let part_frontal = self.any_frontal || self.clip_view.is_frontal();
            say(
                Some(Cause::NotFrontal),
                &FRONTAL,
                format!(
                    "needs a frontal view (pelvis yaw up to {FRONTAL_MAX_YAW_DEG:.0} degrees); {} of the clip is {}",
                    if part_frontal { "part" } else { "all" },
                    if part_frontal { "not frontal" } else { view_name(self.clip_view) }
                ),
            );
        }
        if let Some((y, sigma, u)) = self.uncertain {
            let shown = y.round() + 0.0; // no "-0 degrees"
            let by = if u.is_finite() {
                format!("up to {u:.0} degrees")
            } else {
                "an amount that could not be bounded".into()
            };
            // With the hip line alone, a wide uncertainty is the standing knee line's disagreement: often a
            // lifted or staggered leg rather than the camera, and what helps is a stand on both feet.
            let advice = if self.hip_line_only && sigma > yaw::yaw_uncertainty_deg(y) {
                "the yaw rests on the hip line alone, and the standing knee line disagrees with it (no standing with both feet planted side by side, which the knee line and the feet need): stand on both feet for a second before the reps, square to the camera".into()
            } else if let Some(h) =
                self.half_toe_out.filter(|&h| h >= TOE_OUT_ADVICE_MIN_DEG && yaw::feet_too_turned_out(h, y))
            {
                format!("film square to the subject, or stand for a second with both feet pointing straight ahead before the reps (genu reads the camera's angle from the feet; these were turned out about {h:.0} degrees each)")
            } else {
                "film square to the subject".to_string()
            };
            say(
                Some(Cause::YawUncertain),
                &["fppa_deg", "kto_pct_shank"],
                format!(
                    "camera yaw {shown:.0} degrees (known to about ±{sigma:.0}): on some frames the angle could move FPPA by {by} or knee over toe by more than {MAX_KTO_YAW_SHARE_PCT:.0} % of shank (limits {MAX_FPPA_YAW_SHARE_DEG:.0} degrees and {MAX_KTO_YAW_SHARE_PCT:.0} %); {advice}"
                ),
            );
        }
        if let Some(y) = self.yaw_withheld {
            say(
                Some(Cause::YawBeyond),
                &FRONTAL,
                if y.is_finite() {
                    format!(
                        "camera yaw {y:.0} degrees: film square to the subject (frontal metrics are corrected up to {MAX_RECTIFIED_YAW_DEG:.0} degrees)"
                    )
                } else {
                    "the camera's yaw relative to the subject could not be measured: no frontal-plane value".to_string()
                },
            );
        }
        if self.foreshortened {
            say(
                Some(Cause::Foreshortened),
                &["fppa_deg"],
                format!(
                    "{FORESHORTENED_REASON} (a deep squat seen from the front) or lies sideways in the image (shorter than {:.0} % of its standing length or tilted more than {:.0} degrees, at the measured camera yaw or within its uncertainty): no 2D angle there; FPPA at 45 and 60 degrees of knee flexion are read on the descent",
                    MIN_FORESHORTENING * 100.0,
                    MAX_SEGMENT_TILT_DEG
                ),
            );
        }
        if let Some(y) = self.toe_out_yaw {
            say(
                None,
                &["toe_out_deg"],
                format!(
                    "camera yaw {y:.0} degrees: toe-out is read only within {TOE_OUT_MAX_YAW_DEG:.0} degrees of square (the yaw turns each foot in the picture, and its error goes straight into the angle)"
                ),
            );
        }
        if self.no_side_view {
            say(
                None,
                &["knee_flexion_deg"],
                "no side view: knee flexion is estimated from the model's 3D world landmarks".into(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Withheld {
        Withheld {
            from_behind: false,
            any_frontal: true,
            any_non_frontal: false,
            clip_view: View::FrontalFront,
            uncertain: None,
            hip_line_only: false,
            half_toe_out: None,
            yaw_withheld: None,
            foreshortened: false,
            no_side_view: false,
            toe_out_yaw: None,
        }
    }

    fn first(reasons: &[(Option<Cause>, Unavailable)], metric: &str) -> Option<String> {
        reasons.iter().find(|(_, u)| u.metric == metric).map(|(_, u)| u.reason.clone())
    }

    #[test]
    fn the_most_basic_cause_is_the_one_a_row_shows() {
        assert!(none().reasons().is_empty());
        let behind = Withheld { from_behind: true, uncertain: Some((-13.0, 13.0, 20.0)), ..none() }.reasons();
        assert!(first(&behind, "fppa_deg").is_some_and(|r| r.starts_with("filmed from behind")));
        assert!(first(&behind, "kto_pct_shank").is_some_and(|r| r.contains("toes are hidden")));
        let yawed = Withheld { uncertain: Some((12.0, 5.6, 9.4)), ..none() }.reasons();
        let r = first(&yawed, "fppa_deg").expect("reason");
        assert!(r.contains("camera yaw 12 degrees (known to about ±6)") && r.contains("up to 9 degrees"), "{r}");
        assert!(!r.contains("feet pointing straight"), "{r}");
        // Feet turned out 15° each could not read the camera's angle: standing with them straight could.
        let turned_out = Withheld { uncertain: Some((12.0, 5.6, 9.4)), half_toe_out: Some(15.0), ..none() }.reasons();
        let r = first(&turned_out, "fppa_deg").expect("reason");
        assert!(r.contains("both feet pointing straight ahead") && r.contains("about 15 degrees each"), "{r}");
        // Feet nearly straight: the feet were read (or the landmarks limit them), and the advice is the camera.
        for h in [1.0, 3.0] {
            let straight = Withheld { uncertain: Some((12.0, 5.6, 9.4)), half_toe_out: Some(h), ..none() }.reasons();
            assert!(!first(&straight, "fppa_deg").expect("reason").contains("feet pointing"));
        }
        let side = Withheld { any_frontal: false, any_non_frontal: true, clip_view: View::SagittalLeft, ..none() };
        assert!(first(&side.reasons(), "pelvic_shift_pct_stance").is_some_and(|r| r.contains("all of the clip")));
        let unchecked =
            Withheld { uncertain: Some((0.0, 22.0, f64::INFINITY)), hip_line_only: true, ..none() }.reasons();
        let r = first(&unchecked, "fppa_deg").expect("reason");
        assert!(r.contains("stand on both feet") && !r.contains("film square"), "{r}");
        let unmeasured = Withheld { yaw_withheld: Some(f64::NAN), ..none() }.reasons();
        assert!(first(&unmeasured, "kto_pct_shank").is_some_and(|r| r.contains("could not be measured")));
    }
}
