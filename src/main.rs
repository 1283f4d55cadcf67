//! The `genu` command line: parses arguments, calls the library, maps the outcome to an exit code.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use genu::models::{LandmarkVariant, ModelDir, ModelKind};
use genu::runtime::Runtime;

/// Knee tracking from squat, single-leg squat, step-down and stair videos.
#[derive(Debug, Parser)]
#[command(name = "genu", version, about)]
struct Cli {
    /// ONNX Runtime shared library to load (default: $GENU_ORT_LIB, the project's .runtime/ folder, or next to
    /// the executable).
    #[arg(long, global = true, value_name = "PATH")]
    ort_lib: Option<PathBuf>,
    /// Folder holding the ONNX models (default: $GENU_MODELS, the project's models/ folder, or models/ next
    /// to the executable).
    #[arg(long, global = true, value_name = "DIR")]
    models: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// What `analyze` prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The per-rep table and the findings.
    Table,
    /// reps.csv.
    Csv,
    /// The summary (a clip) or the analysis (a track) as JSON.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse a clip (or a saved pose track): reps, per-leg knee metrics, CSV, JSON, HTML report, overlay video.
    Analyze {
        /// The clip to analyse (omit when using --pose).
        clip: Option<PathBuf>,
        /// Analyse a saved pose track instead of a clip (from `genu pose` or tools/mediapipe_track.py).
        #[arg(long, value_name = "TRACK.json", conflicts_with = "clip")]
        pose: Option<PathBuf>,
        /// Output: a folder for a clip (default: CLIP-STEM_genu), an analysis JSON file for --pose.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        #[command(flatten)]
        job: JobArgs,
        /// What to print on stdout: a per-rep table, the reps as CSV, or the summary as JSON.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Analyse every clip in a folder, in parallel; resumable, shardable; exit 0 all done, 3 some failed, 1 none.
    Batch {
        /// The folder of clips.
        dir: PathBuf,
        /// Output folder (one sub-folder per clip, plus all_reps.csv, failures.csv, index.html, batch.json).
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
        /// Clips processed at the same time (the CPU is shared between them).
        #[arg(long, default_value_t = 2)]
        jobs: usize,
        /// Look into sub-folders too.
        #[arg(long)]
        recursive: bool,
        /// Redo clips whose results are already complete and up to date.
        #[arg(long)]
        force: bool,
        /// Process only shard K of N (every N-th clip of the sorted list, from the K-th), e.g. 2/4.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<(usize, usize)>,
        #[command(flatten)]
        job: JobArgs,
    },
    /// Combine the outputs of several `genu batch --shard` runs into one all_reps.csv and index.html.
    Merge {
        /// The shard output folders.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Where to write the combined files.
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
    },
    /// Track the subject's 33 landmarks through a clip with BlazePose and write the pose track (JSON).
    Pose {
        /// The clip.
        clip: PathBuf,
        /// Where to write the track.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        pose_args: PoseArgs,
    },
    /// Decode a clip and print its facts as JSON (size, rotation, frame rate, duration, frame count).
    Probe {
        /// The clip.
        clip: PathBuf,
        /// Longest side of the working frames, in pixels.
        #[arg(long, default_value_t = genu::video::DEFAULT_MAX_SIDE)]
        max_side: u32,
    },
    /// Show the ONNX Runtime in use and check every model: file, SHA-256, inputs and outputs.
    Info {
        /// Print the same as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Settings of the pose stage.
#[derive(Debug, Clone, clap::Args)]
struct PoseArgs {
    /// Landmark model: lite, full or heavy.
    #[arg(long, default_value = "full")]
    model: LandmarkVariant,
    /// Who to follow when several people are in view: largest, central, or X,Y (fractions of the frame).
    #[arg(long, default_value = "largest")]
    subject: genu::pose::SubjectChoice,
    /// Longest side of the frames the models look at, in pixels.
    #[arg(long, default_value_t = genu::video::DEFAULT_MAX_SIDE)]
    max_side: u32,
    /// ONNX Runtime threads per model (decoding runs on its own thread beside them).
    #[arg(long, default_value_t = genu::pose::DEFAULT_THREADS)]
    threads: usize,
}

/// Everything that shapes one clip's results.
#[derive(Debug, Clone, clap::Args)]
struct JobArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    #[command(flatten)]
    pose_args: PoseArgs,
    /// Do not write the overlay video.
    #[arg(long)]
    no_overlay: bool,
    /// Longest side of the overlay video in pixels, never more than the input's [default: 1920 (1080p) for
    /// analyze, 960 for batch, whose overlays are for review and would otherwise double its time]
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(64..))]
    overlay_size: Option<u32>,
    /// Do not write the HTML report.
    #[arg(long)]
    no_report: bool,
}

