//! Outputs of an analysis: tidy CSV (one row per rep per leg), per-frame CSV and a JSON summary with
//! provenance; the HTML report ([`html`]) and the overlay video ([`overlay`]); the batch index ([`index`]).
//! One module per file written, each with its `FILE` name and its bytes.
//!
//! CSV conventions: long format, units in column names, no comment lines, empty cells for values the view or
//! the task cannot support (the reason is in the `*_note` column), the same schema from `genu analyze` and
//! `genu batch`. Every file is written atomically (temporary file, then rename).

pub mod draw;
mod findings;
pub mod frames_csv;
pub mod html;
pub mod index;
mod left_right;
pub mod overlay;
pub mod reps_csv;
pub mod summary;

pub use findings::{findings, YAW_BANNER_DEG};
pub use frames_csv::{rows as frame_rows, FrameRow, HEADER as FRAMES_CSV_HEADER};
pub use left_right::ASYMMETRY_MIN_DEG;
pub use reps_csv::{rows as rep_rows, RepRow, HEADER as REPS_CSV_HEADER};
pub use summary::{InputFile, Provenance, Summary};

use std::path::Path;

use serde::Serialize;

use crate::fsx::write_atomic;

/// Serialise rows as CSV. The header comes from the row type's field names; with no rows, `header` (which
/// the tests check against the field names) is written alone, so an empty result still has its columns.
pub fn rows_to_csv<T: Serialize>(header: &[&str], rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().has_headers(!rows.is_empty()).from_writer(Vec::new());
    if rows.is_empty() {
        w.write_record(header)?;
    }
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Write `reps.csv`, `frames.csv` and `summary.json` into `dir`.
pub fn write_tables(dir: &Path, summary: &Summary) -> std::io::Result<()> {
    let clip = &summary.provenance.input.file_name;
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    write_atomic(&dir.join(reps_csv::FILE), &reps_csv::bytes(clip, &summary.analysis).map_err(csv_err)?)?;
    write_atomic(&dir.join(frames_csv::FILE), &frames_csv::bytes(clip, &summary.analysis).map_err(csv_err)?)?;
    write_atomic(&dir.join(summary::FILE), &summary::bytes(summary).map_err(std::io::Error::other)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_track, AnalysisConfig};
    use crate::synthetic::{generate, SynthSpec};

    #[test]
    fn csv_header_matches_the_row_fields() {
        let (track, _) = generate(&SynthSpec::default());
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        let bytes = rows_to_csv(REPS_CSV_HEADER, &rep_rows("x.mp4", &a)).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(REPS_CSV_HEADER.join(",").as_str()));
        let n_cols = REPS_CSV_HEADER.len();
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 6, "3 reps x 2 legs");
        let empty = rows_to_csv::<RepRow>(REPS_CSV_HEADER, &[]).expect("csv");
        assert_eq!(String::from_utf8(empty).expect("utf-8").trim_end(), REPS_CSV_HEADER.join(","));
        let frames_header = String::from_utf8(rows_to_csv(FRAMES_CSV_HEADER, &frame_rows("x.mp4", &a)).expect("csv"))
            .expect("utf-8")
            .lines()
            .next()
            .map(str::to_string);
        assert_eq!(frames_header, Some(FRAMES_CSV_HEADER.join(",")));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            assert_eq!(rec.expect("record").len(), n_cols);
        }
        // Serde field names and the declared header agree.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let back: Vec<RepRow> = reader.deserialize().collect::<Result<_, _>>().expect("round trip");
        assert_eq!(back, rep_rows("x.mp4", &a));
        let frames = rows_to_csv(FRAMES_CSV_HEADER, &frame_rows("x.mp4", &a)).expect("csv");
        let mut reader = csv::Reader::from_reader(frames.as_slice());
        let back: Vec<FrameRow> = reader.deserialize().collect::<Result<_, _>>().expect("round trip");
        assert_eq!(back.len(), a.signals.len());
    }

    #[test]
    fn findings_speak_plainly() {
        let (track, _) = generate(&SynthSpec { fppa_bottom_deg: [4.0, 20.0], ..SynthSpec::default() });
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        let f = findings(&a).join(" ");
        assert!(f.contains("3 repetitions of squat found"), "{f}");
        assert!(f.contains("right knee caves in more"), "{f}");
    }

    #[test]
    fn knees_both_in_varus_do_not_cave_in() {
        // Both knees pushed out (as in a deep squat with the feet turned out): the right knee's FPPA is the larger,
        // but it is not valgus, so the left is the one that goes out further and neither "caves in".
        let (track, _) = generate(&SynthSpec { fppa_bottom_deg: [-30.0, -10.0], ..SynthSpec::default() });
        let a = analyze_track(&track, &AnalysisConfig::default()).expect("analysis");
        let f = findings(&a).join(" ");
        assert!(!f.contains("caves in more"), "{f}");
        assert!(f.contains("The left knee goes out further (neither knee goes into valgus"), "{f}");
    }

    #[test]
    fn one_rep_names_no_worse_knee() {
        let spec = SynthSpec { fppa_bottom_deg: [4.0, 20.0], ..SynthSpec::default() };
        let spec = SynthSpec { reps: spec.reps[..1].to_vec(), ..spec };
        let a = analyze_track(&generate(&spec).0, &AnalysisConfig::default()).expect("analysis");
        assert_eq!(a.reps.reps.len(), 1);
        let f = findings(&a).join(" ");
        assert!(!f.contains("caves in more"), "{f}");
        assert!(f.contains("Left and right are not compared"), "{f}");
    }
}
