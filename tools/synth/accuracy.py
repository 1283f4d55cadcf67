#!/usr/bin/env python3
"""Accuracy of genu on synthetic clips with known knee valgus (issue #6).

Generates (or reuses) a set of clips with tools/synth/synth.py — camera views x valgus levels — runs
`genu analyze` on each and compares every rep's bottom values with the truth: rep count, FPPA error and bias
(per leg), knee-over-toe error, depth error, and whether the more valgus knee is named correctly.

Usage: python tools/synth/accuracy.py --out target/accuracy [--genu target/release/genu] [--set standard|yaw|back]
Prints a table by view and valgus level, and writes target/accuracy/accuracy.json.

`--set yaw` (issue #9): cameras turned -30..+30 degrees around the subject, valgus programmes 0/16, 16/0, 16/16,
0/0, deep squats and a chest-height camera. Errors are taken against the subject-frame truth (what a camera
square to the pelvis at knee height sees: what a clinician means), with the camera-frame truth beside it. The
clips are split into a tuning part (the thresholds in src/kinematics were chosen on it) and a held-out part,
reported separately.

`--set feet` (issue #14): feet turned out 0–30 degrees and pronating feet: knee over toe at the bottom and its
drift during the rep against the subject-frame truth, the knee-over-toe categories, and the toe-out read.
`--set stairs` (issue #10): stair ascents and descents rendered by stairs.py: task, step cycles, stance leg,
the stance knee's flexion and FPPA.
`--set lunge` (issue #10): split squats from the front, the side, behind, off square and from chest height, three
bodies: rep counts, the task and front leg, the front leg's FPPA, knee over toe and flexion.
`--set messy` (issue #10): walking in and out, set-up dips, long stands, a zoom, a hand-held camera drifting, clips cut mid-rep, rolled
cameras: exact rep counts and tasks. `--set back`: squats and single-leg squats filmed from behind (camera at 170–195 degrees around the subject):
whether genu sees a back view, keeps left and right the subject's, and withholds what it cannot measure there.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
VIEWS = {
    "front, knee height": ["--yaw-deg", "0", "--camera-height", "0.55"],
    "front, chest height": ["--yaw-deg", "0", "--camera-height", "1.3"],
    "15 deg off-axis": ["--yaw-deg", "15", "--camera-height", "0.55"],
    "30 deg off-axis": ["--yaw-deg", "30", "--camera-height", "0.55"],
    "behind": ["--yaw-deg", "180", "--camera-height", "0.55"],
    "side (sagittal)": ["--yaw-deg", "90", "--camera-height", "0.55"],
    "front, phone 90, 60 fps": ["--yaw-deg", "0", "--camera-height", "0.55", "--rotate", "90", "--fps", "60"],
}
LEVELS = [(0.0, 0.0), (0.0, 8.0), (0.0, 16.0), (0.0, 24.0), (16.0, 16.0)]
# Other bodies and colours, frontal camera at knee height, right knee 16 degrees.
VARIETY = {
    "front, muscular male": ["--yaw-deg", "0", "--camera-height", "0.55", "--body",
                             "african-male-young:1,universal-male-young-maxmuscle-maxweight:0.6", "--palette", "1"],
    "front, heavier female": ["--yaw-deg", "0", "--camera-height", "0.55", "--body",
                              "asian-female-young:1,universal-female-young-averagemuscle-maxweight:0.8", "--palette", "2"],
    "front, fast, 1 s holds": ["--yaw-deg", "0", "--camera-height", "0.55", "--period", "1.6", "--pause", "1.0",
                               "--depth", "0.4"],
}
# Single-leg tasks, left stance, frontal camera at knee height: (task, left FPPA at the bottom).
SINGLE = [("single-leg", 0.0), ("single-leg", 12.0), ("step-down", 0.0), ("step-down", 12.0)]


def montage(out: Path, clips: list[str], path: Path) -> None:
    """One frame (the first rep's bottom) of each clip, side by side in rows of six."""
    tiles = []
    for k, clip in enumerate(clips):
        tile = out / f".tile{k:02d}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "2.5", "-i", clip, "-frames:v", "1", "-vf",
                        "scale=180:320:force_original_aspect_ratio=decrease,pad=180:320:(ow-iw)/2:(oh-ih)/2",
                        str(tile)], check=True)
        tiles.append(tile)
    if not tiles:
        return
    cols = 6
    rows = (len(tiles) + cols - 1) // cols
    inputs = [arg for t in tiles for arg in ("-i", str(t))]
    layout = "|".join(f"{(i % cols) * 180}_{(i // cols) * 320}" for i in range(len(tiles)))
    subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex",
                    f"xstack=inputs={len(tiles)}:layout={layout}:fill=white" if len(tiles) > 1 else "null",
                    str(path)], check=True)
    for t in tiles:
        t.unlink()
    print(f"montage of {len(tiles)} clips ({rows} rows) in {path}")


# Two more bodies than the default figure (the sets below render some clips with them), each with its own palette.
MALE = ["--body", "african-male-young:1,universal-male-young-maxmuscle-maxweight:0.6", "--palette", "1"]
FEMALE = ["--body", "asian-female-young:1,universal-female-young-averagemuscle-maxweight:0.8", "--palette", "2"]

# (name, camera yaw, left, right, depth, camera height, split[, more synth.py arguments]). Tuning clips chose
# genu's yaw thresholds.
YAW_SET = [
    ("y0_0_16", 0, 0, 16, 0.3, 0.55, "tuning"),
    ("y10_0_16", 10, 0, 16, 0.3, 0.55, "tuning"),
    ("ym20_0_16", -20, 0, 16, 0.3, 0.55, "tuning"),
    ("y30_0_16", 30, 0, 16, 0.3, 0.55, "tuning"),
    ("y10_16_16", 10, 16, 16, 0.3, 0.55, "tuning"),
    ("ym20_16_16", -20, 16, 16, 0.3, 0.55, "tuning"),
    ("y30_16_0", 30, 16, 0, 0.3, 0.55, "tuning"),
    ("y10_deep_0_0", 10, 0, 0, 0.45, 0.55, "tuning"),
    ("ym20_deep_0_16", -20, 0, 16, 0.45, 0.55, "tuning"),
    ("y30_deep_0_0", 30, 0, 0, 0.45, 0.55, "tuning"),
    ("h_y0_deep_0_0", 0, 0, 0, 0.45, 0.55, "held-out"),
    ("h_ym10_0_16", -10, 0, 16, 0.3, 0.55, "held-out"),
    ("h_y20_0_16", 20, 0, 16, 0.3, 0.55, "held-out"),
    ("h_ym30_16_0", -30, 16, 0, 0.3, 0.55, "held-out"),
    ("h_y15_0_16", 15, 0, 16, 0.3, 0.55, "held-out"),
    ("h_ym15_16_16", -15, 16, 16, 0.3, 0.55, "held-out"),
    ("h_y5_0_0", 5, 0, 0, 0.3, 0.55, "held-out"),
    ("h_ym5_16_0", -5, 16, 0, 0.3, 0.55, "held-out"),
    ("h_y20_deep_0_0", 20, 0, 0, 0.45, 0.55, "held-out"),
    ("h_ym10_deep_0_16", -10, 0, 16, 0.45, 0.55, "held-out"),
    ("h_y15_16_16_chest", 15, 16, 16, 0.3, 1.3, "held-out"),
    ("h_ym15_0_0", -15, 0, 0, 0.3, 0.55, "held-out"),
    ("h_y0_16_16_chest", 0, 16, 16, 0.3, 1.3, "held-out"),
    ("h_y10_0_0", 10, 0, 0, 0.3, 0.55, "held-out"),
    ("h_ym20_16_0", -20, 16, 0, 0.3, 0.55, "held-out"),
    # Rendered after session 19's left/right finding from knee over toe (its rule was read off all the clips above
    # and the other rendered sets): its blind check.
    ("h2_y12_0_16", 12, 0, 16, 0.3, 0.55, "held-out"),
    ("h2_ym12_16_0", -12, 16, 0, 0.3, 0.55, "held-out"),
    ("h2_y8_12_12", 8, 12, 12, 0.3, 0.55, "held-out"),
    ("h2_ym8_deep_0_0", -8, 0, 0, 0.45, 0.55, "tuning"),
    ("h2_y18_0_16", 18, 0, 16, 0.3, 0.55, "held-out"),
    ("h2_y5_0_12_chest", 5, 0, 12, 0.3, 1.3, "held-out"),
    ("h2_ym15_deep_16_16", -15, 16, 16, 0.45, 0.55, "held-out"),
    ("h2_y3_0_10", 3, 0, 10, 0.35, 0.55, "held-out"),
    # h2_ym8_deep_0_0 then read "the right knee caves in more" (FPPA 13.3 degrees apart on knees programmed alike)
    # and led to the check of the angle's finding against knee over toe: rendered after that check, its blind test.
    ("h3_y7_deep_0_0", 7, 0, 0, 0.45, 0.55, "held-out"),
    ("h3_ym6_deep_12_12", -6, 12, 12, 0.45, 0.55, "held-out"),
    ("h3_y10_deep_16_0", 10, 16, 0, 0.45, 0.55, "held-out"),
    ("h3_ym4_0_0", -4, 0, 0, 0.35, 0.55, "held-out"),
    ("h3_y6_0_14_chest", 6, 0, 14, 0.3, 1.3, "held-out"),
    ("h3_ym9_12_0", -9, 12, 0, 0.3, 0.55, "held-out"),
    # Rendered after session 20's stated uncertainty (3 degrees of landmark error beside the yaw's share, chosen on
    # the tuning clips and the standard set): its blind check.
    ("h4_ym7_0_12", -7, 0, 12, 0.3, 0.55, "held-out"),
    ("h4_y9_14_0", 9, 14, 0, 0.3, 0.55, "held-out"),
    ("h4_ym11_deep_0_0", -11, 0, 0, 0.45, 0.55, "held-out"),
    ("h4_y4_10_10", 4, 10, 10, 0.35, 0.55, "held-out"),
    ("h4_ym3_12_0_chest", -3, 12, 0, 0.3, 1.3, "held-out"),
    ("h4_y13_deep_0_14", 13, 0, 14, 0.45, 0.55, "held-out"),
    ("h4_ym14_0_0", -14, 0, 0, 0.3, 0.55, "held-out"),
    ("h4_y2_deep_14_14", 2, 14, 14, 0.4, 0.55, "held-out"),
    # Rendered in session 21 with what real clips add to an off-square camera (a walk in or out, set-up dips, a
    # long stand, a furnished room, other bodies, a camera at 1 m): the yaw rules' blind check on messier footage.
    ("h5_y6_16_0_walk_in", 6, 16, 0, 0.3, 0.55, "held-out", ["--walk-in", "2.5"]),
    ("h5_ym9_0_14_setup", -9, 0, 14, 0.3, 0.55, "held-out", ["--setup-dips", "1"]),
    ("h5_y11_deep_0_0_room", 11, 0, 0, 0.45, 0.55, "held-out", ["--room"]),
    ("h5_ym5_12_12_female", -5, 12, 12, 0.3, 0.55, "held-out", FEMALE),
    ("h5_y3_14_0_male_1m", 3, 14, 0, 0.3, 1.0, "held-out", MALE),
    ("h5_ym13_0_12_walk_out", -13, 0, 12, 0.3, 0.55, "held-out", ["--walk-out", "3"]),
    ("h5_y8_deep_12_0_setup_room", 8, 12, 0, 0.45, 0.55, "held-out", ["--setup-dips", "1", "--room"]),
    ("h5_y0_0_0_long_stand", 0, 0, 0, 0.3, 0.55, "held-out", ["--lead", "5"]),
]


