# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest bench fuzz lock audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.runtime

# The example's verdict is "fail" (exit 1): that is the gate doing its job, not a broken run.
run: $(VENV)/.runtime
	@rc=0; $(BIN)/ai-gate check --diff examples/ai-assisted-series.mbox --offline --config examples/ai-gate.yml \
	  || rc=$$?; echo "ai-gate exit code: $$rc (0 pass, 1 fail, 2 could not run)"; [ $$rc -le 1 ]

test: $(VENV)/.dev lint typecheck pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check gate tests $(wildcard bench)
	$(BIN)/ruff format --check gate tests $(wildcard bench)
	$(BIN)/hadolint Dockerfile

typecheck: $(VENV)/.dev
	$(BIN)/mypy --no-incremental

pytest: $(VENV)/.dev
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(VENV)/.dev
	$(BIN)/python -m bench

fuzz: $(VENV)/.dev
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} $(BIN)/pytest -q tests/fuzz -p no:xdist --hypothesis-profile=fuzz

audit: $(VENV)/.dev
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r requirements.lock

# Regenerate the hash-locked files after changing dependencies in pyproject.toml.
lock:
	uv pip compile pyproject.toml build-requirements.in --universal --python-version 3.11 \
	  --generate-hashes --no-header --quiet -o requirements.lock
	uv pip compile pyproject.toml build-requirements.in --universal --python-version 3.11 \
	  --generate-hashes --extra dev --extra otel --no-header --quiet -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