impl JobArgs {
    /// The settings, with `overlay_size` defaulting to `default_overlay`.
    fn settings_with(&self, default_overlay: u32) -> Result<genu::job::JobSettings> {
        Ok(genu::job::JobSettings {
            model: self.pose_args.model,
            subject: self.pose_args.subject,
            max_side: self.pose_args.max_side,
            threads: self.pose_args.threads,
            analysis: self.analysis.config()?,
            overlay: !self.no_overlay,
            overlay_max_side: self.overlay_size.unwrap_or(default_overlay),
            report: !self.no_report,
        })
    }
}

/// Settings of the analysis.
#[derive(Debug, Clone, clap::Args)]
struct AnalysisArgs {
    /// The exercise: auto, squat, single-leg-squat, step-down, lunge (or split-squat) or stairs.
    #[arg(long, default_value = "auto")]
    task: genu::reps::Task,
    /// Minimum depth of a rep, % of leg length.
    #[arg(long, default_value_t = genu::reps::DEFAULT_MIN_DEPTH_PCT)]
    min_depth: f64,
    /// Low-pass cut-off, Hz.
    #[arg(long, default_value_t = genu::kinematics::filter::DEFAULT_CUTOFF_HZ)]
    cutoff: f64,
    /// The phone was held in the hand: steady the picture on the planted foot. For squats, single-leg squats and
    /// step-downs on one stance leg; not lunges, jumps, walks or a change of stance leg (docs/metrics.md). Done
    /// without asking where the background is not read and the planted feet drift during the reps.
    #[arg(long)]
    hand_held: bool,
}

impl AnalysisArgs {
    fn config(&self) -> Result<genu::analysis::AnalysisConfig> {
        if !(self.min_depth > 0.0 && self.cutoff > 0.0) {
            bail!("--min-depth and --cutoff must be positive");
        }
        let mut config = genu::analysis::AnalysisConfig::default();
        config.reps.task = self.task;
        config.reps.min_depth_pct = self.min_depth;
        config.kinematics.cutoff_hz = self.cutoff;
        config.kinematics.hand_held = self.hand_held;
        Ok(config)
    }
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{s}' is not a shard: use K/N with 1 <= K <= N, e.g. 2/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (k.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Exit code after an interruption (Ctrl-C): 128 + SIGINT, as shells report it.
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The first Ctrl-C asks the work to stop cleanly (temporaries removed, finished results kept and listed);
    // a second one exits at once.
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    match run(cli, &interrupted) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            if is_interrupted(&err) {
                eprintln!("interrupted (Ctrl-C): stopped cleanly; finished results kept, temporaries removed");
                return ExitCode::from(EXIT_INTERRUPTED);
            }
            eprintln!("{}", one_line(&format!("error: {}", error_line(&err))));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once: a message that already quotes its cause (as the
/// library's errors do) is not followed by the same text again.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Escape control characters (a newline in a file name, say) so one error stays one line.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

fn is_interrupted(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        matches!(e.downcast_ref::<genu::pose::PoseError>(), Some(genu::pose::PoseError::Interrupted))
            || matches!(
                e.downcast_ref::<genu::job::JobError>(),
                Some(genu::job::JobError::Pose(genu::pose::PoseError::Interrupted))
            )
    })
}

