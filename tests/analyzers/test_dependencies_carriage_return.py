"""An import the parser reads after a lone carriage return is an added import: Python's parser ends a
line at a lone `\r`, git does not, so the parser's line numbers are mapped to the diff's."""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.dependencies import DependenciesAnalyzer
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI


def _absent(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, before: Files, after: Files
) -> list[tuple[str, int]]:
    changeset = change(tmp_path, before, after)
    result = DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))
    return [
        (f.title, f.location.start_line or 0)
        for f in result.findings
        if f.rule == "absent-package" and f.location is not None
    ]


GHOST = "Package 'quantum-fastjson-turbo' does not exist on PyPI"


def test_an_import_after_a_lone_carriage_return_in_a_new_file_is_checked(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    after: Files = {"app.py": "import os\nx = 1\rimport quantum_fastjson_turbo\n"}
    assert _absent(tmp_path, pypi, npm, {}, after) == [(GHOST, 2)]


def test_an_import_after_a_lone_carriage_return_in_a_modified_file_is_checked(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    before: Files = {"app.py": "a = 1\rb = 2\n\nc = 3\n"}
    after: Files = {"app.py": "a = 1\rb = 2\n\nc = 3\ny = 2\rimport quantum_fastjson_turbo\n"}
    assert _absent(tmp_path, pypi, npm, before, after) == [(GHOST, 4)]


def test_an_unchanged_import_below_a_lone_carriage_return_is_not_taken_for_an_added_one(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    # The parser's line 3 is the unchanged import; the diff's line 3 is the added one.
    before: Files = {"app.py": "x = 1\ry = 2\nimport quantum_fastjson_turbo\n"}
    after: Files = {"app.py": "x = 1\ry = 2\nimport quantum_fastjson_turbo\nz = 3\n"}
    assert _absent(tmp_path, pypi, npm, before, after) == []
