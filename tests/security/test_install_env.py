"""A fresh environment holds exactly the lock: made by scripts/install-env, the way the Makefile makes
`.venv` and the Dockerfile makes the image's venv, with the Makefile's interpreter and with the image's
Python 3.12. Whatever the index released since the lock was written must not get in.

These install from the package index (reachable wherever the gate itself installs; seconds with uv's
warm cache). Without the index they skip, saying so; any other install failure fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.security.locks import ROOT, lock_entries

PY312 = os.environ.get("AI_GATE_PY312", "/root/.pyenv/versions/3.12.1/bin/python3.12")
_NO_NETWORK = (
    "Failed to fetch",
    "dns error",
    "Network is unreachable",
    "Connection refused",
    "NewConnectionError",
    "Temporary failure in name resolution",
)
# Printed by the venv's Python: the marker environment that decides which of the lock's pins apply.
_ENVIRONMENT = "import json; from packaging.markers import default_environment as e; print(json.dumps(e()))"


def install(python: str, venv: Path, lock: str) -> None:
    run = subprocess.run(
        [str(ROOT / "scripts" / "install-env"), python, str(venv), str(ROOT / lock)],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_NO_INPUT": "1"},
    )
    if run.returncode != 0 and any(mark in run.stderr for mark in _NO_NETWORK):
        pytest.skip("the package index is unreachable: " + run.stderr.strip().splitlines()[-1])
    assert run.returncode == 0, run.stderr


def installed(venv: Path) -> dict[str, str]:
    listing = subprocess.run(
        [
            str(venv / "bin" / "uv"),
            "pip",
            "list",
            "--format",
            "json",
            "--python",
            str(venv / "bin" / "python"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {canonicalize_name(d["name"]): d["version"] for d in json.loads(listing.stdout)}


def expected(venv: Path, lock: str) -> dict[str, str]:
    out = subprocess.run([str(venv / "bin" / "python"), "-c", _ENVIRONMENT], capture_output=True, text=True)
    environment = json.loads(out.stdout)
    return {name: pin.version for name, pin in lock_entries(lock).items() if pin.applies(environment)}


def assert_exactly_the_lock(venv: Path, lock: str, *extra: str) -> None:
    have = installed(venv)
    want = expected(venv, lock)
    for name in extra:
        have.pop(canonicalize_name(name), None)
    outside = {name: version for name, version in have.items() if want.get(name) != version}
    missing = {name: version for name, version in want.items() if have.get(name) != version}
    assert not outside, f"installed but not in {lock} (or at another version): {outside}"
    assert not missing, f"in {lock} but not installed: {missing}"


def makefile_python() -> str:
    """The interpreter the Makefile's `.venv` was made from (its PYTHON, python3 by default)."""
    return str(Path(sys.base_prefix) / "bin" / "python3")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_runtime_lock_installs_exactly_as_locked(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    install(makefile_python(), venv, "requirements.lock")
    assert_exactly_the_lock(venv, "requirements.lock")
    # litellm asks for httpx[http2]: the extra is installed as locked, whatever newer httpx exists.
    have = installed(venv)
    locked = lock_entries("requirements.lock")
    assert have["httpx"] == locked["httpx"].version and have["h2"] == locked["h2"].version


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.skipif(not Path(PY312).exists() and shutil.which("python3.12") is None, reason="no python3.12")
def test_the_image_environment_is_the_lock_and_runs_the_entrypoint(tmp_path: Path) -> None:
    """The Dockerfile's steps without a Docker engine: install-env into a Python 3.12 venv, the project
    installed with the same uv, the same entrypoint run."""
    python = PY312 if Path(PY312).exists() else str(shutil.which("python3.12"))
    venv = tmp_path / "image"
    install(python, venv, "requirements.lock")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    # as .dockerignore leaves them out
    ignored = shutil.ignore_patterns("__pycache__", "detector-facts.json")
    shutil.copytree(ROOT / "gate", src / "gate", ignore=ignored)
    uv = [str(venv / "bin" / "uv"), "pip", "install", "--quiet", "--compile-bytecode"]
    uv += ["--python", str(venv / "bin" / "python")]
    subprocess.run([*uv, "--no-deps", "--no-build-isolation", str(src)], check=True)
    assert_exactly_the_lock(venv, "requirements.lock", "ai-quality-gate")
    # compiled at install, as the image is: a run never compiles litellm or the gate again
    site = next((venv / "lib").glob("python3.*/site-packages"))
    assert any((site / "litellm" / "__pycache__").glob("*.pyc"))
    assert any((site / "gate" / "__pycache__").glob("*.pyc"))
    # The secret detector's facts, kept at install as the image's build keeps them (from the folder that
    # holds the source, as its WORKDIR does: into the installed package, not the source), and read by a
    # run of that Python (`gate.redact.facts`).
    keep = [str(venv / "bin" / "python"), "-P", "-m", "gate.redact.keep_facts"]
    assert " ".join(["/opt/ai-gate/venv/bin/python", *keep[1:]]) in (ROOT / "Dockerfile").read_text()
    subprocess.run(keep, check=True, capture_output=True, cwd=src)
    assert (site / "gate" / "redact" / "detector-facts.json").is_file()
    assert not (src / "gate" / "redact" / "detector-facts.json").exists()
    read = (
        "from gate.redact import prefilter; from gate.redact.candidates import prepare; prepare(); "
        "assert prefilter._parsed.cache_info().currsize == 0, 'the patterns were read: the facts were not'; "
        "from gate.redact.facts import fingerprint, load; from gate.redact.rules import _analyse, _plugins; "
        "p = _plugins(); assert load(fingerprint(p.analysed)) == _analyse(p)"
    )
    subprocess.run([str(venv / "bin" / "python"), "-c", read], check=True, cwd=tmp_path)

    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        ["ai-gate", "github", "--help"], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "ai-gate github" in out.stdout
    # A minimal run: not a pull request event, a clear neutral outcome and exit 0.
    (tmp_path / "out").touch()
    run = subprocess.run(
        ["ai-gate", "github"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "GITHUB_EVENT_NAME": "push", "GITHUB_OUTPUT": str(tmp_path / "out")},
    )
    assert run.returncode == 0, run.stderr
    assert "verdict<<" in (tmp_path / "out").read_text()
