"""Lookups in the Go module proxy and in a Cargo sparse index (crates.io), with one shared rule: a
registry that cannot be reached once is not asked again in the same run.

Go module proxy protocol (https://go.dev/ref/mod#goproxy-protocol): `GET <proxy>/<module>/@v/list`
lists the known versions, one a line; `GET <proxy>/<module>/@v/<version>.info` gives
`{"Version", "Time"}`; `GET <proxy>/<module>/@latest` answers for a module with no tagged version,
with the `Time` of its newest commit (the only date the proxy has for it).
Upper-case letters in paths and versions are sent as `!` and the lower-case letter. 404 and 410
mean "not found". The earliest version's `Time` is the first-seen date: it is the commit time the
module's repository reports, so an old date is weaker evidence than a registry's upload time.

Cargo sparse index (https://doc.rust-lang.org/cargo/reference/registry-index.html): one file a crate
at `<index>/1/<name>`, `2/<name>`, `3/<c>/<name>` or `<ab>/<cd>/<name>` (lower-cased), one JSON object
a line per published version; 404, 410 and 451 mean the crate does not exist. The `pubtime` field of
an entry, where the index gives it, is the publication time.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from gate.analyzers.dependencies.model import Ecosystem, Lookup, Status

ATTEMPTS = 3
GO_NOT_FOUND = frozenset({404, 410})
CRATES_NOT_FOUND = frozenset({404, 410, 451})
# Versions of one module read from a version list; enough for any real module.
MAX_VERSIONS = 10_000
# Lines of one crate's index file read for publication times; enough for any real crate.
MAX_INDEX_LINES = 10_000
HANDLED = frozenset({Ecosystem.GO, Ecosystem.CRATES})


class _Retryable(Exception):
    """A 5xx or 429 answer: worth another try."""


class _Down(Exception):
    """The registry could not be reached (after retries)."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Retryable | httpx.TransportError)


def escape_path(text: str) -> str:
    """Module path or version as the module proxy protocol spells it: `!` + lower case for capitals."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group().lower(), text)


def go_url(base: str, module: str, tail: str) -> str:
    return f"{base.rstrip('/')}/{quote(escape_path(module), safe='/~!')}/{tail}"


def crate_index_path(name: str) -> str:
    """The index file of a crate, relative to the index root (Cargo's layout)."""
    name = name.lower()
    if len(name) <= 2:
        return f"{len(name)}/{name}"
    if len(name) == 3:
        return f"3/{name[0]}/{name}"
    return f"{name[:2]}/{name[2:4]}/{name}"


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """A sort key for Go semantic versions (`v1.2.3`, `v1.2.3-pre`, `+incompatible`): the earliest first."""
    core, _, _build = version.lstrip("v").partition("+")
    numbers, dash, pre = core.partition("-")
    parts = [int(p) if p.isdigit() else 0 for p in numbers.split(".")[:3]]
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2], 0 if dash else 1, pre


@dataclass
class ProxyLookups:
    """The lookups of one run against the Go proxy and the crates index, over one HTTP client."""

    client: httpx.AsyncClient
    wait_base: float = 0.2
    down: dict[str, str] = field(default_factory=dict)  # registry base -> why it could not be reached

    # The first lookup of each registry, which the others of that registry wait for.
    first: dict[str, asyncio.Event] = field(default_factory=dict)

    async def lookup(self, base: str, eco: Ecosystem, name: str) -> Lookup:
        probe = self.first.get(base)
        if probe is None:
            # The first name of a registry goes alone: a registry that cannot be reached costs one
            # name's retries, not every name's.
            probe = self.first[base] = asyncio.Event()
            try:
                return await self._lookup(base, eco, name)
            finally:
                probe.set()
        await probe.wait()
        return await self._lookup(base, eco, name)

    async def _lookup(self, base: str, eco: Ecosystem, name: str) -> Lookup:
        if base in self.down:
            return Lookup(name, eco, Status.UNREACHABLE, error=self.down[base])
        try:
            if eco is Ecosystem.GO:
                return await self._go(base, name)
            return await self._crate(base, name)
        except _Down as exc:
            self.down.setdefault(base, f"{base} could not be reached ({exc}); its names were not checked")
            return Lookup(name, eco, Status.UNREACHABLE, error=self.down[base])

    async def _get(self, url: str) -> httpx.Response:
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_retryable),
                stop=stop_after_attempt(ATTEMPTS),
                wait=wait_exponential(multiplier=self.wait_base, max=2.0),
                reraise=True,
            ):
                with attempt:
                    response = await self.client.get(url)
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _Retryable(f"HTTP {response.status_code}")
        except (_Retryable, httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _Down(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        return response

    async def _go(self, base: str, module: str) -> Lookup:
        listed = await self._get(go_url(base, module, "@v/list"))
        if listed.status_code in GO_NOT_FOUND:
            return Lookup(module, Ecosystem.GO, Status.ABSENT)
        if listed.status_code != 200:
            raise _Down(f"HTTP {listed.status_code}")
        versions = [v.strip() for v in listed.text.splitlines()[:MAX_VERSIONS] if v.strip().startswith("v")]
        if not versions:
            # Only untagged commits (pseudo-versions): `@latest` says whether the module exists at all.
            latest = await self._get(go_url(base, module, "@latest"))
            if latest.status_code in GO_NOT_FOUND:
                return Lookup(module, Ecosystem.GO, Status.ABSENT)
            if latest.status_code != 200:
                raise _Down(f"HTTP {latest.status_code}")
            # The proxy knows no first version of an untagged module, only its newest commit: a
            # module whose newest commit is recent is young as far as anyone can tell.
            return Lookup(
                module,
                Ecosystem.GO,
                Status.EXISTS,
                first_release=_parse_time(_field(latest, "Time")),
                detail="it has no tagged version; the date is that of its newest commit (`@latest`)",
            )
        earliest = min(versions, key=version_key)
        info = await self._get(go_url(base, module, f"@v/{quote(escape_path(earliest), safe='!+')}.info"))
        first = _parse_time(_field(info, "Time")) if info.status_code == 200 else None
        return Lookup(module, Ecosystem.GO, Status.EXISTS, first_release=first)

    async def _crate(self, base: str, name: str) -> Lookup:
        key = name.lower()
        answer = await self._get(f"{base.rstrip('/')}/{quote(crate_index_path(key), safe='/')}")
        if answer.status_code in CRATES_NOT_FOUND:
            return Lookup(key, Ecosystem.CRATES, Status.ABSENT)
        if answer.status_code != 200:
            raise _Down(f"HTTP {answer.status_code}")
        stamps: list[datetime] = []
        for line in answer.text.splitlines()[:MAX_INDEX_LINES]:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            stamp = _parse_time(entry.get("pubtime")) if isinstance(entry, dict) else None
            if stamp is not None:
                stamps.append(stamp)
        return Lookup(key, Ecosystem.CRATES, Status.EXISTS, first_release=min(stamps) if stamps else None)


def _field(response: httpx.Response, name: str) -> object:
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


def _parse_time(stamp: object) -> datetime | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
