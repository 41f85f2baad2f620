"""Local tooling, not run in the cluster: the `clinserve` CLI, the single-node cluster runner, and
the embedded default model assets (SmolLM2-135M + the trained medical-ie adapter)."""