/// A progress callback that stops the work once `flag` is set.
fn until(flag: &AtomicBool) -> impl FnMut(u64) -> ControlFlow<()> + '_ {
    move |_| if flag.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli, interrupted: &AtomicBool) -> Result<ExitCode> {
    match cli.command {
        Command::Info { json } => info(cli.ort_lib, cli.models, json),
        Command::Analyze { clip, pose, output, job, format } => {
            let settings = job.settings_with(genu::report::overlay::OVERLAY_MAX_SIDE)?;
            match (clip, pose) {
                (_, Some(pose)) => analyze_track_file(&pose, settings.analysis, output.as_deref(), format),
                (Some(clip), None) => {
                    analyze_clip(cli.ort_lib, cli.models, &clip, output, settings, format, interrupted)
                }
                (None, None) => bail!("give a clip to analyse, or --pose TRACK.json"),
            }
        }
        Command::Probe { clip, max_side } => probe(&clip, max_side),
        Command::Batch { dir, output, jobs, recursive, force, shard, job } => {
            let options = genu::batch::BatchOptions {
                jobs,
                recursive,
                force,
                shard,
                settings: job.settings_with(genu::report::overlay::BATCH_OVERLAY_MAX_SIDE)?,
                progress: true,
            };
            batch(cli.ort_lib, cli.models, &dir, &output, &options, interrupted)
        }
        Command::Merge { parts, output } => {
            let summary = genu::batch::merge(&parts, &output)?;
            eprintln!(
                "merged {} clips from {} parts into {} ({} failed)",
                summary.clips.len(),
                parts.len(),
                output.display(),
                summary.failed()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Pose { clip, output, pose_args } => {
            pose(cli.ort_lib, cli.models, &clip, &output, pose_args, interrupted)
        }
    }
}

fn batch(
    ort_lib: Option<PathBuf>,
    models: Option<PathBuf>,
    dir: &std::path::Path,
    output: &std::path::Path,
    options: &genu::batch::BatchOptions,
    interrupted: &AtomicBool,
) -> Result<ExitCode> {
    use genu::batch::ClipStatus;
    if !dir.is_dir() {
        bail!("'{}' is not a folder", dir.display());
    }
    let runtime = Runtime::discover(ort_lib.as_deref())?;
    let models = ModelDir::locate(models.as_deref());
    let summary = genu::batch::run_batch(&runtime, &models, dir, output, options, interrupted)?;
    for c in summary.clips.iter().filter(|c| c.status == ClipStatus::Failed) {
        eprintln!("{}", one_line(&format!("failed: {}", c.error.as_deref().unwrap_or(&c.relative))));
    }
    let (n, failed) = (summary.clips.len(), summary.failed());
    let done = summary.count(ClipStatus::Done);
    let skipped = summary.count(ClipStatus::Skipped);
    let stopped = summary.count(ClipStatus::Interrupted);
    eprintln!(
        "{n} clips: {done} analysed, {skipped} already done, {failed} failed{} ({:.1} s); results in {}",
        if stopped > 0 { format!(", {stopped} interrupted (run again to do them)") } else { String::new() },
        summary.seconds,
        output.display()
    );
    Ok(if summary.interrupted() {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if failed == 0 {
        ExitCode::SUCCESS
    } else if failed < n {
        ExitCode::from(genu::batch::EXIT_SOME_FAILED)
    } else {
        ExitCode::FAILURE
    })
}

fn analyze_track_file(
    pose: &std::path::Path,
    config: genu::analysis::AnalysisConfig,
    output: Option<&std::path::Path>,
    format: Format,
) -> Result<ExitCode> {
    use anyhow::Context;
    let track = genu::pose::PoseTrack::read_json(pose)?;
    let analysis = genu::analysis::analyze_track(&track, &config).with_context(|| format!("'{}'", pose.display()))?;
    let json = serde_json::to_vec_pretty(&analysis)?;
    if let Some(path) = output {
        genu::fsx::write_atomic(path, &json).with_context(|| format!("cannot write '{}'", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            out.write_all(&json)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let name = track.clip.file_name.clone();
            out.write_all(&genu::report::reps_csv::bytes(&name, &analysis)?)?;
        }
        Format::Table => {
            // The same table and findings as for a clip.
            write!(out, "{}", analysis.table())?;
            for f in genu::report::findings(&analysis) {
                writeln!(out, "  {f}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn analyze_clip(
    ort_lib: Option<PathBuf>,
    models: Option<PathBuf>,
    clip: &std::path::Path,
    output: Option<PathBuf>,
    settings: genu::job::JobSettings,
    format: Format,
    interrupted: &AtomicBool,
) -> Result<ExitCode> {
    let out = output.unwrap_or_else(|| {
        let stem = clip.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "clip".into());
        PathBuf::from(format!("{stem}_genu"))
    });
    let runtime = Runtime::discover(ort_lib.as_deref())?;
    let dir = ModelDir::locate(models.as_deref());
    let mut blazepose = genu::pose::BlazePose::load(&runtime, &dir, settings.model, settings.threads)?;
    let bar = genu::progress::bar(None, "{spinner} {pos} frames  {per_sec}  {elapsed_precise}", true);
    let mut stop = until(interrupted);
    let outcome = genu::job::run_clip(clip, &out, &settings, &mut blazepose, &mut |frames| {
        bar.set_position(frames);
        stop(frames)
    });
    bar.finish_and_clear();
    let outcome = outcome?;
    let mut stdout = std::io::stdout().lock();
    match format {
        // From memory: the same bytes `write_tables` put in summary.json and reps.csv.
        Format::Json => {
            stdout.write_all(&genu::report::summary::bytes(&outcome.summary)?)?;
            writeln!(stdout)?;
        }
        Format::Csv => {
            let clip_name = &outcome.summary.provenance.input.file_name;
            stdout.write_all(&genu::report::reps_csv::bytes(clip_name, &outcome.summary.analysis)?)?;
        }
        Format::Table => {
            write!(stdout, "{}", outcome.summary.analysis.table())?;
            for f in &outcome.summary.findings {
                writeln!(stdout, "  {f}")?;
            }
        }
    }
    stdout.flush()?;
    let report = out.join(genu::report::html::FILE);
    eprintln!(
        "{}: results in {}{} [pose {:.1} s, report and overlay {:.1} s]",
        clip.display(),
        out.display(),
        if report.is_file() { format!(" (report: {})", report.display()) } else { String::new() },
        outcome.pose_s,
        outcome.outputs_s
    );
    Ok(ExitCode::SUCCESS)
}

fn pose(
    ort_lib: Option<PathBuf>,
    models: Option<PathBuf>,
    clip: &std::path::Path,
    output: &std::path::Path,
    s: PoseArgs,
    interrupted: &AtomicBool,
) -> Result<ExitCode> {
    use genu::pose::{track_clip, BlazePose, Producer, TrackerOptions};
    let runtime = Runtime::discover(ort_lib.as_deref())?;
    let dir = ModelDir::locate(models.as_deref());
    let mut blazepose = BlazePose::load(&runtime, &dir, s.model, s.threads)?;
    let settings = serde_json::json!({ "model": s.model, "subject": format!("{:?}", s.subject),
        "max_side": s.max_side, "threads": s.threads });
    let producer = Producer::genu(&blazepose, settings);
    let options = TrackerOptions { choice: s.subject, ..Default::default() };
    let video = genu::video::VideoOptions { max_side: s.max_side, ..Default::default() };
    let started = std::time::Instant::now();
    let track = track_clip(clip, video, &mut blazepose, options, producer, &mut until(interrupted))?;
    let seconds = started.elapsed().as_secs_f64();
    track.write_json(output)?;
    let n = track.frames.len();
    eprintln!(
        "{}: {} frames, subject found in {} ({:.1} fps); track written to {}",
        clip.display(),
        n,
        track.frames_with_pose(),
        n as f64 / seconds.max(1e-9),
        output.display()
    );
    if track.frames_with_pose() == 0 {
        bail!("'{}': no person found in the clip (track written to {})", clip.display(), output.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn probe(clip: &std::path::Path, max_side: u32) -> Result<ExitCode> {
    let options = genu::video::VideoOptions { max_side, ..Default::default() };
    let mut decoder = genu::video::DecodeThread::open(clip, options)?;
    let started = std::time::Instant::now();
    while let Some(frame) = decoder.next_frame() {
        decoder.recycle(frame?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let info = decoder.finish();
    let frames = info.frame_count.unwrap_or(0);
    let doc = serde_json::json!({ "clip": info, "decode_seconds": seconds,
        "decode_fps": frames as f64 / seconds.max(1e-9) });
    writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&doc)?)?;
    Ok(ExitCode::SUCCESS)
}

fn info(ort_lib: Option<PathBuf>, models: Option<PathBuf>, json: bool) -> Result<ExitCode> {
    let runtime = Runtime::discover(ort_lib.as_deref())?;
    let dir = ModelDir::locate(models.as_deref());
    if !dir.path.is_dir() {
        bail!("models folder '{}' (from {}) does not exist", dir.path.display(), dir.origin);
    }
    let listed = dir.listed_checksums();
    let kinds = std::iter::once(ModelKind::Detector).chain(LandmarkVariant::ALL.map(ModelKind::Landmark));
    let mut failures = Vec::new();
    let mut reports = Vec::new();
    for kind in kinds {
        let optional = matches!(kind, ModelKind::Landmark(v) if !v.is_committed());
        if optional && !dir.file(kind).is_file() {
            reports.push(serde_json::json!({ "model": kind.to_string(), "present": false,
                "note": "not shipped; make it with `make models-heavy`" }));
            continue;
        }
        match dir.load(&runtime, kind, 1) {
            Ok(model) => {
                let name = kind.file_name();
                let checksum = match listed.iter().find(|(n, _)| n == name) {
                    Some((_, h)) if *h == model.sha256 => "matches SHA256SUMS",
                    Some(_) => "DIFFERS from SHA256SUMS",
                    None => "not listed in SHA256SUMS",
                };
                let size = std::fs::metadata(&model.path).map(|m| m.len()).unwrap_or(0);
                reports.push(serde_json::json!({
                    "model": kind.to_string(), "present": true, "file": model.path, "bytes": size,
                    "sha256": model.sha256, "checksum": checksum, "contract": "ok",
                    "inputs": model.inputs.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                    "outputs": model.outputs.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                }));
            }
            Err(err) => {
                reports.push(serde_json::json!({ "model": kind.to_string(), "present": dir.file(kind).is_file(),
                    "error": err.to_string() }));
                failures.push(err);
            }
        }
    }

    let mut out = std::io::stdout().lock();
    if json {
        let doc = serde_json::json!({
            "genu": genu::VERSION,
            "onnxruntime": { "library": runtime.location.path, "origin": runtime.location.origin,
                             "build_info": runtime.build_info },
            "models_dir": { "path": dir.path, "origin": dir.origin },
            "models": reports,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "genu {}", genu::VERSION)?;
        writeln!(out, "ONNX Runtime: {} ({})", runtime.location.path.display(), runtime.location.origin)?;
        writeln!(out, "  {}", runtime.build_info.trim())?;
        writeln!(out, "models: {} ({})", dir.path.display(), dir.origin)?;
        for r in &reports {
            let model = r["model"].as_str().unwrap_or_default();
            if let Some(err) = r["error"].as_str() {
                writeln!(out, "  {model:15} FAILED: {err}")?;
            } else if r["present"] == false {
                writeln!(out, "  {model:15} not present: {}", r["note"].as_str().unwrap_or_default())?;
            } else {
                let mb = r["bytes"].as_u64().unwrap_or(0) as f64 / 1e6;
                writeln!(
                    out,
                    "  {model:15} {:.1} MB  sha256 {}  ({})",
                    mb,
                    r["sha256"].as_str().unwrap_or_default(),
                    r["checksum"].as_str().unwrap_or_default()
                )?;
                let join = |k: &str| {
                    r[k].as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("; "))
                        .unwrap_or_default()
                };
                writeln!(out, "  {:15}   in:  {}", "", join("inputs"))?;
                writeln!(out, "  {:15}   out: {}", "", join("outputs"))?;
            }
        }
    }
    out.flush()?;
    drop(out);
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for err in &failures {
        eprintln!("error: {err}");
    }
    Ok(ExitCode::FAILURE)
}
