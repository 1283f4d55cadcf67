//! Property tests of the kinematics core: invariance to the camera's framing, rep counting over random
//! programmes, and no panic on arbitrary tracks.

use genu::analysis::{analyze_track, AnalysisConfig};
use genu::pose::{FrameSource, Pose, PoseFrame};
use genu::synthetic::{generate, SynthRep, SynthSpec};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// The seed every property test starts from, so a run is reproducible (and a failure is found again by running
/// the test again); `PROPTEST_RNG_SEED=<n>` tries another one.
const SEED: u64 = 0x6e75_2024;

fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED);
    ProptestConfig { cases, rng_seed: RngSeed::Fixed(seed), ..ProptestConfig::default() }
}

fn bottoms(spec: &SynthSpec) -> Vec<[f64; 4]> {
    let (track, _) = generate(spec);
    let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
    a.reps
        .reps
        .iter()
        .map(|r| {
            [
                r.legs.left().fppa_bottom_deg.value.unwrap_or(f64::NAN),
                r.legs.right().fppa_bottom_deg.value.unwrap_or(f64::NAN),
                r.legs.left().kto_bottom_pct_shank.value.unwrap_or(f64::NAN),
                r.legs.right().kto_bottom_pct_shank.value.unwrap_or(f64::NAN),
            ]
        })
        .collect()
}

proptest! {
    #![proptest_config(config(64))]

    /// Moving, scaling and rolling the camera changes no per-rep number (beyond 0.1 degree / 0.1 % shank).
    #[test]
    fn metrics_are_invariant_to_translation_scale_and_roll(
        dx in -250.0f64..250.0, dy in -300.0f64..300.0, scale in 0.6f64..1.6, roll_deg in -10.0f64..10.0,
        left in -10.0f64..20.0, right in -10.0f64..20.0,
    ) {
        let base = SynthSpec { fppa_bottom_deg: [left, right], reps: vec![SynthRep::plain(28.0); 2], ..SynthSpec::default() };
        let moved = SynthSpec { shift: [dx, dy], scale, rotation: roll_deg.to_radians(), ..base.clone() };
        let (a, b) = (bottoms(&base), bottoms(&moved));
        prop_assert_eq!(a.len(), 2);
        prop_assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            for k in 0..4 {
                prop_assert!((x[k] - y[k]).abs() <= 0.1, "metric {} moved from {} to {}", k, x[k], y[k]);
            }
        }
    }

    /// A random programme of reps (depth, holds, rests) plus dips gives exactly its number of reps: dips under the
    /// absolute floor, and set-up dips above it but far shallower than the clip's reps (7 % of leg against reps of
    /// 25–45 %), are not reps.
    #[test]
    fn random_programmes_give_their_rep_count(
        reps in prop::collection::vec((25.0f64..45.0, 0.0f64..1.5, 0.1f64..2.0, 0.6f64..1.4, 0u8..3), 1..=12),
        seed in 1u64..1000,
    ) {
        let mut programme = Vec::new();
        for (depth, hold, rest, pace, dip) in &reps {
            programme.push(SynthRep { depth_pct: *depth, descent_s: *pace, pause_bottom_s: *hold, ascent_s: *pace, pause_top_s: *rest });
            if *dip > 0 {
                let depth_pct = if *dip == 1 { 2.5 } else { 7.0 };
                programme.push(SynthRep { depth_pct, descent_s: 0.5, pause_bottom_s: 0.0, ascent_s: 0.5, pause_top_s: 0.5 });
            }
        }
        let spec = SynthSpec { reps: programme, noise_px: 0.8, seed, reference_depth_pct: 45.0, ..SynthSpec::default() };
        let (track, _) = generate(&spec);
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        prop_assert_eq!(a.reps.reps.len(), reps.len(), "{}", a.table());
        let setup_dips = reps.iter().filter(|r| r.4 == 2).count();
        prop_assert_eq!(a.reps.ignored.len(), setup_dips, "{:?}", a.reps.ignored);
    }

    /// A real track with a gap of seconds to many minutes in its times: refused as a broken time base, or
    /// analysed on a grid bounded by the track's own length with the gap reported as long and nothing invented
    /// inside it.
    #[test]
    fn large_time_gaps_are_bounded_and_reported(at in 10usize..200, gap_exp in 0.0f64..3.7) {
        // Log-uniform from 1 s to 5000 s: both the gaps that are analysed and those that are refused.
        let gap_s = 10f64.powf(gap_exp);
        let (mut track, _) = generate(&SynthSpec { reps: vec![SynthRep::plain(30.0); 2], ..SynthSpec::default() });
        let at = at.min(track.frames.len() - 2);
        let t_gap = track.frames[at].pts_s;
        for f in &mut track.frames[at + 1..] {
            f.pts_s += gap_s;
        }
        let a = match analyze_track(&track, &AnalysisConfig::default()) {
            Err(genu::kinematics::KinematicsError::TimeJump { gap_s: g, .. }) => {
                prop_assert!((g - gap_s).abs() < 1.0, "the jump named is {} s, not the {} s made", g, gap_s);
                return Ok(());
            }
            other => other.map_err(|e| TestCaseError::fail(e.to_string()))?,
        };
        {
            let s = &a.signals;
            let bound = genu::kinematics::GRID_MAX_PER_FRAME * track.frames.len() as f64 + genu::kinematics::GRID_SLACK;
            prop_assert!(s.len() as f64 <= bound, "{} samples for {} frames", s.len(), track.frames.len());
            prop_assert!(s.long_gaps.iter().any(|(a, b)| *a <= t_gap + gap_s && *b >= t_gap), "{:?}", s.long_gaps);
            for i in 0..s.len() {
                if s.t_s[i] > t_gap + 0.5 && s.t_s[i] < t_gap + gap_s - 0.5 {
                    prop_assert!(!s.valid[i] && s.legs.left().fppa_deg[i].is_none(), "value invented at {}", s.t_s[i]);
                }
            }
        }
    }

    /// Arbitrary tracks — missing poses, wild or non-finite coordinates, odd times — never panic: the analysis
    /// either errors or says what it could measure.
    #[test]
    fn arbitrary_tracks_never_panic(
        frames in prop::collection::vec(
            // Mostly ordinary frame intervals, sometimes a gap of seconds to minutes (a paused or spliced file).
            (prop_oneof![8 => 0.001f64..0.2, 1 => 1.0f64..600.0], prop::option::of(prop::collection::vec(
                prop_oneof![Just(f32::NAN), Just(f32::INFINITY), -1e6f32..1e6, 0.0f32..1000.0], 33 * 5))),
            0..120),
    ) {
        let (mut track, _) = generate(&SynthSpec { reps: vec![], lead_s: 0.1, ..SynthSpec::default() });
        track.frames.clear();
        let mut t = 0.0;
        for (i, (dt, values)) in frames.iter().enumerate() {
            t += dt;
            let pose = values.as_ref().map(|v| Pose {
                pose_flag: Some(0.9),
                roi: None,
                landmarks: v.chunks(5).map(|c| [c[0], c[1], c[2], c[3].abs() % 1.0, c[4].abs() % 1.0]).collect(),
                world: v.chunks(5).map(|c| [c[0], c[1], c[2]]).collect(),
            });
            track.frames.push(PoseFrame {
                index: i as u64,
                pts_s: t,
                source: FrameSource::Tracking,
                pose,
                camera_shift: None,
            });
        }
        let result = analyze_track(&track, &AnalysisConfig::default());
        if let Ok(a) = result {
            let _ = a.table();
            prop_assert!(serde_json::to_vec(&a).is_ok());
        }
    }
}

