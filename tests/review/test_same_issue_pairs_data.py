"""The labelled same-issue set is whole, traceable to its source and shaped as its kinds say."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from gate.review.consensus import LINE_TOLERANCE
from tests.review.same_issue_pairs import (
    KINDS,
    LAYOUTS,
    load_pairs,
    load_pr_findings,
    placed,
    review_finding,
    score,
    score_grouping,
)

ROOT = Path(__file__).resolve().parent.parent.parent
BUILDER = ROOT / "scripts" / "build-same-issue-pairs.py"
SOURCE_MIRROR = Path(
    os.environ.get("CODE_REVIEW_BENCHMARK_GIT", "/work/.mirror/withmartian+code-review-benchmark/repo")
)
FINDING_KEYS = {"model", "path", "line", "end_line", "category", "severity", "title", "body"}
CATEGORIES = {"bug", "security", "concurrency", "contract"}
SEVERITIES = {"critical", "high", "medium", "low", "info"}


def gap(a: dict, b: dict) -> int:
    """Lines strictly between two ranges; negative when they overlap."""
    first, second = sorted((a, b), key=lambda f: f["line"])
    return second["line"] - first["end_line"] - 1


def test_every_pair_has_the_documented_shape() -> None:
    for pair in load_pairs():
        assert set(pair) == {"id", "kind", "label", "a", "b", "source"}, pair["id"]
        assert pair["kind"] in KINDS
        assert pair["label"] in {"same", "different"}
        for side in ("a", "b"):
            f = pair[side]
            assert set(f) == FINDING_KEYS, pair["id"]
            assert 1 <= f["line"] <= f["end_line"], pair["id"]
            assert f["category"] in CATEGORIES and f["severity"] in SEVERITIES
            assert 0 < len(f["title"]) <= 100 and f["body"].startswith(f["title"])
            review_finding(f)  # a valid review answer as the gate's schema reads it
        assert pair["a"]["path"] == pair["b"]["path"]
        assert pair["a"]["model"] != pair["b"]["model"], "a pair is two models' findings"


def test_ids_are_unique_and_the_set_is_large_enough() -> None:
    pairs = load_pairs()
    ids = [p["id"] for p in pairs]
    assert len(ids) == len(set(ids))
    assert len(pairs) >= 250
    kinds = Counter(p["kind"] for p in pairs)
    assert set(kinds) == set(KINDS)
    assert all(kinds[k] >= 40 for k in KINDS if k.startswith("different-"))
    assert kinds["same-reworded"] >= 100 and kinds["same-title-different-lines"] >= 40


def test_labels_are_balanced_enough_and_follow_the_kind() -> None:
    pairs = load_pairs()
    labels = Counter(p["label"] for p in pairs)
    assert min(labels.values()) >= 0.3 * len(pairs), labels
    for pair in pairs:
        assert pair["label"] == ("same" if pair["kind"].startswith("same-reworded") else "different")


def test_every_label_is_the_benchmark_judges_match() -> None:
    """Same = two tools' comments matched to one golden issue of one PR; different = matched to two."""
    for pair in load_pairs():
        src = pair["source"]
        assert src["repo"] == "withmartian/code-review-benchmark" and len(src["commit"]) == 40
        assert set(src["files"]) == {"candidates", "evaluations", "agreeing_judges", "golden", "labels"}
        a, b = src["a"], src["b"]
        for side in (a, b):
            assert side["pr"].startswith("https://github.com/") and side["confidence"] >= 0.8
            assert isinstance(side["candidate"], int) and isinstance(side["golden"], int)
        assert (a["tool"], b["tool"]) == (pair["a"]["model"], pair["b"]["model"])
        same = a["pr"] == b["pr"] and a["golden"] == b["golden"]
        assert same == (pair["label"] == "same"), pair["id"]


def test_lines_are_placed_as_the_kind_says() -> None:
    for pair in load_pairs():
        d = gap(pair["a"], pair["b"])
        if pair["kind"] == "different-same-lines":
            assert d < 0, pair["id"]
        elif pair["kind"] == "different-near-lines":
            assert 0 <= d < LINE_TOLERANCE, pair["id"]
        elif pair["kind"] in ("different-same-file", "same-title-different-lines"):
            assert d >= LINE_TOLERANCE, pair["id"]
        else:
            assert d < LINE_TOLERANCE, pair["id"]


def test_per_pr_findings_cover_several_issues_and_models() -> None:
    prs = load_pr_findings()
    assert len(prs) >= 30
    for pr in prs:
        assert len({f["issue"] for f in pr["findings"]}) >= 2
        for layout in LAYOUTS:
            for f in placed(pr, layout):
                assert set(f) >= FINDING_KEYS
                review_finding(f)


def test_score_counts_false_and_missed_merges_by_kind() -> None:
    pairs = load_pairs()
    labels = Counter(p["label"] for p in pairs)
    never = score(lambda a, b: False)
    assert (never["false_merges"], never["missed_merges"]) == (0, labels["same"])
    always = score(lambda a, b: True)
    assert (always["false_merges"], always["missed_merges"]) == (labels["different"], 0)
    assert (
        always["by_kind"]["different-same-lines"]["false_merges"]
        == always["by_kind"]["different-same-lines"]["pairs"]
    )
    one_way = score(lambda a, b: a["line"] <= b["line"])
    assert one_way["asymmetric_ids"] and one_way["missed_merges"] == 0


def test_score_grouping_counts_chains_and_inflated_votes() -> None:
    def singletons(findings):
        return [[i] for i in range(len(findings))]

    def one_bucket(findings):
        return [list(range(len(findings)))]

    alone = score_grouping(singletons)
    assert all(t["false_merges"] == 0 and t["inflated_groups"] == 0 for t in alone.values())
    assert all(t["missed_merges"] > 0 for t in alone.values())
    lumped = score_grouping(one_bucket, rule=lambda a, b: False)
    assert all(t["false_merges"] == t["chained"] > 0 and t["missed_merges"] == 0 for t in lumped.values())
    assert all(t["inflated_groups"] > 0 for t in lumped.values())


@pytest.mark.skipif(
    not SOURCE_MIRROR.is_dir(), reason="no clone of the source benchmark (CODE_REVIEW_BENCHMARK_GIT)"
)
def test_the_builder_rebuilds_the_committed_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(BUILDER), str(SOURCE_MIRROR), "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("same-issue-pairs.jsonl", "same-issue-groups.jsonl"):
        assert (tmp_path / name).read_bytes() == (ROOT / "tests" / "data" / name).read_bytes()
