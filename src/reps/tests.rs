//! Unit tests of the rep stage: excursions and their hysteresis, the per-rep statistics.

use super::*;

#[test]
fn excursions_with_hysteresis() {
    let rate = 30.0;
    // Two reps of depth 19 with a bounce to 5 (above the exit level, max(2.5, 20 % of 19)) inside the first:
    // still one rep.
    let mut d: Vec<Option<f64>> = vec![Some(0.0); 10];
    d.extend((0..20).map(|i| Some(i as f64)));
    d.extend([Some(5.0), Some(5.0)]);
    d.extend((0..20).rev().map(|i| Some(i as f64)));
    d.extend(vec![Some(0.0); 10]);
    d.extend((0..20).map(|i| Some(i as f64)));
    d.extend((0..20).rev().map(|i| Some(i as f64)));
    d.extend(vec![Some(0.0); 10]);
    let ex = excursions(&d, rate, 5.0);
    assert_eq!(ex.len(), 2, "{ex:?}");
    assert!(ex[0].start < ex[0].bottom && ex[0].bottom < ex[0].end && ex[0].complete);
}

#[test]
fn a_trough_above_the_event_level_still_parts_two_reps() {
    // Two 14 % reps whose standing between them reads 1.6 % (above 10 % of their depth, below the exit
    // level 2.8): two reps, the first ending at the trough, not one swallowing the second.
    let rep = |d: &mut Vec<Option<f64>>| {
        d.extend((0..=28).map(|i| Some(1.6 + 12.4 * (f64::from(i) / 28.0 * std::f64::consts::PI).sin())));
    };
    let mut d: Vec<Option<f64>> = vec![Some(0.0); 10];
    d.extend((0..8).map(|i| Some(0.2 * f64::from(i))));
    rep(&mut d);
    d.extend(vec![Some(1.6); 6]);
    rep(&mut d);
    d.extend((0..10).rev().map(|i| Some(0.16 * f64::from(i))));
    let ex = excursions(&d, 30.0, 5.0);
    assert_eq!(ex.len(), 2, "{ex:?}");
    assert!(ex[0].end <= ex[1].start && ex[1].start < ex[1].bottom, "{ex:?}");
    assert!(ex.iter().all(|e| e.complete), "{ex:?}");
}

#[test]
fn stats_and_symmetry() {
    let s = Stat::of([Some(2.0), Some(4.0), None, Some(6.0)]).expect("values");
    assert_eq!(s.n, 3);
    assert!((s.mean - 4.0).abs() < 1e-12);
    assert!((s.sd.expect("sd") - 2.0).abs() < 1e-12);
    assert!((s.cv_pct.expect("cv") - 50.0).abs() < 1e-9);
    let a = Asymmetry::of(Some(10.0), Some(14.0)).expect("both");
    assert!((a.left_minus_right + 4.0).abs() < 1e-12);
    assert!((a.symmetry_index_pct.expect("si") - 4.0 / 12.0 * 100.0).abs() < 1e-9);
    assert_eq!(Asymmetry::of(Some(-3.0), Some(5.0)).expect("both").symmetry_index_pct, None);
    // Medial at the bottom: caving in if the knee drifted there, static alignment if it stood there, and
    // unclear when the drift is within its error of the band (either side of it) or unknown.
    assert_eq!(KtoCategory::classify(12.0, Some(9.0)), KtoCategory::MedialToToe);
    assert_eq!(KtoCategory::classify(12.0, Some(1.5)), KtoCategory::MedialAtRest);
    assert_eq!(KtoCategory::classify(12.0, Some(4.7)), KtoCategory::MedialUnclear);
    assert_eq!(KtoCategory::classify(12.0, Some(5.1)), KtoCategory::MedialUnclear);
    assert_eq!(KtoCategory::classify(12.0, None), KtoCategory::MedialUnclear);
    assert_eq!(KtoCategory::classify(-8.0, Some(-1.0)), KtoCategory::Lateral);
    assert_eq!(KtoCategory::classify(-8.0, None), KtoCategory::Lateral);
    assert_eq!(KtoCategory::classify(2.0, Some(9.0)), KtoCategory::OverToe);
}

