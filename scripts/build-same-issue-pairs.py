#!/usr/bin/env python3
"""Rebuild tests/data/same-issue-pairs.jsonl and tests/data/same-issue-groups.jsonl from a snapshot of
withmartian/code-review-benchmark (MIT, Copyright (c) 2025 Martian).

The benchmark asked several AI review tools to review the same 50 pull requests, split each tool's
comments into single issues ("candidates"), and had an LLM judge match every candidate to the PR's
human-verified "golden" issues. Two candidates from different tools matched to the same golden issue
are the same issue said in other words; two matched to different golden issues of one PR are
different issues of the same change. Only those facts are read here (the candidate texts, the judge's
matches, the golden severities and bug types); none of the benchmark's code is used.

The benchmark's candidates carry no file or line, so each pair is placed in one file of its PR at
lines chosen by its kind (same lines, near lines, far apart), deterministically from the pair's id.

    .venv/bin/python scripts/build-same-issue-pairs.py GIT_DIR [--out-dir tests/data]

GIT_DIR is a clone (bare is fine) holding SOURCE_COMMIT.
The output is a pure function of that commit: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

SOURCE_REPO = "withmartian/code-review-benchmark"
SOURCE_COMMIT = "012d68202e56280855b85abb956410086008a7b2"
# One judge's extraction and matches throughout, so that every label comes from one consistent pass.
JUDGE = "anthropic_claude-opus-4-5-20251101"
MIN_CONFIDENCE = 0.8  # the judge's own confidence in a match; weaker matches are left out
# The benchmark's other judges, each with its own extraction of the same comments. A comment is kept
# only when every one of them also matched that tool on that PR to the same golden issue.
OTHER_JUDGES = ("openai_gpt-5.2", "anthropic_claude-sonnet-4-5-20250929")
GOLDEN_FILES = ("cal_dot_com", "discourse", "grafana", "keycloak", "sentry")

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "data"
OUT_PAIRS = "same-issue-pairs.jsonl"
OUT_GROUPS = "same-issue-groups.jsonl"

# How many pairs of each kind; the different-* kinds take the pairs sharing the most words first.
QUOTA = {
    "same-reworded": 150,
    "different-same-lines": 60,
    "different-near-lines": 50,
    "different-same-file": 40,
    "same-title-different-lines": 40,
}
PER_PR_CAP = 3  # at most this many pairs of one kind from one PR, so no single PR dominates a kind
LINE_TOLERANCE = 3  # the distance within which the gate treats two ranges as one place

# The benchmark's bug types (pr_labels.json) as the gate's review categories (SPEC 5.3 review prompt).
CATEGORY = {
    "api_misuse": "contract",
    "dead_code": "bug",
    "incorrect_value": "bug",
    "logic_error": "bug",
    "missing_validation": "bug",
    "null_reference": "bug",
    "other": "bug",
    "race_condition": "concurrency",
    "security": "security",
    "type_error": "bug",
}
EXTENSION = {"Python": "py", "Java": "java", "Go": "go", "Ruby": "rb", "TypeScript": "ts"}
TITLE_MAX = 100
LINES = ("line", "end_line")


@dataclass(frozen=True)
class Comment:
    """One tool's comment on one golden issue of one PR, as the judge matched it."""

    pr: str
    tool: str
    candidate: int  # index in the judge's candidates.json list of this tool on this PR
    golden: int  # index of the golden issue in the PR's golden comment list
    text: str
    confidence: float


def git_json(git_dir: Path, path: str) -> Any:
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{SOURCE_COMMIT}:{path}"],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(out)


def digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()[:8], "big")


