"""phantom-symbols: added Python that uses names the repository's own modules do not define."""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from gate.analyzers.symbols.hints import MAX_HINTED
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context

BASE: Files = {
    "pkg/__init__.py": "from .mod import helper\n__all__ = ['helper']\n",
    "pkg/mod.py": (
        "import os\n\n"
        "def helper():\n    return 1\n\n"
        "if os.name == 'nt':\n    def platform_fn():\n        return 'nt'\nelse:\n    def platform_fn():\n"
        "        return 'posix'\n\n"
        "try:\n    from json import loads as fast_loads\nexcept ImportError:\n    fast_loads = None\n\n"
        "class Klass:\n    LIMIT = 3\n\n    def __init__(self):\n        self.count = 0\n\n"
        "    def method(self):\n        return self.count\n\n"
        "class Error(Exception):\n    pass\n"
    ),
    "pkg/lazy.py": "def __getattr__(name):\n    return name\n",
    "pkg/starry.py": "from os.path import *\n",
    "pkg/exported.py": "__all__ = ['made_at_runtime']\nfor _n in __all__:\n    pass\n",
    "src/srcpkg/__init__.py": "",
    "src/srcpkg/core.py": "VALUE = 1\n",
}


def run(
    tmp_path: Path, after: Files, *, patch_only: bool = False, before: Files | None = None
) -> StageResult:
    changeset = change(tmp_path, before if before is not None else BASE, after, patch_only=patch_only)
    return PhantomSymbolsAnalyzer().run(context(changeset))


def titles(result: StageResult) -> list[str]:
    return sorted(f.title for f in result.findings)


def test_importing_a_name_the_module_does_not_define(tmp_path: Path):
    result = run(tmp_path, {"app.py": "from pkg.mod import helper, helpr_v2\n\nhelper()\n"})
    [finding] = result.findings
    assert finding.title == "'helpr_v2' is not defined in pkg.mod"
    assert finding.severity is Severity.HIGH and finding.stage == "phantom-symbols"
    assert finding.location is not None and (finding.location.path, finding.location.start_line) == (
        "app.py",
        1,
    )
    assert "Close names it does define: helper" in finding.body


def test_module_attributes_missing_modules_and_relative_imports(tmp_path: Path):
    after: Files = {
        "app.py": (
            "import pkg.mod as m\nimport pkg.ghost\nfrom pkg import nothing_here\n\n"
            "m.helper()\nm.parse_all()\n"
        ),
        "pkg/other.py": (
            "from .mod import Klass\nfrom . import mod\nfrom .mod import invented\n\nmod.also_invented()\n"
        ),
    }
    assert titles(run(tmp_path, after)) == [
        "'also_invented' is not defined in pkg.mod",
        "'invented' is not defined in pkg.mod",
        "'nothing_here' is not defined in pkg",
        "'parse_all' is not defined in pkg.mod",
        "Module 'pkg.ghost' does not exist in the repository",
    ]


def test_attributes_of_repo_classes(tmp_path: Path):
    after: Files = {
        "app.py": (
            "from pkg.mod import Klass, Error\n\n"
            "Klass.LIMIT\nKlass.method\nKlass.from_config()\nError.anything\n"
        ),
        "pkg/mod.py": BASE["pkg/mod.py"] + "\n\nclass Child(Klass):\n    def run(self):\n"  # type: ignore[operator]
        "        self.count += 1\n        return self.method() + self.LIMIT + self.reset_all()\n",
    }
    result = run(tmp_path, after)
    assert titles(result) == [
        "'pkg.mod.Child' has no attribute 'reset_all'",
        "'pkg.mod.Klass' has no attribute 'from_config'",
    ]
    assert all(f.severity is Severity.MEDIUM for f in result.findings)


