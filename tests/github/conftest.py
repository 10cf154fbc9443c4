"""Fixtures: the loopback GitHub server, and PRs built from real git repositories."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.github_server import FakeGitHub, FakePull
from tests.gitrepo import GitRepo


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()
    assert not fake.invalid, "requests GitHub's OpenAPI description rejects:\n" + "\n".join(fake.invalid)


# GitHub shows no patch for a file whose diff is past 20,000 lines or 1 MB of raw diff data, and none for
# a file it shows as binary (by its content, or by a `-diff` or `binary` attribute).
# https://docs.github.com/repositories/creating-and-managing-repositories/repository-limits#diff-limits
FILE_DIFF_MAX_LINES = 20_000
FILE_DIFF_MAX_BYTES = 1024 * 1024


def _git_as_github(repo: GitRepo, rev: str, *args: str) -> str:
    """git as GitHub runs it to show `rev`: with the attributes of that revision's root .gitattributes,
    none from the test repository's working tree or index."""
    with tempfile.TemporaryDirectory() as tmp:
        attributes = Path(tmp) / "attributes"
        attributes.write_bytes(_cat(repo, [f"{rev}:.gitattributes"]).get(f"{rev}:.gitattributes", b""))
        empty = Path(tmp) / "worktree"
        empty.mkdir()
        return repo.git(
            "--work-tree",
            str(empty),
            "-c",
            f"core.attributesFile={attributes}",
            *args,
            env={"GIT_INDEX_FILE": str(Path(tmp) / "index")},
        )


def _cat(repo: GitRepo, names: Sequence[str]) -> dict[str, bytes]:
    """The bytes of each named object that exists (`rev:path` or a blob sha), through one cat-file."""
    proc = subprocess.run(
        ["git", "-C", str(repo.root), "cat-file", "--batch"],
        input=b"".join(name.encode() + b"\n" for name in names),
        capture_output=True,
        check=True,
    )
    out, pos = {}, 0
    for name in names:
        header, _, _ = proc.stdout[pos:].partition(b"\n")
        pos += len(header) + 1
        fields = header.split()
        if len(fields) != 3 or fields[-1] == b"missing":
            continue
        size = int(fields[2])
        out[name] = proc.stdout[pos : pos + size]
        pos += size + 1
    return out


def _blobs(repo: GitRepo, rev: str) -> dict[str, str]:
    """path -> blob sha of every file at `rev`."""
    out: dict[str, str] = {}
    for entry in repo.git("ls-tree", "-r", "-z", rev).split("\0"):
        info, _, path = entry.partition("\t")
        fields = info.split()
        if len(fields) == 3 and fields[1] == "blob":
            out[path] = fields[2]
    return out


def _register_blobs(fake: FakeGitHub, repo: GitRepo, rev: str) -> dict[str, str]:
    """Serve every file at `rev` through the contents and blob APIs, as bytes; path -> blob sha."""
    shas = _blobs(repo, rev)
    missing = sorted(set(shas.values()) - set(fake.blobs))
    fake.blobs.update(_cat(repo, missing))
    for path, sha in shas.items():
        fake.content_blobs[(rev, path)] = sha
    return shas


def _listed_names(repo: GitRepo, *args: str) -> list[tuple[str, str | None]]:
    """(path, previous path) of each file a `git diff`/`git show` prints, from its `-z` listing: names
    as stored, which the patch text would show C-quoted or ambiguously (spaces, tabs, quotes, newlines)."""
    tokens = iter(repo.git(*args[:1], "-z", "--name-status", *args[1:]).split("\0"))
    out: list[tuple[str, str | None]] = []
    for token in tokens:
        status = token.strip("\n")
        if not status or not re.fullmatch(r"[ACDMRTUXB][0-9]*", status):
            continue
        first = next(tokens)
        out.append((next(tokens), first) if status[0] in "RC" else (first, None))
    return out


def _file_patches(
    diff: str,
    names: list[tuple[str, str | None]] | None = None,
    shas: tuple[dict[str, str], dict[str, str]] = ({}, {}),
) -> list[dict[str, Any]]:
    """GitHub's files list of `diff`; `shas`, the blob of each path at the head and at the base."""
    files = []
    chunks = [c for c in re.split(r"(?m)^(?=diff --git )", diff) if c.startswith("diff --git ")]
    for index, chunk in enumerate(chunks):
        header, _, patch = chunk.partition("\n@@")
        patch = ("@@" + patch).rstrip("\n") if patch else None
        status = "modified"
        previous = None
        m_new = re.search(r"(?m)^\+\+\+ b/(.+)$", header)
        m_old = re.search(r"(?m)^--- a/(.+)$", header)
        if "new file mode" in header:
            status = "added"
        elif "deleted file mode" in header:
            status = "removed"
        if m_rename := re.search(r"(?m)^rename from (.+)$", header):
            status = "renamed"
            previous = m_rename.group(1)
        if names is not None:
            path = names[index][0]
        elif m_new or m_old:
            path = (m_new or m_old).group(1)  # type: ignore[union-attr]
        else:
            path = header.split(" b/", 1)[1].split("\n")[0]
        if status == "renamed" and not m_new and names is None:
            path = re.search(r"(?m)^rename to (.+)$", header).group(1)  # type: ignore[union-attr]
        adds = sum(1 for ln in (patch or "").splitlines() if ln.startswith("+"))
        dels = sum(1 for ln in (patch or "").splitlines() if ln.startswith("-"))
        if patch and (
            len(patch.splitlines()) > FILE_DIFF_MAX_LINES or len(patch.encode()) > FILE_DIFF_MAX_BYTES
        ):
            patch = None
        entry: dict[str, Any] = {
            "sha": "0" * 40,
            "filename": path,
            "status": status,
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
        }
        if names is not None:
            entry["filename"], listed_previous = names[index]
            previous = listed_previous if previous else None
        head_shas, base_shas = shas
        entry["sha"] = head_shas.get(entry["filename"]) or base_shas.get(entry["filename"]) or "0" * 40
        if patch:
            entry["patch"] = patch
        if previous:
            entry["previous_filename"] = previous
        files.append(entry)
    return files


