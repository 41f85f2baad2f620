# Quickstart: `make run` (service on http://127.0.0.1:8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup setup-test run test lint bench

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh test

run: setup
	$(PY) -m serve_app run --config serve_config.local.yaml

test: setup-test
	$(PY) -m pytest -v -ra --durations=15

lint: setup-test
	$(VENV)/bin/ruff check .

bench: setup-test
	$(PY) bench/extract_throughput.py

.PHONY: adapter
# Train the embedded medical-ie LoRA adapter from scratch (about 40 min on 2 CPU cores), evaluate
# it on the held-out test split and write serve_app/local/assets/smollm2-medical-ie-lora/ + its card.
# `make adapter FEEDBACK=<database URL>`: reviewers' corrections are merged into the training data, a
# candidate is trained, and it is promoted (copied in as build/adapters/medical-ie/vN) only if the gate
# measures it better than the shipped adapter on the test split and the feedback hold-out.
adapter: setup
	$(VENV)/bin/pip install --quiet -e ".[cpu,embedded,train]"
ifdef FEEDBACK
	$(PY) -m training feedback-export --database-url "$(FEEDBACK)"
	$(PY) -m training train --feedback build/training/feedback/train.jsonl \
		--out build/training/candidate --run-dir build/training/run-candidate
	$(PY) -m training gate --candidate build/training/candidate --promote-to build/adapters/medical-ie
else
	$(PY) -m training all
endif
