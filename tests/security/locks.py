"""Reading the project's hash-locked requirement files, as the tests of our own supply chain need them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)(\s*;(?P<marker>[^\\]*))?$"
)
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Pin:
    version: str
    hashes: tuple[str, ...]
    marker: Marker | None

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or self.marker.evaluate(environment)


def lock_entries(name: str) -> dict[str, Pin]:
    """Lock file -> {canonical name: pin}; every requirement line must be a pin with sha256 hashes."""
    text = (ROOT / name).read_text()
    entries: dict[str, Pin] = {}
    for block in re.split(r"\n(?=\S)", text.replace("\\\n", " ")):
        head = block.strip().split("\n", 1)[0]
        if not head or head.startswith("#"):
            continue
        requirement, *options = head.split(" --hash=")
        m = _PIN.match(requirement.strip())
        assert m, f"{name}: not pinned with ==: {requirement!r}"
        hashes = _HASH.findall(head)
        assert hashes and len(hashes) == len(options), f"{name}: {m['name']} has no sha256 hash"
        marker = Marker(m["marker"].strip()) if m["marker"] else None
        entries[canonicalize_name(m["name"])] = Pin(m["version"], tuple(hashes), marker)
    return entries