# Filmed from behind (issue #9, item 3): (name, camera yaw around the subject, left, right, depth, task, split).
# The facing rule and the per-leg withholding were chosen on the tuning clips.
BACK_SET = [
    ("b180_0_16", 180, 0, 16, 0.3, "squat", "tuning"),
    ("b180_16_0", 180, 16, 0, 0.3, "squat", "tuning"),
    ("b170_0_16", 170, 0, 16, 0.3, "squat", "tuning"),
    ("b195_16_16", 195, 16, 16, 0.3, "squat", "tuning"),
    ("hb175_0_16", 175, 0, 16, 0.3, "squat", "held-out"),
    ("hb185_16_0", 185, 16, 0, 0.3, "squat", "held-out"),
    ("hb180_16_16", 180, 16, 16, 0.3, "squat", "held-out"),
    ("hb180_deep_0_16", 180, 0, 16, 0.45, "squat", "held-out"),
    ("hb180_single_L12", 180, 12, 0, 0.15, "single-leg", "held-out"),
    ("hb175_single_R12", 175, 0, 12, 0.15, "single-leg", "held-out"),
]


def save(args, name: str, results, suffixed: bool = True) -> None:
    """Write a set's results as target/.../accuracy_NAME[_MODEL].json."""
    (args.out / f"accuracy_{name}{args.suffix if suffixed else ''}.json").write_text(json.dumps(results, indent=1))


def by_split(results):
    """(split, its results) for the tuning part, then the held-out part."""
    for split in ("tuning", "held-out"):
        yield split, [r for r in results if r["split"] == split]


def pooled(part, key):
    """Every value of list field `key` over the results `part`."""
    return [e for r in part for e in r[key]]


def mae(v) -> str:
    """Mean absolute value of `v` for the tables, or a dash for none."""
    return "    -" if not v else f"{np.mean(np.abs(v)):5.1f}"


def render_and_analyse(args, name: str, synth_args: list[str], generator: str = "synth.py", genu_args=(), tag=""):
    """Render clip `name` with `generator` (unless its truth is there already), run genu on it (with `genu_args`,
    results under `_genu{tag}`); the truth, the rows of reps.csv and summary.json."""
    clip = args.out / f"{name}.mp4"
    if not Path(str(clip) + ".truth.json").exists():
        subprocess.run([sys.executable, str(HERE / generator), str(clip), *synth_args], check=True,
                       stderr=subprocess.DEVNULL)
    truth = json.loads(Path(str(clip) + ".truth.json").read_text())
    res = args.out / f"{name}_genu{tag}{args.suffix}"
    subprocess.run([str(args.genu), "analyze", str(clip), "-o", str(res), "--no-overlay", "--no-report",
                    "--model", args.model, *genu_args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    rows = list(csv.DictReader(open(res / "reps.csv")))
    return truth, rows, json.loads((res / "summary.json").read_text())


# What real clips contain (issue #10): walking in and out, set-up dips with the feet shuffling, long stands, a
# slow zoom, a clip starting mid-rep, a rolled camera; (name, synth.py arguments, reps in the clip, task, stance
# leg, split). Held out unless marked: the two tuning clips changed rules (entering the picture, the free
# foot's travel), and the m2_ clips were rendered after that to check them.
MESSY_SET = [
    ("m_walk_in_out", ["--glide", "--reps", "3", "--walk-in", "3", "--walk-out", "3", "--fppa-deg", "0", "16"], 3, "squat", "", "held-out"),
    ("m_setup_dips", ["--glide", "--reps", "3", "--setup-dips", "2"], 3, "squat", "", "held-out"),
    ("m_walk_in_setup", ["--glide", "--reps", "2", "--walk-in", "2.5", "--setup-dips", "1", "--fppa-deg", "8", "0"], 2, "squat", "", "held-out"),
    ("m_long_stands", ["--reps", "2", "--lead", "5", "--tail", "5"], 2, "squat", "", "held-out"),
    ("m_zoom", ["--reps", "3", "--zoom", "1.4"], 3, "squat", "", "held-out"),
    ("m_cut_mid_descent", ["--reps", "3", "--cut-start", "2.1"], 3, "squat", "", "held-out"),
    ("m_cut_after_bottom", ["--reps", "3", "--cut-start", "3.4"], 2, "squat", "", "held-out"),
    ("m_roll8", ["--reps", "3", "--roll-deg", "8"], 3, "squat", "", "held-out"),
    ("m_walk_in_single", ["--glide", "--reps", "3", "--walk-in", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.15"],
     3, "single-leg-squat", "right", "tuning"),
    ("m_roll_m10_single", ["--reps", "3", "--roll-deg", "-10", "--task", "single-leg", "--stance", "L", "--depth",
                           "0.15"], 3, "single-leg-squat", "left", "held-out"),
    ("m_long_stepdown", ["--reps", "3", "--lead", "4", "--task", "step-down", "--stance", "L", "--depth", "0.15"], 3,
     "step-down", "left", "tuning"),
    # Rendered after the rules above were set (issue #10's held-out check of the rules the tuning clips changed).
    ("m2_walk_out_single", ["--glide", "--reps", "2", "--walk-out", "3", "--task", "single-leg", "--stance", "L", "--depth",
                            "0.15", "--fppa-deg", "10", "0"], 2, "single-leg-squat", "left", "held-out"),
    ("m2_setup3_deep", ["--glide", "--reps", "2", "--setup-dips", "3", "--depth", "0.45"], 2, "squat", "", "held-out"),
    ("m2_stepdown_right_zoom", ["--reps", "3", "--task", "step-down", "--stance", "R", "--depth", "0.15", "--zoom",
                                "1.3"], 3, "step-down", "right", "held-out"),
    ("m2_walk_in_stepdown", ["--reps", "2", "--lead", "3", "--task", "step-down", "--stance", "R", "--depth", "0.2",
                             "--camera-height", "1.0"], 2, "step-down", "right", "held-out"),
    # A hand-held camera drifting (session 14): the rules that read the feet's travel in the picture were made to
    # take what both feet do alike as the camera's on these tuning clips.
    ("m3_sway_squat", ["--reps", "3", "--sway", "0.1"], 3, "squat", "", "tuning"),
    ("m3_sway_stepdown", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.15", "--sway", "0.1"],
     3, "step-down", "left", "tuning"),
    ("m3_zoom_single", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.15", "--zoom", "1.3"], 3,
     "single-leg-squat", "right", "tuning"),
    # Rendered after that rule was set: its held-out check.
    # (m4_sway_single_left and m4_zoom_sway_stepdown_left missed a rep each, two merged by the camera dipping
    # between them; they drove the split at stands of session 15 and are tuning since: the m8_ clips check it.)
    ("m4_sway_single_left", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.15", "--sway",
                             "0.12"], 3, "single-leg-squat", "left", "tuning"),
    ("m4_sway_stepdown_right_chest", ["--reps", "3", "--task", "step-down", "--stance", "R", "--depth", "0.2",
                                      "--sway", "0.08", "--camera-height", "1.0", *FEMALE], 3, "step-down", "right",
     "held-out"),
    ("m4_zoom_sway_stepdown_left", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.15", "--zoom",
                                    "1.25", "--sway", "0.06", *MALE], 3, "step-down", "left", "tuning"),
    ("m4_sway_deep_squat", ["--reps", "3", "--depth", "0.45", "--sway", "0.1", "--fppa-deg", "0", "16"], 3, "squat",
     "", "held-out"),
    ("m4_sway_walk_in_squat", ["--glide", "--reps", "2", "--walk-in", "2.5", "--sway", "0.08"], 2, "squat", "", "held-out"),
    # Stepping feet (session 14: the clips above glide the whole body through walks and set-ups, as a drifting
    # camera moves it); the feet-travel rule asks for the feet's stance to change, chosen on these two.
    ("m5_step_walk_in_setup", ["--reps", "2", "--walk-in", "2.5", "--setup-dips", "1"], 2, "squat", "", "tuning"),
    ("m5_step_setup_dips", ["--reps", "3", "--setup-dips", "2", "--fppa-deg", "0", "10"], 3, "squat", "", "tuning"),
    # Rendered after that rule was set: its held-out check.
    ("m6_step_walk_in_out", ["--reps", "3", "--walk-in", "3", "--walk-out", "3", "--fppa-deg", "0", "16"], 3, "squat",
     "", "held-out"),
    ("m6_step_walk_in_single", ["--reps", "3", "--walk-in", "3", "--task", "single-leg", "--stance", "L", "--depth",
                                "0.15"], 3, "single-leg-squat", "left", "held-out"),
    ("m6_step_setup3_deep_female", ["--reps", "2", "--setup-dips", "3", "--depth", "0.45", *FEMALE], 2, "squat", "",
     "held-out"),
    ("m6_sway_step_walk_in_setup", ["--reps", "2", "--walk-in", "2.5", "--setup-dips", "1", "--sway", "0.08"], 2,
     "squat", "", "held-out"),
    # This one lost both reps (BlazePose's guesses of the legs beyond the picture set the standing level) and
    # changed that rule: tuning since; the m7_ ones were rendered after.
    ("m6_step_walk_out_single_male", ["--reps", "2", "--walk-out", "3", "--task", "single-leg", "--stance", "R",
                                      "--depth", "0.15", *MALE], 2, "single-leg-squat", "right", "tuning"),
    ("m7_step_walk_out_single_left_female", ["--reps", "2", "--walk-out", "3", "--task", "single-leg", "--stance", "L",
                                             "--depth", "0.15", *FEMALE], 2, "single-leg-squat", "left", "held-out"),
    ("m7_step_walk_in_out_deep_male", ["--reps", "2", "--walk-in", "3", "--walk-out", "3", "--depth", "0.45",
                                       "--fppa-deg", "12", "0", *MALE], 2, "squat", "", "held-out"),
    ("m7_sway_step_walk_out_single", ["--reps", "2", "--lead", "2", "--walk-out", "3", "--task", "single-leg",
                                        "--stance", "R", "--depth", "0.12", "--sway", "0.06"], 2, "single-leg-squat",
     "right", "held-out"),
    # Rendered after the split at stands (session 15), each with the hand's sways started elsewhere.
    # (These two drove the free-foot share of session 15, which replaced the slope: tuning since.)
    ("m8_sway_single_right_female", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.13",
                                     "--sway", "0.1", "--sway-phase", "1.7", *FEMALE], 3, "single-leg-squat", "right",
     "tuning"),
    ("m8_sway_stepdown_left_male", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.18",
                                    "--sway", "0.1", "--sway-phase", "3.1", *MALE], 3, "step-down", "left", "tuning"),
    ("m8_zoom_sway_single_left_chest", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.15",
                                        "--zoom", "1.2", "--sway", "0.08", "--sway-phase", "0.6", "--camera-height",
                                        "1.0"], 3, "single-leg-squat", "left", "held-out"),
    ("m8_sway_squat_shallow", ["--reps", "4", "--depth", "0.2", "--sway", "0.1", "--sway-phase", "2.4"], 4, "squat", "",
     "held-out"),
    ("m8_sway_pause_single_right", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.15",
                                    "--pause", "0.6", "--sway", "0.12", "--sway-phase", "4.2"], 3, "single-leg-squat",
     "right", "held-out"),
    # Rendered after the free-foot share (session 15).
    ("m9_sway_single_left_male", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.14",
                                  "--sway", "0.1", "--sway-phase", "2.9", *MALE], 3, "single-leg-squat", "left",
     "held-out"),
    ("m9_sway_stepdown_right_female_chest", ["--reps", "3", "--task", "step-down", "--stance", "R", "--depth", "0.17",
                                             "--sway", "0.1", "--sway-phase", "0.9", "--camera-height", "1.0",
                                             *FEMALE], 3, "step-down", "right", "held-out"),
    ("m9_sway_single_right_deep", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.22",
                                   "--sway", "0.12", "--sway-phase", "3.7"], 3, "single-leg-squat", "right", "held-out"),
    ("m9_sway_stepdown_left", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.15", "--sway",
                               "0.08", "--sway-phase", "5.0"], 3, "step-down", "left", "held-out"),
    # Rendered after `--hand-held` was written on all the hand-held clips above (session 15): its held-out check
    # (HAND_HELD_HELD_OUT), and the plain pipeline's too.
    ("m10_sway_single_left_female_chest", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.16",
                                           "--sway", "0.1", "--sway-phase", "1.1", "--camera-height", "1.0", *FEMALE],
     3, "single-leg-squat", "left", "held-out"),
    ("m10_sway_stepdown_right_male", ["--reps", "3", "--task", "step-down", "--stance", "R", "--depth", "0.16",
                                      "--sway", "0.12", "--sway-phase", "4.6", *MALE], 3, "step-down", "right",
     "held-out"),
    ("m10_sway_squat_deep_female", ["--reps", "3", "--depth", "0.45", "--fppa-deg", "0", "12", "--sway", "0.1",
                                    "--sway-phase", "3.3", *FEMALE], 3, "squat", "", "held-out"),
    ("m10_sway_step_walk_in_single", ["--reps", "3", "--walk-in", "2.5", "--task", "single-leg", "--stance", "R",
                                      "--depth", "0.15", "--sway", "0.08", "--sway-phase", "2.0"], 3,
     "single-leg-squat", "right", "held-out"),
    ("m10_zoom_sway_stepdown_left", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.15",
                                     "--zoom", "1.15", "--sway", "0.1", "--sway-phase", "0.3"], 3, "step-down", "left",
     "held-out"),
    # Rendered after the held bottom (session 25: a rep's bottom is the middle of its hold), as its check.
    ("m11_pause_squat_deep_female", ["--reps", "3", "--depth", "0.45", "--pause", "1.0", *FEMALE], 3, "squat", "",
     "held-out"),
    ("m11_pause_single_left_male", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.15",
                                    "--pause", "0.8", *MALE], 3, "single-leg-squat", "left", "held-out"),
    ("m11_pause_stepdown_right", ["--reps", "3", "--task", "step-down", "--stance", "R", "--depth", "0.16",
                                  "--pause", "0.5"], 3, "step-down", "right", "held-out"),
    ("m11_pause_single_right_chest", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.14",
                                      "--pause", "1.2", "--camera-height", "1.0"], 3, "single-leg-squat", "right",
     "held-out"),
    ("m11_sway_pause_squat", ["--reps", "3", "--depth", "0.3", "--pause", "0.8", "--sway", "0.08", "--sway-phase",
                              "2.8"], 3, "squat", "", "held-out"),
]
# `--hand-held` was written looking at every hand-held clip before these: only they are held out for it.
HAND_HELD_HELD_OUT = ("m10_", "m11_")


