//! A corpus of bad and awkward inputs, built here with the ffmpeg CLI and by hand: for each, `genu` exits with
//! the right code and exactly one stderr line naming the file and the true cause, never panics, never hangs,
//! and leaves nothing behind but its own complete results. Then a batch holding all of them plus good clips
//! finishes every good clip (exit 3) and lists every bad one in failures.csv.

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::ffmpeg;
use genu::synthetic::{generate, SynthSpec};

/// The project's own rendered squat (a person, frontal view).
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/synth/front_valgus_r16.mp4")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Peak memory any corpus input may make genu use (resident set, bytes): the bound docs/outputs.md states.
const MAX_RSS_BYTES: u64 = 400 * 1024 * 1024;

/// What a run of `genu` gave.
struct Run {
    /// Exit code (None when killed by a signal).
    code: Option<i32>,
    /// Everything written to stderr.
    stderr: String,
    /// Peak resident set size, bytes.
    max_rss: u64,
}

/// `genu` with a clean environment, killed if it runs longer than `limit` (a hang is a failure, not a stall);
/// its peak memory is read from the kernel's accounting when it is reaped.
// The child is reaped by `wait4` (which reports its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_genu(args: &[&std::ffi::OsStr], limit: Duration, fsize_limit: Option<u64>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_genu"));
    cmd.args(args)
        .env_remove("GENU_ORT_LIB")
        .env_remove("GENU_MODELS")
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(bytes) = fsize_limit {
        // A disk that fills up: writes past `bytes` fail with EFBIG ("File too large") instead of killing the
        // process with SIGXFSZ.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().expect("spawn genu");
    let mut pipe = child.stderr.take().expect("stderr pipe");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut pipe, &mut text);
        text
    });
    let pid = i32::try_from(child.id()).expect("pid");
    let started = Instant::now();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
        if r == pid {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("genu {args:?} hung (killed after {limit:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = String::from_utf8_lossy(&reader.join().expect("stderr reader")).into_owned();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Run { code, stderr, max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024 }
}

/// Files under `dir` whose names mark them as genu's temporaries, or anything a user would not expect.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            out.extend(leftovers(&p));
        } else if name.starts_with(genu::fsx::TEMP_PREFIX) {
            out.push(p);
        }
    }
    out
}

/// What one corpus case expects.
struct Case {
    /// What it is.
    kind: &'static str,
    /// Arguments after `genu`.
    args: Vec<std::ffi::OsString>,
    /// Expected exit code.
    code: i32,
    /// Each of these must appear in the stderr line (any one of the alternatives separated by `|`).
    says: Vec<&'static str>,
    /// Output folder to check for leftovers, if any.
    out: Option<PathBuf>,
    /// Limit the size of files genu may write (a full disk).
    fsize: Option<u64>,
}

fn analyze(clip: &Path, out: &Path, code: i32, kind: &'static str, says: &[&'static str]) -> Case {
    Case {
        kind,
        args: vec!["analyze".into(), clip.into(), "-o".into(), out.into()],
        code,
        says: says.to_vec(),
        out: Some(out.to_path_buf()),
        fsize: None,
    }
}

fn analyze_track(track: &Path, kind: &'static str, says: &[&'static str]) -> Case {
    Case {
        kind,
        args: vec!["analyze".into(), "--pose".into(), track.into()],
        code: 1,
        says: says.to_vec(),
        out: None,
        fsize: None,
    }
}

/// Write a track file from a JSON value.
fn write_json(path: &Path, v: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec(v).expect("serialise")).expect("write track");
}

/// The synthetic track as JSON, to be broken in one way.
fn track_json() -> serde_json::Value {
    let (track, _) = generate(&SynthSpec::default());
    serde_json::to_value(&track).expect("track as JSON")
}

fn set_times(doc: &mut serde_json::Value, time: impl Fn(usize) -> f64) {
    for (i, f) in doc["frames"].as_array_mut().expect("frames").iter_mut().enumerate() {
        f["pts_s"] = serde_json::json!(time(i));
    }
}

