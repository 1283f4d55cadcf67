//! Batch processing: a folder of clips in, one result folder per clip plus combined outputs out.
//!
//! * Clips are found by extension **and by content** (the container's magic bytes), so a video without an
//!   extension is found and a broken `.mp4` is tried and reported rather than silently skipped.
//! * Clips run in parallel (`jobs` at a time) within the CPU budget: ONNX Runtime threads per job are the
//!   cores divided by the jobs.
//! * A failing clip is recorded (`failures.csv`, `batch.json`) and the others finish.
//! * Re-running skips clips whose results are complete and up to date (same input SHA-256 and settings; see
//!   [`crate::job::is_done`]); `force` redoes them. Every file is written atomically and each clip's
//!   completion marker last, so a run killed part-way leaves nothing a re-run would trust.
//! * `shard = (k, n)` takes every n-th clip of the sorted list starting at the k-th, so that n machines (a Slurm
//!   array, a Kubernetes indexed Job) share a folder deterministically; [`merge`] combines their outputs.
//!
//! Outputs in the output folder: `<clip folder>/…` (see [`crate::job`]), `all_reps.csv` (every clip's
//! `reps.csv` rows, clips in path order), `failures.csv`, `index.html` and `batch.json`. The combined files
//! are rewritten (atomically) after every clip, so a crash or a kill loses nothing already finished.
//! * An interruption (the `cancel` flag, set by Ctrl-C in the binary) abandons the clips under way (their
//!   temporaries removed), starts no new clip, writes the combined files for what is done and returns.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsx::write_atomic;
use crate::job::{is_done, run_clip, JobSettings};
use crate::models::{ModelDir, ModelError};
use crate::pose::BlazePose;
use crate::report::index::{batch_index_html, IndexRow, IndexState};
use crate::report::{rows_to_csv, RepRow, REPS_CSV_HEADER};
use crate::runtime::Runtime;

/// File extensions taken as videos whatever their content.
pub const VIDEO_EXTENSIONS: [&str; 15] =
    ["mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mts", "m2ts", "3gp", "mpg", "mpeg", "wmv", "flv", "ogv"];

/// Exit code when some clips failed and others succeeded.
pub const EXIT_SOME_FAILED: u8 = 3;

/// Whether the first bytes look like a video container (ISO-BMFF, Matroska/WebM, MPEG-TS, AVI, FLV, MPEG-PS,
/// ASF, Ogg).
pub fn looks_like_video(head: &[u8]) -> bool {
    let at = |i: usize, m: &[u8]| head.len() >= i + m.len() && &head[i..i + m.len()] == m;
    at(4, b"ftyp")
        || at(0, &[0x1A, 0x45, 0xDF, 0xA3])
        || (head.len() > 188 && head[0] == 0x47 && head[188] == 0x47)
        || (at(0, b"RIFF") && at(8, b"AVI "))
        || at(0, b"FLV")
        || at(0, &[0x00, 0x00, 0x01, 0xBA])
        || at(0, &[0x30, 0x26, 0xB2, 0x75])
        || at(0, b"OggS")
}

fn has_video_extension(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| VIDEO_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(e)))
}

/// Whether a regular file starts like a video container. Anything else (a FIFO, a device) is never opened:
/// reading it could block discovery forever.
fn sniff(p: &Path) -> bool {
    if !matches!(crate::fsx::input_kind(p), Ok(crate::fsx::InputKind::Regular)) {
        return false;
    }
    let mut head = [0u8; 200];
    let Ok(mut f) = std::fs::File::open(p) else { return false };
    let n = f.read(&mut head).unwrap_or(0);
    looks_like_video(&head[..n])
}

/// The clips in `dir` (and its sub-folders when `recursive`), sorted by path, skipping hidden entries and
/// `skip` (the output folder).
pub fn find_clips(dir: &Path, recursive: bool, skip: Option<&Path>) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let skip = skip.and_then(|s| s.canonicalize().ok());
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_name().as_encoded_bytes().first() == Some(&b'.') {
                continue;
            }
            let ft = entry.file_type()?;
            if ft.is_dir() {
                if recursive && skip.as_ref().is_none_or(|s| path.canonicalize().ok().as_ref() != Some(s)) {
                    stack.push(path);
                }
            } else if has_video_extension(&path) || sniff(&path) {
                out.push(path);
            }
        }
    }
    out.sort_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
    Ok(out)
}