#[test]
fn empty_track_is_an_error() {
    let (mut track, _) = generate(&SynthSpec::default());
    track.frames.clear();
    let err = analyze_track(&track, &AnalysisConfig::default()).expect_err("no frames");
    assert!(err.to_string().contains("no frames"));
}

#[test]
fn track_without_a_person_is_an_error() {
    let (mut track, _) = generate(&SynthSpec::default());
    for f in &mut track.frames {
        f.pose = None;
    }
    let err = analyze_track(&track, &AnalysisConfig::default()).expect_err("nobody to measure");
    assert!(matches!(err, genu::kinematics::KinematicsError::NoSubject), "{err}");
}

#[test]
fn a_subject_too_small_to_measure_is_refused() {
    // Legs of about 20 px: what a person in a 16x16 or thumbnail clip amounts to.
    let spec = SynthSpec { scale: 0.05, ..SynthSpec::default() };
    let (track, _) = generate(&spec);
    let err = analyze_track(&track, &AnalysisConfig::default()).expect_err("too small");
    assert!(matches!(err, genu::kinematics::KinematicsError::SubjectTooSmall { .. }), "{err}");
    // At the documented minimum's scale the same motion is measured.
    let (track, _) = generate(&SynthSpec { scale: 0.2, ..SynthSpec::default() });
    let leg = median_leg_px(&track);
    assert!(leg > genu::kinematics::MIN_LEG_PX, "{leg}");
    assert_eq!(analyze_track(&track, &AnalysisConfig::default()).expect("measured").reps.reps.len(), 3);
}

fn median_leg_px(track: &genu::pose::PoseTrack) -> f64 {
    let mut legs: Vec<f64> = track
        .frames
        .iter()
        .filter_map(|f| f.pose.as_ref())
        .map(|p| {
            let (h, a) = (p.xy(23), p.xy(27));
            f64::from((h[0] - a[0]).hypot(h[1] - a[1]))
        })
        .collect();
    legs.sort_by(f64::total_cmp);
    legs[legs.len() / 2]
}

/// Frame intervals from 1e-15 s to 1e9 s, as broken containers produce them.
fn wild_interval() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-15.0f64..9.0).prop_map(|e| 10f64.powf(e)),
        4 => Just(1.0 / 30.0),
        1 => (0.0f64..6.0).prop_map(|e| 10f64.powf(e)), // gaps up to 1e6 s
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the timestamps (intervals from 1e-15 s to 1e9 s, gaps up to 1e6 s), the analysis never panics
    /// and its grid stays bounded by the track's own frame count, never by the time the stamps claim.
    #[test]
    fn wild_timestamps_never_panic_and_memory_follows_the_frames(
        intervals in prop::collection::vec(wild_interval(), 2..400),
        start in prop_oneof![Just(0.0f64), 0.0f64..1e9],
    ) {
        let (mut track, _) = generate(&SynthSpec::default());
        track.frames.truncate(intervals.len() + 1);
        let mut t = start;
        track.frames[0].pts_s = t;
        for (f, dt) in track.frames[1..].iter_mut().zip(&intervals) {
            t += dt;
            f.pts_s = t;
        }
        let frames = track.frames.len();
        match analyze_track(&track, &AnalysisConfig::default()) {
            Ok(a) => {
                let bound = genu::kinematics::GRID_MAX_PER_FRAME * frames as f64 + genu::kinematics::GRID_SLACK;
                prop_assert!(a.signals.t_s.len() as f64 <= bound + 1.0, "{} samples for {} frames", a.signals.t_s.len(), frames);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
