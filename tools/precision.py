"""Measure reduced-precision versions of the full landmark model: speed and landmark distance to fp32.

Makes, from models/pose_landmark_full.onnx, an fp16 model (weights and activations, inputs and outputs kept
fp32), a dynamically quantised int8 model and a statically quantised int8 model (QDQ, calibrated on frames of
one committed synthetic clip), then reports for each: the model's time per call on one ONNX Runtime thread,
and the mean and 95th-percentile distance of the 33 body landmarks to the fp32 model's, in pixels of the
256-pixel crop, on frames of the other committed clips (held out from the calibration).

Frames are the clips' frames letterboxed to 256 x 256 (the person fills the crop as in the tracker's region).
Usage: tools/.venv/bin/python tools/precision.py [--out target/precision]
"""

import argparse
import json
import pathlib
import subprocess
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
from onnxruntime.transformers.float16 import convert_float_to_float16

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "models/pose_landmark_full.onnx"
CALIBRATION = ["front_valgus_r16.mp4"]
HELD_OUT = ["side_squat.mp4", "single_leg_left12.mp4", "behind_16_0.mp4", "step_down_right_chest.mp4"]
N = 256


def frames(clip: pathlib.Path, every: int = 5) -> np.ndarray:
    """The clip's frames (every `every`-th), letterboxed to N x N, as float32 NHWC in 0..1."""
    vf = f"select=not(mod(n\\,{every})),scale={N}:{N}:force_original_aspect_ratio=decrease,pad={N}:{N}:(ow-iw)/2:(oh-ih)/2"
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(clip), "-vf", vf, "-vsync", "0", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, N, N, 3).astype(np.float32) / 255.0


def session(path: pathlib.Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def landmarks(s: ort.InferenceSession, x: np.ndarray) -> np.ndarray:
    name = s.get_inputs()[0].name
    return np.stack([s.run(None, {name: f[None]})[0].reshape(39, 5)[:33, :2] for f in x])


def ms_per_call(s: ort.InferenceSession, x: np.ndarray, n: int = 60) -> float:
    name = s.get_inputs()[0].name
    for _ in range(5):
        s.run(None, {name: x[:1]})
    t = time.perf_counter()
    for k in range(n):
        s.run(None, {name: x[k % len(x)][None]})
    return (time.perf_counter() - t) / n * 1e3


class Frames(CalibrationDataReader):
    def __init__(self, x: np.ndarray, name: str):
        self.items = iter([{name: f[None]} for f in x])

    def get_next(self):
        return next(self.items, None)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "target/precision"))
    out = pathlib.Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    synth = ROOT / "fixtures/synth"
    calib = np.concatenate([frames(synth / c) for c in CALIBRATION])
    test = np.concatenate([frames(synth / c) for c in HELD_OUT])
    input_name = onnx.load(str(MODEL)).graph.input[0].name
    variants = {"fp32": MODEL}
    onnx.save(convert_float_to_float16(onnx.load(str(MODEL)), keep_io_types=True), str(out / "full_fp16.onnx"))
    variants["fp16"] = out / "full_fp16.onnx"
    quantize_dynamic(str(MODEL), str(out / "full_int8_dynamic.onnx"), weight_type=QuantType.QUInt8)
    variants["int8 dynamic"] = out / "full_int8_dynamic.onnx"
    quantize_static(str(MODEL), str(out / "full_int8_static.onnx"), Frames(calib, input_name),
                    quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    variants["int8 static (QDQ)"] = out / "full_int8_static.onnx"
    reference = landmarks(session(MODEL), test)
    report = []
    print(f"{len(calib)} calibration frames ({', '.join(CALIBRATION)}); {len(test)} held-out frames "
          f"({', '.join(HELD_OUT)})")
    for name, path in variants.items():
        s = session(path)
        d = np.linalg.norm(landmarks(s, test) - reference, axis=2)
        row = {"model": name, "ms_per_call": ms_per_call(s, test), "mean_px": float(d.mean()),
               "p95_px": float(np.percentile(d, 95)), "size_mb": path.stat().st_size / 1e6}
        report.append(row)
        print(f"{name:18} {row['ms_per_call']:6.2f} ms/call  landmark distance to fp32: mean {row['mean_px']:5.2f} "
              f"px, 95th percentile {row['p95_px']:5.2f} px (of a {N}-px crop)  {row['size_mb']:5.1f} MB")
    (out / "precision.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