/// The result folder name of a clip: its (lossy) relative path made flat, plus a hash of the exact path bytes
/// so that names that are not UTF-8, or that flatten alike, never collide.
pub fn clip_folder_name(relative: &Path) -> String {
    let lossy = relative.to_string_lossy().replace(['/', '\\'], "__");
    let safe: String = lossy.chars().map(|c| if c.is_control() || c == ':' { '_' } else { c }).collect();
    let hash = Sha256::digest(relative.as_os_str().as_encoded_bytes());
    format!("{safe}.{}", hex8(&hash))
}

fn hex8(bytes: &[u8]) -> String {
    bytes.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Settings of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOptions {
    /// Clips processed at the same time.
    pub jobs: usize,
    /// Look into sub-folders.
    pub recursive: bool,
    /// Redo clips already done.
    pub force: bool,
    /// This machine's share: (k, n) with 1 <= k <= n.
    pub shard: Option<(usize, usize)>,
    /// Per-clip settings.
    pub settings: JobSettings,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// What happened to a clip in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipStatus {
    /// Analysed in this run.
    Done,
    /// Already done by an earlier run with the same input and settings.
    Skipped,
    /// Failed; the record's `error` says why.
    Failed,
    /// Abandoned or not started because the batch was interrupted; a re-run does it.
    Interrupted,
}

impl ClipStatus {
    /// Whether the clip has results (done now or earlier).
    pub fn has_results(self) -> bool {
        matches!(self, Self::Done | Self::Skipped)
    }
}

/// What happened to one clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipRecord {
    /// Path relative to the input folder (lossy UTF-8).
    pub relative: String,
    /// Result folder name inside the output folder.
    pub folder: String,
    /// What happened.
    pub status: ClipStatus,
    /// The error, for failed clips.
    pub error: Option<String>,
    /// Reps found.
    pub reps: Option<usize>,
    /// First finding, for the index page.
    pub headline: Option<String>,
    /// Seconds spent on the clip.
    pub seconds: f64,
}

/// `batch.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// genu version.
    pub genu: String,
    /// Settings fingerprint.
    pub settings: serde_json::Value,
    /// The shard, as "k/n".
    pub shard: Option<String>,
    /// Every clip of this shard, in path order.
    pub clips: Vec<ClipRecord>,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

impl BatchSummary {
    /// Clips with this status.
    pub fn count(&self, status: ClipStatus) -> usize {
        self.clips.iter().filter(|c| c.status == status).count()
    }

    /// Clips that failed.
    pub fn failed(&self) -> usize {
        self.count(ClipStatus::Failed)
    }

    /// Whether the batch was interrupted before every clip was done.
    pub fn interrupted(&self) -> bool {
        self.count(ClipStatus::Interrupted) > 0
    }
}

/// Errors that stop a batch before any clip runs.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input folder cannot be listed.
    #[error("cannot read folder '{path}': {source}")]
    ReadDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output folder cannot be created or written.
    #[error("cannot write to '{path}': {source}")]
    Write {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The models cannot be loaded.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A shard that does not exist.
    #[error("shard {k}/{n} does not exist (use K/N with 1 <= K <= N)")]
    Shard {
        /// k.
        k: usize,
        /// n.
        n: usize,
    },
}

/// The first finding of a clip done by an earlier run (what memory does not hold), read from its summary.
fn earlier_headline(dir: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Findings {
        findings: Vec<String>,
    }
    let bytes = std::fs::read(dir.join(crate::report::summary::FILE)).ok()?;
    serde_json::from_slice::<Findings>(&bytes).ok()?.findings.into_iter().next()
}

fn read_rows(dir: &Path) -> Vec<RepRow> {
    let Ok(mut r) = csv::Reader::from_path(dir.join(crate::report::reps_csv::FILE)) else { return Vec::new() };
    r.deserialize().filter_map(Result::ok).collect()
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> BatchError + '_ {
    move |source| BatchError::Write { path: path.to_path_buf(), source }
}

