#!/usr/bin/env python3
"""Regenerate tests/fakes/openapi/: the subset of GitHub's official OpenAPI description that the gate uses.

The description comes from the npm package @octokit/openapi (generated from github/rest-api-description),
pinned below. The fake GitHub server validates every request the tests make against this subset, so a
request GitHub would reject fails the test here first.

    python3 scripts/update-github-openapi.py            # the pinned version
    python3 scripts/update-github-openapi.py 23.0.3     # another version (then update PINNED_VERSION)

Needs `npm` on PATH (it only runs `npm pack`, which downloads the one tarball from the npm registry).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@octokit/openapi"
PINNED_VERSION = "23.0.2"
SOURCE_FILE = "package/generated/api.github.com.json"
OUT = Path(__file__).resolve().parent.parent / "tests" / "fakes" / "openapi" / "api.github.com.subset.json"

# (method, path template) of every REST operation the gate calls; keep in step with gate/github/.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("get", "/repos/{owner}/{repo}/git/trees/{tree_sha}"),
    ("get", "/repos/{owner}/{repo}/git/blobs/{file_sha}"),
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("post", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/rate_limit"),
)


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def subset(full: dict[str, Any], version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path in OPERATIONS:
        item = full["paths"][path]
        paths.setdefault(path, {})[method] = item[method]
        if "parameters" in item:
            paths[path]["parameters"] = item["parameters"]
    components: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    _refs(paths, pending)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        value = full["components"][kind][name]
        components.setdefault(kind, {})[name] = value
        _refs(value, pending)
    # Examples are large and not needed for validation.
    components.pop("examples", None)
    for item in paths.values():
        for op in item.values():
            if isinstance(op, dict):
                for response in op.get("responses", {}).values():
                    for media in response.get("content", {}).values():
                        media.pop("examples", None)
                for media in op.get("requestBody", {}).get("content", {}).values():
                    media.pop("examples", None)
    return {
        "openapi": full["openapi"],
        "info": {**full["info"], "x-subset-of": f"{PACKAGE}@{version} {SOURCE_FILE}"},
        "paths": {k: paths[k] for k in sorted(paths)},
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else PINNED_VERSION
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", "--silent", f"{PACKAGE}@{version}"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(SOURCE_FILE)
            assert member is not None, f"{SOURCE_FILE} missing from {tarball.name}"
            full = json.load(member)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(subset(full, version), indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) from {PACKAGE}@{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
