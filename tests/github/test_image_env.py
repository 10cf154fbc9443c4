"""The image's environment without a Docker engine: a fresh Python 3.12 venv from the same lock file,
installed the way the Dockerfile installs it, running the same entrypoint."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PY312 = os.environ.get("AI_GATE_PY312", "/root/.pyenv/versions/3.12.1/bin/python3.12")


_NO_NETWORK = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "ReadTimeoutError",
)


def _dockerfile_pip_lines() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    return [line for line in text.splitlines() if "pip install" in line]


# Installs from the package index (reachable wherever the gate itself installs); about a minute with a
# warm pip cache. Without the index it skips, saying so; any other install failure fails.
@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.skipif(not Path(PY312).exists() and shutil.which("python3.12") is None, reason="no python3.12")
def test_image_environment_runs_the_entrypoint(tmp_path: Path) -> None:
    lines = _dockerfile_pip_lines()
    assert any("--require-hashes -r requirements.lock" in line for line in lines)
    python = PY312 if Path(PY312).exists() else str(shutil.which("python3.12"))
    venv = tmp_path / "image"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    install = subprocess.run(
        [*pip, "--require-hashes", "-r", str(ROOT / "requirements.lock")], capture_output=True, text=True
    )
    if install.returncode != 0 and any(mark in install.stderr for mark in _NO_NETWORK):
        pytest.skip("the package index is unreachable: " + install.stderr.strip().splitlines()[-1])
    assert install.returncode == 0, install.stderr
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "gate", src / "gate", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(src)], check=True)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        [str(venv / "bin" / "ai-gate"), "github", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert "ai-gate github" in out.stdout
    # A minimal run: not a pull request event, a clear neutral outcome and exit 0.
    (tmp_path / "out").touch()
    run = subprocess.run(
        [str(venv / "bin" / "ai-gate"), "github"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "GITHUB_EVENT_NAME": "push", "GITHUB_OUTPUT": str(tmp_path / "out")},
    )
    assert run.returncode == 0, run.stderr
    assert "verdict<<" in (tmp_path / "out").read_text()
