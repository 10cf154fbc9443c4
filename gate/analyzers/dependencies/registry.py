"""Look package names up in their registries: each name once, concurrently, retried, with short timeouts.

PyPI: `GET {base}/pypi/<name>/json` -> releases with `upload_time_iso_8601`; npm: `GET {base}/<name>`
(scoped names as `@scope%2fname`) -> `time.created`. A 404 means absent, and so does a page with nothing
to install: an npm document with `time.unpublished` or no version (npm keeps the document of an
unpublished package and answers 200), a PyPI project whose releases have no file left. Anything else
that is not an answer (5xx after retries, timeouts, refused connections) means unreachable, never absent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from gate.analyzers.dependencies.model import Ecosystem, Lookup, Status
from gate.analyzers.dependencies.protocols import HANDLED, ProxyLookups
from gate.run import run_sync

MAX_CONCURRENT = 16
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
ATTEMPTS = 3
USER_AGENT = "ai-quality-gate (dependency check)"


class _Retryable(Exception):
    """A 5xx or 429 answer: worth another try."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Retryable | httpx.TransportError)


def package_url(base: str, ecosystem: Ecosystem, name: str) -> str:
    base = base.rstrip("/")
    if ecosystem is Ecosystem.PYPI:
        return f"{base}/pypi/{quote(name, safe='')}/json"
    return f"{base}/{quote(name, safe='@')}"


def lookup_all(
    names: Iterable[tuple[Ecosystem, str]],
    registries: Mapping[Ecosystem, str],
    *,
    wait_base: float = 0.2,
    timeout: httpx.Timeout = TIMEOUT,
) -> list[Lookup]:
    """Every (ecosystem, name) looked up once; results in the order given (duplicates dropped)."""
    # One lookup per package, asked as first written: registries know a name's exact spelling best
    # (old npm packages such as JSONStream have capitals; PyPI answers for any spelling).
    spelled: dict[tuple[Ecosystem, str], str] = {}
    for eco, name in names:
        spelled.setdefault((eco, eco.normalize(name)), name.strip())
    unique = [(eco, key, name) for (eco, key), name in spelled.items()]
    if not unique:
        return []
    return run_sync(_lookup_all(unique, registries, wait_base, timeout))


async def _lookup_all(
    names: list[tuple[Ecosystem, str, str]],
    registries: Mapping[Ecosystem, str],
    wait_base: float,
    timeout: httpx.Timeout,
) -> list[Lookup]:
    limit = asyncio.Semaphore(MAX_CONCURRENT)
    limits = httpx.Limits(max_connections=MAX_CONCURRENT)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    # PyPI redirects non-canonical names to the canonical page. Proxy settings from the environment are
    # honoured (trust_env), as pip and npm do.
    async with httpx.AsyncClient(
        timeout=timeout, limits=limits, headers=headers, follow_redirects=True
    ) as client:
        proxies = ProxyLookups(client, wait_base)  # Go module proxy, Cargo sparse index

        async def one(eco: Ecosystem, key: str, name: str) -> Lookup:
            base = registries.get(eco)
            if base is None:
                return Lookup(key, eco, Status.UNREACHABLE, error=f"no {eco.label} registry configured")
            async with limit:
                if eco in HANDLED:
                    return await proxies.lookup(base, eco, key)
                found = await _lookup(client, package_url(base, eco, name), eco, key, wait_base)
                if found.status is Status.ABSENT and eco is Ecosystem.PYPI and name != key:
                    # PyPI itself answers for any spelling; a mirror may know only the canonical one.
                    found = await _lookup(client, package_url(base, eco, key), eco, key, wait_base)
                return found

        return list(await asyncio.gather(*(one(eco, key, name) for eco, key, name in names)))


async def _lookup(client: httpx.AsyncClient, url: str, eco: Ecosystem, name: str, wait_base: float) -> Lookup:
    try:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=wait_base, max=2.0),
            reraise=True,
        ):
            with attempt:
                response = await client.get(url)
                if response.status_code == 429 or response.status_code >= 500:
                    raise _Retryable(f"HTTP {response.status_code}")
    except (_Retryable, httpx.HTTPError, httpx.InvalidURL) as exc:
        return Lookup(name, eco, Status.UNREACHABLE, error=f"{type(exc).__name__}: {exc}".rstrip(": "))
    if response.status_code == 404:
        return Lookup(name, eco, Status.ABSENT)
    if response.status_code != 200:
        return Lookup(name, eco, Status.UNREACHABLE, error=f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        return Lookup(name, eco, Status.UNREACHABLE, error="the registry answered with invalid JSON")
    document = data if isinstance(data, dict) else {}
    empty = _nothing_to_install(eco, document)
    if empty:
        return Lookup(name, eco, Status.ABSENT, detail=empty)
    return Lookup(name, eco, Status.EXISTS, first_release=_first_release(eco, document))


def _nothing_to_install(eco: Ecosystem, data: Mapping[str, Any]) -> str:
    """Why a package page offers nothing an installer could fetch ("" when it offers something): the
    name is as good as absent, and free for anyone to publish under again."""
    if eco is Ecosystem.PYPI:
        releases = data.get("releases")
        # A mirror that leaves `releases` out says nothing either way.
        if isinstance(releases, dict) and not any(files for files in releases.values()):
            return "its page has no release file to install"
        return ""
    times = data.get("time")
    if isinstance(times, dict) and times.get("unpublished"):
        return "the registry keeps its page, but every version of it was unpublished"
    versions = data.get("versions")
    if not isinstance(versions, dict) or not versions:
        return "its page lists no version to install"
    return ""


def _first_release(eco: Ecosystem, data: Mapping[str, Any]) -> datetime | None:
    stamps: list[str] = []
    if eco is Ecosystem.PYPI:
        releases = data.get("releases")
        for files in releases.values() if isinstance(releases, dict) else ():
            stamps.extend(
                f.get("upload_time_iso_8601") or f.get("upload_time") or ""
                for f in files
                if isinstance(f, dict)
            )
    else:
        times = data.get("time")
        if isinstance(times, dict):
            # `created` is the first publication; some mirrors keep only the per-version times.
            created = times.get("created")
            if created:
                stamps.append(str(created))
            else:
                stamps.extend(str(v) for k, v in times.items() if k not in ("modified", "unpublished"))
    parsed = [_parse_time(s) for s in stamps if s]
    valid = [p for p in parsed if p is not None]
    return min(valid) if valid else None


def _parse_time(stamp: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
