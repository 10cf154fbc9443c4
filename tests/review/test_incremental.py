"""Incremental re-review through the command line: `ai-gate check --previous-report` after a follow-up."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gate.cli import main
from gate.findings import Confidence, Finding, Location, Severity
from gate.review.incremental import with_carried
from gate.review.state import ReviewState
from tests.fakes.model_server import FakeModelServer, Reply, judge
from tests.gitrepo import GitRepo
from tests.review import incremental_scenario as sc


def _check(
    capsys: pytest.CaptureFixture[str], repo: Path, cfg: Path, head: str, *extra: str
) -> dict[str, Any]:
    argv = ["check", "--repo", str(repo), "--base", "main", "--head", head, "--config", str(cfg)]
    code = main([*argv, "--format", "json", *extra])
    out = capsys.readouterr().out
    report: dict[str, Any] = json.loads(out)
    assert code == (1 if report["verdict"] == "fail" else 0), out  # the exit code follows the verdict
    return report


def _review(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["stage"] == "review"]


def test_a_follow_up_sends_only_what_changed_and_carries_the_rest(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = sc.prepare(model_server, tmp_path, monkeypatch)

    first = _check(capsys, repo.root, cfg, "pr", "--trace", str(tmp_path / "t1.jsonl"))
    assert first["source"]["added_lines"] >= 1_000
    state = ReviewState.decode(first["review_state"])
    assert state.head == repo.git("rev-parse", "pr").strip()
    confirmed = next(f for f in _review(first) if f["title"] == sc.CONFIRMED_TITLE)
    assert confirmed["confirmed_by"] == list(sc.MODELS) and confirmed["start_line"] == sc.BASE_LINES + 1
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps(first))

    seen = len(model_server.calls)
    prompt_before = model_server.tokens["prompt"]
    full = _check(capsys, repo.root, cfg, "pr2")
    full_tokens = model_server.tokens["prompt"] - prompt_before
    full_calls = model_server.calls[seen:]

    seen = len(model_server.calls)
    prompt_before = model_server.tokens["prompt"]
    trace = tmp_path / "t2.jsonl"
    second = _check(capsys, repo.root, cfg, "pr2", "--previous-report", str(report1), "--trace", str(trace))
    incremental_tokens = model_server.tokens["prompt"] - prompt_before
    calls = model_server.calls[seen:]

    # only the units the follow-up touched went to the models
    reviewed = set().union(*(sc.shown_paths(c.body) for c in calls if c.schema == "review"))
    assert reviewed == {"pkg/mod01.py", "pkg/mod03.py", "pkg/new.py"}
    for c in calls:
        if c.schema == "review" and "pkg/mod01.py" in sc.shown_paths(c.body):
            assert "+1 | # module one" in c.last_user and "f_1_0" not in c.last_user
    assert len(calls) < len(full_calls) or incremental_tokens < full_tokens
    assert incremental_tokens <= 0.20 * full_tokens, (incremental_tokens, full_tokens)

    details = second["stages"]["review"]["details"]["incremental"]
    assert details["mode"] == "incremental" and details["previous_head"] == state.head
    assert details["units_sent"] == 3 and details["units_carried"] == sc.FILES - 1
    carried = next(f for f in _review(second) if f["title"] == sc.CONFIRMED_TITLE)
    # same finding, same models behind it, moved down by the two inserted lines
    assert carried["fingerprint"] == confirmed["fingerprint"]
    assert carried["confirmed_by"] == list(sc.MODELS) and carried["blocking"]
    assert carried["start_line"] == confirmed["start_line"] + 2
    assert [c["fingerprint"] for c in details["carried"]] == [confirmed["fingerprint"]]
    # the finding in re-sent code was judged again (fake-a raises it again, the others agree)
    again = next(f for f in _review(second) if f["title"] == sc.SINGLE_TITLE)
    assert again["confirmed_by"] == list(sc.MODELS)
    assert {f["fingerprint"] for f in _review(second)} == {f["fingerprint"] for f in _review(full)}
    assert ReviewState.decode(second["review_state"]).head == repo.git("rev-parse", "pr2").strip()

    # a replay of the incremental run rebuilds the same findings, carried ones included
    assert main(["replay", str(trace), "--format", "json"]) == 1  # fail, as the live run
    assert json.loads(capsys.readouterr().out)["findings"] == second["findings"]


def test_a_rebased_head_gets_a_full_review_and_says_why(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = sc.prepare(model_server, tmp_path, monkeypatch)
    first = _check(capsys, repo.root, cfg, "pr")
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps(first))
    # rewrite the PR's last commit: the reviewed head is no longer an ancestor
    repo.checkout("pr")
    repo.git("branch", "rewritten")
    repo.checkout("rewritten")
    repo.git("commit", "-q", "--amend", "-m", "add functions, part 3 (reworded)")
    second = _check(capsys, repo.root, cfg, "rewritten", "--previous-report", str(report1))
    details = second["stages"]["review"]["details"]
    assert details["incremental"]["mode"] == "full"
    assert "not an ancestor" in details["incremental"]["why"]
    assert any(n.startswith("full review: ") for n in details["notes"])
    assert {f["fingerprint"] for f in _review(second)} == {f["fingerprint"] for f in _review(first)}


def test_a_previous_report_that_is_not_one_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = sc.make_repo(tmp_path / "repo")
    argv = ["check", "--repo", str(repo.root), "--base", "main", "--head", "pr", "--offline"]
    main([*argv, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**report, "review_state": "v1:AAAA"}))  # a real report, its state broken
    assert main([*argv, "--previous-report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "review state unreadable" in err and len(err.strip().splitlines()) == 1
    bad.write_text('{"schema_version": 1, "review_state": "v1:AAAA"}')  # not a report at all
    assert main([*argv, "--previous-report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not an AI Quality Gate report" in err and len(err.strip().splitlines()) == 1


def test_lines_move_through_the_diff_between_two_heads(tmp_path: Path) -> None:
    from gate.context.compare import git_heads
    from gate.context.git import Git
    from gate.review.incremental import delta_of

    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "".join(f"a{i}\n" for i in range(1, 21)))
    repo.write("old.py", "x = 1\n")
    repo.write("moved.py", "".join(f"m{i}\n" for i in range(1, 11)))
    old = repo.commit("old")
    lines = [f"a{i}\n" for i in range(1, 21)]
    lines[4] = "changed\n"  # line 5 changed
    del lines[9:11]  # lines 10-11 removed
    lines.insert(0, "new top\n")  # everything moves down by one first
    repo.write("a.py", "".join(lines))
    repo.git("mv", "old.py", "renamed.py")
    repo.git("mv", "moved.py", "moved_and_edited.py")
    repo.write("moved_and_edited.py", "".join(f"m{i}\n" for i in range(1, 10)) + "m10 edited\n")
    new = repo.commit("new")
    delta = delta_of(git_heads(Git.open(repo.root))(old, new))
    assert delta.move("a.py", 3) == ("a.py", 4)
    assert delta.move("a.py", 5) is None and delta.move("a.py", 10) is None
    assert delta.move("a.py", 12) == ("a.py", 11)  # +1 above, -2 removed
    assert delta.move("renamed.py", 1) == ("renamed.py", 1) and delta.move("old.py", 1) == ("renamed.py", 1)
    assert 1 in delta.changed["a.py"] and 6 in delta.changed["a.py"]
    assert delta.origin("a.py", 4) == ("a.py", 3) and delta.origin("a.py", 11) == ("a.py", 12)
    assert delta.origin("a.py", 1) is None and delta.origin("a.py", 6) is None  # added, changed
    assert delta.origin("a.py", 5) == ("a.py", 4)
    assert delta.origin("renamed.py", 1) is None  # a file renamed without a hunk counts as new
    assert delta.origin("moved_and_edited.py", 9) == ("moved.py", 9)
    assert delta.origin("moved_and_edited.py", 10) is None


_RISKY = 'import os\n\n\ndef run(cmd):\n    return os.system("sh -c " + cmd)\n'


def _shell_review(body: dict[str, Any]) -> Reply:
    """Every model reports the shell call whenever it is shown it."""
    text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
    found = "os.system" in text
    finding = {
        "path": "app/vendor/helpers.py",
        "start_line": 5,
        "end_line": 5,
        "severity": "high",
        "category": "security",
        "title": "Shell injection through os.system",
        "body": "cmd reaches a shell",
        "suggestion": None,
    }
    return Reply.json({"findings": [finding] if found else []})


def _vendored_helper(
    model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[GitRepo, Path]:
    """A PR that adds a helper under `vendor/` (left out by the default `paths.ignore`) and a main
    module that does not import it yet."""
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    for model in sc.MODELS:
        name = model.split("/", 1)[1]
        model_server.script(name, "review", _shell_review)
        model_server.script(name, "cross_check", judge(lambda title: True))
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/__init__.py", "")
    repo.write("app/main.py", "def main():\n    return 0\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app/vendor/__init__.py", "")
    repo.write("app/vendor/helpers.py", _RISKY)
    repo.write("app/main.py", "def main():\n    return 1\n")
    repo.commit("add a vendored helper")
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(sc.config(model_server)))
    return repo, cfg


def test_code_the_previous_review_never_saw_is_sent_though_it_did_not_change(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = _vendored_helper(model_server, tmp_path, monkeypatch)
    first = _check(capsys, repo.root, cfg, "feature")
    assert first["verdict"] == "pass" and "app/vendor/helpers.py" in first["coverage"]["ignored"]
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps(first))
    # the follow-up imports the helper: it is first-party code now, unchanged since the reviewed head
    uses = "from app.vendor import helpers\n\n\ndef main():\n    return helpers.run('true')\n"
    repo.write("app/main.py", uses)
    repo.commit("use the helper")

    second = _check(capsys, repo.root, cfg, "feature", "--previous-report", str(report1))
    review = second["stages"]["review"]["details"]
    assert {p for c in review["chunks"] for p in c["paths"]} == {"app/main.py", "app/vendor/helpers.py"}
    assert any(f["title"] == "Shell injection through os.system" for f in _review(second))
    assert second["verdict"] == "fail" == _check(capsys, repo.root, cfg, "feature")["verdict"]
    helper = next(f for f in second["coverage"]["reviewed"] if f["path"] == "app/vendor/helpers.py")
    assert helper["earlier"] is False and helper["models"] == sorted(sc.MODELS)
    assert review["incremental"]["mode"] == "incremental"
    assert review["incremental"]["units_not_reviewed_before"] == 1
    assert any("(1 unchanged but not shown to the models before)" in n for n in review["notes"])


def _tls_review(body: dict[str, Any]) -> Reply:
    """Every model reports TLS checks turned off whenever it is shown the line that does it, added."""
    text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
    found = re.search(r"^\+(\d+) \| VERIFY_TLS = False$", text, re.MULTILINE)
    finding = {
        "path": "app/settings.py",
        "start_line": int(found.group(1)) if found else 1,
        "end_line": int(found.group(1)) if found else 1,
        "severity": "high",
        "category": "security",
        "title": "TLS verification turned off",
        "body": "connections accept any certificate",
        "suggestion": None,
    }
    return Reply.json({"findings": [finding] if found else []})


def test_a_merge_that_keeps_a_line_the_base_fixed_is_sent_though_the_head_did_not_change(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    for model in sc.MODELS:
        name = model.split("/", 1)[1]
        model_server.script(name, "review", _tls_review)
        model_server.script(name, "cross_check", judge(lambda title: True))
    settings = [f"OPTION_{i} = {i}\n" for i in range(40)]
    settings[29] = "VERIFY_TLS = False\n"
    repo = GitRepo(tmp_path / "repo")
    repo.write("app/settings.py", "".join(settings))
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "app/settings.py", "".join(["OPTION_1 = 2\n" if i == 1 else s for i, s in enumerate(settings)])
    )
    repo.commit("raise option one")
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(sc.config(model_server)))
    first = _check(capsys, repo.root, cfg, "feature")
    assert first["verdict"] == "pass"
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps(first))
    # the base branch fixes line 30; the PR merges it keeping its own tree, so the fix is undone
    repo.checkout("main")
    repo.write(
        "app/settings.py", "".join(s if i != 29 else "VERIFY_TLS = True\n" for i, s in enumerate(settings))
    )
    repo.commit("verify TLS")
    repo.checkout("feature")
    repo.git("merge", "-q", "-s", "ours", "main", "-m", "merge main")

    second = _check(capsys, repo.root, cfg, "feature", "--previous-report", str(report1))
    assert [f["title"] for f in _review(second)] == ["TLS verification turned off"]
    assert second["verdict"] == "fail" == _check(capsys, repo.root, cfg, "feature")["verdict"]
    assert second["stages"]["review"]["details"]["incremental"]["units_not_reviewed_before"] == 1


def test_a_state_that_does_not_say_what_was_shown_means_a_full_review(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo, cfg = sc.prepare(model_server, tmp_path, monkeypatch)
    first = _check(capsys, repo.root, cfg, "pr")
    # the state as a gate that kept only the head and the findings wrote it
    kept = ReviewState.decode(first["review_state"]).model_dump(mode="json", exclude={"reviewed"})
    packed = base64.b64encode(zlib.compress(json.dumps(kept).encode())).decode()
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps({**first, "review_state": f"v1:{packed}"}))

    second = _check(capsys, repo.root, cfg, "pr2", "--previous-report", str(report1))
    details = second["stages"]["review"]["details"]
    assert details["incremental"] == {
        "mode": "full",
        "why": "the previous review state does not say which code the models were shown",
    }
    assert f"full review: {details['incremental']['why']}" in details["notes"]
    assert not any(f["earlier"] for f in second["coverage"]["reviewed"])
    assert ReviewState.decode(second["review_state"]).reviewed  # the next run can start from this one


_TITLE = "Balance mixes float with Decimal"
_PAY = '"""Payments."""\nfrom decimal import Decimal\n\n\n' + "".join(
    f"RATE_{i} = Decimal('{i}')\n" for i in range(30)
)
_BODY = "    value = float(amount)\n    order.balance = order.balance - value\n    return order.balance\n"
_FLAGGED = re.compile(r"^\+(\d+) \|     order\.balance = order\.balance - value$", re.MULTILINE)


def _balance_review(name: str) -> Any:
    """fake-a flags every copy of the float arithmetic it is shown; fake-b only before `refund_late`
    exists; fake-c never. The cross-check refuses everything."""

    def answer(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content", "")) for m in body["messages"] if m["role"] == "user")
        flags = name == "fake-a" or (name == "fake-b" and "def refund_late" not in text)
        return Reply.json(
            {
                "findings": [
                    {
                        "path": "shop/pay.py",
                        "start_line": int(m.group(1)),
                        "end_line": int(m.group(1)),
                        "severity": "high",
                        "category": "bug",
                        "title": _TITLE,
                        "body": "float loses cents",
                        "suggestion": None,
                    }
                    for m in _FLAGGED.finditer(text)
                ]
                if flags
                else []
            }
        )

    return answer


def test_a_confirmed_finding_carried_over_stays_beside_a_fresh_one_on_a_copy_of_its_code(
    model_server: FakeModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    for model in sc.MODELS:
        name = model.split("/", 1)[1]
        model_server.script(name, "review", _balance_review(name))
        model_server.script(name, "cross_check", judge(lambda title: False))
    repo = GitRepo(tmp_path / "repo")
    repo.write("shop/pay.py", _PAY)
    repo.commit("base")
    repo.branch("feature")
    head, tail = "".join(_PAY.splitlines(keepends=True)[:4]), "".join(_PAY.splitlines(keepends=True)[4:])
    pr = head + "def refund(order, amount):\n" + _BODY + "\n\n" + tail
    repo.write("shop/pay.py", pr)
    repo.commit("add refund")
    cfg = tmp_path / "ai-gate.yml"
    cfg.write_text(yaml.safe_dump(sc.config(model_server)))
    first = _check(capsys, repo.root, cfg, "feature")
    (confirmed,) = _review(first)
    assert confirmed["start_line"] == 7 and confirmed["blocking"] and first["verdict"] == "fail"
    report1 = tmp_path / "first.json"
    report1.write_text(json.dumps(first))
    # the follow-up writes the same body again far below: only fake-a flags the copy
    repo.write("shop/pay.py", pr + "\n\ndef refund_late(order, amount):\n" + _BODY)
    repo.commit("add a late refund")

    second = _check(capsys, repo.root, cfg, "feature", "--previous-report", str(report1))
    by_line = {f["start_line"]: f for f in _review(second)}
    assert set(by_line) == {7, 45}
    assert by_line[7]["fingerprint"] != by_line[45]["fingerprint"]  # the same text and title, two copies
    assert by_line[7]["confirmed_by"] == confirmed["confirmed_by"] and by_line[7]["blocking"]
    assert by_line[45]["confirmed_by"] == ["openai/fake-a"] and not by_line[45]["blocking"]
    assert second["verdict"] == "fail"


def _finding(line: int, confirmed_by: tuple[str, ...], carried: bool = False) -> Finding:
    return Finding(
        stage="review",
        rule="review/bug",
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title=_TITLE,
        body="float loses cents",
        location=Location("shop/pay.py", line, line),
        confirmed_by=confirmed_by,
        deterministic=False,
        extra=(("carried_from", "abc"),) if carried else (),
        lines_key="same text",
    )


def test_a_fresh_finding_replaces_a_carried_one_only_at_its_lines_with_as_much_support() -> None:
    two, one = ("openai/fake-a", "openai/fake-b"), ("openai/fake-a",)
    carried = _finding(7, two, carried=True)
    assert with_carried((_finding(7, two),), (carried,)) == (_finding(7, two),)
    assert with_carried((_finding(7, one),), (carried,)) == (carried,)  # the weaker judgement goes
    assert with_carried((_finding(45, one),), (carried,)) == (_finding(45, one), carried)