def messy_set(args) -> int:
    """Rep counts and tasks on clips with what real footage contains; the hand-held clips (`--sway`) once more
    with `genu analyze --hand-held`, in a table of their own."""
    plain = messy_table(args, MESSY_SET, (), "")
    hand_held = [(*c[:5], "held-out" if c[0].startswith(HAND_HELD_HELD_OUT) else "tuning")
                 for c in MESSY_SET if "--sway" in c[1]]
    print("\nThe hand-held clips with `genu analyze --hand-held` (the picture steadied on the planted foot):")
    steadied = messy_table(args, hand_held, ("--hand-held",), "_hh")
    save(args, "messy", plain + [dict(r, hand_held=True) for r in steadied], suffixed=False)
    return 0


# The camera's motion read from the picture's background (session 18): the hand-held clips above rendered again in
# a textured room (`--room`), the hand turning the phone (`--sway-turn`, as a wrist does; the subject, floor and
# wall then move alike in the picture), with the plain pipeline only. Tuning: the m3_/m4_ ones (the estimator's
# thresholds were chosen on them); held out: the m8_ to m10_ ones. Checks besides: still cameras in the room
# (nothing may change), the hand moving the phone instead (the wall, 2.5 m behind the subject, then moves less
# than the subject), and a zoom.
ROOM_CHECKS = [
    ("r_still_squat", ["--reps", "3", "--fppa-deg", "0", "16"], 3, "squat", "", "held-out"),
    ("r_still_single_left", ["--reps", "3", "--task", "single-leg", "--stance", "L", "--depth", "0.15"], 3,
     "single-leg-squat", "left", "held-out"),
    ("r_still_walk_in_setup", ["--reps", "2", "--walk-in", "2.5", "--setup-dips", "1"], 2, "squat", "", "held-out"),
    ("r_move_single_right", ["--reps", "3", "--task", "single-leg", "--stance", "R", "--depth", "0.15", "--sway",
                             "0.1", "--sway-phase", "1.3"], 3, "single-leg-squat", "right", "held-out"),
    ("r_zoom_stepdown_left", ["--reps", "3", "--task", "step-down", "--stance", "L", "--depth", "0.15", "--zoom",
                              "1.3"], 3, "step-down", "left", "held-out"),
]


def room_set(args) -> int:
    """Rep counts and tasks of hand-held clips in a textured room, the camera's motion read from the background."""
    turned = [("r_" + name, [*extra, "--room", "--sway-turn"], reps, task, stance,
               "tuning" if name.startswith(("m3_", "m4_")) else "held-out")
              for name, extra, reps, task, stance, _ in MESSY_SET if "--sway" in extra]
    checks = [(name, [*extra, "--room"], *rest) for name, extra, *rest in ROOM_CHECKS]
    results = messy_table(args, turned + checks, (), "")
    save(args, "room", results, suffixed=False)
    return 0


def messy_table(args, clips, genu_args, tag):
    """Runs genu on `clips` (rows of MESSY_SET) and prints their table; the results."""
    results = []
    for name, extra, want_reps, want_task, want_stance, split in clips:
        truth, rows, summary = render_and_analyse(args, name, extra, genu_args=genu_args, tag=tag)
        assert len(truth["reps"]) == want_reps, (name, len(truth["reps"]))
        rows = [r for r in rows if r["leg"] == "left"]
        bottoms = [float(r["t_bottom_s"]) for r in rows]
        matched = sum(any(abs(b - tr["bottom_s"]) <= 0.3 for b in bottoms) for tr in truth["reps"])
        results.append({"clip": name, "split": split, "reps": len(rows), "reps_true": want_reps, "matched": matched,
                        "tasks_ok": all(r["task"] == want_task and r["stance_leg"] == want_stance for r in rows),
                        "ignored": len(summary["analysis"]["reps"].get("ignored", [])),
                        "flagged": sum(r["flagged"] == "true" for r in rows),
                        "roll": summary["analysis"]["signals"]["roll_deg"]})
    print(f"{'clip':24} {'split':8} {'reps':>6} {'bottoms':>8} {'task':>5} {'ignored':>8} {'flagged':>8} {'roll':>6}")
    for r in results:
        print(f"{r['clip']:24} {r['split']:8} {r['reps']:>3}/{r['reps_true']:<2} {r['matched']:>8} {'ok' if r['tasks_ok'] else 'WRONG':>5} "
              f"{r['ignored']:>8} {r['flagged']:>8} {r['roll']:6.1f}")
    for split, part in by_split(results):
        exact = sum(r["reps"] == r["reps_true"] == r["matched"] for r in part)
        print(f"{split:8}: {len(part)} clips; rep counts exact (every bottom within 0.3 s) {exact}; tasks and stance "
              f"right {sum(r['tasks_ok'] for r in part)}")
    return results