def title_of(text: str) -> str:
    """The first sentence, cut at a word boundary near TITLE_MAX characters."""
    text = " ".join(text.split())
    # A sentence ends at . ! ? before a capital: "sub! will raise" and "e.g. the" go on.
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(".")
    if len(first) <= TITLE_MAX:
        return first
    cut = first[:TITLE_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-— ")


def similarity(a: Comment, b: Comment) -> float:
    return float(fuzz.token_set_ratio(title_of(a.text).lower(), title_of(b.text).lower()))


def matches(git_dir: Path, judge: str, golden_by_url: dict[str, dict[str, Any]]) -> set[tuple[str, str, int]]:
    """(PR, tool, golden index) of every match a judge made."""
    out = set()
    for pr, tools in git_json(git_dir, f"offline/results/{judge}/evaluations.json").items():
        texts = [g["comment"] for g in golden_by_url[pr]["comments"]]
        for tool, ev in tools.items():
            out.update((pr, tool, texts.index(tp["golden_comment"])) for tp in ev["true_positives"])
    return out


def load(git_dir: Path) -> tuple[dict[str, list[Comment]], dict[str, dict[str, Any]]]:
    evaluations = git_json(git_dir, f"offline/results/{JUDGE}/evaluations.json")
    candidates = git_json(git_dir, f"offline/results/{JUDGE}/candidates.json")
    labels = git_json(git_dir, "offline/results/pr_labels.json")
    golden_by_url: dict[str, dict[str, Any]] = {}
    for name in GOLDEN_FILES:
        for pr in git_json(git_dir, f"offline/golden_comments/{name}.json"):
            for key in ("url", "original_url"):
                if pr.get(key):
                    golden_by_url[pr[key]] = {**pr, "golden_file": f"{name}.json"}
    agreed = set.intersection(*(matches(git_dir, judge, golden_by_url) for judge in OTHER_JUDGES))
    comments: dict[str, list[Comment]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for pr in sorted(evaluations):
        golden = golden_by_url[pr]
        texts = [g["comment"] for g in golden["comments"]]
        bug_types = [b["bug_type"] for b in labels[pr]["comment_bug_types"]]
        if len(bug_types) != len(texts):
            raise SystemExit(f"{pr}: {len(texts)} golden comments but {len(bug_types)} bug types")
        meta[pr] = {
            "golden": golden,
            "bug_types": bug_types,
            "language": labels[pr]["derived"]["language"],
            "forks": {tool: ev["pr_url"] for tool, ev in evaluations[pr].items()},
        }
        matched: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for tool, ev in evaluations[pr].items():
            for tp in ev["true_positives"]:
                matched[(tool, tp["matched_candidate"])].append(tp)
        found = []
        for (tool, text), tps in sorted(matched.items()):
            if len(tps) != 1 or tps[0].get("confidence", 0.0) < MIN_CONFIDENCE:
                continue  # a candidate matched to two golden issues, or weakly: its label is unclear
            if (pr, tool, texts.index(tps[0]["golden_comment"])) not in agreed:
                continue  # another judge did not see this tool catch this issue
            listed = [c["text"] for c in candidates[pr][tool]]
            found.append(
                Comment(
                    pr,
                    tool,
                    listed.index(text),
                    texts.index(tps[0]["golden_comment"]),
                    text,
                    float(tps[0]["confidence"]),
                )
            )
        comments[pr] = found
    return comments, meta


def file_of(pr: str, meta: dict[str, Any]) -> str:
    """A stand-in path for the PR's changed file (the candidates name none): project and PR number."""
    url = meta["golden"].get("original_url") or pr
    repo = meta["golden"]["golden_file"].removesuffix(".json")
    return f"{repo}/pr{url.rstrip('/').rsplit('/', 1)[-1]}/changed.{EXTENSION[meta['language']]}"


def finding(c: Comment, meta: dict[str, Any], path: str, line: int, end_line: int) -> dict[str, Any]:
    golden = meta["golden"]["comments"][c.golden]
    return {
        "model": c.tool,
        "path": path,
        "line": line,
        "end_line": end_line,
        "category": CATEGORY[meta["bug_types"][c.golden]],
        "severity": golden["severity"].lower(),
        "title": title_of(c.text),
        "body": " ".join(c.text.split()),
    }


def source(c: Comment) -> dict[str, Any]:
    """Where one finding comes from: the candidate's index in the judge's candidates.json list of that
    tool on that PR, and the golden issue's index in the PR's golden comment list."""
    return {
        "pr": c.pr,
        "tool": c.tool,
        "candidate": c.candidate,
        "golden": c.golden,
        "confidence": c.confidence,
    }


def files(meta: dict[str, Any]) -> dict[str, str]:
    return {
        "candidates": f"offline/results/{JUDGE}/candidates.json",
        "evaluations": f"offline/results/{JUDGE}/evaluations.json",
        "agreeing_judges": ",".join(OTHER_JUDGES),
        "golden": f"offline/golden_comments/{meta['golden']['golden_file']}",
        "labels": "offline/results/pr_labels.json",
    }


def place(kind: str, key: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Line ranges of a pair's two findings, by kind."""
    h = digest(kind, key)
    start = 10 + h % 400
    length_a = (h >> 10) % 6
    length_b = (h >> 14) % 6
    a = (start, start + length_a)
    if kind == "same-reworded":  # one place, ranges as two reviewers would mark it
        shift = (h >> 18) % 5 - 2
        b_start = max(1, start + shift)
        b = (b_start, max(b_start, start + length_a + (h >> 22) % 3 - 1))
    elif kind == "different-same-lines":  # the same or overlapping lines
        b_start = start + (h >> 18) % (length_a + 1)
        b = (b_start, b_start + length_b)
    elif kind == "different-near-lines":  # apart, but within the gate's line tolerance
        b_start = a[1] + 1 + (h >> 18) % LINE_TOLERANCE
        b = (b_start, b_start + length_b)
    elif kind == "different-same-file":  # the same file, far apart
        b_start = a[1] + 10 + (h >> 18) % 80
        b = (b_start, b_start + length_b)
    elif kind == "same-title-different-lines":  # one wording at two places beyond the tolerance
        b_start = a[1] + LINE_TOLERANCE + 1 + (h >> 18) % 40
        b = (b_start, b_start + length_b)
    else:
        raise ValueError(kind)
    return (a, b) if (h >> 30) % 2 else (b, a)


def pair_record(kind: str, label: str, x: Comment, y: Comment, meta: dict[str, Any]) -> dict[str, Any]:
    key = f"{x.pr}|{x.tool}|{x.candidate}|{y.pr}|{y.tool}|{y.candidate}"
    (a_line, a_end), (b_line, b_end) = place(kind, key)
    path = file_of(x.pr, meta[x.pr])
    return {
        "id": f"{kind}-{digest(key) % 16**10:010x}",
        "kind": kind,
        "label": label,
        "a": finding(x, meta[x.pr], path, a_line, a_end),
        "b": finding(y, meta[y.pr], path, b_line, b_end),
        "source": {
            "repo": SOURCE_REPO,
            "commit": SOURCE_COMMIT,
            "files": files(meta[x.pr]),
            "a": source(x),
            "b": source(y),
        },
    }


def pick(
    pool: list[tuple[float, int, Comment, Comment]],
    quota: int,
    used: set[tuple[str, str, int]],
    cap: int = PER_PR_CAP,
) -> list[tuple[Comment, Comment]]:
    """In the caller's order, each comment at most once in `used`, at most `cap` pairs a PR."""
    taken: list[tuple[Comment, Comment]] = []
    per_pr: dict[str, int] = defaultdict(int)
    for _, _, x, y in pool:
        if len(taken) == quota:
            break
        kx, ky = (x.pr, x.tool, x.candidate), (y.pr, y.tool, y.candidate)
        if kx in used or ky in used or per_pr[x.pr] >= cap:
            continue
        used.update((kx, ky))
        per_pr[x.pr] += 1
        taken.append((x, y))
    if len(taken) < quota:
        raise SystemExit(f"only {len(taken)} pairs for a quota of {quota}")
    return taken


def build(git_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    comments, meta = load(git_dir)
    same_pool, diff_pool, title_pool = [], [], []
    for pr, found in comments.items():
        for x, y in itertools.combinations(found, 2):
            if x.tool == y.tool:
                continue  # a pair is two models' findings
            entry = (similarity(x, y), digest(pr, x.tool, x.candidate, y.tool, y.candidate), x, y)
            (same_pool if x.golden == y.golden else diff_pool).append(entry)
    # Different issues worded alike across PRs of one project: the same title at another place.
    by_project: dict[str, list[Comment]] = defaultdict(list)
    for pr, found in comments.items():
        by_project[meta[pr]["golden"]["golden_file"]].extend(found)
    for found in by_project.values():
        for x, y in itertools.combinations(found, 2):
            if x.pr != y.pr and x.tool != y.tool:
                title_pool.append(
                    (similarity(x, y), digest(x.pr, x.tool, x.candidate, y.tool, y.candidate), x, y)
                )

    records = []
    # Same issue: a sample in hash order (not the easy ones first), different comments each.
    same_pool.sort(key=lambda e: e[1])
    for x, y in pick(same_pool, QUOTA["same-reworded"], set(), cap=2 * PER_PR_CAP):
        records.append(pair_record("same-reworded", "same", x, y, meta))
    # Different issues: the pairs sharing the most words first, each comment once across these kinds.
    diff_pool.sort(key=lambda e: (-e[0], e[1]))
    used: set[tuple[str, str, int]] = set()
    for kind in ("different-same-lines", "different-near-lines", "different-same-file"):
        for x, y in pick(diff_pool, QUOTA[kind], used):
            records.append(pair_record(kind, "different", x, y, meta))
    title_pool.sort(key=lambda e: (-e[0], e[1]))
    for x, y in pick(title_pool, QUOTA["same-title-different-lines"], set()):
        records.append(pair_record("same-title-different-lines", "different", x, y, meta))
    records.sort(key=lambda r: (list(QUOTA).index(r["kind"]), r["id"]))
    return records, groups(comments, meta)


def groups(comments: dict[str, list[Comment]], meta: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per PR with two or more matched golden issues, every matched comment as a finding (no lines:
    the loader places them), with the golden issue it was matched to."""
    out = []
    for pr, found in comments.items():
        if len({c.golden for c in found}) < 2:
            continue
        path = file_of(pr, meta[pr])
        items = [
            {
                "issue": c.golden,
                **{
                    k: v for k, v in finding(c, meta[pr], path, 1, 1).items() if k not in ("line", "end_line")
                },
                "source": source(c),
            }
            for c in found
        ]
        out.append(
            {
                "pr": pr,
                "findings": items,
                "source": {"repo": SOURCE_REPO, "commit": SOURCE_COMMIT, "files": files(meta[pr])},
            }
        )
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="a clone of the benchmark holding SOURCE_COMMIT")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help="where the two .jsonl files go")
    args = parser.parse_args(argv)
    records, per_pr = build(args.git_dir)
    (args.out_dir / OUT_PAIRS).write_text(
        "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    )
    (args.out_dir / OUT_GROUPS).write_text(
        "".join(json.dumps(g, ensure_ascii=False, sort_keys=True) + "\n" for g in per_pr)
    )
    counts: dict[str, int] = defaultdict(int)
    for r in records:
        counts[r["kind"]] += 1
    print(f"{len(records)} pairs, {len(per_pr)} PRs: {dict(counts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
