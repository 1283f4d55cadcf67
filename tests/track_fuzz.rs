//! Fuzzing the track reader and the kinematics core with bytes: random files, and valid tracks with bytes
//! flipped, spliced or cut. Nothing may panic; whatever is accepted must analyse without panicking.
//!
//! A proptest over bytes rather than `cargo fuzz`, so it runs in `make test` on stable Rust. Failing inputs
//! are kept by proptest in `tests/track_fuzz.proptest-regressions` and replayed first on later runs.

use genu::analysis::{analyze_track, AnalysisConfig};
use genu::pose::PoseTrack;
use genu::synthetic::{generate, SynthRep, SynthSpec};
use proptest::prelude::*;

/// A small valid track file, as bytes.
fn valid_track() -> Vec<u8> {
    let spec = SynthSpec { reps: vec![SynthRep::plain(30.0)], lead_s: 0.3, ..SynthSpec::default() };
    let (track, _) = generate(&spec);
    serde_json::to_vec(&track).expect("serialise")
}

/// Read `bytes` as a track file; if it is accepted, analyse it. Returns whether it was accepted.
fn read_and_analyse(bytes: &[u8]) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.json");
    std::fs::write(&path, bytes).expect("write");
    match PoseTrack::read_json(&path) {
        Ok(track) => {
            if let Ok(a) = analyze_track(&track, &AnalysisConfig::default()) {
                let _ = a.table();
            }
            true
        }
        Err(e) => {
            // Every refusal names the file.
            assert!(e.to_string().contains("t.json"), "{e}");
            false
        }
    }
}

/// Tokens that make JSON numbers and fields go wrong in interesting ways.
const TOKENS: [&str; 12] =
    ["1e308", "-1e308", "NaN", "null", "0", "-0", "7", "1e30", "\"x\"", "[]", "{}", "99999999999999999999"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_and_analyse(&bytes);
    }

    #[test]
    fn mutated_tracks_never_panic(
        edits in prop::collection::vec((0.0f64..1.0, 0usize..TOKENS.len(), any::<u8>(), 0u8..3), 1..6),
        cut in prop::option::of(0.0f64..1.0),
    ) {
        let mut bytes = valid_track();
        for (at, token, byte, kind) in edits {
            let i = ((bytes.len() as f64 * at) as usize).min(bytes.len().saturating_sub(1));
            match kind {
                0 => bytes[i] = byte,
                1 => {
                    // Replace the number (or word) at i with a token.
                    let end = bytes[i..].iter().position(|b| matches!(b, b',' | b']' | b'}')).map_or(bytes.len(), |p| i + p);
                    bytes.splice(i..end, TOKENS[token].bytes());
                }
                _ => {
                    bytes.remove(i);
                }
            }
        }
        if let Some(c) = cut {
            bytes.truncate((bytes.len() as f64 * c) as usize);
        }
        read_and_analyse(&bytes);
    }
}

#[test]
fn the_unmutated_track_is_accepted() {
    assert!(read_and_analyse(&valid_track()));
}
