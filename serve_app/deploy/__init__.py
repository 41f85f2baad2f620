"""Kubernetes deployment of Clinserve: Helm chart rendering and validation, the k8s/ manifests, and
the `python -m serve_app.deploy` CLI (render / validate / schema / apply / status / rollback).

Optional dependencies (not needed by the Serve app itself): helm-python-sdk (rendering, lint),
kubernetes-validate and jsonschema (validation), kubernetes (apply/status).
"""
