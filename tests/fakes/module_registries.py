"""Loopback Go module proxy and Cargo sparse index, each following its protocol, with fault injection.

`FakeGoProxy` serves the GOPROXY protocol (https://go.dev/ref/mod#goproxy-protocol):
`/<module>/@v/list` (versions, one a line), `/<module>/@v/<version>.info` (`{"Version", "Time"}`) and
`/<module>/@latest`, with module paths case-escaped (`!b` for `B`); a path with an upper-case letter is
refused with 400 as the real proxy does, and an unknown module answers 404 (or 410, as
proxy.golang.org does, with `gone = True`) and a plain-text reason.

`FakeCratesIndex` serves the sparse index layout (`1/<n>`, `2/<n>`, `3/<c>/<n>`, `<ab>/<cd>/<n>`,
lower-cased), one JSON object a line per version with the index fields (`name`, `vers`, `deps`,
`cksum`, `features`, `yanked`, `links`, `v`, and `pubtime` unless `with_pubtime` is off), and
`config.json`; anything else is 404.

Both count requests by module or crate name; faults as in tests/fakes/registries.py: `fail(status,
times)` answers an error, `delay` answers slowly.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler

from tests.fakes.loopback import LoopbackServer
from tests.fakes.registries import days_ago

Answer = tuple[int, str, str]  # status, content type, body
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"


class _TextRegistry:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.fail_status = 0
        self.fail_times: int | None = None
        self.delay = 0.0
        self._lock = threading.Lock()
        self.url = ""

    def fail(self, status: int = 500, times: int | None = None) -> None:
        self.fail_status, self.fail_times = status, times

    def answer(self, path: str) -> tuple[str, Answer]:
        """The name the request is about (for counting) and the answer."""
        raise NotImplementedError

    def _handle(self, path: str) -> Answer:
        name, answer = self.answer(path.split("?", 1)[0])
        with self._lock:
            self.requests[name] += 1
            failing = self.fail_status and (self.fail_times is None or self.fail_times > 0)
            if failing and self.fail_times is not None:
                self.fail_times -= 1
        if self.delay:
            time.sleep(self.delay)
        return (self.fail_status, _TEXT, "server error\n") if failing else answer

    @contextmanager
    def running(self) -> Iterator[_TextRegistry]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # headers and body are two writes: never wait between them

            def do_GET(self) -> None:
                status, content_type, body = registry._handle(self.path)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
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


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _unescape(path: str) -> str | None:
    """A case-escaped module path or version back to its spelling; None when it is not valid escaping."""
    if re.search(r"[A-Z]", path) or re.search(r"!(?![a-z])", path):
        return None
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), path)


class FakeGoProxy(_TextRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.modules: dict[str, list[tuple[str, datetime]]] = {}
        self.untagged: dict[str, datetime] = {}  # module -> time of its newest commit
        self.gone = False  # answer 410 for unknown modules, as proxy.golang.org does

    def add(
        self, module: str, first: datetime | None = None, versions: tuple[str, ...] = ("v1.0.0", "v1.1.0")
    ) -> None:
        start = first or days_ago(2000)
        self.modules[module] = [(v, start + timedelta(days=i)) for i, v in enumerate(versions)]

    def add_untagged(self, module: str, newest: datetime | None = None) -> None:
        """A module with commits but no tagged version: an empty list, and `@latest` a pseudo-version
        dated by its newest commit (`newest`)."""
        self.modules[module] = []
        self.untagged[module] = newest or days_ago(2000)

    def answer(self, path: str) -> tuple[str, Answer]:
        escaped, at, tail = path.lstrip("/").partition("/@")
        module = _unescape(escaped)
        if not at or module is None:
            return escaped, (400, _TEXT, f"bad request: invalid escaped module path {escaped!r}\n")
        versions = self.modules.get(module)
        if versions is None:
            status = 410 if self.gone else 404
            return module, (status, _TEXT, f"not found: module {module}: no matching versions\n")
        if tail == "v/list":
            # Listed in no particular order, as the protocol allows.
            return module, (200, _TEXT, "".join(f"{v}\n" for v, _ in reversed(versions)))
        if tail == "latest":
            if versions:
                version, when = versions[-1]
            else:
                when = self.untagged[module]
                version = f"v0.0.0-{when:%Y%m%d%H%M%S}-abcdefabcdef"
            return module, (200, _JSON, json.dumps({"Version": version, "Time": _rfc3339(when)}))
        if tail.startswith("v/") and tail.endswith(".info"):
            wanted = _unescape(tail[2:-5])
            for version, when in versions:
                if version == wanted:
                    return module, (200, _JSON, json.dumps({"Version": version, "Time": _rfc3339(when)}))
            return module, (404, _TEXT, f"not found: {module}@{wanted}: unknown revision\n")
        return module, (404, _TEXT, "not found\n")


def crate_path(name: str) -> str:
    name = name.lower()
    if len(name) <= 2:
        return f"{len(name)}/{name}"
    if len(name) == 3:
        return f"3/{name[0]}/{name}"
    return f"{name[:2]}/{name[2:4]}/{name}"


class FakeCratesIndex(_TextRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.crates: dict[str, list[tuple[str, datetime]]] = {}
        self.with_pubtime = True  # older index entries carry no publication time

    def add(self, name: str, published: datetime | None = None, versions: int = 2) -> None:
        start = published or days_ago(2000)
        self.crates[name.lower()] = [(f"0.{i}.0", start + timedelta(days=i)) for i in range(versions)]

    def answer(self, path: str) -> tuple[str, Answer]:
        path = path.lstrip("/")
        if path == "config.json":
            config = {"dl": f"{self.url}/api/v1/crates", "api": self.url}
            return path, (200, _JSON, json.dumps(config))
        name = path.rsplit("/", 1)[-1]
        versions = self.crates.get(name)
        if versions is None or path != crate_path(name) or name != name.lower():
            return name, (404, _TEXT, "Not Found\n")
        lines = []
        for version, when in versions:
            entry: dict[str, object] = {
                "name": name,
                "vers": version,
                "deps": [],
                "cksum": "0" * 64,
                "features": {},
                "yanked": False,
                "links": None,
                "v": 2,
            }
            if self.with_pubtime:
                entry["pubtime"] = _rfc3339(when)
            lines.append(json.dumps(entry))
        return name, (200, _TEXT, "\n".join(lines) + "\n")
