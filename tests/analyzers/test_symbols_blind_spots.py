"""phantom-symbols checks what Python would really find, in the places it used not to look.

A sub-project (a folder with its own pyproject.toml, setup.py or setup.cfg) imports its packages from
its own folder, as the dependencies stage already knows. A folder with Python files and no
`__init__.py` is a namespace package: inside a regular package of the repository, Python finds it in
that folder only, and so what it lacks is missing; at the top of an import path, other installed
distributions may add to it, and only a name no distribution is known to provide is the repository's
alone. A parameter or local of one function named like an imported module hides the module in that
function only. Names defined only under `if TYPE_CHECKING:` (or `if False:`) do not exist when the code
runs.
"""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from tests.analyzers.gitrepo import Files, change, context


def _titles(tmp_path: Path, before: Files, after: Files) -> list[str]:
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, after)))
    return sorted(f.title for f in result.findings)


# --- scopes -------------------------------------------------------------------------------------------

SETTINGS: Files = {
    "app/__init__.py": "",
    "app/settings.py": "TIMEOUT = 5\n\n\ndef load():\n    return {}\n",
    "app/main.py": "from app import settings\n\n\ndef main():\n    return settings.TIMEOUT\n",
}


def test_a_parameter_named_like_a_module_hides_it_in_its_own_function_only(tmp_path: Path):
    main = (
        "from app import settings\n\n\ndef main():\n    return settings.TIMEOUT, settings.RETRY_BACKOFF\n\n\n"
        "def describe(settings=None):\n    return settings.anything\n\n\n"
        "def other():\n    settings = {}\n    return settings.items(), [settings for settings in ()]\n\n\n"
        "class Holder:\n    settings = None\n\n    def read(self):\n        return settings.MISSING_TOO\n"
    )
    assert _titles(tmp_path, SETTINGS, {"app/main.py": main}) == [
        "'MISSING_TOO' is not defined in app.settings",
        "'RETRY_BACKOFF' is not defined in app.settings",
    ]


def test_a_module_rebound_at_module_level_or_through_global_is_not_checked(tmp_path: Path):
    main = (
        "from app import settings\n\n\ndef main():\n    return settings.RETRY_BACKOFF\n\n\n"
        "def swap():\n    global settings\n    settings = object()\n"
    )
    assert _titles(tmp_path, SETTINGS, {"app/main.py": main}) == []
    main = "from app import settings\n\nif not settings:\n    settings = object()\nprint(settings.NOPE)\n"
    assert _titles(tmp_path / "again", SETTINGS, {"app/main.py": main}) == []


def test_a_nested_function_sees_its_enclosing_function_s_local(tmp_path: Path):
    main = (
        "from app import settings\n\n\ndef outer(settings):\n    def inner():\n"
        "        return settings.whatever\n    return inner\n"
    )
    assert _titles(tmp_path, SETTINGS, {"app/main.py": main}) == []


# --- TYPE_CHECKING ------------------------------------------------------------------------------------


def _typed_models(guard: str, header: str = "from typing import TYPE_CHECKING\n") -> Files:
    return {
        "app/__init__.py": "",
        "app/models.py": (
            f"from __future__ import annotations\n\n{header}\n{guard}\n    UserId = int\n\n"
            "    def load_user(user_id: UserId) -> dict: ...\n\n\n"
            "def save(record: dict) -> None:\n    print(record)\n"
        ),
        "app/main.py": "from app import models\n\n\ndef main():\n    models.save({})\n",
    }


_USES_TYPE_ONLY = (
    "from app import models\nfrom app.models import load_user\n\n\n"
    "def main():\n    models.save({})\n    print(load_user(1), models.UserId)\n"
)


def test_names_defined_only_under_type_checking_do_not_exist_at_run_time(tmp_path: Path):
    expected = ["'UserId' is not defined in app.models", "'load_user' is not defined in app.models"]
    for n, (guard, header) in enumerate(
        [
            ("if TYPE_CHECKING:", "from typing import TYPE_CHECKING\n"),
            ("if typing.TYPE_CHECKING:", "import typing\n"),
            ("if False:", ""),
        ]
    ):
        titles = _titles(tmp_path / str(n), _typed_models(guard, header), {"app/main.py": _USES_TYPE_ONLY})
        assert titles == expected, guard


def test_type_only_names_used_for_typing_only_are_not_reported(tmp_path: Path):
    main = (
        "from __future__ import annotations\n\nfrom typing import TYPE_CHECKING\n\nfrom app import models\n\n"
        "if TYPE_CHECKING:\n    from app.models import UserId, load_user\n\n\n"
        "def main(user: models.UserId) -> models.UserId:\n    value: models.UserId = user\n"
        "    models.save({})\n    return value\n"
    )
    assert _titles(tmp_path, _typed_models("if TYPE_CHECKING:"), {"app/main.py": main}) == []


def test_a_name_defined_on_the_run_time_branch_too_is_defined(tmp_path: Path):
    before = _typed_models("if TYPE_CHECKING:")
    before["app/models.py"] = (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    UserId = int\n    def load_user(x): ...\n"
        "else:\n    UserId = int\n    load_user = None\n"
    )
    main = _USES_TYPE_ONLY.replace("models.save({})\n    ", "")
    assert _titles(tmp_path, before, {"app/main.py": main}) == []


def test_a_module_that_replaces_itself_in_sys_modules_is_not_judged(tmp_path: Path):
    # The lazy-module pattern: the names come from the object put in sys.modules at run time.
    before: Files = {
        "lib/__init__.py": (
            "import sys\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .core import Model\n"
            "else:\n    sys.modules[__name__] = _Lazy(__name__)\n"
        ),
        "lib/core.py": "class Model:\n    pass\n",
    }
    assert _titles(tmp_path, before, {"use.py": "from lib import Model\nimport lib\n\nlib.Model\n"}) == []


def test_a_type_only_import_of_a_file_that_does_not_parse_is_not_reported(tmp_path: Path):
    # Only its added import lines are checked, out of the `if TYPE_CHECKING:` block they sit in.
    main = (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.models import UserId\n\n"
        "def broken(:\n"
    )
    assert _titles(tmp_path, _typed_models("if TYPE_CHECKING:"), {"app/main.py": main}) == []
