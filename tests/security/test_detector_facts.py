"""The secret detector's rules built from the facts kept at install (`gate.redact.facts`) are the rules
its analysis builds; facts of other patterns or code, or a file altered or broken, are never read."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from gate.redact.facts import PATH, RuleFacts, fingerprint, load, save
from gate.redact.rules import (
    Detectors,
    _analyse,
    _detectors,
    _from_facts,
    _plugins,
    analysed,
    detector_rules,
)


def _answers(d: Detectors) -> tuple[object, ...]:
    """What a run's rules hold besides detect-secrets' plugin objects (each process makes its own)."""
    return (
        d.keywords,
        d.plain_keywords,
        d.regex_rules,
        d.prefilter,
        d.keyword_cover,
        d.format_needs,
        d.format_literals,
        d.format_folded,
        d.format_folded_on_line,
        d.in_runs,
        d.rule_finders,
        [type(p).__name__ for p in d.regex_plugins],
        [(type(p).__name__, gate) for p, gate in d.other_plugins],
        type(d.keyword_plugin).__name__,
    )


@pytest.fixture(scope="module")
def fresh() -> tuple[str, RuleFacts]:
    return analysed()


def test_kept_facts_read_back_build_the_rules_the_analysis_builds(
    tmp_path: Path, fresh: tuple[str, RuleFacts]
) -> None:
    key, facts = fresh
    path = tmp_path / "facts.json"
    save(key, facts, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["facts.json"]  # no scratch file left
    kept = load(key, path)
    assert kept == facts
    plugins = _plugins()
    assert _detectors(plugins, kept) == _detectors(plugins, _analyse(plugins))


def test_the_installed_facts_are_of_this_code(fresh: tuple[str, RuleFacts]) -> None:
    """`make` keeps them (`python -m gate.redact.keep_facts`); a run of this code reads them, and builds
    from them the rules it would build from the analysis."""
    key, facts = fresh
    assert load(key) == facts, f"{PATH} is missing or of other code: run `python -m gate.redact.keep_facts`"
    assert _answers(detector_rules()) == _answers(_detectors(_plugins(), facts))


# Builds the rules as a run does, then reads the patterns: how many syntax trees each read.
_TREES_READ = (
    "from gate.redact import prefilter, rules; from gate.redact.candidates import prepare; "
    "prepare(); print(prefilter._parsed.cache_info().currsize); "
    "rules._analyse(rules._plugins()); print(prefilter._parsed.cache_info().currsize)"
)


def test_a_run_with_the_kept_facts_reads_no_pattern(fresh: tuple[str, RuleFacts]) -> None:
    """What the file is for: a fresh process builds the detector's rules without reading one pattern's
    syntax tree; reading the patterns, as without the file, reads two hundred."""
    key, facts = fresh
    assert load(key) == facts, f"{PATH} is missing or of other code: run `python -m gate.redact.keep_facts`"
    out = subprocess.run([sys.executable, "-c", _TREES_READ], capture_output=True, text=True, check=True)
    with_facts, analysed_trees = map(int, out.stdout.split())
    assert (with_facts, analysed_trees > 150) == (0, True), out.stdout


def test_the_fingerprint_is_of_every_pattern_and_its_flags() -> None:
    patterns = _plugins().analysed
    key = fingerprint(patterns)
    assert fingerprint(list(patterns)) == key
    last = patterns[-1]
    assert fingerprint([*patterns[:-1], re.compile(last.pattern + "|x")]) != key
    assert fingerprint([*patterns[:-1], re.compile(last.pattern, last.flags | re.IGNORECASE)]) != key
    assert fingerprint(patterns[:-1]) != key
    assert fingerprint([*patterns[1:], patterns[0]]) != key


def test_facts_of_other_patterns_or_code_are_not_read(tmp_path: Path, fresh: tuple[str, RuleFacts]) -> None:
    key, facts = fresh
    path = tmp_path / "facts.json"
    save(key, facts, path)
    assert load(key, path) is not None
    assert load("0" * 64, path) is None
    assert load(key, tmp_path / "missing.json") is None


def test_an_altered_or_broken_file_is_not_read(tmp_path: Path, fresh: tuple[str, RuleFacts]) -> None:
    key, facts = fresh
    path = tmp_path / "facts.json"
    save(key, facts, path)
    whole = json.loads(path.read_text())

    def written(text: str) -> RuleFacts | None:
        path.write_text(text)
        return load(key, path)

    # A rule taken out of the prefilter's tables, the digest left as it was: the rule would never run.
    altered = json.loads(json.dumps(whole))
    altered["facts"]["exact"] = altered["facts"]["exact"][1:]
    assert written(json.dumps(altered)) is None
    # The same with the digest made again: read, and it is what was written (the digest is of the
    # content, not a seal: the file is as safe as the installation it sits in).
    from gate.redact.facts import _digest

    altered["digest"] = _digest(altered["facts"])
    assert written(json.dumps(altered)) is not None
    text = json.dumps(whole)
    for broken in (text[: len(text) // 2], "", "[]", "null", '{"fingerprint": 1}', "[" * 100_000):
        assert written(broken) is None, broken[:40]
    missing_field = json.loads(text)
    del missing_field["facts"]["finders"]
    missing_field["digest"] = _digest(missing_field["facts"])
    assert written(json.dumps(missing_field)) is None
    path.unlink()
    path.mkdir()
    assert load(key, path) is None


def test_facts_without_an_answer_for_each_rule_or_of_another_shape_build_no_rules(
    tmp_path: Path, fresh: tuple[str, RuleFacts]
) -> None:
    """Set aside: the patterns are then read again. A literal that is a number fits by count, and only the
    build finds it (no `save` of the analysis writes one); it is read back as written."""
    key, facts = fresh
    plugins = _plugins()
    assert _from_facts(plugins, facts) == _detectors(plugins, facts)
    past = len(plugins.gated)
    odd = replace(facts, exact=((7, facts.exact[0][1]), *facts.exact[1:]))  # type: ignore[arg-type]
    path = tmp_path / "facts.json"
    save(key, odd, path)
    assert load(key, path) == odd
    for unfit in (
        replace(facts, finders=facts.finders[:-1]),
        replace(facts, in_runs=facts.in_runs[1:]),
        replace(facts, format_needs=(*facts.format_needs, None)),
        replace(facts, always=(*facts.always, past)),
        replace(facts, exact=(*facts.exact, ("zz", (past,)))),
        replace(facts, folded=(("zz", (-1,)), *facts.folded)),
        replace(facts, finders=(facts.finders[0][:4], *facts.finders[1:])),  # type: ignore[arg-type]
        replace(facts, finders=(None, *facts.finders[1:])),  # type: ignore[arg-type]
        replace(facts, exact=(("zz", 3), *facts.exact)),  # type: ignore[arg-type]
        odd,
    ):
        assert _from_facts(plugins, unfit) is None
