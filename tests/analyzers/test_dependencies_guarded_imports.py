"""An absent package imported under `try:` is softened only when the code really runs without it: the
handler catches ImportError (or ModuleNotFoundError) by name, does not raise or exit, and the import is
a statement of the `try` body itself. Real git repositories, the loopback registries."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.findings import Severity
from tests.analyzers.gitrepo import change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI

BASE = {"requirements.txt": "requests==2.31.0\n"}


def ghost_severity(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, source: str) -> Severity:
    pypi.add("requests")
    changeset = change(tmp_path, BASE, {"app/net.py": source})
    result = DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))
    [finding] = [f for f in result.findings if f.rule == "absent-package"]
    assert finding.title == "Package 'ghost-validatorx' does not exist on PyPI"
    return finding.severity


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    import ghost_validatorx\nexcept Exception:\n    raise\n",
        "try:\n    import ghost_validatorx\nexcept:\n    raise\n",
        "try:\n    import ghost_validatorx\nexcept BaseException:\n    ghost_validatorx = None\n",
        "try:\n    import ghost_validatorx\nexcept Exception:\n    ghost_validatorx = None\n",
        "try:\n    import ghost_validatorx\nexcept ImportError:\n    raise\n",
        "try:\n    import ghost_validatorx\nexcept ImportError as e:\n    raise RuntimeError('x') from e\n",
        "import sys\ntry:\n    import ghost_validatorx\nexcept ImportError:\n    sys.exit(1)\n",
        "try:\n    import ghost_validatorx\nexcept ImportError:\n    if True:\n        raise SystemExit(2)\n",
        # The first handler that matches decides: the ImportError never reaches the second.
        "try:\n    import ghost_validatorx\nexcept Exception:\n    raise\nexcept ImportError:\n    pass\n",
        # A module-wide try guards its own statements, not the imports inside the functions it defines.
        "try:\n    def run():\n        import ghost_validatorx\n        return ghost_validatorx\n"
        "except ImportError:\n    pass\n",
        "try:\n    if True:\n        from ghost_validatorx import check\nexcept ImportError:\n    pass\n",
    ],
    ids=[
        "exception-reraise",
        "bare-reraise",
        "base-exception",
        "exception",
        "import-error-reraise",
        "import-error-raise-other",
        "import-error-exit",
        "import-error-nested-raise",
        "broader-handler-first",
        "module-wide-try",
        "under-an-if-in-the-try",
    ],
)
def test_a_handler_that_does_not_cope_leaves_the_import_blocking(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, source: str
):
    assert ghost_severity(tmp_path, pypi, npm, source) is Severity.HIGH


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    import ghost_validatorx\nexcept ImportError:\n    ghost_validatorx = None\n",
        "try:\n    from ghost_validatorx import check\nexcept (ValueError, ModuleNotFoundError):\n"
        "    check = None\n",
        "try:\n    import ghost_validatorx\nexcept ImportError:\n"
        "    def raises():\n        raise ValueError\n",
        "import importlib\ntry:\n    gv = importlib.import_module('ghost_validatorx')\nexcept ImportError:\n"
        "    gv = None\n",
    ],
    ids=["import-error", "tuple", "raise-in-nested-def", "dynamic"],
)
def test_an_import_the_code_runs_without_is_softened(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, source: str
):
    assert ghost_severity(tmp_path, pypi, npm, source) is Severity.MEDIUM
