"""The regen stage over a real git change, with the model layer answering from scripts."""

from __future__ import annotations

import pytest

from gate import policy
from gate.config.models import Config, Models, Regen
from gate.findings import Severity
from gate.models.selection import DEFAULT_MODELS, PROXY_ENV
from gate.regen.selection import select_regions
from gate.regen.stage import RegenStage
from gate.run import StageResult
from tests.gitrepo import GitRepo
from tests.regen.conftest import (
    BASE,
    DISCOUNT_ID,
    SUBMITTED,
    Change,
    ScriptedModels,
    make_change,
    regen_context,
)
from tests.regen.samples import SAME, SCATTERED, STRICTER

DIFFERENCE = "For rate == 1 the submitted code returns 0.0; the re-generation raises ValueError."


def run(
    change: Change, models: ScriptedModels, config: Config | None = None, offline: bool = False
) -> StageResult:
    """The stage with `models` as its client and their names as `models.regen`."""
    config = (config or Config()).model_copy(update={"models": Models(regen=models.models)})
    return RegenStage(client=models).run(regen_context(change, config, offline=offline))


def test_stable_regenerations_equal_to_the_submitted_code_give_no_finding(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: SAME})
    result = run(change, models)
    assert result.ran and result.findings == () and result.model_error is None
    (checked,) = result.details["checked"]
    assert checked == {
        "path": "src/prices.py", "start_line": 14, "end_line": 18, "stability": 1.0, "agreement_max": 1.0,
        "agreement_mean": 1.0, "samples": 5, "models": ["scripted/a", "scripted/b"], "outcome": "consistent",
    }  # fmt: skip
    assert all(r.schema_name == "regeneration" for r in models.requests)  # no equivalence call needed
    # 5 samples over 2 models: n=3 and n=2, at regen.temperature, with the versioned prompt
    assert sorted((r.model, r.n) for r in models.requests) == [("scripted/a", 3), ("scripted/b", 2)]
    assert {(r.temperature, r.prompt_version, r.stage) for r in models.requests} == {
        (0.8, "regen/1", "regen")
    }


def test_stable_regenerations_that_differ_give_an_outlier_after_the_equivalence_check(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(False, DIFFERENCE))
    result = run(change, models)
    (finding,) = result.findings
    assert finding.rule == "outlier" and finding.stage == "regen" and not finding.deterministic
    assert finding.location is not None
    assert (finding.location.path, finding.location.start_line, finding.location.end_line) == (
        "src/prices.py",
        14,
        18,
    )
    assert DIFFERENCE in finding.body
    assert "<details>" in finding.body and "```diff" in finding.body
    assert (
        "-    if rate < 0 or rate > 1:" in finding.body and "+    if rate < 0 or rate >= 1:" in finding.body
    )
    assert finding.confirmed_by == ("scripted/a", "scripted/b")
    assert "Judged to behave differently by scripted/a, scripted/b." in finding.body
    # each model of the consensus compared the two, on the same messages
    equivalence = [r for r in models.requests if r.schema_name == "equivalence"]
    assert sorted(r.model for r in equivalence) == ["scripted/a", "scripted/b"]
    assert {(r.prompt_version, r.temperature) for r in equivalence} == {("equivalence/1", 0.0)}
    assert equivalence[0].messages == equivalence[1].messages
    user = equivalence[0].messages[1].content
    assert "rate > 1" in user and "rate >= 1" in user  # submitted and consensus both shown
    assert result.details["checked"][0]["outcome"] == "outlier"
    assert result.details["checked"][0]["equivalence"] == {
        "scripted/a": "different",
        "scripted/b": "different",
    }


def test_equivalence_saying_same_behaviour_gives_no_finding(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(True, ""))
    result = run(change, models)
    assert result.findings == ()
    assert result.details["checked"][0]["outcome"] == "equivalent"
    assert [r.schema_name for r in models.requests].count("equivalence") == 2


def test_scattered_regenerations_give_an_unstable_region_finding(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: SCATTERED})
    result = run(change, models)
    (finding,) = result.findings
    assert finding.rule == "unstable-region"
    assert "below `regen.min_stability` 0.35" in finding.body
    checked = result.details["checked"][0]
    assert checked["outcome"] == "unstable" and checked["stability"] < 0.35
    assert not [r for r in models.requests if r.schema_name == "equivalence"]


def test_findings_are_advisory_unless_regen_blocking(change: Change) -> None:
    for blocking in (False, True):
        config = Config(regen=Regen(blocking=blocking))
        result = run(change, ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(False, DIFFERENCE)), config)
        decision = policy.decide([result], change.changeset, config)
        (finding,) = decision.findings
        assert finding.severity is Severity.HIGH
        assert finding.blocking is blocking and finding.advisory is not blocking
        assert decision.verdict == ("fail" if blocking else "pass")


