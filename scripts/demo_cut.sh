#!/usr/bin/env bash
# The one-person stretch of the sports2d demo clip used to compare genu with MediaPipe: 1.5 s to 5.3 s, the
# lower 514 rows (the woman walking across; the man on the box stays above the crop). Encoded with one x264
# thread so that the bytes are the same on every machine with Debian 12's FFmpeg; the tests check the
# SHA-256 recorded in fixtures/README.md.
# Usage: scripts/demo_cut.sh DEMO.mp4 OUT.mp4
set -euo pipefail
src=${1:?usage: demo_cut.sh DEMO.mp4 OUT.mp4}
out=${2:?usage: demo_cut.sh DEMO.mp4 OUT.mp4}
ffmpeg -v error -y -ss 1.5 -i "$src" -t 3.8 -vf "crop=1768:514:0:480" -an \
  -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -threads 1 "$out"
