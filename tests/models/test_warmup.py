"""litellm is loaded early only for a run that calls for a model stage and may find a model to call,
never for one that does not."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gate.config.models import Config
from gate.context.ignore import apply_ignore
from gate.context.model import ChangeSet
from gate.diff.parser import parse_diff
from gate.models.selection import PROXY_ENV, may_find_models, select_models
from gate.models.warmup import size_calls_for_model, warm_up_for_diff
from gate.policy import escalations
from gate.provenance.model import ProvenanceResult

CODE = """
import sys, threading
from gate.config.models import Config
from gate.models.warmup import warm_up
started = warm_up({escalations!r}, Config.model_validate({config!r}))
for thread in threading.enumerate():
    if thread.name == "import-litellm":
        thread.join()
print(started, "litellm" in sys.modules)
"""
NAMED = {"models": {"review": ["gpt-4o"]}}


def _warm(escalations: dict[str, tuple[bool, str]], config: dict[str, object] = NAMED, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(escalations=escalations, config=config)],
        capture_output=True,
        text=True,
        check=True,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin", **env},
    )
    return done.stdout.strip()


def test_no_model_stage_called_for_loads_nothing():
    assert _warm({"review": (False, "below"), "regen": (False, "below")}) == "False False"


def test_a_model_stage_called_for_loads_litellm_on_a_thread():
    assert _warm({"review": (True, "ai share 0.8"), "regen": (False, "below")}) == "True True"


CALLED = {"review": (True, "ai share 0.8")}


def test_a_model_stage_that_can_find_no_model_loads_nothing():
    # no model named, no provider key, no proxy: a fork's pull request, whose workflow gets no secrets
    assert _warm(CALLED, {}) == "False False"


def test_a_provider_key_may_find_a_model_and_loads_litellm() -> None:
    assert _warm(CALLED, {}, OPENAI_API_KEY="sk-test") == "True True"


@pytest.mark.parametrize(
    ("config", "env", "found"),
    [
        ({}, {}, False),
        ({}, {"OPENAI_API_KEY": ""}, False),  # set but empty, as selection reads it
        (NAMED, {}, True),
        ({}, {"ANTHROPIC_API_KEY": "k"}, True),
        ({}, {"MISTRAL_API_KEY": "m"}, True),
        ({}, {"AI_GATE_LITELLM_PROXY": "http://proxy.test"}, True),
        ({}, {"OLLAMA_API_BASE": "http://127.0.0.1:9"}, True),  # named: the stage asks it
        ({"models": {"regen": ["gpt-4o"]}}, {}, True),
    ],
)
def test_may_find_models_agrees_with_selection_without_asking_a_server(
    config: dict[str, object], env: dict[str, str], found: bool
) -> None:
    cfg = Config.model_validate(config)
    assert may_find_models(cfg, env) is found
    if not found:  # selection finds none either (no Ollama answers on a closed port)
        closed = {**env, "OLLAMA_API_BASE": "http://127.0.0.1:9"}
        assert select_models(cfg, "review", closed).models == ()


# -- the diff alone: a change large enough calls for a model stage before provenance is known ----------

DIFF = "".join(
    f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{n} @@\n"
    + "".join(f"+line {i}\n" for i in range(n))
    for path, n in (("src/app.py", 30), ("vendor/lib.js", 70))
)


def _config(review: int, spec: int, ignore: tuple[str, ...] = ()) -> Config:
    return Config.model_validate(
        {
            "thresholds": {"review": {"changed_lines": review}, "spec": {"changed_lines": spec}},
            "paths": {"ignore": list(ignore)},
        }
    )


@pytest.mark.parametrize(
    ("review", "spec", "ignore", "called"),
    [
        (100, 5000, (), True),  # exactly met
        (101, 5000, (), False),
        (5000, 100, (), True),  # the spec stage's threshold
        (0, 5000, (), True),  # 0: any changed line
        (100, 5000, ("vendor/**",), False),  # ignored files do not count
        (30, 5000, ("vendor/**",), True),
    ],
)
def test_the_diff_alone_calls_for_a_model_only_when_the_policy_will(
    review: int, spec: int, ignore: tuple[str, ...], called: bool
) -> None:
    diff = parse_diff(DIFF)
    config = _config(review, spec, ignore)
    assert size_calls_for_model(diff, config) is called
    kept, _ = apply_ignore(diff, {}, config.paths.ignore)
    nobody = ProvenanceResult(ai_share=0.0, ai_lines=0, added_lines=kept.added_count, commits=())
    by_policy = escalations(nobody, ChangeSet(source="diff", diff=kept), config)
    if called:  # never an import for a run the policy then calls no model for
        assert by_policy["review"][0] or by_policy["spec"][0]


def test_a_small_diff_loads_nothing_early() -> None:
    code = (
        "import sys\nfrom gate.config.models import Config\nfrom gate.diff.parser import parse_diff\n"
        "from gate.models.warmup import warm_up_for_diff\n"
        f"print(warm_up_for_diff(parse_diff({DIFF!r}), Config()), 'litellm' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "False False"


def test_a_diff_that_calls_for_a_model_with_none_to_find_loads_nothing_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.endswith("_API_KEY") or k in (PROXY_ENV, "OLLAMA_API_BASE")]:
        monkeypatch.delenv(name)
    config = _config(0, 5000)
    assert size_calls_for_model(parse_diff(DIFF), config)
    assert warm_up_for_diff(parse_diff(DIFF), config) is False
