"""Ray Serve deployments: Ingress (HTTP), PHIScrubber (CPU) and LLM (vLLM)."""
