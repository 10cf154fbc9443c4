"""phantom-symbols' shortcuts give the full path's answer.

The stage parses a changed file only when a text look (`may_use_repository`) says it may import a
repository module or read `self.x` on an added line; the index leaves a class's walk until its members
are asked for when no line of the class may call setattr(); and a module is "open" (nothing reported
against it) when its text may write its globals. Each look must hold for every spelling the parser
accepts: a backslash continuation, an import after `;` or `:` on one line, a form feed, lone carriage
full-width (NFKC) identifiers, `import pkg as p`, a receiver not named `self`, `self .x`. And a
module that creates names at run time stays open however it does it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from tests.analyzers.gitrepo import Files, change, context

BASE: Files = {
    "pkg/__init__.py": "",
    "pkg/mod.py": (
        "def helper():\n    return 1\n\n"
        "class Klass:\n    def __init__(self):\n        self.count = 0\n\n"
        "    def method(self):\n        return self.count\n"
    ),
}

# Each file uses the name `nothere`, which pkg.mod does not define: the full path reports it.
_IMPORTS = {
    "plain.py": "from pkg.mod import nothere\n",
    "alias.py": "import pkg.mod as m\n\nm.nothere()\n",
    "alias_top.py": "import pkg as p\n\np.mod.nothere()\n",
    "continued.py": "from \\\n    pkg.mod import nothere\n",
    "continued_import.py": "import os, \\\n    pkg.mod\n\npkg.mod.nothere()\n",
    "semicolon.py": "x = 1; from pkg.mod import nothere\n",
    "colon.py": "if True: from pkg.mod import nothere\n",
    "try_line.py": "try: import pkg.mod\nexcept ImportError: pass\n\npkg.mod.nothere()\n",
    "form_feed.py": "\x0cfrom pkg.mod import nothere\n",
    "full_width.py": "from ｐｋｇ.mod import nothere\n",
    "full_width_import.py": "import ｐｋｇ.mod\n\npkg.mod.nothere()\n",
    "tabs.py": "from\tpkg.mod\timport\tnothere\n",
}


@pytest.mark.parametrize("path", sorted(_IMPORTS))
def test_an_import_of_a_repository_module_is_checked_however_it_is_spelt(tmp_path: Path, path: str):
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, BASE, {path: _IMPORTS[path]})))
    assert [f.title for f in result.findings] == ["'nothere' is not defined in pkg.mod"], path


_READS = {
    "this": "    def added(this):\n        return this.nothere\n",
    "space": "    def added(self):\n        return self .nothere\n",
    "full_width": "    def added(self):\n        return ｓｅｌｆ.nothere\n",
    "parenthesised": "    def added(self):\n        return (self\n                .nothere)\n",
}


@pytest.mark.parametrize("name", sorted(_READS))
def test_a_read_of_a_missing_attribute_of_the_own_class_is_checked_however_it_is_spelt(
    tmp_path: Path, name: str
):
    before = dict(BASE)
    head = str(BASE["pkg/mod.py"]) + "\n" + _READS[name]
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, {"pkg/mod.py": head})))
    assert [f.title for f in result.findings] == ["'pkg.mod.Klass' has no attribute 'nothere'"], name


# Modules that make names at run time: an import of any name from them is never reported.
_OPEN = {
    "globals_update": "globals().update(made=1)\n",
    "globals_full_width": "ｇｌｏｂａｌｓ()['made'] = 1\n",
    "exec": "exec('made = 1')\n",
    "setattr_module": "import sys\nsetattr(sys.modules[__name__], 'made', 1)\n",
    "vars": "vars()['made'] = 1\n",
    "locals": "locals()['made'] = 1\n",
    "getattr_def": "def __getattr__(name):\n    return name\n",
    "getattr_assigned": "__getattr__ = lambda name: name\n",
    "getattr_imported": "from os.path import join as __getattr__\n",
    "star": "from os.path import *\n",
}


@pytest.mark.parametrize("name", sorted(_OPEN))
def test_a_module_that_makes_names_at_run_time_stays_open(tmp_path: Path, name: str):
    before = {**BASE, "pkg/dyn.py": _OPEN[name]}
    result = PhantomSymbolsAnalyzer().run(
        context(change(tmp_path, before, {"app.py": "from pkg.dyn import made\n"}))
    )
    assert result.findings == (), name


_CLASSES = {
    "setattr": "        setattr(self, 'made', 1)\n",
    "setattr_full_width": "        ｓｅｔａｔｔｒ(self, 'made', 1)\n",
    "setattr_continued": "        setattr(\n            self, 'made', 1)\n",
}


@pytest.mark.parametrize("name", sorted(_CLASSES))
def test_a_class_that_sets_attributes_at_run_time_is_open_when_walked_late(tmp_path: Path, name: str):
    module = "class Dyn:\n    def __init__(self):\n" + _CLASSES[name] + "\n" + "X = 1\n" * 3
    before = {**BASE, "pkg/dyn.py": module}
    user = "from pkg.dyn import Dyn\n\n\ndef use():\n    return Dyn.made\n"
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, {"app.py": user})))
    assert result.findings == (), name
