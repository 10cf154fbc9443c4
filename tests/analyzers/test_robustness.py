"""Odd input never crashes an analyzer: random text in manifests, code, tests and docs, with and without
revisions; and the benchmark still finds what it plants."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gate.analyzers import InjectionAnalyzer, PhantomSymbolsAnalyzer, SecretsAnalyzer, WeakenedTestsAnalyzer
from gate.analyzers.dependencies.collect import collect
from gate.analyzers.limits import Unreadable
from gate.analyzers.source import ChangeView, children, nodes, parse_python
from gate.config.models import Config
from gate.context.model import ChangeSet, PullRequestInfo
from gate.diff import parse_diff
from gate.errors import InputError
from gate.run import RunContext

PATHS = [
    "requirements.txt",
    "package.json",
    "pyproject.toml",
    "app.py",
    "web/x.ts",
    "tests/test_app.py",
    "README.md",
]
LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=80)
SEEDS = st.sampled_from(
    [
        "-r ../../etc/passwd",
        "-e .",
        "pkg[extra",
        '{"dependencies": {"a": 1, "b": null}}',
        "[project",
        "dependencies = 3",
        "import",
        "from . import",
        "from ..x import *",
        "import a.b.c as",
        "require(",
        "import('",
        "assert",
        "@pytest.mark.skip",
        "<!--",
        "\u202e",
        "\ufeff",
        "sk-ant-api03-",
        "AKIA",
        "def f(self): return self.",
        "class A(B.C): pass",
    ]
)


def _diff(files: dict[str, list[str]]) -> str:
    out = []
    for path, lines in files.items():
        body = "".join(f"+{line}\n" for line in lines)
        out.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n{body}"
        )
    return "".join(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(PATHS), st.lists(st.one_of(LINE, SEEDS), min_size=1, max_size=12), min_size=1
    ),
    LINE,
)
def test_random_changes_never_crash_an_analyzer(files: dict[str, list[str]], pr_text: str):
    try:
        diff = parse_diff(_diff(files))
    except InputError:
        return
    changeset = ChangeSet(source="diff", diff=diff, pr=PullRequestInfo(title=pr_text, body=f"<!-- {pr_text}"))
    ctx = RunContext(changeset=changeset, config=Config())
    collect(ChangeView(changeset))
    for analyzer in (
        PhantomSymbolsAnalyzer(),
        WeakenedTestsAnalyzer(),
        SecretsAnalyzer(),
        InjectionAnalyzer(),
    ):
        result = analyzer.run(ctx)
        assert result.stage == analyzer.id
        for finding in result.findings:
            assert finding.stage == analyzer.id and finding.title


def test_every_analyzer_declares_itself():
    from gate.analyzers import deterministic_analyzers
    from gate.stages import default_stages

    ids = [a.id for a in deterministic_analyzers()]
    assert ids == ["dependencies", "phantom-symbols", "weakened-tests", "secrets", "injection-text"]
    assert [s.id for s in default_stages()][:5] == ids
    for analyzer in deterministic_analyzers():
        assert analyzer.description and analyzer.docs == f"#{analyzer.id}"


def test_the_benchmark_finds_what_it_plants():
    from bench.analyzers import run

    patch_table, git_table = run().split("Git range", 1)

    def counts(table: str) -> dict[str, str]:
        return {
            line.split("|")[1].strip(): line.split("|")[3].strip()
            for line in table.splitlines()
            if line.count("|") == 4
        }

    assert counts(patch_table)["secrets"] == "1" and counts(patch_table)["injection-text"] == "2"
    assert counts(git_table)["injection-text"] == "2"


def test_nodes_and_children_match_the_ast_module_without_context_singletons():
    source = (Path(__file__).parents[2] / "gate" / "analyzers" / "injection" / "windows.py").read_text()
    tree = ast.parse(source)
    leaf = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop)  # the `ctx` and `op` fields
    assert nodes(tree) == [n for n in ast.walk(tree) if not isinstance(n, leaf)]
    for node in ast.walk(tree):
        assert children(node) == [c for c in ast.iter_child_nodes(node) if not isinstance(c, leaf)]


def test_code_nested_too_deeply_to_parse_is_unreadable_not_an_error():
    for source in ("x = " + "(" * 200_000 + ")" * 200_000 + "\n", "x = " + "1+" * 200_000 + "1\n"):
        with pytest.raises(Unreadable, match="nested too deeply"):
            parse_python(source)


def test_a_runs_end_empties_what_the_analyzers_it_loaded_remember():
    """The analyzers are loaded by the process that runs them (`deterministic_analyzers`), so what a
    run's end empties is found among the modules loaded: the weakened-tests analyzer's lines, read
    once a run, must not outlive it."""
    from gate.analyzers.weakened_tests import lines, stage
    from gate.app import forget_run_caches

    stage._literals_of("assert total == 3")
    lines.is_assertion("assert total == 3")
    assert stage._literals_of.cache_info().currsize and lines.is_assertion.cache_info().currsize
    forget_run_caches()
    assert stage._literals_of.cache_info().currsize == 0
    assert lines.is_assertion.cache_info().currsize == 0
