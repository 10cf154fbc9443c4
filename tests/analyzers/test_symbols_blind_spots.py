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

import pytest

from gate.analyzers.symbols import PhantomSymbolsAnalyzer
from tests.analyzers.gitrepo import Files, change, context


def _titles(tmp_path: Path, before: Files, after: Files) -> list[str]:
    result = PhantomSymbolsAnalyzer().run(context(change(tmp_path, before, after)))
    return sorted(f.title for f in result.findings)


# --- sub-projects -------------------------------------------------------------------------------------

SUBPROJECT: Files = {
    "backend/pyproject.toml": '[project]\nname = "backend"\nversion = "0.1"\n',
    "backend/app/__init__.py": "",
    "backend/app/models.py": "def save(record):\n    print(record)\n",
    "backend/app/main.py": "from app.models import save\n\n\ndef main():\n    save({})\n",
}


def test_a_sub_project_s_packages_are_checked_from_its_own_folder(tmp_path: Path):
    main = (
        "from app.models import save, save_many\nfrom app import models\nimport app.ghost\n\n\n"
        "def main():\n    save({})\n    save_many([{}])\n    models.bulk_upsert([])\n"
    )
    titles = _titles(tmp_path, SUBPROJECT, {"backend/app/main.py": main})
    assert titles == [
        "'bulk_upsert' is not defined in app.models",
        "'save_many' is not defined in app.models",
        "Module 'app.ghost' does not exist in the repository",
    ]


def test_a_sub_project_with_a_src_folder_is_checked_too(tmp_path: Path):
    before: Files = {
        "services/api/setup.cfg": "[metadata]\nname = api\n",
        "services/api/src/api/__init__.py": "",
        "services/api/src/api/db.py": "def connect():\n    return 1\n",
    }
    after: Files = {"services/api/src/api/views.py": "from api.db import connect, disconnect\n"}
    assert _titles(tmp_path, before, after) == ["'disconnect' is not defined in api.db"]


def test_a_package_two_sub_projects_both_hold_is_not_judged_by_the_other_s_copy(tmp_path: Path):
    before: Files = {
        "backend/pyproject.toml": '[project]\nname = "backend"\n',
        "backend/app/__init__.py": "",
        "backend/app/models.py": "def save(record):\n    return record\n",
        "worker/pyproject.toml": '[project]\nname = "worker"\n',
        "worker/app/__init__.py": "",
        "worker/app/models.py": "def enqueue(job):\n    return job\n",
    }
    after: Files = {
        "worker/app/main.py": "from app.models import enqueue\nfrom app import models\n\nmodels.enqueue(1)\n",
        "backend/app/main.py": "from app.models import save\nfrom app import models\n\nmodels.save(1)\n",
    }
    assert _titles(tmp_path, before, after) == []


TWO_NAMES: Files = {
    "svc/pyproject.toml": '[project]\nname = "svc"\n',
    "svc/app/__init__.py": "",
    "svc/app/base.py": "class Base:\n    known = 1\n",
    "svc/app/util.py": (
        "from .base import Base\n\n\nclass Child(Base):\n    pass\n\n\ndef helper():\n    return 1\n"
    ),
}


@pytest.mark.parametrize("root_file", ["a_main.py", "z_main.py"])
def test_a_module_reached_by_two_names_resolves_its_relative_imports_alike_in_either_order(
    tmp_path: Path, root_file: str
):
    # `svc/app/util.py` is `app.util` to its sub-project and `svc.app.util` to the root: the file
    # name puts the root's check before or after the sub-project's, and the class's base is found
    # through the module's relative import either way.
    after: Files = {
        "svc/app/user.py": "from app.util import helper\n\nhelper()\n",
        root_file: "from svc.app.util import Child\n\nprint(Child.known, Child.missing)\n",
    }
    assert _titles(tmp_path, TWO_NAMES, after) == ["'svc.app.util.Child' has no attribute 'missing'"]


def test_a_relative_import_in_a_sub_project_whose_folder_is_no_identifier_resolves_in_it(tmp_path: Path):
    before: Files = {
        "my-svc/pyproject.toml": '[project]\nname = "svc"\n',
        "my-svc/models.py": "def other():\n    return 1\n",
        "my-svc/app/__init__.py": "",
        "my-svc/app/models.py": "def save(record):\n    return record\n",
    }
    after: Files = {"my-svc/app/main.py": "from .models import save, ghost\n\nsave(1)\n"}
    assert _titles(tmp_path, before, after) == ["'ghost' is not defined in app.models"]


# --- namespace packages -------------------------------------------------------------------------------

NSPKG: Files = {"app/core.py": "def total(xs):\n    return sum(xs)\n", "app/main.py": "print(1)\n"}


def test_a_top_level_namespace_package_no_distribution_provides_is_checked(tmp_path: Path):
    main = (
        "from app.core import total, average\nfrom app.text_utils import slugify\nimport app.money\n"
        "from app import core, helpers\n\nprint(total([1]), core.median([1]), slugify, app.money)\n"
    )
    assert _titles(tmp_path, NSPKG, {"app/main.py": main}) == [
        "'average' is not defined in app.core",
        "'helpers' is not defined in app",
        "'median' is not defined in app.core",
        "Module 'app.money' does not exist in the repository",
        "Module 'app.text_utils' does not exist in the repository",
    ]


