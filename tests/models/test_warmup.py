"""litellm is loaded early only for a run that calls for a model stage, never for one that does not."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys, threading
from gate.models.warmup import warm_up
started = warm_up({escalations!r})
for thread in threading.enumerate():
    if thread.name == "import-litellm":
        thread.join()
print(started, "litellm" in sys.modules)
"""


def _warm(escalations: dict[str, tuple[bool, str]]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(escalations=escalations)],
        capture_output=True,
        text=True,
        check=True,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"},
    )
    return done.stdout.strip()


def test_no_model_stage_called_for_loads_nothing():
    assert _warm({"review": (False, "below"), "regen": (False, "below")}) == "False False"


def test_a_model_stage_called_for_loads_litellm_on_a_thread():
    assert _warm({"review": (True, "ai share 0.8"), "regen": (False, "below")}) == "True True"
