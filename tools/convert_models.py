#!/usr/bin/env python3
"""Convert MediaPipe's BlazePose TFLite models to ONNX and check them against TFLite.

Sources (registry packages only, pinned by version and by the SHA-256 of every file taken):
  * PyPI  mediapipe==0.10.14       -> pose_detection.tflite, pose_landmark_full.tflite
  * npm   @mediapipe/pose@0.5.1675469404 -> pose_landmark_lite.tflite, pose_landmark_heavy.tflite
  * PyPI  sports2d==0.8.34         -> Sports2D/Demo/demo.mp4 (BSD-3), the real frames used for the check

The detector's weights are sparse float16 tensors feeding DENSIFY ops, which tf2onnx cannot read. We run the
TFLite interpreter once with every intermediate tensor kept, read back each DENSIFY output (the dense
weights), store them as plain constant buffers in a copy of the model and drop the DENSIFY ops. The rewritten
model is then an ordinary float16-weights model that tf2onnx converts.

Parity: every ONNX model is run with ONNX Runtime beside the original TFLite model on crops of real video
frames with a person in them, and the maximum absolute difference per output is printed. The run fails when
a difference exceeds the tolerances below.

Usage: python tools/convert_models.py --out models [--models detector,lite,full] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")

import onnxruntime as ort  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.lite.python import schema_py_generated as schema  # noqa: E402
from tensorflow.lite.tools import flatbuffer_utils  # noqa: E402

MEDIAPIPE_WHEEL = "mediapipe==0.10.14"
NPM_POSE = "@mediapipe/pose@0.5.1675469404"
SPORTS2D_WHEEL = "sports2d==0.8.34"

# SHA-256 of the TFLite files as shipped by the packages above; a mismatch means the registry served
# something else and the conversion stops.
TFLITE_SHA256 = {
    "pose_detection.tflite": "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# Model name -> (source tflite, output onnx).
MODELS = {
    "detector": ("pose_detection.tflite", "pose_detection.onnx"),
    "lite": ("pose_landmark_lite.tflite", "pose_landmark_lite.onnx"),
    "full": ("pose_landmark_full.tflite", "pose_landmark_full.onnx"),
    "heavy": ("pose_landmark_heavy.tflite", "pose_landmark_heavy.onnx"),
}

# Tolerances of the parity check (issue #2). Landmark coordinates are in crop pixels (0..256).
TOL_LANDMARK_PX = 0.05
TOL_WORLD_M = 1e-3
TOL_POSE_FLAG = 1e-3
TOL_DET_BOX = 0.01
TOL_DET_SCORE = 1e-4

ONNX_OPSET = 13
# Seconds into the demo clip at which frames are taken for the parity check.
CHECK_TIMES_S = (0.5, 2.0, 3.5, 5.0, 6.5)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def fetch_sources(cache: Path) -> dict[str, Path]:
    """Download the registry packages into `cache` and extract the files we need."""
    cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    wheels = cache / "wheels"
    if not any(wheels.glob("mediapipe-0.10.14-*.whl")) or not any(wheels.glob("sports2d-0.8.34-*.whl")):
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--implementation", "cp",
             "-d", str(wheels), MEDIAPIPE_WHEEL, SPORTS2D_WHEEL])
    mp_wheel = next(wheels.glob("mediapipe-0.10.14-*.whl"))
    with zipfile.ZipFile(mp_wheel) as z:
        for member, name in [
            ("mediapipe/modules/pose_detection/pose_detection.tflite", "pose_detection.tflite"),
            ("mediapipe/modules/pose_landmark/pose_landmark_full.tflite", "pose_landmark_full.tflite"),
        ]:
            dst = cache / name
            dst.write_bytes(z.read(member))
            out[name] = dst
    s2d_wheel = next(wheels.glob("sports2d-0.8.34-*.whl"))
    with zipfile.ZipFile(s2d_wheel) as z:
        dst = cache / "sports2d_demo.mp4"
        dst.write_bytes(z.read("Sports2D/Demo/demo.mp4"))
        out["demo.mp4"] = dst
    npm_dir = cache / "npm"
    npm_dir.mkdir(exist_ok=True)
    tgz = list(npm_dir.glob("mediapipe-pose-*.tgz"))
    if not tgz:
        run(["npm", "pack", "--silent", NPM_POSE], cwd=npm_dir, stdout=subprocess.DEVNULL)
        tgz = list(npm_dir.glob("mediapipe-pose-*.tgz"))
    import tarfile

    with tarfile.open(tgz[0]) as t:
        for name in ("pose_landmark_lite.tflite", "pose_landmark_heavy.tflite"):
            f = t.extractfile(f"package/{name}")
            assert f is not None
            dst = cache / name
            dst.write_bytes(f.read())
            out[name] = dst
    for name, want in TFLITE_SHA256.items():
        got = sha256(out[name])
        if got != want:
            sys.exit(f"error: {name} has SHA-256 {got}, expected {want}")
    return out


def builtin_name(model: schema.ModelT, op: schema.OperatorT) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    value = max(code.builtinCode, code.deprecatedBuiltinCode)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    return names[value]


def interpreter(path: Path, keep_all: bool = False) -> tf.lite.Interpreter:
    it = tf.lite.Interpreter(
        model_path=str(path),
        experimental_preserve_all_tensors=keep_all,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    it.allocate_tensors()
    return it


def densify_detector(src: Path, dst: Path) -> int:
    """Write a copy of the detector with every DENSIFY op replaced by its dense constant output."""
    it = interpreter(src, keep_all=True)
    inp = it.get_input_details()[0]
    it.set_tensor(inp["index"], np.zeros(inp["shape"], np.float32))
    it.invoke()
    model = flatbuffer_utils.read_model(str(src))
    graph = model.subgraphs[0]
    kept = []
    replaced = 0
    for op in graph.operators:
        if builtin_name(model, op) != "DENSIFY":
            kept.append(op)
            continue
        out_index = int(op.outputs[0])
        dense = np.ascontiguousarray(it.get_tensor(out_index))
        tensor = graph.tensors[out_index]
        if list(dense.shape) != list(tensor.shape):
            sys.exit(f"error: DENSIFY output {tensor.name} has shape {dense.shape}, expected {tensor.shape}")
        buf = schema.BufferT()
        buf.data = np.frombuffer(dense.tobytes(), dtype=np.uint8)
        model.buffers.append(buf)
        tensor.buffer = len(model.buffers) - 1
        # The sparse source tensor is now unused, but tf2onnx still parses every constant: give it the
        # dense values too so that nothing sparse is left in the file.
        sparse = graph.tensors[int(op.inputs[0])]
        sparse.buffer = tensor.buffer
        sparse.sparsity = None
        replaced += 1
    graph.operators = kept
    flatbuffer_utils.write_model(model, str(dst))
    return replaced


def to_onnx(tflite: Path, onnx_path: Path) -> None:
    run([sys.executable, "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(onnx_path),
         "--opset", str(ONNX_OPSET)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Outputs kept in the landmark models. The segmentation mask (Identity_2, 256x256) is dropped with the part of
# the network that only it uses: genu never uses it, and it is half of the model's computing time (full model,
# one thread: 11.3 ms with it, 5.3 ms without).
LANDMARK_OUTPUTS = ["Identity", "Identity_1", "Identity_3", "Identity_4"]


def drop_segmentation(onnx_path: Path) -> None:
    import onnx
    from onnx import utils

    pruned = onnx_path.with_suffix(".pruned.onnx")
    utils.extract_model(str(onnx_path), str(pruned), ["input_1"], LANDMARK_OUTPUTS)
    model = onnx.load(str(pruned))
    onnx.checker.check_model(model)
    pruned.replace(onnx_path)


# --- real input for the parity check -------------------------------------------------------------------

def read_frames(clip: Path, times_s) -> list[np.ndarray]:
    """Decode one RGB frame at each time with the ffmpeg CLI."""
    frames = []
    for t in times_s:
        probe = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                     "stream=width,height", "-of", "json", str(clip)], capture_output=True)
        s = json.loads(probe.stdout)["streams"][0]
        w, h = s["width"], s["height"]
        raw = run(["ffmpeg", "-v", "error", "-ss", str(t), "-i", str(clip), "-frames:v", "1",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True).stdout
        frames.append(np.frombuffer(raw, np.uint8).reshape(h, w, 3))
    return frames


def letterbox(img: np.ndarray, size: int) -> tuple[np.ndarray, float, int, int]:
    """Aspect-keeping resize to size x size with zero padding (nearest neighbour is enough here)."""
    h, w = img.shape[:2]
    scale = size / max(h, w)
    nh, nw = round(h * scale), round(w * scale)
    ys = np.clip(((np.arange(nh) + 0.5) / scale).astype(int), 0, h - 1)
    xs = np.clip(((np.arange(nw) + 0.5) / scale).astype(int), 0, w - 1)
    out = np.zeros((size, size, 3), np.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top:top + nh, left:left + nw] = img[ys][:, xs]
    return out, scale, left, top


def anchors() -> np.ndarray:
    """SSD anchor centres of the detector (see shared BLAZEPOSE.md), ordered layer, y, x, anchor."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 2), (32, 6)):
        n = 224 // stride
        for y in range(n):
            for x in range(n):
                centres.extend([((x + 0.5) / n, (y + 0.5) / n)] * per_cell)
    return np.array(centres, np.float32)