def test_no_false_positives_on_dynamic_or_conditional_definitions(tmp_path: Path):
    after: Files = {
        "app.py": (
            "from pkg import helper\n"  # re-exported by __init__
            "from pkg import mod\n"  # a submodule
            "from pkg.mod import platform_fn, fast_loads, Klass\n"  # conditional and try/except definitions
            "from pkg.lazy import anything_at_all\n"  # module __getattr__
            "from pkg.starry import join\n"  # star import: unknown
            "from pkg.exported import made_at_runtime\n"  # listed in __all__
            "from srcpkg.core import VALUE\n"  # src/ layout
            "from requests import not_ours\n"  # not the repo's: the dependencies stage's business
            "import pkg.mod as m\n"
            "m = object()\nm.whatever\n"  # the alias is rebound
            "k = Klass()\nk.dynamic_attr\n"  # instance attributes are not tracked
            "mod.helper()\n"
        ),
    }
    result = run(tmp_path, after)
    assert result.ran and result.findings == ()


def test_self_in_a_nested_class_is_not_the_outer_self(tmp_path: Path):
    server = (
        "from http.server import BaseHTTPRequestHandler\n\n\nclass Server:\n    def __init__(self):\n"
        "        self.port = 0\n\n    def start(self):\n        class Handler(BaseHTTPRequestHandler):\n"
        "            def do_GET(self):\n                self.send_response(200)\n\n"
        "        return Handler, self.port, self.missing_port\n"
    )
    assert titles(run(tmp_path, {"pkg/server.py": server})) == [
        "'pkg.server.Server' has no attribute 'missing_port'"
    ]


def test_names_added_by_the_same_change_are_defined(tmp_path: Path):
    after: Files = {
        "pkg/mod.py": BASE["pkg/mod.py"] + "\ndef brand_new():\n    return 2\n",  # type: ignore[operator]
        "app.py": "from pkg.mod import brand_new\n",
    }
    assert run(tmp_path, after).findings == ()


def test_old_lines_are_not_reported(tmp_path: Path):
    before = {**BASE, "app.py": "from pkg.mod import was_already_broken\n"}
    result = run(tmp_path, {"app.py": "from pkg.mod import was_already_broken\n\nprint(1)\n"}, before=before)
    assert result.findings == ()


def test_patch_input_checks_the_files_the_diff_adds(tmp_path: Path):
    after: Files = {
        "newpkg/__init__.py": "",
        "newpkg/util.py": "def real():\n    return 1\n",
        "newpkg/use.py": "from newpkg.util import real, imagined\n",
        "pkg/mod.py": BASE["pkg/mod.py"] + "\nfrom pkg.mod import nope\n",  # type: ignore[operator]
    }
    before = {**BASE, "app2.py": "x = 1\n"}
    after["app2.py"] = "from newpkg.util import real, dreamt_up\nx = 1\n"
    result = run(tmp_path, after, patch_only=True, before=before)
    assert titles(result) == [
        "'dreamt_up' is not defined in newpkg.util",
        "'imagined' is not defined in newpkg.util",
    ]
    assert any("pkg/mod.py: whole file not available" in n for n in result.details["notes"])


def test_a_file_that_does_not_parse_is_noted_not_fatal(tmp_path: Path):
    result = run(tmp_path, {"pkg/__init__.py": "X = 1\n", "broken.py": "from pkg import X\ndef (:\n"})
    assert result.ran and result.findings == ()
    assert any("broken.py: does not parse" in n for n in result.details["notes"])


def test_close_name_hints_are_worked_out_per_file_up_to_the_cap(tmp_path: Path):
    # The owner's names are sorted once for the run, but each file that finds a name missing gets its
    # own hint, and the cap counts (name, file) pairs: the files past it get none.
    extra = 5
    after: Files = {f"app{i:03}.py": "from pkg.mod import helpr\n" for i in range(MAX_HINTED + extra)}
    findings = run(tmp_path, after).findings
    assert len(findings) == MAX_HINTED + extra
    hinted = [f for f in findings if "Close names it does define: helper" in f.body]
    assert len(hinted) == MAX_HINTED
    assert all("Close names" not in f.body for f in findings if f not in hinted)
