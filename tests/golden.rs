//! Golden files: the outputs genu writes for fixed synthetic tracks (no model, no video), pinned with `insta`.
//! A change to any number, column, finding or line of the table shows up here as a diff to review; accept it
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test golden`) when it is intended.

use genu::analysis::{analyze_track, Analysis, AnalysisConfig};
use genu::kinematics::Side;
use genu::report::{findings, frame_rows, rep_rows, rows_to_csv, FRAMES_CSV_HEADER, REPS_CSV_HEADER};
use genu::synthetic::{generate, SynthRep, SynthSpec, SynthView};

fn analysed(spec: &SynthSpec) -> Analysis {
    let (track, _) = generate(spec);
    analyze_track(&track, &AnalysisConfig::default()).expect("analysis")
}

/// Everything a user reads for one clip, as text: the table, the findings and reps.csv.
fn outputs(a: &Analysis) -> String {
    let csv = String::from_utf8(rows_to_csv(REPS_CSV_HEADER, &rep_rows("clip.mp4", a)).expect("csv")).expect("utf-8");
    format!("{}\nfindings:\n{}\n\nreps.csv:\n{csv}", a.table(), findings(a).join("\n"))
}

#[test]
fn frontal_squats_with_valgus() {
    // Three squats, left knee 8 degrees and right 16 at the bottom, a dip too shallow to count.
    let spec = SynthSpec {
        reps: vec![SynthRep::plain(30.0), SynthRep::plain(3.0), SynthRep::plain(30.0), SynthRep::plain(25.0)],
        noise_px: 0.5,
        seed: 11,
        ..SynthSpec::default()
    };
    let a = analysed(&spec);
    insta::assert_snapshot!(outputs(&a));
    // The per-frame table too (every 10th row keeps the file short).
    let frames =
        String::from_utf8(rows_to_csv(FRAMES_CSV_HEADER, &frame_rows("clip.mp4", &a)).expect("csv")).expect("utf-8");
    let sampled: Vec<&str> = frames.lines().step_by(10).collect();
    insta::assert_snapshot!("frontal_squats_frames", sampled.join("\n"));
}

#[test]
fn side_view_single_leg_and_stairs() {
    let side =
        SynthSpec { view: SynthView::SagittalLeft, reps: vec![SynthRep::plain(40.0); 2], ..SynthSpec::default() };
    let single = SynthSpec { stance: Some(Side::Right), reps: vec![SynthRep::plain(20.0); 2], ..SynthSpec::default() };
    let stairs = SynthSpec {
        stairs: Some(genu::synthetic::SynthStairs { steps: 5, rise: 0.2, step_s: 0.9 }),
        ..SynthSpec::default()
    };
    let text: Vec<String> = [("side", side), ("single-leg", single), ("stairs", stairs)]
        .into_iter()
        .map(|(name, spec)| format!("== {name}\n{}", outputs(&analysed(&spec))))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn analysis_json_is_stable() {
    // The JSON of the rep stage (summary.json's analysis.reps), the part other programs read.
    let a = analysed(&SynthSpec { reps: vec![SynthRep::plain(30.0); 2], ..SynthSpec::default() });
    let json = serde_json::to_string_pretty(&a.reps).expect("json");
    insta::assert_snapshot!(json);
}