def test_budget_stops_sampling_cleanly(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: SAME}, calls_allowed=0)
    result = run(change, models)
    assert result.ran and result.findings == () and result.model_error is not None
    assert "src/prices.py:14-18" in result.model_error and "budget exhausted" in result.model_error
    assert result.details["checked"] == []
    assert result.details["budget_stopped"] is True
    assert result.why.endswith("; 0 of 1 AI-authored hunks checked; the budget stopped some model calls")
    not_checked = [s for s in result.details["skipped"] if s["start_line"] == 14]
    assert not_checked == [{"path": "src/prices.py", "start_line": 14, "end_line": 18,
                            "reason": "not checked: budget exhausted (0 usable re-generations)"}]  # fmt: skip


def test_budget_running_out_midway_leaves_samples_of_one_model_unchecked(change: Change) -> None:
    # The first call (n=3) is answered, the second is not started: three samples, all from one model,
    # show no consensus the other model shares, and an outlier among them could never be confirmed.
    models = ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(False, DIFFERENCE), calls_allowed=1)
    result = run(change, models, Config(regen=Regen(blocking=True)))
    assert result.details["checked"] == [] and result.findings == ()
    assert result.details["budget_stopped"] is True
    reason = "not checked: budget exhausted (3 usable re-generations from 1 of the 2 distinct models needed)"
    assert result.model_error is not None and reason in result.model_error
    assert result.coverage is not None and (result.coverage.selected, result.coverage.checked) == (1, 0)
    assert [(g.path, g.lines, g.reason) for g in result.coverage.gaps] == [
        ("src/prices.py", "14-18", f"not re-generated: {reason}")
    ]


def test_budget_running_out_before_the_equivalence_call_leaves_the_candidate_unsettled(
    change: Change,
) -> None:
    models = ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(False, DIFFERENCE), calls_allowed=2)
    result = run(change, models)
    assert result.findings == ()
    assert result.details["checked"][0]["outcome"] == "outlier candidate; not compared: budget exhausted"


def test_no_usable_sample_leaves_the_hunk_unchecked(change: Change) -> None:
    result = run(change, ScriptedModels({}))  # every call validates but carries no code
    assert result.details["checked"] == [] and result.model_error is not None
    assert "src/prices.py:14-18 (not checked: 0 usable re-generations" in result.model_error
    reason = next(s["reason"] for s in result.details["skipped"] if s["start_line"] == 14)
    assert reason == "not checked: 0 usable re-generations, at least 2 needed"


def test_model_failures_on_every_hunk_are_a_model_error(change: Change) -> None:
    result = run(change, ScriptedModels({DISCOUNT_ID: SAME}, fail_with="HTTP 503 after 3 attempts"))
    assert result.ran and result.findings == ()
    assert result.model_error is not None and result.model_error.startswith("no hunk could be re-generated")
    assert "scripted/a: HTTP 503 after 3 attempts" in result.model_error
    reason = next(s["reason"] for s in result.details["skipped"] if s["start_line"] == 14)
    assert reason == (
        "not checked: model error (0 usable re-generations): "
        "scripted/a: HTTP 503 after 3 attempts; scripted/b: HTTP 503 after 3 attempts"
    )


def test_skips_say_why(change: Change) -> None:
    models = ScriptedModels({DISCOUNT_ID: SAME})
    offline = run(change, models, offline=True)
    # The thresholds call for it: not run offline is a model error, so the verdict is no pass.
    assert (offline.ran, offline.skipped_reason, offline.model_error) == (
        False,
        "offline: no model is called",
        "the regen stage the thresholds call for was not run (offline: no model is called)",
    )
    ctx = regen_context(change, Config())
    ctx.escalations = {"regen": (False, "below thresholds: AI share 10% < 50%")}
    below = RegenStage(client=models).run(ctx)
    assert (below.ran, below.why) == (False, "below thresholds: AI share 10% < 50%")
    assert models.requests == []


def test_all_hunks_sample_concurrently_and_identical_regions_share_samples(repo: GitRepo) -> None:
    copies = {
        "src/copy_a.py": SUBMITTED,
        "src/copy_b.py": SUBMITTED,
        "src/other.py": SUBMITTED.replace("2)", "3)"),
    }
    change = make_change(repo, ai_files=copies, human_file="")
    models = ScriptedModels(lambda request: [SUBMITTED] * request.n, delay=0.05)
    result = run(change, models)
    checked = {c["path"]: c for c in result.details["checked"]}
    assert set(checked) == {"src/prices.py", "src/copy_a.py", "src/copy_b.py", "src/other.py"}
    # copy_a and copy_b are the same new file: sampled once. 3 distinct prompts x 2 models = 6 calls.
    regenerations = [r for r in models.requests if r.schema_name == "regeneration"]
    assert len(regenerations) == 6
    assert models.max_in_flight == 6
    # other.py rounds to 3 places where the samples round to 2: an equivalence call to each of the two
    # models (equivalent here)
    assert checked["src/other.py"]["outcome"] == "equivalent"
    assert result.usage.model_calls == 8
    assert result.details["usage"]["model_calls"] == 8