# Lunges and split squats (issue #10): the front foot ahead, the back foot on the ball of the foot, the back knee
# lowered toward the floor; (name, synth.py arguments, reps, front leg, split). The lunge rule
# (src/reps/classify.rs) was chosen on the tuning clips and the real clips; the held-out ones were rendered after.
LUNGE_SET = [
    ("l_front_R10", ["--stance", "R", "--fppa-deg", "0", "10", "--depth", "0.3"], 2, "right", "tuning"),
    ("l_side_L", ["--stance", "L", "--depth", "0.3", "--yaw-deg", "90", "--reps", "3"], 3, "left", "tuning"),
    ("l_ym30_L10", ["--stance", "L", "--fppa-deg", "10", "0", "--depth", "0.3", "--yaw-deg", "-30"], 2, "left",
     "tuning"),
    ("hl_chest_R", ["--stance", "R", "--depth", "0.35", "--camera-height", "1.3"], 2, "right", "held-out"),
    ("hl_y10_L", ["--stance", "L", "--depth", "0.3", "--yaw-deg", "10", "--reps", "3"], 3, "left", "held-out"),
    ("hl_side_R_deep_male", ["--stance", "R", "--depth", "0.4", "--yaw-deg", "-90", *MALE], 2, "right", "held-out"),
    ("hl_ym15_R12_female", ["--stance", "R", "--fppa-deg", "0", "12", "--depth", "0.35", "--yaw-deg", "-15", *FEMALE],
     2, "right", "held-out"),
    ("hl_front_L8_male", ["--stance", "L", "--fppa-deg", "8", "0", "--depth", "0.25", *MALE], 2, "left", "held-out"),
    ("hl_behind_L", ["--stance", "L", "--depth", "0.3", "--yaw-deg", "180"], 2, "left", "held-out"),
    # Rendered after the knee step was lowered from 0.25 to 0.2 (for the fixture lunge_front_left8, hip drop 22 %).
    ("hl2_front_R_shallow_female", ["--stance", "R", "--depth", "0.2", "--yaw-deg", "5", "--fppa-deg", "0", "6",
                                    *FEMALE], 2, "right", "held-out"),
    ("hl2_chest_L_male", ["--stance", "L", "--depth", "0.3", "--camera-height", "1.0", "--yaw-deg", "-10", *MALE],
     2, "left", "held-out"),
]


def lunge_set(args) -> int:
    """Rep counts, the task and the front leg of lunges, and the front leg's values against the subject's truth."""
    results = []
    for name, extra, want_reps, front, split in LUNGE_SET:
        truth, rows, summary = render_and_analyse(args, name, ["--task", "split-squat", "--reps", str(want_reps), *extra])
        k = 0 if front == "left" else 1
        mine = [r for r in rows if r["leg"] == front]
        bottoms = [float(r["t_bottom_s"]) for r in mine]
        matched = sum(any(abs(b - tr["bottom_s"]) <= 0.3 for b in bottoms) for tr in truth["reps"])
        fppa, kto, flexion = [], [], []
        for tr in truth["reps"]:
            r = next((r for r in mine if abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0), None)
            if r is None:
                continue
            frame = min(truth["frames"], key=lambda f: abs(f["t_s"] - tr["bottom_s"]))
            if r["fppa_bottom_deg"]:
                fppa.append(float(r["fppa_bottom_deg"]) - tr["fppa_subject_deg"][k])
            if r["kto_bottom_pct_shank"]:
                kto.append(float(r["kto_bottom_pct_shank"]) - tr["kto_subject_pct_shank"][k])
            if r["knee_flexion_deg"]:
                flexion.append(float(r["knee_flexion_deg"]) - frame["knee_flexion_deg"][k])
        results.append({"clip": name, "split": split, "reps": len(mine), "reps_true": want_reps, "matched": matched,
                        "tasks_ok": bool(rows) and all(r["task"] == "lunge" and r["stance_leg"] == front for r in rows),
                        "fppa_err": fppa, "kto_err": kto, "flexion_err": flexion,
                        "back_leg_empty": all(not r["fppa_bottom_deg"] and not r["kto_bottom_pct_shank"]
                                              for r in rows if r["leg"] != front)})
    save(args, "lunge", results, suffixed=False)
    print(f"{'clip':22} {'split':8} {'reps':>6} {'bottoms':>8} {'task':>5} {'FPPA err':>16} {'KTO err':>16} "
          f"{'flexion err':>18}")
    fmt = lambda v: " ".join(f"{x:+.1f}" for x in v) or "-"
    for r in results:
        print(f"{r['clip']:22} {r['split']:8} {r['reps']:>3}/{r['reps_true']:<2} {r['matched']:>8} "
              f"{'ok' if r['tasks_ok'] else 'WRONG':>5} {fmt(r['fppa_err']):>16} {fmt(r['kto_err']):>16} "
              f"{fmt(r['flexion_err']):>18}")
    for split, part in by_split(results):
        exact = sum(r["reps"] == r["reps_true"] == r["matched"] for r in part)
        n = sum(r["reps_true"] for r in part)
        print(f"{split:8}: {len(part)} clips; rep counts exact {exact}; task lunge with the right front leg "
              f"{sum(r['tasks_ok'] for r in part)}; back leg empty {sum(r['back_leg_empty'] for r in part)}; front "
              f"leg FPPA {len(pooled(part, 'fppa_err'))}/{n} reps, MAE {mae(pooled(part, 'fppa_err'))} deg; knee over "
              f"toe {len(pooled(part, 'kto_err'))}/{n}, MAE {mae(pooled(part, 'kto_err'))} % shank; knee flexion "
              f"{len(pooled(part, 'flexion_err'))}/{n}, MAE {mae(pooled(part, 'flexion_err'))} deg")
    return 0


# Mixed clips (issue #10: "a mixed clip gets the right task per rep"): bilateral squats and single-leg squats on
# each leg in one clip; (name, synth.py arguments, split). The per-task findings and the one-leg tasks' left/right
# comparison were written on mx1 (tuning); the hm_ ones were rendered after, blind. Two of them lost their single-
# leg reps as dips under 40 % of the squats' depth, and the one-leg reps' own typical depth was written for them:
# they are tuning clips now; the hm2_ ones were rendered after that.
SL = "single-leg"
MIXED_SET = [
    ("mx1", ["--mix", "squat", "squat", f"{SL}:L:0.15", f"{SL}:L:0.15", f"{SL}:R:0.15", f"{SL}:R:0.15",
             "--fppa-deg", "0", "10"], "tuning"),
    ("hm_y10_left_worse", ["--mix", "squat", "squat", f"{SL}:R:0.15", f"{SL}:R:0.15", f"{SL}:L:0.15", f"{SL}:L:0.15",
                           "--yaw-deg", "10", "--fppa-deg", "12", "0"], "tuning"),
    ("hm_female_chest_alike", ["--mix", f"{SL}:L:0.2", f"{SL}:L:0.2", "squat::0.35", "squat::0.35", f"{SL}:R:0.2",
                               f"{SL}:R:0.2", "--camera-height", "1.0", "--fppa-deg", "8", "8", *FEMALE],
     "held-out"),
    ("hm_male_deep_alternating", ["--mix", "squat::0.45", "squat::0.45", f"{SL}:L:0.15", f"{SL}:R:0.15",
                                  f"{SL}:L:0.15", f"{SL}:R:0.15", "--period", "2.5", "--fppa-deg", "0", "14", *MALE],
     "tuning"),
    ("hm_walk_in_right_worse", ["--glide", "--walk-in", "2.5", "--mix", "squat", f"{SL}:L:0.15", f"{SL}:L:0.15", f"{SL}:R:0.15",
                                f"{SL}:R:0.15", "--fppa-deg", "0", "14"], "held-out"),
    ("hm2_female_deep_then_single_alike", ["--mix", "squat::0.4", "squat::0.4", "squat::0.4", f"{SL}:R:0.15",
                                           f"{SL}:R:0.15", f"{SL}:L:0.15", f"{SL}:L:0.15", "--yaw-deg", "-5", *FEMALE],
     "held-out"),
    ("hm2_male_single_first_left_worse", ["--mix", f"{SL}:L:0.2", f"{SL}:R:0.2", f"{SL}:L:0.2", f"{SL}:R:0.2",
                                          "squat::0.3", "squat::0.3", "--fppa-deg", "14", "0", "--camera-height",
                                          "0.8", *MALE], "held-out"),
    ("hm2_zoom_shallow_single", ["--mix", "squat::0.45", "squat::0.45", f"{SL}:L:0.12", f"{SL}:L:0.12",
                                 f"{SL}:R:0.12", f"{SL}:R:0.12", "--zoom", "1.2"], "held-out"),
]


