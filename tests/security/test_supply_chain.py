"""Our own supply chain: every dependency pinned and hashed, compromised releases excluded, updates on.

`make audit` runs pip-audit against the lock; it needs the advisory services, so it is a separate
target and CI job (.github/workflows/supply-chain.yml). These tests check the lock itself, offline.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.security.locks import ROOT, lock_entries

LOCKS = ["requirements.lock", "requirements-dev.lock", "requirements-bootstrap.lock"]
# Compromised litellm releases: 1.82.7 and 1.82.8 were published with a credential stealer; the 1.107
# series was withdrawn. None may be installable from our pins or allowed by our ranges.
BAD_LITELLM = ["1.82.7", "1.82.8", "1.107.0", "1.107.1", "1.107.5", "1.107.99"]


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_and_hashed(lock: str) -> None:
    entries = lock_entries(lock)
    assert len(entries) > 20 or lock == "requirements-bootstrap.lock"


@pytest.mark.parametrize("lock", LOCKS[:2])
def test_the_lock_satisfies_pyproject(lock: str) -> None:
    entries = lock_entries(lock)
    deps = list(project()["dependencies"])  # type: ignore[call-overload]
    if lock == "requirements-dev.lock":
        deps += project()["optional-dependencies"]["dev"]  # type: ignore[index]
    for spec in deps:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in entries, f"{lock}: {req.name} is declared in pyproject.toml but not locked"
        version = entries[name].version
        assert req.specifier.contains(version, prereleases=True), f"{lock}: {req.name}=={version} !~ {spec}"


@pytest.mark.parametrize("lock", LOCKS[:2])
def test_compromised_litellm_is_not_locked(lock: str) -> None:
    version = lock_entries(lock)["litellm"].version
    assert version not in BAD_LITELLM and Version(version).release[:2] != (1, 107)


def test_pyproject_excludes_compromised_litellm() -> None:
    (spec,) = [d for d in project()["dependencies"] if Requirement(d).name == "litellm"]  # type: ignore[attr-defined]
    allowed: SpecifierSet = Requirement(spec).specifier
    for bad in BAD_LITELLM:
        assert not allowed.contains(bad, prereleases=True), f"pyproject allows litellm {bad}"


def test_dependabot_watches_actions_docker_and_the_lock() -> None:
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text())
    assert config["version"] == 2
    by = {u["package-ecosystem"]: u for u in config["updates"]}
    assert {"github-actions", "docker", "pip"} <= set(by)
    for update in by.values():
        assert update["directory"] == "/" and update["schedule"]["interval"]
    ignored = {i["dependency-name"]: i["versions"] for i in by["pip"].get("ignore", [])}
    assert {"1.82.7", "1.82.8"} <= set(ignored["litellm"])


def test_audit_runs_on_the_lock_in_ci() -> None:
    makefile = (ROOT / "Makefile").read_text()
    audit = makefile.split("\naudit:", 1)[1].split("\n\n", 1)[0]
    assert "pip-audit" in audit and "-r requirements.lock" in audit and "--strict" in audit
    workflow = yaml.safe_load((ROOT / ".github/workflows/supply-chain.yml").read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["audit"]["steps"]]
    assert "make audit" in steps
    assert workflow["permissions"] == {"contents": "read"}


def test_the_installer_is_pinned_with_its_hashes_in_every_lock() -> None:
    """The bootstrap installs the very uv that the locks hold, so a sync never swaps its own installer."""
    pins = {line.split("==")[0]: line for line in (ROOT / "build-requirements.in").read_text().splitlines()}
    assert pins["uv"].startswith("uv==") and pins["pip"].startswith("pip==")
    (uv,) = lock_entries("requirements-bootstrap.lock").values()
    assert f"uv=={uv.version}" == pins["uv"]
    for lock in LOCKS[:2]:
        assert lock_entries(lock)["uv"] == uv, f"{lock} holds another uv than requirements-bootstrap.lock"
        assert f"pip=={lock_entries(lock)['pip'].version}" == pins["pip"]


def test_every_install_path_goes_through_the_one_install_script() -> None:
    """Makefile and Dockerfile install locks only with scripts/install-env (uv sync of exactly the lock)."""
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "scripts/install-env $(PYTHON) $(VENV) requirements.lock" in makefile
    assert "scripts/install-env $(PYTHON) $(VENV) requirements-dev.lock" in makefile
    assert "./install-env python3 /opt/ai-gate/venv requirements.lock" in dockerfile
    for text in (makefile, dockerfile):
        bypass = re.findall(r"^.*(?<!uv )(?<!\$\(UV\) )pip install.*$", text, re.M)
        assert not bypass, f"an install that bypasses the pinned uv: {bypass}"
    lock_target = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert "$(UV) pip compile" in lock_target and "requirements-bootstrap.lock" in lock_target


def test_every_environment_is_byte_compiled_at_install() -> None:
    """The image runs with PYTHONDONTWRITEBYTECODE in a fresh container per run: without compiled files
    every model-calling run would compile litellm from source again."""
    script = (ROOT / "scripts" / "install-env").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"uv\" pip sync [^\n]*--compile-bytecode", script)
    assert re.search(r"uv pip install [^\n]*--compile-bytecode[^\n]* \. ", dockerfile)