def best_detection(boxes: np.ndarray, scores: np.ndarray) -> np.ndarray | None:
    """Decode the highest-scoring detection's keypoints (in 224 letterbox units, 0..1)."""
    a = anchors()
    s = sigmoid(scores[0, :, 0])
    i = int(np.argmax(s))
    if s[i] < 0.5:
        return None
    kp = boxes[0, i, 4:].reshape(4, 2) / 224.0 + a[i]
    return kp


def crops_from_frames(frames: list[np.ndarray], det_tflite: Path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Detector inputs (letterboxed frames) and landmark inputs (256x256 person crops)."""
    it = interpreter(det_tflite)
    inp, outs = it.get_input_details()[0], it.get_output_details()
    det_inputs, lm_inputs = [], []
    for frame in frames:
        lb, scale, left, top = letterbox(frame, 224)
        x = (lb.astype(np.float32) / 127.5 - 1.0)[None]
        det_inputs.append(x)
        it.set_tensor(inp["index"], x)
        it.invoke()
        by_name = {o["name"]: it.get_tensor(o["index"]) for o in outs}
        kp = best_detection(by_name["Identity"], by_name["Identity_1"])
        if kp is None:
            continue
        # keypoint 0: hip centre; keypoint 1: full-body size point. Back to frame pixels.
        pts = (kp * 224 - [left, top]) / scale
        centre = pts[0]
        half = 1.25 * np.linalg.norm(pts[1] - pts[0])
        ys = np.clip(np.linspace(centre[1] - half, centre[1] + half, 256).astype(int), 0, frame.shape[0] - 1)
        xs = np.clip(np.linspace(centre[0] - half, centre[0] + half, 256).astype(int), 0, frame.shape[1] - 1)
        crop = frame[ys][:, xs]
        lm_inputs.append((crop.astype(np.float32) / 255.0)[None])
    return det_inputs, lm_inputs


# --- parity ---------------------------------------------------------------------------------------------

def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x.astype(np.float64), -100, 100)))


def compare(tflite: Path, onnx_path: Path, inputs: list[np.ndarray]) -> dict[str, float]:
    it = interpreter(tflite)
    tin, touts = it.get_input_details()[0], it.get_output_details()
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    worst: dict[str, float] = {}
    for x in inputs:
        it.set_tensor(tin["index"], x)
        it.invoke()
        ref = {o["name"]: it.get_tensor(o["index"]) for o in touts}
        got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {sess.get_inputs()[0].name: x})))
        for name, r in ref.items():
            if name not in got:  # an output removed on purpose (the landmark models' segmentation)
                continue
            g = got[name]
            if name == "Identity_1" and r.shape[-1] == 1 and r.ndim == 3:  # detector score logits
                diff = np.abs(sigmoid(r) - sigmoid(g)).max()
                key = "score(sigmoid)"
            elif name == "Identity" and r.shape[-1] == 195:  # 39 x (x, y, z, vis, presence)
                r5, g5 = r.reshape(39, 5), g.reshape(39, 5)
                worst["landmark_xyz_px"] = max(worst.get("landmark_xyz_px", 0.0),
                                               float(np.abs(r5[:, :3] - g5[:, :3]).max()))
                diff = np.abs(sigmoid(r5[:, 3:]) - sigmoid(g5[:, 3:])).max()
                key = "visibility_presence(sigmoid)"
            else:
                diff = np.abs(r - g).max()
                if name in ("Identity_2", "Identity_3"):  # segmentation / heatmap logits: compare probabilities
                    diff = np.abs(sigmoid(r) - sigmoid(g)).max()
                key = {"Identity_1": "pose_flag", "Identity_4": "world_m", "Identity_2": "segmentation(sigmoid)",
                       "Identity_3": "heatmap(sigmoid)", "Identity": "det_box_raw"}.get(name, name)
            worst[key] = max(worst.get(key, 0.0), float(diff))
    return worst


LIMITS = {
    "landmark_xyz_px": TOL_LANDMARK_PX,
    "world_m": TOL_WORLD_M,
    "pose_flag": TOL_POSE_FLAG,
    "det_box_raw": TOL_DET_BOX,
    "score(sigmoid)": TOL_DET_SCORE,
}


def report_parity(name: str, worst: dict[str, float]) -> bool:
    """Print one line per output; return whether every limited output is within its tolerance."""
    ok = True
    for key, value in sorted(worst.items()):
        limit = LIMITS.get(key)
        verdict = "" if limit is None else ("ok" if value <= limit else "FAIL")
        ok = ok and verdict != "FAIL"
        lim = "" if limit is None else f"(limit {limit:g})"
        print(f"  {name:8s} {key:30s} max |onnx - tflite| = {value:.3g} {lim} {verdict}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("models"))
    ap.add_argument("--models", default="detector,lite,full", help="comma list of detector,lite,full,heavy")
    ap.add_argument("--cache", type=Path, default=Path(".cache/model-sources"))
    ap.add_argument("--report", type=Path, help="write the parity figures as JSON here")
    ap.add_argument("--verify-only", action="store_true",
                    help="do not convert: check the ONNX files already in --out against TFLite")
    args = ap.parse_args()
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in wanted:
        if m not in MODELS:
            sys.exit(f"error: unknown model '{m}' (choose from {', '.join(MODELS)})")

    src = fetch_sources(args.cache)
    print(f"sources verified in {args.cache}")
    frames = read_frames(src["demo.mp4"], CHECK_TIMES_S)
    det_inputs, lm_inputs = crops_from_frames(frames, src["pose_detection.tflite"])
    if len(lm_inputs) < 3:
        sys.exit(f"error: the detector found a person in only {len(lm_inputs)} check frames")
    print(f"check input: {len(det_inputs)} frames of sports2d demo.mp4, {len(lm_inputs)} person crops")

    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, float]] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name in wanted:
            tfl_name, onnx_name = MODELS[name]
            tflite = src[tfl_name]
            inputs = det_inputs if name == "detector" else lm_inputs
            if args.verify_only:
                report[name] = compare(tflite, args.out / onnx_name, inputs)
                failed |= not report_parity(name, report[name])
                continue
            to_convert = tflite
            if name == "detector":
                to_convert = Path(tmp) / "pose_detection_dense.tflite"
                n = densify_detector(tflite, to_convert)
                print(f"detector: {n} DENSIFY ops replaced by dense constants")
            onnx_tmp = Path(tmp) / onnx_name
            to_onnx(to_convert, onnx_tmp)
            if name != "detector":
                drop_segmentation(onnx_tmp)
            report[name] = compare(tflite, onnx_tmp, inputs)
            if not report_parity(name, report[name]):
                failed = True
                continue
            shutil.move(str(onnx_tmp), args.out / onnx_name)
            print(f"wrote {args.out / onnx_name}")
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    if failed:
        print("error: parity check failed" + ("" if args.verify_only else "; failing models were not written"),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
