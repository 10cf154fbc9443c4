"""Our own workflows set the example: zizmor finds nothing in them, every action is pinned to a commit
(one commit per action everywhere, its version in a comment), no checkout leaves the token behind, and
the fork setup checks out nothing at all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(
    [*(ROOT / "examples" / "workflows").glob("*.yml"), *(ROOT / ".github" / "workflows").glob("*.yml")]
)
AUDITED = [*WORKFLOWS, ROOT / ".github" / "dependabot.yml"]
ZIZMOR = Path(sys.executable).parent / "zizmor"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@(?P<sha>[0-9a-f]{40})$")
PINNED_IMAGE = re.compile(r"^docker://[\w./-]+@sha256:[0-9a-f]{64}$")
VERSION_COMMENT = re.compile(r"uses: (?P<ref>\S+)\s+# v\d+(?:\.\d+)*\s*$")
SUPPRESSION = re.compile(r"# zizmor: ignore\[(?P<rules>[\w,-]+)\](?P<why>.*)$")


def steps(path: Path) -> list[dict[str, Any]]:
    doc = yaml.safe_load(path.read_text())
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def test_zizmor_reports_nothing_on_our_workflows() -> None:
    assert len(WORKFLOWS) >= 6
    proc = subprocess.run(
        [str(ZIZMOR), "--offline", "--format", "json", *map(str, AUDITED)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = json.loads(proc.stdout or "[]")
    shown = [f"{f['ident']}: {f['locations'][0]['symbolic']['key']}" for f in findings]
    assert proc.returncode == 0 and not findings, shown


def test_every_suppression_says_why() -> None:
    suppressed = []
    for path in AUDITED:
        for line in path.read_text().splitlines():
            if m := SUPPRESSION.search(line):
                assert len(m.group("why").split()) >= 4, f"{path.name}: a suppression without its reason"
                suppressed.append((path.name, m.group("rules")))
    # Only the two fork triggers, each in the workflow that keeps the rules that make it safe.
    assert sorted(suppressed) == [
        ("ai-gate-publish.yml", "dangerous-triggers"),
        ("ai-gate-pull-request-target.yml", "dangerous-triggers"),
    ]


def test_actions_are_pinned_to_one_commit_each_with_the_version_in_a_comment() -> None:
    commits: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if not re.match(r"\s*(?:- )?uses:", line):
                continue
            m = VERSION_COMMENT.search(line)
            assert m, f"{path.name}: {line.strip()!r} has no '# vN' comment"
            ref = m.group("ref")
            if ref.startswith("docker://"):
                assert PINNED_IMAGE.match(ref), f"{path.name}: image {ref} is not pinned by digest"
                continue
            pin = PINNED.match(ref)
            assert pin, f"{path.name}: {ref} is not pinned to a commit"
            commits.setdefault(ref.split("@")[0].split("/", 2)[1], set()).add(pin.group("sha"))
    assert {"checkout", "upload-artifact", "download-artifact", "codeql-action"} <= set(commits)
    assert all(len(shas) == 1 for shas in commits.values()), commits


def test_checkouts_do_not_persist_credentials() -> None:
    checkouts = [
        (path.name, step)
        for path in WORKFLOWS
        for step in steps(path)
        if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkouts
    for name, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, name


def test_permissions_are_none_by_default_and_asked_for_by_each_job() -> None:
    for path in WORKFLOWS:
        doc = yaml.safe_load(path.read_text())
        if path.parent.name == "workflows" and path.parent.parent.name == "examples":
            assert doc["permissions"] == {}, path.name
            assert all("permissions" in job for job in doc["jobs"].values()), path.name
        else:
            assert doc["permissions"] == {"contents": "read"}, path.name


def test_the_fork_setup_runs_and_checks_out_nothing_from_the_pr() -> None:
    path = ROOT / "examples" / "workflows" / "ai-gate-pull-request-target.yml"
    doc = yaml.safe_load(path.read_text())
    assert set(doc[True]) == {"pull_request_target"}  # YAML 1.1 reads the key `on` as True
    (only,) = steps(path)
    assert only["uses"].startswith("your-org/ai-quality-gate@") and "run" not in only
    (job,) = doc["jobs"].values()
    assert job["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "checks": "write",
        "statuses": "write",
    }


def test_make_lint_runs_zizmor_on_every_workflow() -> None:
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "zizmor --offline" in lint and "$(WORKFLOWS)" in lint
    assert "$(wildcard examples/workflows/*.yml .github/workflows/*.yml) .github/dependabot.yml" in makefile