def test_a_namespace_package_seen_only_through_a_patch_is_not_judged(tmp_path: Path):
    # Without the repository, the folder may hold files the patch does not show.
    main = "from app.text_utils import slugify\nimport app.money\n"
    changeset = change(tmp_path, NSPKG, {"app/main.py": main, "app/extra.py": "X = 1\n"}, patch_only=True)
    assert list(PhantomSymbolsAnalyzer().run(context(changeset)).findings) == []


def test_a_namespace_folder_inside_a_regular_package_is_checked(tmp_path: Path):
    before: Files = {
        "pkg/__init__.py": "",
        "pkg/plugins/alpha.py": "def run():\n    return 1\n",
    }
    after: Files = {"pkg/use.py": "from pkg.plugins import alpha\nfrom pkg.plugins.beta import run\n"}
    assert _titles(tmp_path, before, after) == ["Module 'pkg.plugins.beta' does not exist in the repository"]


def test_a_namespace_other_distributions_add_to_is_not_reported(tmp_path: Path):
    # `google` is a namespace many installed distributions add to: `google.cloud.storage` is theirs.
    before: Files = {"google/cloud/myservice/__init__.py": "", "google/cloud/myservice/api.py": "X = 1\n"}
    after: Files = {
        "google/cloud/myservice/use.py": (
            "from google.cloud import storage\nimport google.protobuf.message\n"
            "from google.cloud.myservice.api import X\n"
        )
    }
    assert _titles(tmp_path, before, after) == []


def test_a_namespace_the_repository_depends_on_a_distribution_of_is_not_reported(tmp_path: Path):
    # A private distribution `contoso-common` adds `contoso/common/` to the same namespace when installed.
    before: Files = {
        "pyproject.toml": '[project]\nname = "contoso-billing"\ndependencies = ["contoso-common>=1"]\n',
        "contoso/billing/__init__.py": "",
    }
    after: Files = {
        "contoso/billing/api.py": "from contoso.common import settings\nimport contoso.common.db\n"
    }
    assert _titles(tmp_path, before, after) == []


def test_a_regular_package_that_extends_its_path_is_not_reported(tmp_path: Path):
    before: Files = {
        "pkg/__init__.py": "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n",
        "pkg/core.py": "X = 1\n",
    }
    after: Files = {"use.py": "import pkg.plugin\nfrom pkg.other import thing\n"}
    assert _titles(tmp_path, before, after) == []


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


@pytest.mark.parametrize(
    "pattern",
    ["settings", "Point(x=settings)", "[first, *settings]", "{'k': 1} as settings", "{'k': 1, **settings}"],
)
def test_a_name_a_case_pattern_captures_is_rebound_like_an_assignment(tmp_path: Path, pattern: str):
    main = (
        "from app import settings\n\n\ndef handle(event):\n    match event:\n"
        f"        case {pattern}:\n            return settings.payload\n\n\n"
        "def main():\n    return settings.TIMEOUT, settings.RETRY_BACKOFF\n\n\n"
        "match 1:\n    case Point.MODE | settings.GHOST:\n        pass\n"
    )
    # The capture makes `settings` a local of `handle` only; a dotted value pattern is a read, no capture.
    assert _titles(tmp_path, SETTINGS, {"app/main.py": main}) == [
        "'GHOST' is not defined in app.settings",
        "'RETRY_BACKOFF' is not defined in app.settings",
    ]


def test_a_capture_at_module_level_rebinds_the_module_and_defines_the_name(tmp_path: Path):
    # `mode` exists only as a capture of app/argv.py; `settings` is captured at main's module level.
    argv = "import sys\n\nmatch sys.argv:\n    case [_, mode]:\n        pass\n    case _:\n        pass\n"
    main = (
        "from app import settings\nfrom app.argv import mode\n\n"
        "match mode:\n    case settings:\n        pass\nprint(settings.real)\n"
    )
    assert _titles(tmp_path, {**SETTINGS, "app/argv.py": argv}, {"app/main.py": main}) == []


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


_ANNOTATED = (
    "from app import models\n\n\n"
    "def load(\n    user: models.UserId,\n    text: 'models.UserId',\n) -> models.UserId:\n"
    "    value: models.UserId = user\n    return value\n\n\n"
    "LIMIT: models.UserId = 1\n\n\nclass Row:\n    key: models.UserId\n\n"
    "    def read(self) -> None:\n        local: models.UserId = 1\n"
)


def test_a_type_only_name_in_an_annotation_python_evaluates_is_reported(tmp_path: Path):
    # Without `from __future__ import annotations`, a def's parameter and return annotations and a
    # module's or class's variable annotations are evaluated; a local's annotation and a string are not.
    result = PhantomSymbolsAnalyzer().run(
        context(change(tmp_path, _typed_models("if TYPE_CHECKING:"), {"app/main.py": _ANNOTATED}))
    )
    lines = sorted(f.location.start_line for f in result.findings if f.location is not None)
    assert lines == [5, 7, 12, 16]
    assert {f.title for f in result.findings} == {"'UserId' is not defined in app.models"}


def test_a_type_only_name_in_a_postponed_annotation_is_not_reported(tmp_path: Path):
    main = "from __future__ import annotations\n\n" + _ANNOTATED
    assert _titles(tmp_path, _typed_models("if TYPE_CHECKING:"), {"app/main.py": main}) == []
