"""`clinserve-deploy` (or `python -m deploy`): render, validate, apply (with wait and rollback),
status, rollback, and batch (submit the batch-extraction RayJob, report its status).

It works on a Clinserve checkout (the chart, k8s/, the serve configs): the current directory or one
above it, else $CLINSERVE_REPO_ROOT (see deploy/paths.py).

Exit codes: 0 success; 1 deploy failed and was rolled back / not ready / validation problems /
stale files; 2 usage, configuration or API error before anything changed; 3 the rollback failed
too (manual action needed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from deploy import paths

EXIT_OK, EXIT_FAILED, EXIT_ERROR, EXIT_ROLLBACK_FAILED = 0, 1, 2, 3


def _render_args(parser: argparse.ArgumentParser, *, namespace_default: str | None) -> None:
    parser.add_argument(
        "--profile", choices=sorted(paths.PROFILES), default="gpu", help="values profile (default gpu)"
    )
    parser.add_argument(
        "-f", "--values", action="append", type=Path, default=[], help="extra values file (repeatable)"
    )
    parser.add_argument(
        "--set", dest="set_values", action="append", default=[], help="helm --set expression (repeatable)"
    )
    parser.add_argument("--release", default=paths.DEFAULT_RELEASE, help="release name (default %(default)s)")
    parser.add_argument(
        "--namespace", default=namespace_default, help=f"namespace (default {paths.DEFAULT_NAMESPACE})"
    )


def _cluster_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)"
    )
    parser.add_argument("--context", help="kubeconfig context")


def _wait_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=float, default=45 * 60, help="seconds to wait for serving (default 2700)"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=10.0, help="seconds between checks (default 10)"
    )
    parser.add_argument(
        "--health-url",
        help="GET this URL for readiness instead of the API server's Service proxy, e.g. the in-cluster "
        "http://clinserve-serve-svc.clinserve.svc:8000/health/ready or a port-forward's http://127.0.0.1:8000/health/ready",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinserve-deploy", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("render", help="render the chart: YAML to stdout, or the k8s/ directory with --out")
    _render_args(p, namespace_default=paths.DEFAULT_NAMESPACE)
    p.add_argument(
        "--out", type=Path, help="write one file per object plus kustomization.yaml here (e.g. k8s/)"
    )
    p.add_argument(
        "--check", action="store_true", help="with --out: exit 1 if the directory is not up to date"
    )
    p.add_argument("--notes", action="store_true", help="print the chart's NOTES.txt instead")

    p = sub.add_parser(
        "validate", help="offline checks: helm lint, kubernetes-validate, CRD schemas, Serve schema, policy"
    )
    _render_args(p, namespace_default=paths.DEFAULT_NAMESPACE)
    p.add_argument("--crds", type=Path, help="CRD folder (default $CLINSERVE_CRDS_DIR or ../shared/crds)")

    p = sub.add_parser("schema", help="print values.schema.json generated from deploy/values.py")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {paths.SCHEMA_RELPATH}")
    group.add_argument("--check", action="store_true", help="exit 1 if the committed schema is stale")

    p = sub.add_parser("apply", help="server-side apply, wait until serving, roll back on failure")
    _render_args(p, namespace_default=None)
    p.add_argument(
        "--from-dir", type=Path, help="apply this rendered directory (e.g. k8s/) instead of rendering"
    )
    p.add_argument("--no-rollback", action="store_true", help="leave a failed rollout in place for debugging")
    _wait_args(p)
    _cluster_args(p)

    p = sub.add_parser("status", help="RayService conditions, Serve application and deployment states")
    p.add_argument("--namespace", default=paths.DEFAULT_NAMESPACE)
    p.add_argument("--name", default=paths.DEFAULT_RELEASE, help="RayService name (default %(default)s)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _cluster_args(p)

    p = sub.add_parser(
        "rollback", help="re-apply the revision before the current one, then wait as apply does"
    )
    p.add_argument("--namespace", default=paths.DEFAULT_NAMESPACE)
    p.add_argument("--name", default=paths.DEFAULT_RELEASE, help="RayService name (default %(default)s)")
    _wait_args(p)
    _cluster_args(p)

    p = sub.add_parser("batch", help="batch extraction: submit the chart's RayJob, report its status")
    batch = p.add_subparsers(dest="batch_command", required=True)
    q = batch.add_parser("submit", help="render the batch RayJob (batch.enabled) and apply it")
    _render_args(q, namespace_default=paths.DEFAULT_NAMESPACE)
    q.add_argument("--input", help="notes to read: file or folder URI (sets batch.input)")
    q.add_argument("--output", help="output folder URI (sets batch.output); a re-run resumes")
    q.add_argument("--wait", action="store_true", help="wait until the job finishes; exit 1 if it failed")
    q.add_argument("--timeout", type=float, default=24 * 3600, help="seconds --wait waits (default 86400)")
    q.add_argument("--poll-interval", type=float, default=10.0, help="seconds between checks (default 10)")
    _cluster_args(q)
    q = batch.add_parser("status", help="the RayJob's state (exit 0 running or succeeded, 1 failed)")
    q.add_argument("--namespace", default=paths.DEFAULT_NAMESPACE)
    q.add_argument(
        "--name", default=f"{paths.DEFAULT_RELEASE}-batch", help="RayJob name (default %(default)s)"
    )
    q.add_argument("--json", action="store_true", help="machine-readable output")
    _cluster_args(q)
    return parser


def _render_options(args: argparse.Namespace) -> Any:
    from deploy.render import RenderOptions

    return RenderOptions(
        profile=args.profile,
        values_files=args.values,
        set_values=args.set_values,
        release=args.release,
        namespace=args.namespace or paths.DEFAULT_NAMESPACE,
    )


def cmd_render(args: argparse.Namespace) -> int:
    from deploy import render

    options = _render_options(args)
    if args.notes:
        print(render.render_notes(options))
        return EXIT_OK
    if args.out is None:
        if args.check:
            print("error: --check needs --out", file=sys.stderr)
            return EXIT_ERROR
        sys.stdout.write(render.to_yaml_stream(render.render(options)))
        return EXIT_OK
    if args.check:
        problems = render.diff_k8s_dir(options, args.out)
        for problem in problems:
            print(problem)
        if problems:
            print(
                f"{args.out} is stale: run clinserve-deploy render --out {args.out}",
                file=sys.stderr,
            )
        return EXIT_FAILED if problems else EXIT_OK
    for name in render.write_k8s_dir(options, args.out):
        print(args.out / name)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from deploy import policy, render, validate

    options = _render_options(args)
    objs = render.objects(render.render(options))
    problems = validate.helm_lint(options.user_values())
    problems += validate.kube_validate(objs)
    crds = args.crds or paths.crds_dir()
    if crds is None:
        print("CRD check skipped: set CLINSERVE_CRDS_DIR or provide ../shared/crds", file=sys.stderr)
    else:
        problems += validate.crd_validate(objs, crds)
    problems += validate.serve_validate(objs)
    problems += policy.check(objs)
    for problem in problems:
        print(problem)
    print(f"{len(objs)} objects, {len(problems)} problem(s) (profile {args.profile})")
    return EXIT_FAILED if problems else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from deploy.values import json_schema_text

    text = json_schema_text()
    if args.write:
        paths.SCHEMA_FILE.write_text(text)
        print(paths.SCHEMA_FILE)
    elif args.check:
        current = paths.SCHEMA_FILE.read_text() if paths.SCHEMA_FILE.is_file() else ""
        if current != text:
            print(f"{paths.SCHEMA_FILE} is stale: run clinserve-deploy schema --write")
            return EXIT_FAILED
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _deployer(args: argparse.Namespace) -> Any:
    from deploy.apply import Deployer, Options
    from deploy.kube import Kube

    options = Options(timeout_s=args.timeout, poll_interval_s=args.poll_interval, health_url=args.health_url)
    if getattr(args, "no_rollback", False):
        options.rollback = False
    return Deployer(Kube.connect(args.kubeconfig, args.context), options=options, out=sys.stdout)


def cmd_apply(args: argparse.Namespace) -> int:
    from deploy import render

    if args.from_dir is not None:
        objs = render.load_dir(args.from_dir)
        namespaces = {o["metadata"].get("namespace") for o in objs if o["metadata"].get("namespace")}
        if args.namespace and namespaces != {args.namespace}:
            raise render.RenderError(
                f"{args.from_dir} targets namespace(s) {sorted(namespaces)}; "
                f"re-render it with --namespace {args.namespace}"
            )
    else:
        objs = render.objects(render.render(_render_options(args)))
    print(_deployer(args).apply(objs))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from deploy import status
    from deploy.apply import RAYSERVICE
    from deploy.kube import Kube

    live = Kube.connect(args.kubeconfig, args.context).get(RAYSERVICE, args.namespace, args.name)
    if live is None:
        print(f"error: RayService {args.namespace}/{args.name} not found", file=sys.stderr)
        return EXIT_ERROR
    view = status.RayServiceView.from_object(live)
    if args.json:
        print(json.dumps(status.as_dict(view), indent=2, default=str))
    else:
        print("\n".join(status.describe(view)))
        verdict = status.evaluate(view)
        print(f"verdict: {verdict.state}" + (f" - {verdict.summary}" if verdict.reasons else ""))
    return EXIT_OK if status.evaluate(view).state == "ready" else EXIT_FAILED


def cmd_rollback(args: argparse.Namespace) -> int:
    print(_deployer(args).rollback_to_previous(args.namespace, args.name))
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from deploy import batch, render
    from deploy.kube import Kube

    kube = Kube.connect(args.kubeconfig, args.context)
    poll_s = getattr(args, "poll_interval", 10.0)
    submitter = batch.BatchSubmitter(kube, out=sys.stdout, poll_interval_s=poll_s)
    if args.batch_command == "status":
        view = submitter.get(args.namespace, args.name)
        if view is None:
            print(f"error: RayJob {args.namespace}/{args.name} not found", file=sys.stderr)
            return EXIT_ERROR
        print(json.dumps(batch.as_dict(view), indent=2) if args.json else "\n".join(batch.describe(view)))
        return EXIT_FAILED if view.state == "failed" else EXIT_OK
    options = _render_options(args)
    options.values = render.deep_merge(options.values, batch.batch_values(args.input, args.output))
    try:
        objs = batch.batch_objects(render.objects(render.render(options)))
    except LookupError as exc:
        raise render.RenderError(str(exc)) from None
    try:
        view = submitter.submit(objs)
    except batch.BatchBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"submitted RayJob {view.namespace}/{view.name}: clinserve-deploy batch status --name {view.name}")
    if not args.wait:
        return EXIT_OK
    try:
        view = submitter.wait(view.namespace, view.name, args.timeout)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(batch.describe(view)))
    return EXIT_OK if view.state == "succeeded" else EXIT_FAILED


COMMANDS = {
    "render": cmd_render,
    "validate": cmd_validate,
    "schema": cmd_schema,
    "apply": cmd_apply,
    "status": cmd_status,
    "rollback": cmd_rollback,
    "batch": cmd_batch,
}


def main(argv: list[str] | None = None) -> int:
    from deploy.apply import DeployFailed, ManifestError, RollbackFailed
    from deploy.kube import KubeError
    from deploy.render import RenderError

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except RollbackFailed as exc:
        cause = exc.__context__
        print(f"error: deploy failed ({cause}) and the ROLLBACK FAILED too: {exc}", file=sys.stderr)
        print("manual action needed: inspect with `clinserve-deploy status`", file=sys.stderr)
        return EXIT_ROLLBACK_FAILED
    except DeployFailed as exc:
        print(f"error: deploy failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (KubeError, RenderError, ManifestError, paths.RepoNotFound) as exc:
        print(
            f"error: {exc} (nothing was changed)" if args.command == "apply" else f"error: {exc}",
            file=sys.stderr,
        )
        return EXIT_ERROR
