#!/usr/bin/env bash
# Idempotent set-up for building and running genu on Debian 12 / Ubuntu (x86_64):
#   1. the Debian packages the build needs (FFmpeg development libraries, clang for bindgen, pkg-config,
#      the ffmpeg CLI that the tests use to make fixture clips), installed only when missing;
#   2. ONNX Runtime's shared library, taken from the onnxruntime==1.31.1 wheel on PyPI, checked against
#      its SHA-256 and put in .runtime/ (git-ignored), where genu finds it;
#   3. the demo clip of the sports2d==0.8.34 wheel on PyPI (BSD-3-Clause; two people, real footage), put in
#      .cache/sports2d/ (git-ignored) for the pose tests and benchmarks.
# Running it again when everything is present does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.31.1
ORT_WHEEL_PLATFORM=manylinux_2_28_x86_64
ORT_WHEEL_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
ORT_LIB=libonnxruntime.so.${ORT_VERSION}
ORT_LIB_SHA256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
ORT_DIR=.runtime/onnxruntime-${ORT_VERSION}

SPORTS2D_VERSION=0.8.34
SPORTS2D_WHEEL_SHA256=733b6db70742636ae9c35d870c22bd416582f579abd5881bee93a14bb0e2655d
SPORTS2D_DEMO_SHA256=d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039
SPORTS2D_DIR=.cache/sports2d

APT_PACKAGES=(pkg-config clang libclang-dev libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libswresample-dev libavfilter-dev libavdevice-dev ffmpeg python3 python3-pip python3-venv)

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"; exit 1; fi
}

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    # python3 and pip may come from elsewhere (pyenv); only ask apt for what is really absent
    case "$p" in
      python3) command -v python3 >/dev/null && continue ;;
      python3-pip) python3 -m pip --version >/dev/null 2>&1 && continue ;;
      python3-venv) python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

check_rust() {
  command -v cargo >/dev/null || { say "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 1; }
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

install_onnxruntime() {
  if [ "$(uname -m)" != x86_64 ]; then
    say "this set-up fetches ONNX Runtime for x86_64 only; on $(uname -m) pass --ort-lib or GENU_ORT_LIB"
    exit 1
  fi
  if [ -f "$ORT_DIR/$ORT_LIB" ] && [ "$(sha_of "$ORT_DIR/$ORT_LIB")" = "$ORT_LIB_SHA256" ]; then
    return
  fi
  say "fetching ONNX Runtime ${ORT_VERSION} from PyPI (onnxruntime wheel)"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --implementation cp --platform "$ORT_WHEEL_PLATFORM" \
    -d "$tmp" "onnxruntime==${ORT_VERSION}"
  local wheel
  wheel=$(ls "$tmp"/onnxruntime-"${ORT_VERSION}"-*.whl)
  [ "$(sha_of "$wheel")" = "$ORT_WHEEL_SHA256" ] || { say "unexpected SHA-256 for $(basename "$wheel")"; exit 1; }
  extract_member "$wheel" "onnxruntime/capi/$ORT_LIB" "$tmp/$ORT_LIB"
  [ "$(sha_of "$tmp/$ORT_LIB")" = "$ORT_LIB_SHA256" ] || { say "unexpected SHA-256 for $ORT_LIB"; exit 1; }
  mkdir -p "$ORT_DIR"
  mv "$tmp/$ORT_LIB" "$ORT_DIR/$ORT_LIB.partial"
  mv "$ORT_DIR/$ORT_LIB.partial" "$ORT_DIR/$ORT_LIB"
  say "ONNX Runtime library in $ORT_DIR/$ORT_LIB"
}

# extract MEMBER of the zip WHEEL into DEST, checking DEST's SHA-256
extract_member() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], "wb") as out:
    out.write(z.read(sys.argv[2]))
PY
}

install_sports2d_demo() {
  local dest="$SPORTS2D_DIR/demo.mp4"
  if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$SPORTS2D_DEMO_SHA256" ]; then
    return
  fi
  say "fetching the sports2d ${SPORTS2D_VERSION} demo clip from PyPI"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$tmp" \
    "sports2d==${SPORTS2D_VERSION}"
  local wheel
  wheel=$(ls "$tmp"/sports2d-"${SPORTS2D_VERSION}"-*.whl)
  [ "$(sha_of "$wheel")" = "$SPORTS2D_WHEEL_SHA256" ] || { say "unexpected SHA-256 for $(basename "$wheel")"; exit 1; }
  extract_member "$wheel" Sports2D/Demo/demo.mp4 "$tmp/demo.mp4"
  [ "$(sha_of "$tmp/demo.mp4")" = "$SPORTS2D_DEMO_SHA256" ] || { say "unexpected SHA-256 for the demo clip"; exit 1; }
  mkdir -p "$SPORTS2D_DIR"
  mv "$tmp/demo.mp4" "$dest"
}

install_debian_packages
check_rust
install_onnxruntime
install_sports2d_demo