def mixed_set(args) -> int:
    """Per-rep tasks and stance legs in clips that mix tasks, the findings' groups, and which knee the single-leg
    reps name worse (against the subject-frame truth of each stance knee)."""
    results = []
    for name, extra, split in MIXED_SET:
        truth, rows, summary = render_and_analyse(args, name, extra)
        want = [("squat", "") if tr["task"] == "squat" else
                ("single-leg-squat", "left" if tr["stance"] == "L" else "right") for tr in truth["reps"]]
        mine = [r for r in rows if r["leg"] == "left"]
        bottoms = [float(r["t_bottom_s"]) for r in mine]
        matched = sum(any(abs(b - tr["bottom_s"]) <= 0.3 for b in bottoms) for tr in truth["reps"])
        got = [(r["task"], r["stance_leg"]) for r in mine]
        # Each stance knee's error against the subject-frame truth at the bottom, and the truth per stance leg.
        err, stance_truth = [], {"left": [], "right": []}
        for tr, (task, stance) in zip(truth["reps"], want):
            if not stance:
                continue
            k = 0 if stance == "left" else 1
            stance_truth[stance].append(tr["fppa_subject_deg"][k])
            r = next((r for r in rows if r["leg"] == stance and abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0),
                     None)
            if r is not None and r["fppa_bottom_deg"]:
                err.append(float(r["fppa_bottom_deg"]) - tr["fppa_subject_deg"][k])
        diff = np.mean(stance_truth["left"]) - np.mean(stance_truth["right"])
        findings = summary["findings"]
        named = [f for f in findings if "standing on the left leg" in f]
        if not named:
            verdict = "none"
        elif named[0].startswith("No left/right"):
            verdict = "right" if abs(diff) < 8 else "missed"
        else:
            worse = "left" if named[0].startswith("The left") else "right"
            verdict = "right" if abs(diff) >= 8 and worse == ("left" if diff > 0 else "right") else "WRONG"
        headings = [f for f in findings if f.endswith("):")]
        results.append({"clip": name, "split": split, "reps": len(mine), "reps_true": len(truth["reps"]),
                        "matched": matched, "tasks_right": sum(g == w for g, w in zip(got, want)) if len(got) == len(want)
                        else 0, "headings": headings, "stance_fppa_err": err, "single_leg_lr": verdict,
                        "true_lr_diff": float(diff)})
    save(args, "mixed", results, suffixed=False)
    print(f"{'clip':28} {'split':8} {'reps':>6} {'bottoms':>8} {'tasks':>6} {'stance FPPA err':>24} {'L/R (true)':>16}")
    fmt = lambda v: " ".join(f"{x:+.1f}" for x in v) or "-"
    for r in results:
        print(f"{r['clip']:28} {r['split']:8} {r['reps']:>3}/{r['reps_true']:<2} {r['matched']:>8} "
              f"{r['tasks_right']:>3}/{r['reps_true']:<2} {fmt(r['stance_fppa_err']):>24} "
              f"{r['single_leg_lr']:>7} ({r['true_lr_diff']:+.0f})")
        print(f"{'':28} findings' headings: {' | '.join(r['headings']) or '-'}")
    for split, part in by_split(results):
        exact = sum(r["reps"] == r["reps_true"] == r["matched"] for r in part)
        n = sum(r["reps_true"] for r in part)
        verdicts = [r["single_leg_lr"] for r in part]
        print(f"{split:8}: {len(part)} clips; rep counts exact {exact}; per-rep task and stance right "
              f"{sum(r['tasks_right'] for r in part)}/{n}; stance-knee FPPA {len(pooled(part, 'stance_fppa_err'))} "
              f"reported, MAE {mae(pooled(part, 'stance_fppa_err'))} deg; single-leg left/right finding: right "
              f"{verdicts.count('right')}, none {verdicts.count('none')}, missed {verdicts.count('missed')}, wrong "
              f"{verdicts.count('WRONG')}")
    return 0


# Feet turned out (issue #14): (name, synth.py arguments, split). The toe-out mapping (TOE_OUT_SCALE,
# TOE_OUT_RAW_AT_STRAIGHT in src/kinematics/metrics.rs) was fitted on the tuning clips; the others are held out.
FEET_SET = [
    ("f_toe_out0", ["--reps", "2", "--toe-out-deg", "0", "0"], "tuning"),
    ("f_toe_out15", ["--reps", "2", "--toe-out-deg", "15", "15"], "tuning"),
    ("f_toe_out30", ["--reps", "2", "--toe-out-deg", "30", "30"], "tuning"),
    ("f_toe_out20_valgus", ["--reps", "2", "--toe-out-deg", "20", "20", "--fppa-deg", "0", "12"], "tuning"),
    ("f_toe_out15_single", ["--reps", "2", "--toe-out-deg", "15", "15", "--task", "single-leg", "--stance", "R",
                            "--depth", "0.15"], "tuning"),
    ("hf_toe_out10_25", ["--reps", "2", "--toe-out-deg", "10", "25"], "held-out"),
    ("hf_toe_out25_5_valgus", ["--reps", "2", "--toe-out-deg", "25", "5", "--fppa-deg", "10", "0"], "held-out"),
    ("hf_toe_out20_single", ["--reps", "2", "--toe-out-deg", "20", "20", "--task", "single-leg", "--stance", "L",
                             "--depth", "0.15"], "held-out"),
    ("hf_toe_out15_chest", ["--reps", "2", "--toe-out-deg", "15", "15", "--camera-height", "1.0"], "held-out"),
    # Pronating feet: each planted foot everts (arch collapse) as the hips go down, the ankle moving medially.
    ("f_pronate15", ["--reps", "2", "--pronate-deg", "15", "15"], "tuning"),
    ("f_pronate10_single", ["--reps", "2", "--pronate-deg", "0", "10", "--task", "single-leg", "--stance", "R",
                            "--depth", "0.15"], "tuning"),
    ("hf_pronate10_toe15", ["--reps", "2", "--pronate-deg", "10", "10", "--toe-out-deg", "15", "15"], "held-out"),
    ("hf_pronate15_0_valgus", ["--reps", "2", "--pronate-deg", "15", "0", "--fppa-deg", "0", "8"], "held-out"),
    ("hf_pronate12_step", ["--reps", "2", "--pronate-deg", "12", "0", "--task", "step-down", "--stance", "L"],
     "held-out"),
    ("hf_pronate10_chest", ["--reps", "2", "--pronate-deg", "10", "10", "--camera-height", "1.0"], "held-out"),
]

# The model figure's own feet point this far outward (degrees; inward when negative): its ankle-to-second-toe
# direction at rest, for truths written before synth.py recorded the toe-out.
FIGURE_TOE_OUT_DEG = -2.56


def loaded_legs(truth, rows):
    """Per true rep and weight-bearing leg: (leg index, the true rep, the reps.csv row whose bottom is within 1 s);
    free legs of single-leg tasks and legs without a row are skipped."""
    for tr in truth["reps"]:
        for k, leg in enumerate(["left", "right"]):
            r = next((r for r in rows if r["leg"] == leg and abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0), None)
            if r is not None and "free leg" not in r["kto_note"]:
                yield k, tr, r


# How genu reads the drift (src/reps/mod.rs): the peak over the loaded phase (hip at least this fraction of the
# way down) minus the standing position before the descent.
LOADED_FRACTION = 0.5
STANDING_LOOKBACK_S = 1.0
# The truth's standing position: the subject standing still (hips within this much of leg length of standing),
# the last second of it before the rep; back-to-back reps have no such moment between them, so the stand before
# an earlier rep counts (the knee's position while standing, not half-way out of the last rep).
STILL_DROP_PCT = 0.5
MIN_STAND_S = 0.3


def true_drift(truth, rep, k):
    """The subject-frame knee-over-toe drift of leg `k` over true rep `rep`: most medial over the loaded phase
    minus where the knee stood still before it (after it when the rep starts the clip)."""
    still = lambda f: f["hip_drop_pct_leg"] <= STILL_DROP_PCT
    stands = [run for run in (list(g) for k, g in itertools.groupby(truth["frames"], key=still) if k)
              if run[-1]["t_s"] - run[0]["t_s"] >= MIN_STAND_S]
    before = [st for st in stands if st[0]["t_s"] <= rep["descent_start_s"]]
    if before:
        last = before[-1]
        end = min(last[-1]["t_s"], rep["descent_start_s"])
        values = [f["kto_subject_pct_shank"][k] for f in last if end - STANDING_LOOKBACK_S <= f["t_s"] <= end]
    else:
        values = [f["kto_subject_pct_shank"][k] for f in stands[0] if f["t_s"] <= stands[0][0]["t_s"] + STANDING_LOOKBACK_S]
    return true_peak(truth, rep, k) - float(np.median(values))


def true_peak(truth, rep, k):
    """The most medial subject-frame knee over toe of leg `k` over the loaded phase of true rep `rep`."""
    return max(f["kto_subject_pct_shank"][k] for f in truth["frames"]
               if rep["descent_start_s"] <= f["t_s"] <= rep["ascent_end_s"]
               and f["hip_drop_pct_leg"] >= LOADED_FRACTION * rep["depth_pct_leg"])


# The knee-over-toe band (src/reps/mod.rs KTO_OVER_TOE_BAND_PCT), % of shank.
KTO_BAND = 5.0


def category_calls(truth, rows):
    """Per weight-bearing leg-rep whose knee ends medial of the band in truth or in genu: (the true drift, or
    None when the true knee is not medial of the band; genu's kto_category)."""
    calls = []
    for k, tr, r in loaded_legs(truth, rows):
        medial = true_peak(truth, tr, k) > KTO_BAND
        if medial or r["kto_category"].startswith("medial"):
            calls.append((true_drift(truth, tr, k) if medial else None, r["kto_category"] or "-"))
    return calls


def category_line(calls) -> str:
    """How genu's knee-over-toe categories compare with the truth's, for the tables: a red call is right when
    the true knee drifted more than the band, plainly wrong when it drifted less than 2 % of shank (or is not
    medial); an at-rest call is right when it drifted at most the band, plainly wrong beyond 8 %."""
    red = [d for d, g in calls if g == "medial_to_toe"]
    rest = [d for d, g in calls if g == "medial_at_rest"]
    unclear = sum(g == "medial_unclear" for _, g in calls)
    return (f"categories of {len(calls)} medial leg-reps: red {len(red)} (caved in truth {sum(d is not None and d > KTO_BAND for d in red)}, "
            f"plainly wrong {sum(d is None or d < 2.0 for d in red)}), at rest {len(rest)} (stood in truth "
            f"{sum(d is not None and d <= KTO_BAND for d in rest)}, plainly wrong {sum(d is not None and d > 8.0 for d in rest)}), "
            f"unclear {unclear}")


def kto_errors(truth, rows):
    """Knee over toe at the bottom and its drift during the rep, genu minus the subject-frame truth, on the
    weight-bearing legs; and how many of them genu withheld."""
    bottom, drift, withheld = [], [], 0
    for k, tr, r in loaded_legs(truth, rows):
        if r["kto_bottom_pct_shank"]:
            bottom.append(float(r["kto_bottom_pct_shank"]) - tr["kto_subject_pct_shank"][k])
        else:
            withheld += 1
        if r["kto_drift_pct_shank"]:
            drift.append(float(r["kto_drift_pct_shank"]) - true_drift(truth, tr, k))
    return bottom, drift, withheld


