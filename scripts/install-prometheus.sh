#!/usr/bin/env bash
# Make `promtool` and `prometheus` available for tests/observability (rule checks, rule unit
# tests, the real-scrape integration test). Idempotent: does nothing when promtool is already
# on PATH. Installs Debian's `prometheus` package (server + promtool) with apt-get, only when
# running as root on a Debian/Ubuntu machine; otherwise explains and exits 0 so callers (test
# setup) go on and the tests that need the binaries skip with a clear message.
# The package's service is not started: the tests run their own server on loopback.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-prometheus: promtool/prometheus missing and not root; install the 'prometheus' package" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-prometheus: promtool/prometheus missing and no apt-get here; install Prometheus 2.x" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Never start the packaged service (no init system in containers anyway; the tests start their own).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null && command -v prometheus >/dev/null
echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
