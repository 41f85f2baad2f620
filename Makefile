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
# Train the embedded medical-ie LoRA adapter from scratch (about 25 min on 2 quiet CPU cores), evaluate
# it on the held-out test split and write serve_app/local/assets/smollm2-medical-ie-lora/ + its card.
adapter: setup
	$(VENV)/bin/pip install --quiet -e ".[cpu,embedded,train]"
	$(PY) -m training all