def feet_set(args) -> int:
    """Knee over toe against the subject-frame truth, and the toe-out read, with the feet turned out."""
    results = []
    for name, extra, split in FEET_SET:
        truth, rows, _ = render_and_analyse(args, name, extra)
        toe_truth = truth["standing"].get("toe_out_deg") or [t + FIGURE_TOE_OUT_DEG for t in truth["settings"]["toe_out_deg"]]
        errs, drift, withheld = kto_errors(truth, rows)
        toe_errs = [float(r["toe_out_deg"]) - toe_truth[k] for k, _, r in loaded_legs(truth, rows) if r["toe_out_deg"]]
        results.append({"clip": name, "split": split, "kto_err": errs, "drift_err": drift, "toe_err": toe_errs,
                        "calls": category_calls(truth, rows), "withheld": withheld,
                        "reps": len({r["rep"] for r in rows}), "reps_true": len(truth["reps"]), "toe_truth": toe_truth})
    save(args, "feet", results)
    for r in results:
        print(f"{r['clip']:22} {r['split']:8} reps {r['reps']}/{r['reps_true']}  knee over toe MAE {mae(r['kto_err'])} % shank "
              f"(max {max(np.abs(r['kto_err']), default=0):.1f}) on {len(r['kto_err'])} leg-reps, {r['withheld']} withheld, "
              f"drift MAE {mae(r['drift_err'])} (max {max(np.abs(r['drift_err']), default=0):.1f}); toe-out true {r['toe_truth'][0]:5.1f}/{r['toe_truth'][1]:5.1f}, MAE {mae(r['toe_err'])} deg "
              f"(max {max(np.abs(r['toe_err']), default=0):.1f}) on {len(r['toe_err'])}")
    for split, part in by_split(results):
        kto = pooled(part, "kto_err")
        drift = pooled(part, "drift_err")
        toe = pooled(part, "toe_err")
        print(f"{split:8}: {category_line(pooled(part, 'calls'))}")
        print(f"{split:8}: {len(part)} clips; knee over toe MAE {mae(kto)} % shank (max {max(np.abs(kto), default=0):.1f}) "
              f"on {len(kto)} leg-reps; drift MAE {mae(drift)} (max {max(np.abs(drift), default=0):.1f}, bias "
              f"{np.mean(drift) if drift else float('nan'):+.1f}); toe-out MAE {mae(toe)} deg (max {max(np.abs(toe), default=0):.1f}, bias "
              f"{np.mean(toe) if toe else float('nan'):+.1f}) on {len(toe)}")
    return 0

# Camera roll (issue #14): (name, task, stance leg, roll in degrees, more synth.py arguments, split). The roll
# cues were chosen on the tuning clips (+10 and -5 on each task); the others are held out.
ROLL_SET = [
    ("r_squat_p10", "squat", "L", 10, [], "tuning"),
    ("r_squat_m5", "squat", "L", -5, ["--fppa-deg", "0", "12"], "tuning"),
    ("r_single_p10", "single-leg", "R", 10, [], "tuning"),
    ("r_single_m5", "single-leg", "L", -5, ["--fppa-deg", "10", "0"], "tuning"),
    ("r_step_p10", "step-down", "L", 10, [], "tuning"),
    ("r_step_m5", "step-down", "R", -5, [], "tuning"),
    ("hr_squat_0", "squat", "L", 0, ["--fppa-deg", "12", "0"], "held-out"),
    ("hr_squat_p5", "squat", "L", 5, [], "held-out"),
    ("hr_squat_m10", "squat", "L", -10, ["--fppa-deg", "0", "12"], "held-out"),
    ("hr_single_0", "single-leg", "L", 0, [], "held-out"),
    ("hr_single_p5", "single-leg", "R", 5, ["--fppa-deg", "0", "10"], "held-out"),
    ("hr_single_m10", "single-leg", "L", -10, [], "held-out"),
    ("hr_step_0", "step-down", "R", 0, [], "held-out"),
    ("hr_step_p5", "step-down", "L", 5, ["--fppa-deg", "10", "0"], "held-out"),
    ("hr_step_m10", "step-down", "R", -10, [], "held-out"),
    ("hr_squat_p5_yaw10_chest", "squat", "L", 5, ["--yaw-deg", "10", "--camera-height", "1.0"], "held-out"),
    ("hr_single_m5_toe15", "single-leg", "R", -5, ["--toe-out-deg", "15", "15"], "held-out"),
    ("hr_step_p10_high", "step-down", "L", 10, ["--camera-height", "1.0"], "held-out"),
]


def roll_set(args) -> int:
    """Camera roll read against the rolled camera, and knee over toe against the subject-frame truth."""
    results = []
    for name, task, stance, roll, extra, split in ROLL_SET:
        depth = "0.3" if task == "squat" else "0.15"
        truth, rows, summary = render_and_analyse(args, name, [
            "--reps", str(args.reps), "--task", task, "--stance", stance, "--roll-deg", str(roll), "--depth", depth,
            *extra])
        sig = summary["analysis"]["signals"]
        note = next((u["reason"] for u in sig.get("unavailable", []) if u["metric"] == "roll_deg"), "")
        errs, drift, withheld = kto_errors(truth, rows)
        results.append({"clip": name, "split": split, "task": task, "roll": roll, "read": sig["roll_deg"],
                        "note": note, "kto_err": errs, "drift_err": drift, "kto_withheld": withheld,
                        "calls": category_calls(truth, rows),
                        "reps": len({r["rep"] for r in rows}), "reps_true": len(truth["reps"])})
    save(args, "roll", results)
    print(f"{'clip':24} {'split':8} {'task':10} {'roll':>5} {'read':>6} {'error':>6} {'reps':>5} {'KTO MAE':>7} "
          f"{'max':>5} {'withheld':>8} {'drift':>5}  note")
    for r in results:
        print(f"{r['clip']:24} {r['split']:8} {r['task']:10} {r['roll']:5g} {r['read']:6.1f} {r['read'] - r['roll']:+6.1f} "
              f"{r['reps']:>2}/{r['reps_true']:<2} {mae(r['kto_err']):>7} {max(np.abs(r['kto_err']), default=0):5.1f} "
              f"{r['kto_withheld']:>8} {mae(r['drift_err']):>5}  {r['note'][:60]}")
    for split, part in by_split(results):
        errs = [r["read"] - r["roll"] for r in part]
        kto = pooled(part, "kto_err")
        drift = pooled(part, "drift_err")
        print(f"{split:8}: {category_line(pooled(part, 'calls'))}")
        print(f"{split:8}: {len(part)} clips; roll error MAE {np.mean(np.abs(errs)):.1f} deg (max {max(np.abs(errs)):.1f}), "
              f"{sum(abs(e) <= 1.5 for e in errs)} within 1.5 deg; knee over toe MAE {mae(kto)} % shank (max "
              f"{max(np.abs(kto), default=0):.1f}) on {len(kto)} leg-reps, {sum(r['kto_withheld'] for r in part)} withheld; "
              f"drift MAE {mae(drift)} (max {max(np.abs(drift), default=0):.1f}, bias "
              f"{np.mean(drift) if drift else float('nan'):+.1f})")
    return 0


def back_set(args) -> int:
    """Clips filmed from behind: the view found, left and right not mirrored, what is withheld, what holds."""
    results = []
    for name, yaw, left, right, depth, task, split in BACK_SET:
        stance = "R" if right > left else "L"
        truth, rows, summary = render_and_analyse(args, name, [
            "--reps", str(args.reps), "--fppa-deg", str(left), str(right), "--yaw-deg", str(yaw), "--depth",
            str(depth), "--task", task, "--stance", stance])
        signals = summary["analysis"]["signals"]
        reps = {r["rep"] for r in rows}
        per_leg = sum(1 for r in rows if r["fppa_bottom_deg"] or r["kto_bottom_pct_shank"])
        mean_err = []
        for tr in truth["reps"]:
            near = [r for r in rows if abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0]
            if near and near[0]["fppa_mean_bottom_deg"] and task == "squat":
                mean_err.append(float(near[0]["fppa_mean_bottom_deg"]) - sum(tr["fppa_subject_deg"]) / 2)
        want_stance = "" if task == "squat" else ("right" if right > left else "left")
        stances = {r["stance_leg"] for r in rows}
        said = " ".join(summary["findings"])
        results.append({"clip": name, "split": split, "yaw": yaw, "view": signals["clip_view"],
                        "reps": len(reps), "reps_true": len(truth["reps"]), "stance_ok": stances == {want_stance},
                        "per_leg_reported": per_leg, "mean_err": mean_err, "swaps": signals["swaps_corrected"],
                        "caves_in": "caves in more" in said})
    save(args, "back", results, suffixed=False)
    print(f"{'clip':18} {'split':8} {'yaw':>4} {'view':14} {'reps':>5} {'stance':>6} {'per-leg':>7} {'mean err':>8} "
          f"{'swaps':>5} {'L/R finding':>11}")
    for r in results:
        print(f"{r['clip']:18} {r['split']:8} {r['yaw']:4g} {r['view']:14} {r['reps']:>2}/{r['reps_true']:<2} "
              f"{'ok' if r['stance_ok'] else 'WRONG':>6} {r['per_leg_reported']:>7} {mae(r['mean_err']):>8} {r['swaps']:>5} "
              f"{'yes' if r['caves_in'] else 'none':>11}")
    for split, part in by_split(results):
        if part:
            print(f"{split:8}: {len(part)} clips; view from behind {sum(r['view'] == 'frontal-back' for r in part)}; "
                  f"reps exact {sum(r['reps'] == r['reps_true'] for r in part)}; stance leg right "
                  f"{sum(r['stance_ok'] for r in part)}; per-leg values printed {sum(r['per_leg_reported'] for r in part)}; "
                  f"mean-FPPA MAE {mae(pooled(part, 'mean_err'))} deg; left/right findings "
                  f"{sum(r['caves_in'] for r in part)}")
    return 0


