"""`clinserve` command line: run the service locally (`run`) and build the embedded assets
(`prepare-assets`).
Kubernetes has its own tool: `clinserve-deploy`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

DEFAULT_LOCAL_CONFIG = "serve_config.local.yaml"


def _run(args: argparse.Namespace) -> int:
    from serve_app.local.local_cluster import LocalServe, ServeStartupError, load_config

    config = load_config(args.config)
    if args.port:
        config.setdefault("http_options", {})["port"] = args.port
    service = LocalServe(config, dashboard_port=args.dashboard_port, metrics_port=args.metrics_port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        print(f"Starting Clinserve from {args.config} (first start builds the embedded model once)...")
        service.start()
        readiness = service.wait_ready(timeout_s=args.ready_timeout)
        print(json.dumps(readiness, indent=2))
        print(
            f"\nClinserve is ready on {service.base_url}  (API docs: {service.base_url}/docs)\n"
            f"Ray dashboard: http://127.0.0.1:{args.dashboard_port}   "
            f"Prometheus metrics: http://127.0.0.1:{args.metrics_port}/metrics\n"
            "Press Ctrl-C to stop."
        )
        if args.detach_check:
            return 0
        stop.wait()
        return 0
    except ServeStartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping Clinserve...")
        service.stop()


def _prepare(_: argparse.Namespace) -> int:
    from serve_app.local import embedded

    for name, path in embedded.prepare_all().items():
        print(f"{name}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinserve", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="Run the service locally on a single-node Ray cluster.")
    run.add_argument("--config", default=DEFAULT_LOCAL_CONFIG, type=Path)
    run.add_argument("--port", type=int, default=None, help="HTTP port (default: from the config)")
    run.add_argument("--dashboard-port", type=int, default=8265)
    run.add_argument("--metrics-port", type=int, default=8080)
    run.add_argument("--ready-timeout", type=float, default=900.0)
    run.add_argument("--detach-check", action="store_true", help="Exit (and stop) once ready: a smoke test.")
    run.set_defaults(func=_run)

    prepare = commands.add_parser("prepare-assets", help="Build the embedded SmolLM2 model and LoRA adapter.")
    prepare.set_defaults(func=_prepare)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