/// The clip and track inputs of the corpus, made in `dir`; returns the cases and the video files a batch
/// should see as failures (with a word of the cause each).
fn build_corpus(dir: &Path) -> (Vec<Case>, Vec<(String, &'static str)>) {
    let fixture = fixture();
    let base = dir.join("in/base.mp4");
    std::fs::create_dir_all(dir.join("in")).expect("mkdir");
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    let i = |name: &str| dir.join("in").join(name);
    let o = |name: &str| dir.join("out").join(name);
    ffmpeg(&["-i", s(&fixture), "-t", "3", "-an", "-c:v", "libx264", "-preset", "ultrafast", s(&base)]);

    std::fs::write(i("empty.mp4"), b"").expect("write");
    std::fs::write(i("text.mp4"), b"this is a shopping list, not a video\n").expect("write");
    let noise: Vec<u8> = (0..8192u32).map(|k| (k.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(i("random.mp4"), &noise).expect("write");
    ffmpeg(&["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", "-f", "mp4", s(&i("audio_only.mp4"))]);
    // An MP4 with its index first, cut in half; and one with its index last, cut before it.
    let faststart = dir.join("faststart.mp4");
    ffmpeg(&["-i", s(&base), "-c", "copy", "-movflags", "+faststart", s(&faststart)]);
    let bytes = std::fs::read(&faststart).expect("read");
    std::fs::write(i("cut_faststart.mp4"), &bytes[..bytes.len() / 2]).expect("write");
    let bytes = std::fs::read(&base).expect("read");
    std::fs::write(i("no_moov.mp4"), &bytes[..bytes.len() / 2]).expect("write");
    // An AVI whose header claims 2^31 frames.
    let avi = dir.join("a.avi");
    ffmpeg(&["-f", "lavfi", "-i", "testsrc=s=320x240:d=2", "-c:v", "mjpeg", s(&avi)]);
    let mut b = std::fs::read(&avi).expect("read");
    let at = b.windows(4).position(|w| w == b"strh").expect("strh") + 40;
    b[at..at + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    std::fs::write(i("lying_header.avi"), &b).expect("write");
    // A timestamp jump of a million seconds after frame 60; two TS files joined (time steps back).
    ffmpeg(&[
        "-i",
        s(&base),
        "-vf",
        "setpts='if(gte(N,60),PTS+1000000/TB,PTS)'",
        "-fps_mode",
        "passthrough",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        s(&i("jump.mkv")),
    ]);
    let ts = dir.join("a.ts");
    ffmpeg(&["-i", s(&base), "-c", "copy", "-f", "mpegts", s(&ts)]);
    let once = std::fs::read(&ts).expect("read");
    std::fs::write(i("joined.ts"), [once.clone(), once].concat()).expect("write");
    let fifo = i("fifo.mp4");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    assert!(Command::new("mkfifo").arg(i("fifo_without_extension")).status().expect("mkfifo").success());
    std::os::unix::fs::symlink(dir.join("nowhere.mp4"), i("dangling.mp4")).expect("symlink");
    ffmpeg(&["-i", s(&base), "-vf", "scale=16:16", "-c:v", "libx264", "-preset", "ultrafast", s(&i("tiny.mp4"))]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=640x360:d=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        s(&i("noperson.mp4")),
    ]);
    let newline = i("new\nline.mp4");
    std::fs::write(&newline, b"not a video either").expect("write");
    // A valid MKV whose audio runs longer than its video: not a bad input, it must be analysed.
    ffmpeg(&[
        "-i",
        s(&base),
        "-f",
        "lavfi",
        "-i",
        "sine=d=10",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "copy",
        "-c:a",
        "libopus",
        s(&i("long_audio.mkv")),
    ]);
    let folder_clip = dir.join("folder.mp4");
    std::fs::create_dir_all(&folder_clip).expect("mkdir");

    let mut cases = vec![
        analyze(&i("empty.mp4"), &o("empty"), 1, "empty file", &["empty.mp4", "empty"]),
        analyze(&i("text.mp4"), &o("text"), 1, "text named .mp4", &["text.mp4", "not a video file"]),
        analyze(&i("random.mp4"), &o("random"), 1, "random bytes", &["random.mp4", "not a video file"]),
        analyze(&i("audio_only.mp4"), &o("audio"), 1, "audio only", &["audio_only.mp4", "no video stream"]),
        analyze(
            &i("cut_faststart.mp4"),
            &o("cutfs"),
            1,
            "faststart MP4 cut short",
            &["cut_faststart.mp4", "truncated"],
        ),
        analyze(&i("no_moov.mp4"), &o("nomoov"), 1, "MP4 without its index", &["no_moov.mp4", "moov"]),
        analyze(
            &i("lying_header.avi"),
            &o("avi"),
            1,
            "header claiming 2^31 frames",
            &["lying_header.avi", "no person"],
        ),
        analyze(&i("jump.mkv"), &o("jump"), 1, "timestamp jump", &["jump.mkv", "timestamps are broken"]),
        analyze(&i("joined.ts"), &o("joined"), 1, "joined TS files", &["joined.ts", "timestamps step back"]),
        analyze(&fifo, &o("fifo"), 1, "FIFO", &["fifo.mp4", "pipe"]),
        analyze(&folder_clip, &o("folder"), 1, "folder as clip", &["folder.mp4", "folder"]),
        analyze(&dir.join("missing.mp4"), &o("missing"), 1, "missing file", &["missing.mp4", "No such file"]),
        analyze(&i("dangling.mp4"), &o("dangling"), 1, "dangling symlink", &["dangling.mp4", "No such file"]),
        analyze(&i("tiny.mp4"), &o("tiny"), 1, "16x16 video", &["tiny.mp4", "no person|too small"]),
        analyze(&i("noperson.mp4"), &o("noperson"), 1, "nobody in view", &["noperson.mp4", "no person"]),
        analyze(&newline, &o("newline"), 1, "newline in the name", &["new\\nline.mp4", "not a video file"]),
        analyze(Path::new("/dev/zero"), &o("device"), 1, "a device", &["/dev/zero", "device"]),
        analyze(&i("long_audio.mkv"), &o("long_audio"), 0, "audio longer than video", &[]),
    ];
    // Outputs that cannot be written: a file where the folder should be, a place nobody can create, a full disk.
    let occupied = dir.join("occupied");
    std::fs::write(&occupied, b"a file").expect("write");
    cases.push(analyze(&base, &occupied, 1, "output is a file", &["occupied", "is a file, not a folder"]));
    cases.push(analyze(
        &base,
        Path::new("/proc/genu-out"),
        1,
        "output not creatable",
        &["/proc/genu-out", "cannot write"],
    ));
    let mut full = analyze(&base, &o("full"), 1, "disk full", &["full", "File too large"]);
    full.fsize = Some(48 * 1024);
    cases.push(full);

    // Tracks.
    let t = |name: &str| dir.join("tracks").join(name);
    std::fs::create_dir_all(dir.join("tracks")).expect("mkdir");
    let mut doc = track_json();
    for f in doc["frames"].as_array_mut().expect("frames") {
        f["pose"] = serde_json::Value::Null;
    }
    write_json(&t("nobody.json"), &doc);
    let mut doc = track_json();
    doc["frames"][10]["pose"]["landmarks"][25][3] = serde_json::json!(7.0);
    write_json(&t("visibility7.json"), &doc);
    let mut doc = track_json();
    for f in doc["frames"].as_array_mut().expect("frames") {
        for l in f["pose"]["landmarks"].as_array_mut().into_iter().flatten() {
            l[0] = serde_json::json!(l[0].as_f64().unwrap_or(0.0) * 1e30);
        }
    }
    write_json(&t("huge_coords.json"), &doc);
    let mut doc = track_json();
    doc["clip"]["width"] = serde_json::json!(0);
    doc["clip"]["height"] = serde_json::json!(0);
    write_json(&t("zero_size.json"), &doc);
    let mut doc = track_json();
    set_times(&mut doc, |k| k as f64 * 1e-10);
    write_json(&t("interval_1e-10.json"), &doc);
    let mut doc = track_json();
    set_times(&mut doc, |k| k as f64 * 1e-15);
    write_json(&t("interval_1e-15.json"), &doc);
    let mut doc = track_json();
    let n = doc["frames"].as_array().map_or(0, Vec::len);
    set_times(&mut doc, |k| if k + 1 == n { 1e9 } else { k as f64 / 30.0 });
    write_json(&t("last_at_1e9.json"), &doc);
    let mut doc = track_json();
    set_times(&mut doc, |k| k as f64 / 30.0 + if k >= 100 { 1e5 } else { 0.0 });
    write_json(&t("gap_1e5.json"), &doc);
    let mut doc = track_json();
    doc["version"] = serde_json::json!(99);
    write_json(&t("version99.json"), &doc);
    let valid = serde_json::to_vec(&track_json()).expect("json");
    std::fs::write(t("truncated.json"), &valid[..valid.len() / 2]).expect("write");
    std::fs::write(t("nan.json"), String::from_utf8_lossy(&valid).replacen("\"pts_s\":0.0", "\"pts_s\":NaN", 1))
        .expect("write");
    std::fs::write(t("empty.json"), b"").expect("write");
    let (small, _) = generate(&SynthSpec { scale: 0.05, ..SynthSpec::default() });
    small.write_json(&t("small_subject.json")).expect("write");
    {
        // A million frames (nobody in them): refused while reading, before it fills memory.
        let mut f = std::io::BufWriter::new(std::fs::File::create(t("million.json")).expect("create"));
        let mut head = track_json();
        head["frames"] = serde_json::json!([]);
        let text = serde_json::to_string(&head).expect("json");
        let (before, after) = text.split_once("\"frames\":[]").expect("frames field");
        write!(f, "{before}\"frames\":[").expect("write");
        for k in 0..1_000_000u64 {
            let sep = if k == 0 { "" } else { "," };
            write!(f, "{sep}{{\"index\":{k},\"pts_s\":{},\"source\":\"none\",\"pose\":null}}", k as f64 / 30.0)
                .expect("write");
        }
        write!(f, "]{after}").expect("write");
        f.flush().expect("flush");
    }
    assert!(Command::new("mkfifo").arg(t("fifo.json")).status().expect("mkfifo").success());
    cases.extend([
        analyze_track(&t("nobody.json"), "track with every pose null", &["nobody.json", "no person"]),
        analyze_track(&t("visibility7.json"), "visibility 7", &["visibility7.json", "visibility 7"]),
        analyze_track(&t("huge_coords.json"), "coordinates x1e30", &["huge_coords.json", "not a position"]),
        analyze_track(&t("zero_size.json"), "0x0 clip", &["zero_size.json", "0x0"]),
        analyze_track(&t("interval_1e-10.json"), "intervals of 1e-10 s", &["interval_1e-10.json", "frames per second"]),
        analyze_track(
            &t("interval_1e-15.json"),
            "intervals of 1e-15 s",
            &["interval_1e-15.json", "frames per second|do not increase"],
        ),
        analyze_track(&t("last_at_1e9.json"), "last frame at 1e9 s", &["last_at_1e9.json", "timestamps are broken"]),
        analyze_track(&t("gap_1e5.json"), "a 1e5 s gap", &["gap_1e5.json", "timestamps are broken"]),
        analyze_track(&t("version99.json"), "another version", &["version99.json", "version 99"]),
        analyze_track(&t("truncated.json"), "truncated JSON", &["truncated.json", "not a genu pose track"]),
        analyze_track(&t("nan.json"), "NaN token", &["nan.json", "not a genu pose track"]),
        analyze_track(&t("empty.json"), "empty track file", &["empty.json", "not a genu pose track"]),
        analyze_track(&t("small_subject.json"), "subject too small", &["small_subject.json", "too small"]),
        analyze_track(&t("million.json"), "a million frames", &["million.json", "72000 frames"]),
        analyze_track(&t("fifo.json"), "FIFO track", &["fifo.json", "pipe"]),
    ]);

    let batch_failures = vec![
        ("empty.mp4".to_string(), "empty"),
        ("text.mp4".to_string(), "not a video file"),
        ("random.mp4".to_string(), "not a video file"),
        ("audio_only.mp4".to_string(), "no video stream"),
        ("cut_faststart.mp4".to_string(), "truncated"),
        ("no_moov.mp4".to_string(), "moov"),
        ("lying_header.avi".to_string(), "no person"),
        ("jump.mkv".to_string(), "timestamps are broken"),
        ("joined.ts".to_string(), "timestamps step back"),
        ("fifo.mp4".to_string(), "pipe"),
        ("dangling.mp4".to_string(), "No such file"),
        ("tiny.mp4".to_string(), ""),
        ("noperson.mp4".to_string(), "no person"),
        ("new\nline.mp4".to_string(), "not a video file"),
    ];
    (cases, batch_failures)
}

fn check(case: &Case) {
    let args: Vec<&std::ffi::OsStr> = case.args.iter().map(|a| a.as_os_str()).collect();
    let out = run_genu(&args, Duration::from_secs(120), case.fsize);
    let stderr = &out.stderr;
    let kind = case.kind;
    assert!(!stderr.contains("panicked"), "{kind}: panic: {stderr}");
    assert_eq!(out.code, Some(case.code), "{kind}: exit code; stderr: {stderr}");
    assert!(out.max_rss < MAX_RSS_BYTES, "{kind}: peak memory {} MB", out.max_rss >> 20);
    if case.code != 0 {
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{kind}: one stderr line expected: {stderr:?}");
        for want in &case.says {
            assert!(want.split('|').any(|w| lines[0].contains(w)), "{kind}: '{want}' not in: {}", lines[0]);
        }
        assert!(!lines[0].contains("pixel format"), "{kind}: misleading cause: {}", lines[0]);
        let parts: Vec<&str> = lines[0].split(": ").collect();
        assert!(parts.windows(2).all(|w| w[0] != w[1]), "{kind}: a cause said twice: {}", lines[0]);
        let cause = parts.last().copied().unwrap_or_default();
        assert_eq!(lines[0].matches(cause).count(), 1, "{kind}: a cause said twice: {}", lines[0]);
        eprintln!("{kind:30} {:4} MB exit {}: {}", out.max_rss >> 20, case.code, lines[0]);
    } else {
        eprintln!("{kind:30} {:4} MB exit 0", out.max_rss >> 20);
    }
    if let Some(dir) = &case.out {
        let left = leftovers(dir);
        assert!(left.is_empty(), "{kind}: temporaries left: {left:?}");
        if case.code != 0 {
            assert!(!dir.join("genu-done.json").exists(), "{kind}: a failed job marked done");
        }
    }
}

#[test]
fn every_bad_input_gets_one_true_line_and_a_batch_of_them_finishes_the_good_clips() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (cases, batch_failures) = build_corpus(tmp.path());
    assert!(cases.len() >= 25, "{} kinds", cases.len());
    for case in &cases {
        check(case);
    }

    // A user's files in the output folder survive, whatever genu does there.
    let user = tmp.path().join("user_folder");
    std::fs::create_dir_all(&user).expect("mkdir");
    for name in ["thesis.docx.partial", ".tmp_notes", "notes.txt"] {
        std::fs::write(user.join(name), b"precious").expect("write");
    }
    let args: Vec<std::ffi::OsString> =
        vec!["analyze".into(), tmp.path().join("in/text.mp4").into(), "-o".into(), user.clone().into()];
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    assert_eq!(run_genu(&refs, Duration::from_secs(60), None).code, Some(1));
    for name in ["thesis.docx.partial", ".tmp_notes", "notes.txt"] {
        assert_eq!(std::fs::read(user.join(name)).expect("still there"), b"precious", "{name}");
    }

    // The batch: every bad clip plus two good ones.
    let out = tmp.path().join("batch_out");
    let args: Vec<std::ffi::OsString> =
        vec!["batch".into(), tmp.path().join("in").into(), "-o".into(), out.clone().into(), "--no-overlay".into()];
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let run = run_genu(&refs, Duration::from_secs(600), None);
    let stderr = &run.stderr;
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(run.code, Some(3), "{stderr}");
    assert!(run.max_rss < MAX_RSS_BYTES, "batch: peak memory {} MB", run.max_rss >> 20);
    eprintln!("batch of the corpus and 2 good clips: {} MB, exit 3", run.max_rss >> 20);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).expect("batch.json")).expect("json");
    let clips = summary["clips"].as_array().expect("clips");
    let status = |name: &str| {
        clips.iter().find(|c| c["relative"] == name).map(|c| c["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status("base.mp4").as_deref(), Some("done"), "{summary:#}");
    assert_eq!(status("long_audio.mkv").as_deref(), Some("done"), "{summary:#}");
    let mut failures = csv::Reader::from_path(out.join("failures.csv")).expect("failures.csv");
    let rows: Vec<(String, String)> = failures.deserialize().map(|r| r.expect("row")).collect();
    for (name, cause) in &batch_failures {
        let row = rows.iter().find(|(c, _)| c == name).unwrap_or_else(|| panic!("{name:?} not in failures.csv"));
        assert!(row.1.contains(cause), "{name:?}: {}", row.1);
    }
    assert_eq!(rows.len(), batch_failures.len(), "{rows:?}");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}