def yaw_set(args) -> int:
    """The camera-yaw set: per clip and per split, errors against the subject-frame truth."""
    results = []
    for name, yaw, left, right, depth, height, split, *extra in YAW_SET:
        truth, rows, summary = render_and_analyse(args, name, [
            "--reps", str(args.reps), "--fppa-deg", str(left), str(right), "--yaw-deg", str(yaw), "--depth",
            str(depth), "--camera-height", str(height), *(extra[0] if extra else [])])
        rec = {"clip": name, "split": split, "yaw": yaw, "level": [left, right], "depth": depth, "height": height,
               "yaw_measured": [], "fppa_err": [], "fppa_cam_err": [], "fppa_withheld": 0, "fppa_total": 0,
               "fppa_outside": 0, "kto_outside": 0,
               "kto_err": [], "kto_withheld": 0, "mean_err": [], "findings": summary["findings"],
               "flex_err": {45: [], 60: []}, "flex_withheld": {45: 0, 60: 0}}
        # FPPA at 45 and 60 degrees of knee flexion: against the subject-frame truth at the frame genu chose.
        times = [f["t_s"] for f in truth["frames"]]
        for rep in summary["analysis"]["reps"]["reps"]:
            for k in (0, 1):
                for deg in (45, 60):
                    v = rep["legs"][k].get(f"fppa_at_{deg}_deg") or {}
                    if v.get("value") is None:
                        rec["flex_withheld"][deg] += 1
                        continue
                    j = min(range(len(times)), key=lambda i: abs(times[i] - v["at"]["t_s"]))
                    rec["flex_err"][deg].append(v["value"] - truth["frames"][j]["fppa_subject_deg"][k])
        for tr in truth["reps"]:
            near = [r for r in rows if abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0]
            by_leg = {r["leg"]: r for r in near}
            for k, leg in enumerate(["left", "right"]):
                r = by_leg.get(leg)
                rec["fppa_total"] += 1
                if r and r["fppa_bottom_deg"]:
                    rec["fppa_err"].append(float(r["fppa_bottom_deg"]) - tr["fppa_subject_deg"][k])
                    # The stated uncertainty is meant to hold the truth about 9 times in 10.
                    rec["fppa_outside"] += abs(rec["fppa_err"][-1]) > float(r["fppa_uncertainty_deg"])
                    rec["fppa_cam_err"].append(float(r["fppa_bottom_deg"]) - tr["fppa_deg"][k])
                else:
                    rec["fppa_withheld"] += 1
                if r and r["kto_bottom_pct_shank"]:
                    rec["kto_err"].append(float(r["kto_bottom_pct_shank"]) - tr["kto_subject_pct_shank"][k])
                    rec["kto_outside"] += abs(rec["kto_err"][-1]) > float(r.get("kto_uncertainty_pct_shank") or "inf")
                else:
                    rec["kto_withheld"] += 1
                if r and r["camera_yaw_deg"] and k == 0:
                    rec["yaw_measured"].append(float(r["camera_yaw_deg"]))
            if near and near[0]["fppa_mean_bottom_deg"]:
                rec["mean_err"].append(float(near[0]["fppa_mean_bottom_deg"]) - sum(tr["fppa_subject_deg"]) / 2)
        said = " ".join(rec["findings"])
        named = next((side for side in ("left", "right") if f"The {side} knee caves in more" in said
                      or f"Knee over toe tells the knees apart: the {side} knee" in said), None)
        worse = None if left == right else ("left" if left > right else "right")
        rec["lr"] = "none" if named is None and worse is None else "right" if named == worse else "withheld" if named is None else "WRONG"
        results.append(rec)
    save(args, "yaw", results)
    print(f"{'clip':20} {'split':8} {'yaw':>4} {'meas':>5} {'L/R':>5} {'depth':>5} {'FPPA MAE':>8} {'(cam)':>6} "
          f"{'withheld':>8} {'KTO MAE':>7} {'withheld':>8} {'mean err':>8} {'finding':>8} {'FPPA@45':>8} {'FPPA@60':>8}")
    for r in results:
        meas = f"{np.median(r['yaw_measured']):5.1f}" if r["yaw_measured"] else "    -"
        print(f"{r['clip']:20} {r['split']:8} {r['yaw']:4g} {meas} {r['level'][0]:2g}/{r['level'][1]:<2g} {r['depth']:5.2f} "
              f"{mae(r['fppa_err']):>8} {mae(r['fppa_cam_err']):>6} {r['fppa_withheld']:>4}/{r['fppa_total']:<3} "
              f"{mae(r['kto_err']):>7} {r['kto_withheld']:>4}/{r['fppa_total']:<3} {mae(r['mean_err']):>8} {r['lr']:>8} "
              f"{mae(r['flex_err'][45])}({len(r['flex_err'][45])}) {mae(r['flex_err'][60])}({len(r['flex_err'][60])})")
    for split, part in by_split(results):
        if not part:
            continue
        n = sum(r["fppa_total"] for r in part)
        lr = [r["lr"] for r in part]
        print(f"{split:8}: {len(part)} clips; FPPA MAE {mae(pooled(part, 'fppa_err'))} deg on {n - sum(r['fppa_withheld'] for r in part)}/{n} "
              f"leg-reps reported (max {max(np.abs(pooled(part, 'fppa_err')), default=0):.1f}; "
              f"{sum(r['fppa_outside'] for r in part)} outside their stated uncertainty); KTO MAE {mae(pooled(part, 'kto_err'))} % shank on "
              f"{n - sum(r['kto_withheld'] for r in part)}/{n} (max {max(np.abs(pooled(part, 'kto_err')), default=0):.1f}; "
              f"{sum(r['kto_outside'] for r in part)} outside their stated uncertainty); mean-FPPA MAE "
              f"{mae(pooled(part, 'mean_err'))} deg; FPPA at 45/60 deg flexion MAE "
              f"{mae([e for r in part for e in r['flex_err'][45]])}/{mae([e for r in part for e in r['flex_err'][60]])} deg on "
              f"{sum(len(r['flex_err'][45]) for r in part)}/{sum(len(r['flex_err'][60]) for r in part)} of {n} leg-reps; worse knee: {lr.count('right')} right, {lr.count('withheld')} withheld, "
              f"{lr.count('WRONG')} wrong, {lr.count('none')} symmetric without a finding")
    return 0


# Stairs (issue #10): (name, stairs.py arguments, split). Rendered after genu's stair rules were written (on
# 2D synthetic tracks and real clips); nothing has been tuned on them yet, the split is for the work that will be.
STAIRS_SET = [
    ("s_side_up", ["--yaw-deg", "90", "--direction", "up"], "tuning"),
    ("s_front_down", ["--yaw-deg", "0", "--direction", "down"], "tuning"),
    ("s_behind150_up", ["--yaw-deg", "150", "--direction", "up"], "tuning"),
    ("hs_side_down", ["--yaw-deg", "90", "--direction", "down"], "held-out"),
    ("hs_front_up", ["--yaw-deg", "0", "--direction", "up", "--distance", "2.6"], "held-out"),
    ("hs_behind210_down_male", ["--yaw-deg", "210", "--direction", "down", "--distance", "2.9", "--body",
                                "african-male-young:1,universal-male-young-maxmuscle-maxweight:0.6", "--palette", "1"],
     "held-out"),
    ("hs_side_up_fast_female", ["--yaw-deg", "270", "--direction", "up", "--step-s", "0.6", "--lead", "L", "--body",
                                "asian-female-young:1,universal-female-young-averagemuscle-maxweight:0.8", "--palette",
                                "2"], "held-out"),
    ("hs_front_down_6", ["--yaw-deg", "0", "--direction", "down", "--steps", "6", "--lead", "L"], "held-out"),
    # Filmed along the flight from its top (session 11's rule was chosen on these two and the level walk below).
    ("s_front_up_top", ["--yaw-deg", "0", "--direction", "up", "--distance", "3.0"], "tuning"),
    ("s_behind180_down_top", ["--yaw-deg", "180", "--direction", "down", "--distance", "3.0"], "tuning"),
    # Rendered after that rule was set, as its blind check (2 of 4 exact, 13 of 17 cycles); then looked at, and
    # the step rule changed for them (a shorter step, the other foot's net displacement, no merging across a
    # stall): tuning material since.
    ("hs2_front_up_top_female", ["--yaw-deg", "0", "--direction", "up", "--distance", "3.5", "--camera-height", "1.3",
                                 "--lead", "L", "--step-s", "0.7", *FEMALE], "tuning"),
    ("hs2_behind_down_top_male", ["--yaw-deg", "180", "--direction", "down", "--distance", "2.8", "--steps", "5",
                                  *MALE], "tuning"),
    ("hs2_front15_up_top", ["--yaw-deg", "15", "--direction", "up", "--distance", "3.0"], "tuning"),
    ("hs2_behind200_down_top_fast", ["--yaw-deg", "200", "--direction", "down", "--distance", "3.2", "--step-s",
                                     "0.6", "--lead", "L"], "tuning"),
    # Rendered after the step rule's change: its blind check.
    ("hs3_front_up_top_slow_male", ["--yaw-deg", "0", "--direction", "up", "--distance", "4.0", "--camera-height",
                                    "1.8", "--step-s", "1.0", "--steps", "5", *MALE], "held-out"),
    ("hs3_behind170_down_top_female", ["--yaw-deg", "170", "--direction", "down", "--distance", "3.0", "--lead", "L",
                                       *FEMALE], "held-out"),
    ("hs3_front_m10_up_top", ["--yaw-deg", "-10", "--direction", "up", "--distance", "2.8", "--camera-height", "1.4",
                              "--steps", "6"], "held-out"),
    # Rendered after session 19's step rule change (a planted ankle's jump during the other foot's swing; the
    # other foot's share 0.8), which hs2_front_up_top_female and hs2_behind_down_top_male led to: its blind check.
    ("hs4_front5_up_top_fast_female", ["--yaw-deg", "5", "--direction", "up", "--distance", "3.2", "--camera-height",
                                       "1.5", "--step-s", "0.6", "--lead", "L", *FEMALE], "held-out"),
    ("hs4_behind185_down_top_slow", ["--yaw-deg", "185", "--direction", "down", "--distance", "3.0", "--step-s", "0.9",
                                     "--steps", "5"], "held-out"),
    ("hs4_front_m15_up_top_male", ["--yaw-deg", "-15", "--direction", "up", "--distance", "3.3", "--steps", "5",
                                   *MALE], "held-out"),
    ("hs4_behind160_down_top_female", ["--yaw-deg", "160", "--direction", "down", "--distance", "2.7", "--lead", "L",
                                       *FEMALE], "held-out"),
    # Rendered after session 21's rule (a camera measured level is not at the top of a flight), its blind check.
    ("hs5_front_m5_up_top_male", ["--yaw-deg", "-5", "--direction", "up", "--camera-height", "1.2", *MALE],
     "held-out"),
]
# Not stairs: the same gait on level ground (rise 0) toward a camera at eye height; no step cycle may be reported.
STAIRS_NOT = [
    ("x_flat_walk_front", ["--yaw-deg", "0", "--direction", "up", "--rise", "0"], "tuning"),
    ("x2_flat_walk_away", ["--yaw-deg", "180", "--direction", "up", "--rise", "0", *MALE], "held-out"),
    # Tuning since session 21: the level-camera rule for stairs filmed along the flight was read off it.
    ("x2_flat_walk_front_low", ["--yaw-deg", "0", "--direction", "up", "--rise", "0", "--camera-height", "0.5"],
     "tuning"),
    # Rendered after that rule, its blind check: a phone on the floor, a little off square.
    ("x3_flat_walk_front_floor_female", ["--yaw-deg", "6", "--direction", "up", "--rise", "0", "--camera-height",
                                         "0.3", *FEMALE], "held-out"),
]
# A step cycle matches a true one when it starts within this many seconds of the true landing.
STAIRS_MATCH_S = 0.2


