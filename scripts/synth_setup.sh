#!/usr/bin/env bash
# Set-up for the synthetic-clip generator (tools/synth): headless OpenGL (EGL + Mesa's llvmpipe) from Debian's
# packages, installed only when missing, and the generator's own Python venv (tools/synth/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for p in libegl1 libgl1-mesa-dri; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "synth-setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
venv=tools/.venv-synth
if [ ! -f "$venv/.installed" ] || [ tools/synth/requirements.txt -nt "$venv/.installed" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/synth/requirements.txt
  touch "$venv/.installed"
fi
