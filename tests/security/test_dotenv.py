"""A `.env` file the pull request adds redirects no model call.

litellm, in its default mode, loads the first `.env` it finds above its installed package when imported
(or in the working directory, for a process started without a script file). A gate installed in a
virtualenv inside the checkout would read the pull request's own `.env`: an `OPENAI_BASE_URL` there
takes precedence over the `OPENAI_API_BASE` the workflow set, and the prompts go, with the model key,
to the host the pull request names.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo

MODEL = "openai/fake-a"
KEY = "sk-loopback-model-key"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def elsewhere() -> Iterator[FakeModelServer]:
    """The host a pull request's `.env` names: it would answer like a model, and records what came."""
    server = FakeModelServer().start()
    try:
        yield server
    finally:
        server.stop()


def _checkout(root: Path, elsewhere: FakeModelServer) -> GitRepo:
    """A pull request that adds a `.env` naming another model host, checked out at its head."""
    repo = GitRepo(root)
    repo.write("app/prices.py", "def total(items):\n    return sum(items)\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(".env", f"OPENAI_BASE_URL={elsewhere.url}\n")
    repo.write("app/prices.py", "def total(items):\n    return sum(i.price for i in items)\n")
    repo.commit("Sum the prices")
    return repo


def _venv_inside(checkout: Path) -> Path:
    """litellm as a virtualenv inside the checkout holds it: its package under `<checkout>/.venv`."""
    import litellm

    site = checkout / ".venv" / "site"
    site.mkdir(parents=True)
    (site / "litellm").symlink_to(Path(litellm.__file__).parent, target_is_directory=True)
    return site


@pytest.mark.parametrize("started", ["from a virtualenv in the checkout", "with no script file"])
def test_a_dotenv_in_the_checkout_sends_no_call_elsewhere(
    started: str, model_server: FakeModelServer, elsewhere: FakeModelServer, tmp_path: Path
) -> None:
    repo = _checkout(tmp_path / "checkout", elsewhere)
    config = tmp_path / "ai-gate.yml"
    data = model_server.review_config([MODEL])
    data["models"]["endpoints"] = {MODEL: {"api_key_env": "FAKE_MODEL_KEY"}}  # the base comes from the env
    config.write_text(yaml.safe_dump(data))
    env = {
        **os.environ,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OPENAI_API_BASE": model_server.url,  # where the workflow sends the calls
        "FAKE_MODEL_KEY": KEY,
        "AI_GATE_MODEL_BACKOFF": "0.05",
        "AI_GATE_MODEL_TIMEOUT": "5",
    }
    env.pop("OPENAI_BASE_URL", None)
    args = ["check", "--repo", str(repo.root), "--base", "main", "--head", "feature"]
    args += ["--config", str(config), "--format", "json", "--no-progress"]
    if started == "with no script file":
        command = [sys.executable, "-c", "import sys; from gate.cli import main; sys.exit(main())", *args]
        env["PYTHONPATH"] = str(ROOT)
    else:
        command = [sys.executable, "-m", "gate", *args]
        env["PYTHONPATH"] = os.pathsep.join([str(_venv_inside(repo.root)), str(ROOT)])
    done = subprocess.run(command, cwd=repo.root, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert not elsewhere.calls, f"{len(elsewhere.calls)} calls went to the host the .env named"
    assert model_server.calls, "no model was called: nothing was proven"
    assert all(call.model == "fake-a" for call in model_server.calls)