def stairs_set(args) -> int:
    """Rendered stair ascents and descents: the task and direction, step cycles against the true landings, the
    stance leg, and the stance knee's flexion (side views) and FPPA (front and behind) at its deepest bend."""
    results = []
    for name, extra, split in STAIRS_SET:
        truth, rows, summary = render_and_analyse(args, name, extra, generator="stairs.py")
        reps = summary["analysis"]["reps"]
        direction = truth["settings"]["direction"]
        task_ok = reps["task"] == "stairs" and ("ascent" if direction == "up" else "descent") in reps["task_reason"]
        cycles = {}
        for r in rows:
            cycles.setdefault(r["rep"], []).append(r)
        matched, stance_ok, flex_err, fppa_err = 0, 0, [], []
        for st in truth["steps"]:
            hit = next((legs for legs in cycles.values()
                        if abs(float(legs[0]["t_descent_start_s"]) - st["start_s"]) <= STAIRS_MATCH_S), None)
            if hit is None:
                continue
            matched += 1
            leg = "left" if st["stance"] == "L" else "right"
            stance_ok += hit[0]["stance_leg"] == leg
            row = next(r for r in hit if r["leg"] == leg)
            if row["knee_flexion_deg"]:
                flex_err.append(float(row["knee_flexion_deg"]) - st["knee_flexion_deg"])
            if row["fppa_bottom_deg"]:
                fppa_err.append(float(row["fppa_bottom_deg"]) - st["fppa_subject_deg"])
        results.append({"clip": name, "split": split, "task": reps["task"], "task_ok": task_ok,
                        "cycles": len(cycles), "steps_true": len(truth["steps"]), "matched": matched,
                        "stance_ok": stance_ok, "flex_err": flex_err, "fppa_err": fppa_err})
    for name, extra, split in STAIRS_NOT:
        truth, rows, summary = render_and_analyse(args, name, extra, generator="stairs.py")
        reps = summary["analysis"]["reps"]
        results.append({"clip": name, "split": split, "task": reps["task"], "task_ok": reps["task"] != "stairs",
                        "cycles": len({r["rep"] for r in rows}), "steps_true": 0, "matched": 0, "stance_ok": 0,
                        "flex_err": [], "fppa_err": [], "not_stairs": True})
    save(args, "stairs", results)
    for r in results:
        print(f"{r['clip']:24} {r['split']:8} task {r['task']:8} {'ok' if r['task_ok'] else 'WRONG':5} cycles "
              f"{r['cycles']}/{r['steps_true']} ({r['matched']} matched, stance right {r['stance_ok']}); knee flexion "
              f"MAE {mae(r['flex_err'])} deg on {len(r['flex_err'])}; FPPA MAE {mae(r['fppa_err'])} deg on "
              f"{len(r['fppa_err'])}")
    for split, part in by_split(results):
        flex = pooled(part, "flex_err")
        fppa = pooled(part, "fppa_err")
        print(f"{split:8}: {len(part)} clips; task and direction right {sum(r['task_ok'] for r in part)}; step counts "
              f"exact {sum(r['cycles'] == r['steps_true'] for r in part)}; cycles matched "
              f"{sum(r['matched'] for r in part)}/{sum(r['steps_true'] for r in part)}, stance right "
              f"{sum(r['stance_ok'] for r in part)}; knee flexion MAE {mae(flex)} deg on {len(flex)}; FPPA MAE "
              f"{mae(fppa)} deg on {len(fppa)}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("target/accuracy"))
    ap.add_argument("--genu", type=Path, default=Path("target/release/genu"))
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--model", choices=["lite", "full", "heavy"], default="full",
                    help="landmark model genu runs with (heavy: `make models-heavy` first)")
    ap.add_argument("--set", choices=["standard", "yaw", "back", "messy", "feet", "roll", "stairs", "lunge",
                                          "mixed", "room"],
                    default="standard")
    ap.add_argument("--only", metavar="TEXT",
                    help="only the named clips whose name contains TEXT (every set but the standard one)")
    args = ap.parse_args()
    if args.only:
        for name, clips in globals().items():
            if (name.endswith("_SET") or name == "STAIRS_NOT") and isinstance(clips, list):
                clips[:] = [c for c in clips if args.only in c[0]]
    args.suffix = "" if args.model == "full" else f"_{args.model}"
    args.out.mkdir(parents=True, exist_ok=True)
    if args.set == "yaw":
        return yaw_set(args)
    if args.set == "back":
        return back_set(args)
    if args.set == "messy":
        return messy_set(args)
    if args.set == "feet":
        return feet_set(args)
    if args.set == "roll":
        return roll_set(args)
    if args.set == "stairs":
        return stairs_set(args)
    if args.set == "lunge":
        return lunge_set(args)
    if args.set == "mixed":
        return mixed_set(args)
    if args.set == "room":
        return room_set(args)
    results = []
    jobs = [(view, cam, left, right, "squat") for view, cam in VIEWS.items() for left, right in LEVELS]
    jobs += [(f"front, {task}", ["--yaw-deg", "0", "--camera-height", "0.55", "--task", task, "--stance", "L",
                                  "--depth", "0.15"], left, 0.0, task) for task, left in SINGLE]
    jobs += [(view, cam, 0.0, 16.0, "squat") for view, cam in VARIETY.items()]
    for view, cam, left, right, task in jobs:
        if True:
            name = "_".join([view.split(",")[0].split()[0], *cam[1::2], f"{left:g}", f"{right:g}"])
            name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:120]
            clip = args.out / f"{name}.mp4"
            if not clip.exists():
                subprocess.run([sys.executable, str(HERE / "synth.py"), str(clip), "--reps", str(args.reps),
                                "--fppa-deg", str(left), str(right), *cam], check=True, stderr=subprocess.DEVNULL)
            truth = json.loads(Path(str(clip) + ".truth.json").read_text())
            res = args.out / name
            subprocess.run([str(args.genu), "analyze", str(clip), "-o", str(res), "--no-overlay", "--no-report"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rows = list(csv.DictReader(open(res / "reps.csv")))
            found = sorted({int(r["rep"]) for r in rows})
            summary = json.loads((res / "summary.json").read_text())
            rec = {"clip": str(clip), "view": view, "level": [left, right], "reps_true": len(truth["reps"]), "reps_found": len(found),
                   "fppa_err": [], "kto_err": [], "depth_err": [], "flexion_err": [], "lr_correct": [], "task": task,
                   "task_found": summary["analysis"]["reps"]["task"],
                   "detection_rate": summary["frames_with_subject"] / max(summary["frames"], 1)}
            for tr in truth["reps"]:
                # The found rep whose bottom is nearest the true bottom.
                near = [r for r in rows if abs(float(r["t_bottom_s"]) - tr["bottom_s"]) < 1.0]
                if not near:
                    continue
                by_leg = {r["leg"]: r for r in near}
                for k, leg in enumerate(["left", "right"]):
                    r = by_leg.get(leg)
                    # Against the subject-frame truth (what a camera square to the pelvis sees; the camera's
                    # own where a truth file predates it): off square, genu reports rectified values.
                    if r and r["fppa_bottom_deg"]:
                        want = tr.get("fppa_subject_deg", tr["fppa_deg"])[k]
                        rec["fppa_err"].append(float(r["fppa_bottom_deg"]) - want)
                    if r and r["kto_bottom_pct_shank"]:
                        want = tr.get("kto_subject_pct_shank", tr["kto_pct_shank"])[k]
                        rec["kto_err"].append(float(r["kto_bottom_pct_shank"]) - want)
                if near and near[0]["depth_pct_leg"]:
                    rec["depth_err"].append(float(near[0]["depth_pct_leg"]) - tr["depth_pct_leg"])
                # Side views: the knee flexion of the leg nearer the camera (the one the findings give), against
                # the rig's joint-centre angle at the true bottom.
                view_found = near[0]["view"] if near else ""
                if view_found.startswith("sagittal"):
                    k = 0 if view_found == "sagittal-left" else 1
                    r = by_leg.get(["left", "right"][k])
                    if r and r["knee_flexion_deg"] and r["knee_flexion_source"] == "sagittal_2d":
                        frame = min(truth["frames"], key=lambda fr: abs(fr["t_s"] - tr["bottom_s"]))
                        rec["flexion_err"].append(float(r["knee_flexion_deg"]) - frame["knee_flexion_deg"][k])
                if task == "squat" and left != right and all(by_leg.get(l, {}).get("fppa_bottom_deg") for l in ("left", "right")):
                    more = "left" if float(by_leg["left"]["fppa_bottom_deg"]) > float(by_leg["right"]["fppa_bottom_deg"]) else "right"
                    rec["lr_correct"].append(more == ("left" if left > right else "right"))
            results.append(rec)
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=1))
    montage(args.out, [r["clip"] for r in results if r["level"] in ([0.0, 16.0], [12.0, 0.0])], args.out / "montage.png")
    f = lambda v: "   -  " if not v else f"{np.mean(np.abs(v)):5.1f}"
    b = lambda v: "   -  " if not v else f"{np.mean(v):+5.1f}"
    print(f"{'view / task':26} {'FPPA L/R':>9} {'reps':>7} {'FPPA MAE':>8} {'bias':>6} {'KTO MAE':>7} {'depth':>6} "
          f"{'L/R ok':>6} {'task found':>16} {'detected':>8} {'flexion (side)':>14}")
    for r in results:
        lr = "-" if not r["lr_correct"] else f"{sum(r['lr_correct'])}/{len(r['lr_correct'])}"
        print(f"{r['view']:26} {r['level'][0]:4g}/{r['level'][1]:<4g} {r['reps_found']:>3}/{r['reps_true']:<3} "
              f"{f(r['fppa_err']):>8} {b(r['fppa_err']):>6} {f(r['kto_err']):>7} {b(r['depth_err']):>6} {lr:>6} "
              f"{r['task_found']:>16} {100 * r['detection_rate']:7.0f}% {b(r['flexion_err']):>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
