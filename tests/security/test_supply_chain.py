"""Our own supply chain: every dependency pinned and hashed, compromised releases excluded, updates on.

`make audit` runs pip-audit against the lock; it needs the advisory services, so it is a separate
target and CI job (.github/workflows/supply-chain.yml). These tests check the lock itself, offline.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ["requirements.lock", "requirements-dev.lock"]
# Compromised litellm releases: 1.82.7 and 1.82.8 were published with a credential stealer; the 1.107
# series was withdrawn. None may be installable from our pins or allowed by our ranges.
BAD_LITELLM = ["1.82.7", "1.82.8", "1.107.0", "1.107.1", "1.107.5", "1.107.99"]
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)(\s*;[^\\]*)?$")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def lock_entries(name: str) -> dict[str, tuple[str, list[str]]]:
    """Lock file -> {canonical name: (version, hashes)}; every requirement line must be a pin."""
    text = (ROOT / name).read_text()
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", text.replace("\\\n", " ")):
        head = block.strip().split("\n", 1)[0]
        if not head or head.startswith("#"):
            continue
        requirement, *options = head.split(" --hash=")
        m = _PIN.match(requirement.strip())
        assert m, f"{name}: not pinned with ==: {requirement!r}"
        hashes = _HASH.findall(head)
        assert hashes and len(hashes) == len(options), f"{name}: {m['name']} has no sha256 hash"
        entries[canonicalize_name(m["name"])] = (m["version"], hashes)
    return entries


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_pinned_and_hashed(lock: str) -> None:
    entries = lock_entries(lock)
    assert len(entries) > 20


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_satisfies_pyproject(lock: str) -> None:
    entries = lock_entries(lock)
    deps = list(project()["dependencies"])  # type: ignore[call-overload]
    if lock == "requirements-dev.lock":
        deps += project()["optional-dependencies"]["dev"]  # type: ignore[index]
    for spec in deps:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in entries, f"{lock}: {req.name} is declared in pyproject.toml but not locked"
        version = entries[name][0]
        assert req.specifier.contains(version, prereleases=True), f"{lock}: {req.name}=={version} !~ {spec}"


@pytest.mark.parametrize("lock", LOCKS)
def test_compromised_litellm_is_not_locked(lock: str) -> None:
    version, _ = lock_entries(lock)["litellm"]
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
