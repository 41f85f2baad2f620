"""Environment every Ray process of a Clinserve cluster starts with.

Serve's proxy, controller and replicas read these at import time, so they belong in each Ray node's
environment (not in an application's runtime_env): the local runner (`serve_app.local.local_cluster`)
sets them before starting Ray, and the Helm chart puts the same variables on every Ray pod
(`clinserve.commonEnv`; tests/k8s/test_k8s_chart.py checks that both agree).

- The proxy middleware (`serve_app.proxy.middleware`): safe request ids, the JSON error envelope.
- Three of Ray Serve's own request-path settings, the ones its "throughput optimized" mode
  (`RAY_SERVE_THROUGHPUT_OPTIMIZED`, docs: "Enable High Throughput on Ray Serve with KubeRay") turns
  on, chosen one by one: user code and the handle router run on the replica's event loop instead of a
  second thread or loop (one hand-off less per hop), and handles talk to replicas over gRPC. Measured on
  the PHI gateway (docs/benchmarks.md, "PHI gateway under load"): /health/live p50 6.4 -> 3.7 ms and
  /v1/deidentify 1-client p50 17.3 -> 13.3 ms. Safe here because no Clinserve deployment blocks its
  event loop: scrubbing runs on a worker thread, database calls in `asyncio.to_thread`, vLLM in its
  engine process. Left off from that mode: direct ingress (it would bypass the proxy middleware) and
  buffered request-path logs (an audit line must not wait in a buffer).
"""

from __future__ import annotations

from serve_app.proxy.middleware import PROXY_CALLBACK, PROXY_CALLBACK_ENV

RAY_PROCESS_ENV: dict[str, str] = {
    PROXY_CALLBACK_ENV: PROXY_CALLBACK,
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0",
    "RAY_SERVE_RUN_ROUTER_IN_SEPARATE_LOOP": "0",
    "RAY_SERVE_USE_GRPC_BY_DEFAULT": "1",
}