/// A deep squat filmed square: the bottom and peak FPPA are withheld for the thigh pointing at the camera, and
/// say so, though the clip's first listed reason for FPPA is another (here a yaw withholding values elsewhere);
/// the flexion-matched FPPA carries the value.
#[test]
fn a_value_missing_at_a_deep_bottom_quotes_its_own_moments_reason() {
    use crate::kinematics::{compute_signals, KinematicsConfig, Unavailable};
    use crate::synthetic::{generate, SynthRep, SynthSpec};
    let spec = SynthSpec { reps: vec![SynthRep::plain(48.0); 2], fppa_bottom_deg: [0.0, 0.0], ..SynthSpec::default() };
    let (track, _) = generate(&spec);
    let mut s = compute_signals(&track, &KinematicsConfig::default()).expect("signals");
    let other = "camera yaw 12 degrees (known to about ±6): film square to the subject";
    s.unavailable.insert(0, Unavailable { metric: "fppa_deg".into(), reason: other.into() });
    let reps = find_reps(&s, &RepConfig::default()).reps;
    assert_eq!(reps.len(), 2, "{reps:?}");
    for rep in &reps {
        for leg in &rep.legs.0 {
            let bottom = &leg.fppa_bottom_deg;
            assert!(bottom.value.is_none(), "{bottom:?}");
            assert!(bottom.reason.as_deref().is_some_and(|r| r.contains("points at the camera")), "{bottom:?}");
            assert!(leg.fppa_at_45_deg.value.is_some(), "{:?}", leg.fppa_at_45_deg);
            // Nor is there a peak over a descent whose deepest part cannot be seen.
            let peak = &leg.fppa_peak_deg;
            assert!(
                peak.value.is_none() && peak.reason.as_deref().is_some_and(|r| r.contains("points at")),
                "{peak:?}"
            );
        }
        let mean = &rep.fppa_mean_bottom_deg;
        assert!(mean.reason.as_deref().is_some_and(|r| r.contains("points at the camera")), "{mean:?}");
    }
}

#[test]
fn a_held_bottom_is_measured_at_its_middle() {
    let rate = 30.0;
    // 1 s down to 12 % of leg, 0.6 s held with ±0.6 jitter whose deepest sample is the hold's first, 1 s up.
    let jitter = [0.6, -0.6, 0.2, -0.4, 0.5, -0.5];
    let mut d: Vec<Option<f64>> = vec![Some(0.0); 15];
    d.extend((0..30).map(|i| Some(12.0 * f64::from(i) / 30.0)));
    let hold = d.len();
    d.extend((0..18).map(|i| Some(12.0 + if i == 0 { 0.9 } else { jitter[i % 6] })));
    let after = d.len();
    d.extend((0..30).rev().map(|i| Some(12.0 * f64::from(i) / 30.0)));
    d.extend(vec![Some(0.0); 15]);
    let ex = excursions(&d, rate, 5.0);
    assert_eq!(ex.len(), 1, "{ex:?}");
    assert_eq!(ex[0].bottom, hold, "the deepest sample is the hold's first");
    let middle = (hold + after - 1) / 2;
    let held = held_bottom(&d, rate, &ex[0]);
    assert!(held.abs_diff(middle) <= 2, "held bottom {held}, the hold's middle {middle}");

    // An even descent and rise without a hold keeps its deepest sample; so does a rep the data ends in.
    let mut v: Vec<Option<f64>> = vec![Some(0.0); 10];
    v.extend((0..=40).map(|i| Some(15.0 * (f64::from(i) / 40.0 * std::f64::consts::PI).sin())));
    v.extend(vec![Some(0.0); 10]);
    let ex = excursions(&v, rate, 5.0);
    assert_eq!(ex.len(), 1, "{ex:?}");
    assert!(held_bottom(&v, rate, &ex[0]).abs_diff(ex[0].bottom) <= 1);
    let cut = Excursion { rising: false, ..ex[0] };
    assert_eq!(held_bottom(&v, rate, &cut), ex[0].bottom);
}

#[test]
fn a_deep_hold_that_keeps_sinking_has_its_bottom_near_its_end() {
    // A pistol squat to 60 % of leg held 1.2 s while the hip sinks 3 % of leg more: held within about a
    // centimetre of its deepest only over the hold's last part, not over the whole of it.
    let rate = 30.0;
    let mut d: Vec<Option<f64>> = vec![Some(0.0); 15];
    d.extend((0..45).map(|i| Some(57.0 * (f64::from(i) / 45.0 * std::f64::consts::FRAC_PI_2).sin())));
    let hold = d.len();
    d.extend((0..36).map(|i| Some(57.0 + 3.0 * f64::from(i) / 35.0)));
    let end_of_hold = d.len() - 1;
    d.extend((0..30).rev().map(|i| Some(60.0 * f64::from(i) / 30.0)));
    d.extend(vec![Some(0.0); 15]);
    let ex = excursions(&d, rate, 5.0);
    assert_eq!(ex.len(), 1, "{ex:?}");
    let held = held_bottom(&d, rate, &ex[0]);
    assert!(held > hold + 24 && held <= end_of_hold, "held bottom {held}, hold {hold}..={end_of_hold}");
}