/// What the workers have finished so far, and each finished clip's rows (kept in memory so the combined
/// files can be rewritten after every clip without re-reading every clip's CSV).
struct Finished {
    records: Vec<ClipRecord>,
    rows: BTreeMap<String, Vec<RepRow>>,
}

/// What a batch worker needs to analyse one clip.
struct Worker<'a> {
    runtime: &'a Runtime,
    models: &'a ModelDir,
    settings: &'a JobSettings,
    force: bool,
    cancel: &'a AtomicBool,
}

/// One clip of a batch into its folder `out`: skipped when an earlier run finished it with these settings,
/// interrupted when the batch is, else analysed (loading the worker's models on first use). Returns how it
/// ended, its headline and its `reps.csv` rows, or the error in one line.
fn analyse_one(
    w: &Worker,
    models_slot: &mut Option<BlazePose>,
    clip: &Path,
    out: &Path,
) -> Result<(ClipStatus, Option<String>, Vec<RepRow>), String> {
    if w.cancel.load(Ordering::Relaxed) {
        return Ok((ClipStatus::Interrupted, None, Vec::new()));
    }
    let input_file = crate::job::input_file(clip).map_err(|e| e.to_string())?;
    if !w.force && is_done(out, &input_file.sha256, w.settings) {
        return Ok((ClipStatus::Skipped, earlier_headline(out), read_rows(out)));
    }
    if models_slot.is_none() {
        *models_slot = Some(
            BlazePose::load(w.runtime, w.models, w.settings.model, w.settings.threads).map_err(|e| e.to_string())?,
        );
    }
    let Some(m) = models_slot.as_mut() else { return Err("models not loaded".into()) };
    let mut keep_going =
        |_| if w.cancel.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) };
    match run_clip(clip, out, w.settings, m, &mut keep_going) {
        Ok(outcome) => {
            let s = &outcome.summary;
            let rows = crate::report::rep_rows(&s.provenance.input.file_name, &s.analysis);
            Ok((ClipStatus::Done, s.findings.first().cloned(), rows))
        }
        Err(crate::job::JobError::Pose(crate::pose::PoseError::Interrupted)) => {
            Ok((ClipStatus::Interrupted, None, Vec::new()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Run a batch over `input` into `output`. Setting `cancel` (from another thread, e.g. a Ctrl-C handler)
/// interrupts it: see the module doc.
pub fn run_batch(
    runtime: &Runtime,
    models: &ModelDir,
    input: &Path,
    output: &Path,
    options: &BatchOptions,
    cancel: &AtomicBool,
) -> Result<BatchSummary, BatchError> {
    let started = Instant::now();
    if let Some((k, n)) = options.shard {
        if k == 0 || n == 0 || k > n {
            return Err(BatchError::Shard { k, n });
        }
    }
    std::fs::create_dir_all(output).map_err(write_err(output))?;
    let all = find_clips(input, options.recursive, Some(output))
        .map_err(|source| BatchError::ReadDir { path: input.to_path_buf(), source })?;
    let clips: Vec<PathBuf> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| options.shard.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, p)| p)
        .collect();
    // Load the models once up front, so a broken set-up fails here with one message, not once per clip.
    let jobs = options.jobs.max(1).min(clips.len().max(1));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut settings = options.settings;
    settings.threads = (cores / jobs).max(1);
    drop(BlazePose::load(runtime, models, settings.model, 1)?);

    let bar = crate::progress::bar(
        Some(clips.len() as u64),
        "{bar:40} {pos}/{len} clips  {elapsed_precise}  {msg}",
        options.progress,
    );
    let failures_seen = Mutex::new(0usize);
    let finished = Mutex::new(Finished { records: Vec::new(), rows: BTreeMap::new() });
    let fingerprint = settings.fingerprint();
    let shard = options.shard.map(|(k, n)| format!("{k}/{n}"));
    let summary_of = |records: Vec<ClipRecord>| BatchSummary {
        genu: crate::VERSION.into(),
        settings: fingerprint.clone(),
        shard: shard.clone(),
        clips: records,
        seconds: started.elapsed().as_secs_f64(),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build();
    let work = |models_slot: &mut Option<BlazePose>, clip: &PathBuf| -> ClipRecord {
        let t0 = Instant::now();
        let relative = clip.strip_prefix(input).unwrap_or(clip).to_path_buf();
        let folder = clip_folder_name(&relative);
        let out = output.join(&folder);
        let mut record = ClipRecord {
            relative: relative.to_string_lossy().into_owned(),
            folder,
            status: ClipStatus::Failed,
            error: None,
            reps: None,
            headline: None,
            seconds: 0.0,
        };
        let ctx = Worker { runtime, models, settings: &settings, force: options.force, cancel };
        let (result, rows) = match analyse_one(&ctx, models_slot, clip, &out) {
            Ok((status, headline, rows)) => {
                record.status = status;
                record.headline = headline;
                (Ok(()), rows)
            }
            Err(e) => (Err(e), Vec::new()),
        };
        if let Err(e) = result {
            record.error = Some(e);
            if let Ok(mut n) = failures_seen.lock() {
                *n += 1;
                bar.set_message(format!("{n} failed"));
            }
        }
        if record.status.has_results() {
            record.reps = Some(rows.iter().map(|r| r.rep).max().unwrap_or(0));
        }
        record.seconds = t0.elapsed().as_secs_f64();
        // Rewrite the combined files now, so that what is finished survives a crash or a kill of the batch.
        if let Ok(mut f) = finished.lock() {
            f.records.push(record.clone());
            f.rows.insert(record.folder.clone(), rows);
            let _ = write_outputs(output, &summary_of(f.records.clone()), &f.rows, &[output.to_path_buf()]);
        }
        bar.inc(1);
        record
    };
    let records: Vec<ClipRecord> = match pool {
        Ok(pool) => pool.install(|| clips.par_iter().map_init(|| None, work).collect()),
        Err(_) => {
            let mut slot = None;
            clips.iter().map(|c| work(&mut slot, c)).collect()
        }
    };
    bar.finish_and_clear();
    let rows = finished.into_inner().map(|f| f.rows).unwrap_or_default();
    let summary = summary_of(records);
    write_outputs(output, &summary, &rows, &[output.to_path_buf()])?;
    Ok(summary)
}

/// Write `all_reps.csv`, `failures.csv`, `index.html` and `batch.json` for `summary`, whose clip folders are in
/// `roots` (one root for a batch; the shard outputs for a merge). Rows come from `known` (by clip folder) or,
/// for clips not there, from the clip's `reps.csv`.
fn write_outputs(
    output: &Path,
    summary: &BatchSummary,
    known: &BTreeMap<String, Vec<RepRow>>,
    roots: &[PathBuf],
) -> Result<(), BatchError> {
    let locate = |folder: &str| roots.iter().map(|r| r.join(folder)).find(|p| p.is_dir());
    let mut clips = summary.clips.clone();
    clips.sort_by(|a, b| a.relative.cmp(&b.relative));
    let mut rows = Vec::new();
    for c in clips.iter().filter(|c| c.status.has_results()) {
        match known.get(&c.folder) {
            Some(r) => rows.extend(r.iter().cloned()),
            None => {
                if let Some(dir) = locate(&c.folder) {
                    rows.extend(read_rows(&dir));
                }
            }
        }
    }
    let csv_err =
        |e: csv::Error| BatchError::Write { path: output.join("all_reps.csv"), source: std::io::Error::other(e) };
    let all = rows_to_csv(REPS_CSV_HEADER, &rows).map_err(csv_err)?;
    write_atomic(&output.join("all_reps.csv"), &all).map_err(write_err(output))?;
    #[derive(Serialize)]
    struct Failure<'a> {
        clip: &'a str,
        error: &'a str,
    }
    let failures: Vec<Failure> = clips
        .iter()
        .filter(|c| c.status == ClipStatus::Failed)
        .map(|c| Failure { clip: &c.relative, error: c.error.as_deref().unwrap_or("") })
        .collect();
    let f = rows_to_csv(&["clip", "error"], &failures).map_err(csv_err)?;
    write_atomic(&output.join("failures.csv"), &f).map_err(write_err(output))?;
    let headline = format!(
        "{} clips: {} done, {} already done, {} failed{}",
        clips.len(),
        summary.count(ClipStatus::Done),
        summary.count(ClipStatus::Skipped),
        summary.failed(),
        if summary.interrupted() {
            format!(", {} interrupted (run the batch again to do them)", summary.count(ClipStatus::Interrupted))
        } else {
            String::new()
        }
    );
    let rows: Vec<IndexRow> = clips
        .iter()
        .map(|c| IndexRow {
            clip: c.relative.clone(),
            report: locate(&c.folder).map(|d| pathdiff(&d.join(crate::report::html::FILE), output)),
            state: match c.status {
                ClipStatus::Interrupted => IndexState::Interrupted,
                ClipStatus::Failed => IndexState::Failed(c.error.clone().unwrap_or_default()),
                ClipStatus::Done | ClipStatus::Skipped => {
                    IndexState::Done { reps: c.reps, headline: c.headline.clone().unwrap_or_default() }
                }
            },
        })
        .collect();
    let html = batch_index_html(&headline, &rows);
    write_atomic(&output.join(crate::report::index::FILE), html.as_bytes()).map_err(write_err(output))?;
    let json = serde_json::to_vec_pretty(summary)
        .map_err(|e| BatchError::Write { path: output.join("batch.json"), source: std::io::Error::other(e) })?;
    write_atomic(&output.join("batch.json"), &json).map_err(write_err(output))
}

/// `target` relative to `base` when it is inside it, else absolute (for links in index pages).
fn pathdiff(target: &Path, base: &Path) -> String {
    let (t, b) =
        (target.canonicalize().unwrap_or(target.to_path_buf()), base.canonicalize().unwrap_or(base.to_path_buf()));
    match t.strip_prefix(&b) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => t.to_string_lossy().into_owned(),
    }
}

/// Combine the outputs of several batch runs (shards) into `output`: one `all_reps.csv` (clips in path
/// order, as an unsharded run writes it), `failures.csv`, `index.html` linking every clip's report in place,
/// and `batch.json`.
pub fn merge(parts: &[PathBuf], output: &Path) -> Result<BatchSummary, BatchError> {
    std::fs::create_dir_all(output).map_err(write_err(output))?;
    let mut clips = Vec::new();
    let mut settings = serde_json::Value::Null;
    let mut seconds = 0.0;
    for p in parts {
        let path = p.join("batch.json");
        let bytes = std::fs::read(&path).map_err(|source| BatchError::ReadDir { path: path.clone(), source })?;
        let s: BatchSummary = serde_json::from_slice(&bytes).map_err(|e| BatchError::ReadDir {
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        settings = s.settings;
        seconds += s.seconds;
        clips.extend(s.clips);
    }
    clips.sort_by(|a, b| a.relative.cmp(&b.relative));
    clips.dedup_by(|a, b| a.relative == b.relative);
    let summary = BatchSummary { genu: crate::VERSION.into(), settings, shard: None, clips, seconds };
    write_outputs(output, &summary, &BTreeMap::new(), parts)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_magic() {
        let mut mp4 = vec![0u8; 16];
        mp4[4..8].copy_from_slice(b"ftyp");
        assert!(looks_like_video(&mp4));
        assert!(looks_like_video(&[0x1A, 0x45, 0xDF, 0xA3, 0]));
        let mut ts = vec![0u8; 200];
        ts[0] = 0x47;
        ts[188] = 0x47;
        assert!(looks_like_video(&ts));
        assert!(!looks_like_video(b"hello, this is text"));
        assert!(!looks_like_video(&[]));
    }

    #[test]
    fn folder_names_are_unique_and_stable() {
        let a = clip_folder_name(Path::new("a/b.mp4"));
        let b = clip_folder_name(Path::new("a__b.mp4"));
        assert_ne!(a, b);
        assert_eq!(a, clip_folder_name(Path::new("a/b.mp4")));
        assert!(a.starts_with("a__b.mp4."));
    }
}
