# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest bench fuzz lock audit clean example-summary

# scripts/install-env makes every environment the same way: a pinned, hash-checked uv (bootstrapped
# from requirements-bootstrap.lock) runs `uv pip sync --require-hashes`, so the lock alone decides what
# is installed, whatever pip the interpreter bundles and whatever the index released since. uv also
# installs in parallel: the two locks install in about a tenth of pip's time.
$(VENV)/.runtime: requirements.lock requirements-bootstrap.lock pyproject.toml scripts/install-env
	scripts/install-env $(PYTHON) $(VENV) requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.dev
	touch $@

$(VENV)/.dev: requirements-dev.lock requirements-bootstrap.lock pyproject.toml scripts/install-env
	scripts/install-env $(PYTHON) $(VENV) requirements-dev.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.runtime

# The secret detector's facts (gate/redact/facts.py), worked out again when what they are of may have
# changed: the detector's modules, or the environment (detect-secrets' patterns, Python). A run reads
# them only when they are of its code; the suite checks that they are.
FACTS := gate/redact/detector-facts.json
$(FACTS): $(VENV)/.runtime $(wildcard gate/redact/*.py)
	$(BIN)/python -m gate.redact.keep_facts

# The example's verdict is "fail" (exit 1): that is the gate doing its job, not a broken run.
run: $(VENV)/.runtime $(FACTS)
	@rc=0; $(BIN)/ai-gate check --diff examples/ai-assisted-series.mbox --offline --config examples/ai-gate.yml \
	  || rc=$$?; echo "ai-gate exit code: $$rc (0 pass, 1 fail, 2 could not run)"; [ $$rc -le 1 ]

test: $(VENV)/.dev lint typecheck pytest

# docs/example-summary.md: the summary comment for `make run`'s change, gated with scripted models on
# loopback fakes (no network); a test checks the committed file is what this renders.
example-summary: $(VENV)/.dev
	$(BIN)/python -m tests.example_summary docs/example-summary.md

# Every workflow we ship or run, audited by zizmor without network (no finding, or an inline
# `# zizmor: ignore[...]` that says why).
WORKFLOWS := $(wildcard examples/workflows/*.yml .github/workflows/*.yml) .github/dependabot.yml

lint: $(VENV)/.dev
	$(BIN)/ruff check gate tests examples $(wildcard bench)
	$(BIN)/ruff format --check gate tests examples $(wildcard bench)
	$(BIN)/hadolint Dockerfile
	$(BIN)/zizmor --offline --quiet $(WORKFLOWS)

typecheck: $(VENV)/.dev
	$(BIN)/mypy --no-incremental

# The time-growth checks (`growth`: each reader fed adversarial inputs of growing size, up to 1 MB, its
# CPU time compared step to step) take about a seventh of the suite's time; `make fuzz` runs them, with
# the long fuzzing. Three workers on two cores: a test that runs the gate as a subprocess, against
# loopback servers its worker serves, leaves the worker mostly waiting. With two workers the GitHub
# tests kept the cores busy three quarters of the time; with three, the whole suite keeps them 95% busy.
pytest: $(VENV)/.dev $(FACTS)
	$(BIN)/pytest -q -n 3 --dist loadfile -m "not online and not growth"

bench: $(VENV)/.dev $(FACTS)
	$(BIN)/python -m bench

fuzz: $(VENV)/.dev
	$(BIN)/pytest -q -n 2 --dist loadfile -m growth tests
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} $(BIN)/pytest -q tests/fuzz -p no:xdist --hypothesis-profile=fuzz

audit: $(VENV)/.dev
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r requirements.lock

# Regenerate the hash-locked files after changing dependencies in pyproject.toml or build-requirements.in,
# with the pinned uv of the environment (existing pins are kept unless a change needs them to move).
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --no-header --quiet
lock: $(VENV)/.runtime
	$(UV) pip compile pyproject.toml build-requirements.in $(LOCK_FLAGS) -o requirements.lock
	$(UV) pip compile pyproject.toml build-requirements.in $(LOCK_FLAGS) --extra dev --extra otel \
	  -o requirements-dev.lock
	$(UV) pip compile build-requirements.in $(LOCK_FLAGS) --no-emit-package pip --no-emit-package setuptools \
	  -o requirements-bootstrap.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
