# syntax=docker/dockerfile:1
# The AI Quality Gate action image: Python 3.12, dependencies from the hash-locked requirements only,
# installed by scripts/install-env exactly as `make run` installs them (a pinned, hash-checked uv).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    PATH=/opt/ai-gate/venv/bin:$PATH

# git reads the workspace checkout (history for attribution, the base branch's config).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/ai-gate
COPY scripts/install-env requirements-bootstrap.lock requirements.lock ./
RUN ./install-env python3 /opt/ai-gate/venv requirements.lock

COPY pyproject.toml README.md ./
COPY gate ./gate
# What the secret detector's patterns require is worked out once here, not by every run
# (gate/redact/facts.py), beside the installed package: -P keeps ./gate, the source, off the module path.
RUN uv pip install --quiet --compile-bytecode --python /opt/ai-gate/venv/bin/python --no-deps --no-build-isolation . \
    && rm -rf build ./*.egg-info \
    && /opt/ai-gate/venv/bin/python -P -m gate.redact.keep_facts

# The runner mounts the workspace at /github/workspace and runs the container as root.
ENTRYPOINT ["ai-gate", "github"]
