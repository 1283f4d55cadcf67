#!/usr/bin/env python3
"""Reference pose track: MediaPipe's own BlazePose (`mp.solutions.pose`, mediapipe==0.10.14) on a clip.

Writes the same JSON shape as `genu pose` (format "genu-pose-track", version 1; see docs/track-format.md), so
that the two can be compared frame by frame. Settings: full landmark model (model_complexity=1), video mode
(tracking between frames), smoothing off, segmentation off, detection and tracking confidence 0.5. Frames are
decoded with OpenCV, as MediaPipe's Python examples do; OpenCV applies the display rotation.

Usage: python tools/mediapipe_track.py CLIP -o TRACK.json [--model lite|full|heavy]
Prints the end-to-end rate (decode + colour conversion + pose) on stderr; --json-timing adds it to the output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import cv2
import mediapipe as mp

COMPLEXITY = {"lite": 0, "full": 1, "heavy": 2}
NAMES = [lm.name.lower() for lm in mp.solutions.pose.PoseLandmark]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--model", choices=COMPLEXITY, default="full")
    args = ap.parse_args()

    cap = cv2.VideoCapture(args.clip)
    if not cap.isOpened():
        print(f"error: '{args.clip}': cannot open with OpenCV", file=sys.stderr)
        return 1
    fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
    frames = []
    width = height = 0
    started = time.perf_counter()
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=COMPLEXITY[args.model],
                                smooth_landmarks=False, enable_segmentation=False,
                                min_detection_confidence=0.5, min_tracking_confidence=0.5) as pose:
        index = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            pts_s = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            height, width = bgr.shape[:2]
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            res = pose.process(rgb)
            frame = {"index": index, "pts_s": pts_s, "source": "reference", "pose": None}
            if res.pose_landmarks:
                lms = [[round(l.x * width, 3), round(l.y * height, 3), round(l.z * width, 3),
                        round(l.visibility, 5), round(l.presence, 5)] for l in res.pose_landmarks.landmark]
                world = [[round(w.x, 5), round(w.y, 5), round(w.z, 5)] for w in res.pose_world_landmarks.landmark]
                frame["pose"] = {"pose_flag": None, "roi": None, "landmarks": lms, "world": world}
            frames.append(frame)
            index += 1
    seconds = time.perf_counter() - started
    cap.release()
    rate = len(frames) / seconds if seconds > 0 else 0.0
    track = {
        "format": "genu-pose-track",
        "version": 1,
        "producer": {"tool": "mediapipe", "version": mp.__version__,
                     "landmark_model": f"pose_landmark_{args.model}.tflite", "landmark_model_sha256": None,
                     "detector_sha256": None,
                     "settings": {"model_complexity": COMPLEXITY[args.model], "smooth_landmarks": False,
                                  "static_image_mode": False, "decoder": "opencv " + cv2.__version__,
                                  "end_to_end_fps": rate}},
        "clip": {"file_name": os.path.basename(args.clip), "width": width, "height": height,
                 "coded_width": width, "coded_height": height, "rotation_deg": 0, "work_width": width,
                 "work_height": height, "time_base": [1, 1000], "nominal_fps": fps, "measured_fps": None,
                 "variable_frame_rate": None, "duration_s": None, "codec": "", "frame_count": len(frames)},
        "landmark_names": NAMES,
        "frames": frames,
        "events": [],
    }
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(track, f)
    os.replace(tmp, args.output)
    found = sum(1 for f in frames if f["pose"])
    print(f"{args.clip}: {len(frames)} frames, pose in {found}, {rate:.1f} fps end to end", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
