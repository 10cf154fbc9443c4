"""Loopback package registries shaped like the real ones, with fault injection.

`FakePyPI` answers `GET /pypi/<name>/json` like PyPI's JSON API (info, releases with
`upload_time_iso_8601`, urls), 404 `{"message": "Not Found"}` for absent names; a project whose
release files were all deleted keeps its page with empty file lists. `FakeNpm` answers `GET /<name>`
(scoped names arrive as `@scope%2fname`) like the npm registry (dist-tags, versions, `time.created`),
404 `{"error": "Not found"}`; an unpublished package answers 200 with `time.unpublished` and no
versions, as the registry keeps its document. Every request is counted by package name; faults: answer
500 (a number of times or always), answer slowly, or `refused_url()` where nothing listens.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import ClassVar
from urllib.parse import unquote

from tests.fakes.loopback import LoopbackServer


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


class _FakeRegistry:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.fail_status = 0
        self.fail_times: int | None = None  # None = always, while fail_status is set
        self.delay = 0.0
        self.in_flight = 0
        self.peak_in_flight = 0  # the most requests answered at once
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self.url = ""

    # -- faults ----------------------------------------------------------------------------------
    def fail(self, status: int = 500, times: int | None = None) -> None:
        self.fail_status, self.fail_times = status, times

    # -- serving ---------------------------------------------------------------------------------
    def package_name(self, path: str) -> str | None:
        raise NotImplementedError

    def document(self, name: str) -> dict[str, object] | None:
        raise NotImplementedError

    not_found: ClassVar[dict[str, str]] = {}

    def handle(self, path: str) -> tuple[int, dict[str, object] | dict[str, str]]:
        name = self.package_name(unquote(path.split("?", 1)[0]))
        with self._lock:
            self.requests[name or path] += 1
            failing = self.fail_status and (self.fail_times is None or self.fail_times > 0)
            if failing and self.fail_times is not None:
                self.fail_times -= 1
        if self.delay:
            with self._lock:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            time.sleep(self.delay)
            with self._lock:
                self.in_flight -= 1
        if failing:
            return self.fail_status, {"message": "Internal Server Error"}
        doc = self.document(name) if name else None
        return (200, doc) if doc is not None else (404, self.not_found)

    @contextmanager
    def running(self) -> Iterator[_FakeRegistry]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body are two writes: never wait between them

            def do_GET(self) -> None:
                status, body = registry.handle(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return None

        server = LoopbackServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakePyPI(_FakeRegistry):
    not_found: ClassVar[dict[str, str]] = {"message": "Not Found"}

    def __init__(self) -> None:
        super().__init__()
        self.packages: dict[str, list[tuple[str, datetime]]] = {}
        self.without_files: set[str] = set()  # projects whose every release file was deleted
        # PyPI answers for any spelling of a name; a mirror may serve only the canonical spelling.
        self.canonical_only = False

    def add(self, name: str, first_release: datetime | None = None, versions: int = 2) -> None:
        first = first_release or days_ago(2000)
        self.packages[_pep503(name)] = [(f"1.{i}.0", first + timedelta(days=i)) for i in range(versions)]

    def add_without_files(self, name: str) -> None:
        """A project that keeps its page and release numbers, every file deleted: nothing to install."""
        self.add(name)
        self.without_files.add(_pep503(name))

    def package_name(self, path: str) -> str | None:
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            return parts[1]
        return None

    def document(self, name: str) -> dict[str, object] | None:
        if self.canonical_only and name != _pep503(name):
            return None
        releases = self.packages.get(_pep503(name))
        if releases is None:
            return None
        files = {
            version: [
                {
                    "filename": f"{name}-{version}.tar.gz",
                    "packagetype": "sdist",
                    "python_version": "source",
                    "size": 12345,
                    "upload_time": when.strftime("%Y-%m-%dT%H:%M:%S"),
                    "upload_time_iso_8601": _iso(when),
                    "url": f"https://files.example/{name}-{version}.tar.gz",
                    "yanked": False,
                }
            ]
            if _pep503(name) not in self.without_files
            else []
            for version, when in releases
        }
        latest = releases[-1][0]
        return {
            "info": {
                "name": name,
                "version": latest,
                "summary": f"{name} package",
                "requires_python": ">=3.8",
            },
            "last_serial": 1,
            "releases": files,
            "urls": files[latest],
            "vulnerabilities": [],
        }


class FakeNpm(_FakeRegistry):
    not_found: ClassVar[dict[str, str]] = {"error": "Not found"}

    def __init__(self) -> None:
        super().__init__()
        self.packages: dict[str, datetime] = {}
        self.unpublished: set[str] = set()
        self.without_versions: set[str] = set()
        # Some registry mirrors drop `time.created` and keep only the per-version times.
        self.with_created = True
        self.with_time = True  # some mirrors drop `time` altogether

    def add(self, name: str, created: datetime | None = None) -> None:
        self.packages[name.lower()] = created or days_ago(2000)

    def add_unpublished(self, name: str, created: datetime | None = None) -> None:
        """A package whose versions were all unpublished: its document stays, with `time.unpublished`."""
        self.add(name, created)
        self.unpublished.add(name.lower())

    def add_without_versions(self, name: str) -> None:
        """A document that lists no version at all (every version removed, or a name only reserved)."""
        self.add(name)
        self.without_versions.add(name.lower())

    def package_name(self, path: str) -> str | None:
        name = path.lstrip("/")
        return name or None

    def document(self, name: str) -> dict[str, object] | None:
        created = self.packages.get(name.lower())
        if created is None:
            return None
        if name.lower() in self.unpublished:
            return {
                "_id": name,
                "name": name,
                "time": {
                    "created": _iso(created),
                    "modified": _iso(days_ago(0)),
                    "unpublished": {"time": _iso(days_ago(0)), "versions": ["1.0.0"]},
                },
            }
        if name.lower() in self.without_versions:
            return {
                "_id": name,
                "name": name,
                "dist-tags": {},
                "versions": {},
                "time": {"created": _iso(created)},
            }
        if not self.with_time:
            return {"_id": name, "name": name, "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {}}}
        return {
            "_id": name,
            "name": name,
            "dist-tags": {"latest": "1.0.0"},
            "versions": {
                "1.0.0": {"name": name, "version": "1.0.0", "dist": {"tarball": "https://x.example/t.tgz"}}
            },
            "time": {
                **({"created": _iso(created)} if self.with_created else {}),
                "modified": _iso(days_ago(0)),
                "1.0.0": _iso(created),
                "1.0.1": _iso(created + timedelta(days=1)),
            },
        }


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def refused_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