def pull_from_git(
    fake: FakeGitHub,
    repo: GitRepo,
    base: str,
    head: str,
    number: int = 7,
    *,
    title: str = "Add a feature",
    body: str = "",
    user: str = "octocat",
    labels: tuple[str, ...] = (),
    draft: bool = False,
    head_ref: str = "feature",
    logins: dict[str, str] | None = None,
) -> FakePull:
    """Register PR `number` (base..head of a real repository) with the fake, as GitHub would show it."""
    diff = _git_as_github(repo, head, "diff", "--no-color", "-M", f"{base}...{head}")
    shas = repo.git("rev-list", "--reverse", f"{base}..{head}").split()
    base_blobs = _register_blobs(fake, repo, base)
    head_blobs = _register_blobs(fake, repo, head)
    commits = []
    for sha in shas:
        # NUL-separated: a message cannot hold NUL, but may hold any other separator
        fmt = repo.git("show", "-s", "--format=%an%x00%ae%x00%cn%x00%ce%x00%P%x00%T%x00%B", sha)
        an, ae, cn, ce, parents, tree, message = fmt.split("\x00", 6)
        login = (logins or {}).get(sha)
        commits.append(
            {
                "sha": sha,
                "url": f"{fake.url}/repos/{fake.repo}/commits/{sha}",
                "commit": {
                    "author": {"name": an, "email": ae, "date": "2026-11-25T00:00:00Z"},
                    "committer": {"name": cn, "email": ce, "date": "2026-11-25T00:00:00Z"},
                    "message": message.rstrip("\n"),
                    "tree": {"sha": tree, "url": f"{fake.url}/repos/{fake.repo}/git/trees/{tree}"},
                },
                "author": {"login": login, "id": 2} if login else None,
                "parents": [{"sha": p} for p in parents.split()],
            }
        )
        commit_blobs = _register_blobs(fake, repo, sha)
        parent_blobs = _register_blobs(fake, repo, parents.split()[0]) if parents.split() else {}
        fake.commit_files[sha] = _file_patches(
            _git_as_github(repo, sha, "show", "--no-color", "-M", "--format=", sha),
            _listed_names(repo, "show", "--no-color", "-M", "--format=", sha),
            (commit_blobs, parent_blobs),
        )
    for sha, blobs in ((base, base_blobs), (head, head_blobs)):
        fake.trees[sha] = list(blobs)
        for path, blob in blobs.items():
            fake.contents[(sha, path)] = fake.blobs[blob].decode("utf-8", "replace")
    pull = FakePull(
        number=number,
        title=title,
        body=body,
        user=user,
        head_sha=head,
        base_sha=base,
        head_ref=head_ref,
        base_ref="main",
        diff=diff,
        commits=commits,
        files=_file_patches(
            diff,
            _listed_names(repo, "diff", "--no-color", "-M", f"{base}...{head}"),
            (head_blobs, base_blobs),
        ),
        labels=list(labels),
        draft=draft,
    )
    fake.add_pull(pull)
    return pull


def runner_env(
    fake: FakeGitHub,
    tmp: Path,
    number: int,
    *,
    workspace: Path | None,
    event: str = "pull_request",
    payload: dict[str, Any] | None = None,
    token: str = "ghs_test",
    **inputs: str,
) -> dict[str, str]:
    """The environment the runner gives a Docker action (inputs as INPUT_<NAME>, hyphens kept)."""
    import json

    event_file = tmp / "event.json"
    event_file.write_text(json.dumps(payload if payload is not None else fake.payload(number)))
    (tmp / "output").touch()
    (tmp / "summary.md").touch()
    env = {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "HOME": str(tmp),
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_REPOSITORY": fake.repo,
        "GITHUB_API_URL": fake.url,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_GRAPHQL_URL": fake.url,
        "GITHUB_SHA": "f" * 40,
        "GITHUB_REF": f"refs/pull/{number}/merge",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_WORKSPACE": str(workspace or tmp / "empty-workspace"),
        "GITHUB_OUTPUT": str(tmp / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "RUNNER_TEMP": str(tmp),
        "INPUT_GITHUB-TOKEN": token,
        "INPUT_CONFIG": "",
        "INPUT_FAIL-ON": "",
        "INPUT_OUTPUT-DIR": "",
        "INPUT_POST": "",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    for name, value in inputs.items():
        env[f"INPUT_{name.replace('_', '-').upper()}"] = value
    return env


def read_outputs(path: Path) -> dict[str, str]:
    text = path.read_text()
    out: dict[str, str] = {}
    for m in re.finditer(r"(?ms)^([\w-]+)<<(\S+)\n(.*?)\n\2\n", text):
        out[m.group(1)] = m.group(3)
    return out