NESTED_HEAD = BASE.replace(
    "    for item in items:\n        subtotal += item.price\n",
    "    for item in items:\n        if item.price < 0:\n            raise ValueError(item)\n"
    "        quantity = item.quantity or 1\n        subtotal += item.price * quantity\n",
)
NESTED_FLUSH_LEFT = """if item.price < 0:
    raise ValueError(item)
quantity = item.quantity or 1
subtotal += item.price * quantity
"""
# The whole function, locals renamed: the model repeated the lines around the region, and the marker.
NESTED_WITH_ECHO = """>>> REGION: the code to write goes here <<<
def total(items):
    subtotal = 0
    for item in items:
        if item.price < 0:
            raise ValueError(item)
        qty = item.quantity or 1
        subtotal += item.price * qty
    return subtotal
"""


def test_nested_regions_compare_whatever_indentation_or_echo_the_models_answer_with(repo: GitRepo) -> None:
    change = make_change(repo, head=NESTED_HEAD, human_file="")
    (region,) = select_regions(change.changeset.diff, change.provenance, Regen()).regions
    assert (region.start_line, region.end_line) == (9, 12)
    models = ScriptedModels({region.id: [NESTED_FLUSH_LEFT, NESTED_WITH_ECHO]})
    result = run(change, models)
    assert result.findings == ()
    assert result.details["checked"][0]["stability"] == 1.0
    assert result.details["checked"][0]["outcome"] == "consistent"


def test_the_consensus_diff_is_shown_at_the_region_indentation(repo: GitRepo) -> None:
    change = make_change(repo, head=NESTED_HEAD, human_file="")
    (region,) = select_regions(change.changeset.diff, change.provenance, Regen()).regions
    stricter = NESTED_FLUSH_LEFT.replace("< 0", "<= 0")
    models = ScriptedModels(
        {region.id: [stricter]}, equivalence=(False, "A price of 0 is accepted by A only.")
    )
    (finding,) = run(change, models).findings
    assert "-        if item.price < 0:\n+        if item.price <= 0:\n" in finding.body


def test_nothing_to_regenerate_needs_no_model(repo: GitRepo) -> None:
    change = make_change(repo, head=BASE + "\n\ndef half(x):\n    return x / 2\n", human_file="")
    result = run(change, ScriptedModels({}, models=()))
    assert (result.ran, result.model_error, result.findings) == (True, None, ())
    assert result.details["checked"] == []
    assert [s["reason"] for s in result.details["skipped"]] == ["trivial: under 3 lines of code (2)"]


def test_no_model_to_call_is_a_model_error(change: Change, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [key for key, _ in DEFAULT_MODELS] + [PROXY_ENV]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:9")  # nothing answers there
    result = run(change, ScriptedModels({}, models=()))
    assert not result.ran and result.model_error is not None
    assert result.model_error.startswith("no regen model available: no model configured")


def test_samples_from_the_quorum_of_models_or_from_every_model_asked_are_enough(change: Change) -> None:
    # Of three models, c answers with nothing usable: a and b are the quorum of two, so the hunk is checked.
    three = ScriptedModels(
        lambda request: [] if request.model == "scripted/c" else [SAME[0]] * request.n,
        models=("scripted/a", "scripted/b", "scripted/c"),
    )
    result = run(change, three)
    assert result.model_error is None
    assert result.details["checked"][0]["models"] == ["scripted/a", "scripted/b"]
    # One model configured: every model asked answered; its findings stay short of the quorum (advisory).
    one = ScriptedModels({DISCOUNT_ID: STRICTER}, equivalence=(False, DIFFERENCE), models=("scripted/a",))
    config = Config(regen=Regen(blocking=True))
    result = run(change, one, config)
    assert result.model_error is None and result.details["checked"][0]["outcome"] == "outlier"
    decision = policy.decide([result], change.changeset, config)
    (finding,) = decision.findings
    assert finding.confirmed_by == ("scripted/a",) and not finding.blocking


LOCKS_BASE = """let allowed = true;

function lock(doc) {
  return doc;
}

function canDelete() {
  return allowed;
}
"""
# The AI commit clears a misspelt name: the module-level `allowed` that canDelete reads stays true.
LOCKS_HEAD = LOCKS_BASE.replace(
    "function lock(doc) {\n",
    'function lock(doc) {\n  if (doc.legalHold) {\n    log("locked", doc.id);\n    alowed = false;\n  }\n',
)
LOCKS_CONSENSUS = '  if (doc.legalHold) {\n    log("locked", doc.id);\n    allowed = false;\n  }\n'


def test_a_name_declared_at_the_top_of_the_file_is_not_a_renamed_local(repo: GitRepo) -> None:
    change = make_change(repo, head=LOCKS_HEAD, human_file="", base=LOCKS_BASE, path="src/locks.js")
    (region,) = select_regions(change.changeset.diff, change.provenance, Regen()).regions
    models = ScriptedModels({region.id: [LOCKS_CONSENSUS]}, equivalence=(False, "canDelete stays true."))
    result = run(change, models)
    (checked,) = result.details["checked"]
    assert checked["agreement_max"] < 1.0 and checked["outcome"] == "outlier"
    assert [r.model for r in models.requests if r.schema_name == "equivalence"] == list(models.models)
