#!/usr/bin/env python3
"""Accuracy of genu on synthetic clips with known knee valgus (issue #6).

Generates (or reuses) a set of clips with tools/synth/synth.py — camera views x valgus levels — runs
`genu analyze` on each and compares every rep's bottom values with the truth: rep count, FPPA error and bias
(per leg), knee-over-toe error, depth error, and whether the more valgus knee is named correctly.

Usage: python tools/synth/accuracy.py --out target/accuracy [--genu target/release/genu]
Prints a table by view and valgus level, and writes target/accuracy/accuracy.json.
"""

from __future__ import annotations

import argparse
import csv
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("target/accuracy"))
    ap.add_argument("--genu", type=Path, default=Path("target/release/genu"))
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
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
                   "fppa_err": [], "kto_err": [], "depth_err": [], "lr_correct": [], "task": task,
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
                    if r and r["fppa_bottom_deg"]:
                        rec["fppa_err"].append(float(r["fppa_bottom_deg"]) - tr["fppa_deg"][k])
                    if r and r["kto_bottom_pct_shank"]:
                        rec["kto_err"].append(float(r["kto_bottom_pct_shank"]) - tr["kto_pct_shank"][k])
                if near and near[0]["depth_pct_leg"]:
                    rec["depth_err"].append(float(near[0]["depth_pct_leg"]) - tr["depth_pct_leg"])
                if task == "squat" and left != right and all(by_leg.get(l, {}).get("fppa_bottom_deg") for l in ("left", "right")):
                    more = "left" if float(by_leg["left"]["fppa_bottom_deg"]) > float(by_leg["right"]["fppa_bottom_deg"]) else "right"
                    rec["lr_correct"].append(more == ("left" if left > right else "right"))
            results.append(rec)
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=1))
    montage(args.out, [r["clip"] for r in results if r["level"] in ([0.0, 16.0], [12.0, 0.0])], args.out / "montage.png")
    f = lambda v: "   -  " if not v else f"{np.mean(np.abs(v)):5.1f}"
    b = lambda v: "   -  " if not v else f"{np.mean(v):+5.1f}"
    print(f"{'view / task':26} {'FPPA L/R':>9} {'reps':>7} {'FPPA MAE':>8} {'bias':>6} {'KTO MAE':>7} {'depth':>6} "
          f"{'L/R ok':>6} {'task found':>16} {'detected':>8}")
    for r in results:
        lr = "-" if not r["lr_correct"] else f"{sum(r['lr_correct'])}/{len(r['lr_correct'])}"
        print(f"{r['view']:26} {r['level'][0]:4g}/{r['level'][1]:<4g} {r['reps_found']:>3}/{r['reps_true']:<3} "
              f"{f(r['fppa_err']):>8} {b(r['fppa_err']):>6} {f(r['kto_err']):>7} {b(r['depth_err']):>6} {lr:>6} "
              f"{r['task_found']:>16} {100 * r['detection_rate']:7.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
