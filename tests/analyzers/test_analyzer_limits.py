"""Hostile input against the dependencies and phantom-symbols analyzers: a file that cannot be read is a
finding on that file while the rest is still checked, no RecursionError leaves a stage, and runtime on
10 KB / 100 KB / 1 MB adversarial inputs grows linearly (CPU-time ratios, never wall-clock limits)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.analyzers import PhantomSymbolsAnalyzer
from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.analyzers.dependencies.check import MAX_LOOKUPS
from gate.analyzers.dependencies.collect import collect
from gate.analyzers.limits import MAX_NESTING, Unreadable, load_json, load_toml, nesting
from gate.analyzers.source import ChangeView, clear_parse_cache
from gate.findings import Finding, Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI

PKG: Files = {"pkg/__init__.py": "", "pkg/m.py": "X = 1\n"}


def deps(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, before: Files, after: Files) -> StageResult:
    changeset = change(tmp_path, before, after)
    return DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))


def symbols(tmp_path: Path, before: Files, after: Files) -> StageResult:
    return PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, after)))


def by_path(result: StageResult, rule: str) -> dict[str, Finding]:
    return {f.location.path: f for f in result.findings if f.rule == rule and f.location is not None}


# --- a file that cannot be read is a finding; the others still block -------------------------------


def test_deeply_nested_manifests_are_findings_and_other_files_still_block(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    after: Files = {
        "pyproject.toml": '[project]\nname = "x"\n' + "deep = " + "[" * 2000 + "]" * 2000 + "\n",
        "package.json": '{"a": ' + "[" * 3000 + "]" * 3000 + "}\n",
        "tools/pyproject.toml": "deep = " + "{a = " * 1500 + "1" + "}" * 1500 + "\n",
        "requirements.txt": "ghost-elsewhere\n",
        "app.py": "import ghost_import\n",
    }
    result = deps(tmp_path, pypi, npm, {}, after)
    unread = by_path(result, "could-not-analyse")
    assert sorted(unread) == ["package.json", "pyproject.toml", "tools/pyproject.toml"]
    for finding in unread.values():
        # A manifest an installer reads and the gate could not: no pass.
        assert finding.severity is Severity.HIGH and finding.title.startswith("could not analyse: ")
        assert "nested" in finding.title
    high = {f.title for f in result.findings if f.severity is Severity.HIGH and f.rule != "could-not-analyse"}
    assert high == {
        "Package 'ghost-elsewhere' does not exist on PyPI",
        "Package 'ghost-import' does not exist on PyPI",
    }
    assert result.ran


def test_an_unreadable_manifest_still_has_its_added_lines_read(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    text = (
        '[project]\ndependencies = [\n    "ghost-in-deep-file>=1",\n]\n'
        + "x = "
        + "[" * 500
        + "]" * 500
        + "\n"
    )
    result = deps(tmp_path, pypi, npm, {}, {"pyproject.toml": text})
    assert "pyproject.toml" in by_path(result, "could-not-analyse")
    assert "Package 'ghost-in-deep-file' does not exist on PyPI" in {f.title for f in result.findings}


def test_a_long_dotted_import_is_a_finding_and_its_file_still_read(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    after: Files = {"app.py": "import ghost_first\nimport " + ".".join(["a"] * 50_000) + "\n"}
    result = deps(tmp_path, pypi, npm, {}, after)
    assert "dotted name" in by_path(result, "could-not-analyse")["app.py"].title
    assert "Package 'ghost-first' does not exist on PyPI" in {f.title for f in result.findings}


def test_a_long_base_class_chain_does_not_hide_a_phantom_import(tmp_path: Path):
    chain = "class Deep(" + ".".join(["a"] * 1500) + "):\n    pass\n"
    before: Files = {**PKG, "pkg/m.py": "X = 1\n" + chain}
    after: Files = {
        "pkg/m.py": "X = 1\n" + chain + "class Deeper(" + ".".join(["b"] * 1500) + "):\n    pass\n",
        "pkg/app.py": "from pkg.m import Deep, Nope\n",
    }
    result = symbols(tmp_path, before, after)
    assert [(f.rule, f.severity) for f in result.findings] == [("missing-name", Severity.HIGH)]
    assert result.findings[0].title == "'Nope' is not defined in pkg.m"


def test_code_nested_past_the_parser_is_a_finding_and_other_files_still_checked(tmp_path: Path):
    after: Files = {
        "pkg/deep.py": "from pkg.m import X\nx = f" + "()" * 5000 + "\n",
        "pkg/app.py": "from pkg.m import Nope\n",
    }
    result = symbols(tmp_path, PKG, after)
    assert "nested too deeply" in by_path(result, "could-not-analyse")["pkg/deep.py"].title
    assert by_path(result, "missing-name")["pkg/app.py"].severity is Severity.HIGH


def test_an_unreadable_module_still_has_its_added_imports_checked(tmp_path: Path):
    after: Files = {"pkg/deep.py": "from pkg.m import Nope\nx = f" + "()" * 5000 + "\n"}
    result = symbols(tmp_path, PKG, after)
    assert set(by_path(result, "could-not-analyse")) == {"pkg/deep.py"}
    assert by_path(result, "missing-name")["pkg/deep.py"].title == "'Nope' is not defined in pkg.m"


def test_the_bounded_loaders():
    for deep in ("[" * 150 + "]" * 150, '{"a":' * 150 + "1" + "}" * 150):
        with pytest.raises(Unreadable, match=f"over the limit of {MAX_NESTING}"):
            load_json(deep)
    with pytest.raises(Unreadable, match="over the limit"):
        load_toml("a = " + "[" * 150 + "]" * 150)
    with pytest.raises(Unreadable, match="invalid TOML"):
        load_toml("[x")
    # Brackets inside strings and comments do not nest.
    assert nesting('{"a": "' + "[" * 500 + '"}') == 1
    assert nesting("a = '''" + "[" * 500 + "'''\n# " + "{" * 500 + '\nb = "[[["', toml=True) == 0
    assert load_toml('a = "' + "[" * 500 + '"')["a"] == "[" * 500


# --- linear time ---------------------------------------------------------------------------------

SIZES = (10_000, 100_000, 990_000)  # the last just under the 1 MB file limit, so it is analysed


def best_cpu(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        clear_parse_cache()
        started = time.process_time()
        result = run()
        best = min(best, time.process_time() - started)
        # Every input is analysed, not skipped as over the file size limit.
        assert not isinstance(result, StageResult) or not result.details.get("skipped_files"), result.details
    return best


def assert_linear(times: list[float]) -> None:
    """10x the input may cost ~10x the time; quadratic would be ~100x. The floor keeps timer noise on
    tiny times from counting."""
    small, medium, large = times
    assert large <= 30 * max(medium, 0.02), times
    assert medium <= 30 * max(small, 0.02), times


def letters(n: int) -> str:
    return "a" * n


DEPS_INPUTS: dict[str, Callable[[int], tuple[Files, Files]]] = {
    "letters-only Python line": lambda n: ({}, {"app.py": "import os\n" + letters(n) + "\n"}),
    "letters-only import": lambda n: ({}, {"app.py": "import " + letters(n) + "\n"}),
    "dotted import": lambda n: ({}, {"app.py": "import " + ".".join(["a"] * (n // 2)) + "\n"}),
    "spaced dotted runs": lambda n: ({}, {"app.py": "x = " + ("a . " * 199 + "(\n") * (n // 800)}),
    "letters-only requirement": lambda n: ({}, {"requirements.txt": letters(n) + "\n"}),
    "requirement of spaces and hashes": lambda n: ({}, {"requirements.txt": "x " + " #" * (n // 2) + "\n"}),
    "letters-only package.json value": lambda n: ({}, {"package.json": '{"x": "' + letters(n) + '"}\n'}),
    # Read at base, unchanged (a diff of a million blank lines costs git, not the gate, the time).
    ".npmrc of blank lines": lambda n: (
        {".npmrc": "\n" * n + "@a:registry=https://r.example/\n"},
        {"a.js": "require('@a/b')\n"},
    ),
    "JS comment and quote openers": lambda n: ({}, {"a.js": "/*" * (n // 4) + "'\"`" * (n // 6) + "\n"}),
    "JS require calls": lambda n: ({}, {"a.js": "require(" * (n // 8) + "\n"}),
    "pyproject fragment brackets": lambda n: ({}, {"pyproject.toml": "[" * n + "\n"}),
    "setup.cfg of spaces": lambda n: ({}, {"setup.cfg": "[options]\ninstall_requires = a" + " " * n + "b\n"}),
    "inline script openings": lambda n: ({}, {"tool.py": "# /// script\n" * (n // 13) + "x = 1\n"}),
    "unclosed dynamic file arrays": lambda n: (
        {},
        {"pyproject.toml": "[tool.setuptools.dynamic]\n" + "file = [" * (n // 8) + "\n"},
    ),
}


@pytest.mark.growth
@pytest.mark.parametrize("name", sorted(DEPS_INPUTS))
def test_dependencies_time_grows_linearly(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, name: str):
    times = []
    for size in SIZES:
        before, after = DEPS_INPUTS[name](size)
        changeset = change(tmp_path / str(size), before, after)
        ctx = context(changeset, config=registry_config(pypi.url, npm.url))
        times.append(best_cpu(lambda ctx=ctx: DependenciesAnalyzer().run(ctx)))
    assert_linear(times)


def many_requirements(n: int) -> Files:
    return {"requirements.txt": "".join(f"ghost-{i}>=1\n" for i in range(n // 12))}


def test_reading_many_new_requirements_grows_linearly(tmp_path: Path):
    """Manifests and imports read (the registry part is bounded by the lookup limit, below)."""
    times = []
    for size in SIZES:
        changeset = change(tmp_path / str(size), {}, many_requirements(size))
        times.append(best_cpu(lambda changeset=changeset: collect(ChangeView(changeset))))
    assert_linear(times)


def test_lookups_are_bounded_and_what_was_not_looked_up_is_a_finding(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    result = deps(tmp_path, pypi, npm, {}, many_requirements(20_000))  # 1,666 new names
    assert len(pypi.requests) == MAX_LOOKUPS
    [unchecked] = by_path(result, "could-not-analyse").values()
    assert unchecked.title.startswith("could not analyse: 666 more new package names than the 1,000")
    assert sum(f.rule == "absent-package" for f in result.findings) == MAX_LOOKUPS
    # What was not looked up is no pass, and the coverage says so.
    assert result.not_checked == ("666 package names past the 1,000 a run looks up",)


LONG_NAMES = [f"{'handler_for_the_event_named_' * 6}{i:04d}" for i in range(2000)]

SYMBOLS_INPUTS: dict[str, Callable[[int], tuple[Files, Files]]] = {
    "letters-only line": lambda n: (PKG, {"pkg/app.py": "from pkg import m\nm.Y\n" + letters(n) + "\n"}),
    "attribute chain": lambda n: (
        PKG,
        {"pkg/app.py": "from pkg import m\nm." + ".".join(["a"] * (n // 2)) + "\n"},
    ),
    "missing names against 2,000 long names": lambda n: (
        {**PKG, "pkg/m.py": "".join(f"{x} = 1\n" for x in LONG_NAMES)},
        {
            "pkg/app.py": "from pkg import m\n"
            + "".join(f"m.{LONG_NAMES[i % 2000]}z\n" for i in range(n // 180))
        },
    ),
    "many self attributes": lambda n: (
        PKG,
        {
            "pkg/c.py": "class C:\n    def f(self):\n"
            + "".join(f"        self.a{i}  # {'padding' * 12}\n" for i in range(n // 110))
        },
    ),
    # Each function binds the imported module's name for itself: the walk scope by scope.
    "nested functions shadowing a module": lambda n: (
        PKG,
        {
            "pkg/app.py": "from pkg import m\nm.Y\n"
            + "".join(
                f"def f{i}(m=None):\n    def g(x=[m for m in ()]):\n        return m.a, [m.b for _ in ()]\n"
                f"    if TYPE_CHECKING:\n        import pkg.m\n    return g, m.zz{i}\n"
                for i in range(n // 170)
            )
        },
    ),
}


@pytest.mark.growth
@pytest.mark.parametrize("name", sorted(SYMBOLS_INPUTS))
def test_phantom_symbols_time_grows_linearly(tmp_path: Path, name: str):
    times = []
    for size in SIZES:
        before, after = SYMBOLS_INPUTS[name](size)
        ctx = context(change(tmp_path / str(size), before, after))
        times.append(best_cpu(lambda ctx=ctx: PhantomSymbolsAnalyzer().run(ctx)))
    assert_linear(times)


def test_close_name_hints_against_2000_long_names_are_still_given(tmp_path: Path):
    before: Files = {**PKG, "pkg/m.py": "".join(f"{x} = 1\n" for x in LONG_NAMES)}
    after: Files = {
        "pkg/app.py": f"from pkg import m\nm.{LONG_NAMES[7].replace('handler_for', 'handlr_for', 1)}\n"
    }
    [finding] = symbols(tmp_path, before, after).findings
    assert f"Close names it does define: {LONG_NAMES[7]}" in finding.body


def test_a_long_dotted_import_on_an_added_line_of_an_unreadable_file(tmp_path: Path):
    after: Files = {"pkg/deep.py": "import pkg." + ".".join(["a"] * 300) + "\nx = f" + "()" * 5000 + "\n"}
    result = symbols(tmp_path, PKG, after)
    assert set(by_path(result, "could-not-analyse")) == {"pkg/deep.py"}
