"""Kubernetes deployment of Clinserve: Helm chart rendering and validation, the k8s/ manifests, and
the `clinserve-deploy` CLI (render / validate / schema / apply / status / rollback; also
`python -m deploy`).

A top-level package, not part of `serve_app` and not in the serving image. Its dependencies are the
`deploy` extra (`pip install -e '.[deploy]'`): helm-python-sdk (rendering, lint), kubernetes-validate
and jsonschema (validation), kubernetes (apply/status/rollback).
"""
