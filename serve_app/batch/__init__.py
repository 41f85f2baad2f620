"""Batch extraction on Ray Data: the archive-scale path next to the online `/v1/extract`.

read (JSONL / CSV / Parquet, any pyarrow filesystem) -> scrub (CPU actor pool around the project's
PHI engine) -> extract (actor pool around the project's vLLM extraction code, GPU in production)
-> write (Parquet parts, optionally JSONL, renamed into place when complete). Resumable: ids already
in the output are skipped. Run it with `python -m serve_app.batch` or `clinserve-batch`; on
Kubernetes it is the chart's RayJob (docs/batch.md).

PHI rule: no output column, log line or exception message carries note text or PHI values.
"""
