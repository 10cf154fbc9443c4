"""Hypothesis strategies that build diffs and patch series together with what they must parse back to.

A rendered diff carries its expectation: for every file, the status, and the added and removed lines
with their line numbers. Series are built from files of unique lines, so the combined diff of a series
is known exactly: a line is added when some commit introduced it and it survives to the end.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field

from hypothesis import strategies as st

# Line text as a diff can carry it: anything but the line break itself. A trailing CR would read as a
# CRLF line end (said in a note and stripped), so CR is left to the tests that are about it; and git
# shows a file with NUL bytes as binary, so a NUL in a patch means it is not a text patch.
LINE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\n\r\x00"), max_size=40)
SAFE_SEGMENT = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)


@st.composite
def safe_paths(draw: st.DrawFn) -> str:
    parts = draw(st.lists(SAFE_SEGMENT, min_size=1, max_size=3))
    return "/".join(parts) + draw(st.sampled_from(["", ".py", ".txt", ".md"]))


@dataclass
class FileSpec:
    path: str
    status: str  # "modified" | "added" | "deleted"
    # Each hunk: its gap of unchanged lines before it, then its ops ("ctx" | "add" | "rem", text).
    hunks: list[tuple[int, list[tuple[str, str]]]]
    no_newline_at_end: bool = False

    def expected(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Added lines (new number, text) and removed lines (old number, text)."""
        added: list[tuple[int, str]] = []
        removed: list[tuple[int, str]] = []
        old_no = new_no = 1
        for gap, ops in self.hunks:
            old_no += gap
            new_no += gap
            for op, text in ops:
                if op == "add":
                    added.append((new_no, text))
                    new_no += 1
                elif op == "rem":
                    removed.append((old_no, text))
                    old_no += 1
                else:
                    old_no += 1
                    new_no += 1
        return added, removed


@dataclass
class DiffSpec:
    files: list[FileSpec] = field(default_factory=list)

    def render(self) -> str:
        return "".join(render_file(f) for f in self.files)


def _range(start: int, count: int) -> str:
    # A hunk with no lines on one side names the line before it, as diff and git print it.
    return f"{start - 1 if count == 0 else start},{count}"


def render_file(spec: FileSpec) -> str:
    a = "/dev/null" if spec.status == "added" else f"a/{spec.path}"
    b = "/dev/null" if spec.status == "deleted" else f"b/{spec.path}"
    out = [f"diff --git a/{spec.path} b/{spec.path}\n"]
    if spec.status == "added":
        out.append("new file mode 100644\n")
    elif spec.status == "deleted":
        out.append("deleted file mode 100644\n")
    out += ["index 1111111..2222222\n", f"--- {a}\n", f"+++ {b}\n"]
    old_no = new_no = 1
    for h, (gap, ops) in enumerate(spec.hunks):
        old_no += gap
        new_no += gap
        old_count = sum(1 for op, _ in ops if op != "add")
        new_count = sum(1 for op, _ in ops if op != "rem")
        out.append(f"@@ -{_range(old_no, old_count)} +{_range(new_no, new_count)} @@\n")
        for op, text in ops:
            out.append({"add": "+", "rem": "-", "ctx": " "}[op] + text + "\n")
        if spec.no_newline_at_end and h == len(spec.hunks) - 1:
            out.append("\\ No newline at end of file\n")
        old_no += old_count
        new_no += new_count
    return "".join(out)


OPS = st.tuples(st.sampled_from(["ctx", "add", "rem"]), LINE_TEXT)


@st.composite
def file_specs(draw: st.DrawFn, path: str) -> FileSpec:
    status = draw(st.sampled_from(["modified", "modified", "added", "deleted"]))
    if status in ("added", "deleted"):
        op = "add" if status == "added" else "rem"
        lines = draw(st.lists(LINE_TEXT, min_size=1, max_size=12))
        return FileSpec(path, status, [(0, [(op, t) for t in lines])], draw(st.booleans()))
    hunks = []
    for _ in range(draw(st.integers(1, 4))):
        gap = draw(st.integers(0, 30))
        ops = draw(st.lists(OPS, min_size=1, max_size=10))
        if all(op == "ctx" for op, _ in ops):
            ops.append(("add", draw(LINE_TEXT)))
        hunks.append((gap, ops))
    return FileSpec(path, status, hunks)


@st.composite
def diff_specs(draw: st.DrawFn, max_files: int = 4) -> DiffSpec:
    paths = draw(st.lists(safe_paths(), min_size=1, max_size=max_files, unique=True))
    return DiffSpec([draw(file_specs(p)) for p in paths])


# --- series of patches over files of unique lines ---------------------------------------------------


@dataclass
class Series:
    base: dict[str, list[str]]  # path -> base lines (empty list: the file does not exist at base)
    versions: list[dict[str, list[str]]]  # the files after each commit
    shas: list[str]

    def patches(self) -> list[str]:
        """A file is created by the first commit that gives it lines; emptied later, it stays a file of no
        lines, as git keeps it, and is not created again."""
        out = []
        before = self.base
        exists = {path for path, lines in self.base.items() if lines}
        for after in self.versions:
            out.append(
                "".join(
                    unified(path, before.get(path, []), after[path], exists=path in exists)
                    for path in sorted(after)
                )
            )
            exists |= {path for path, lines in after.items() if lines}
            before = after
        return out

    def expected(self) -> dict[str, tuple[dict[int, str], list[tuple[int, str]]]]:
        """path -> ({new line number: sha that added it}, [(old number, removed text)])."""
        final = self.versions[-1]
        out = {}
        for path, lines in final.items():
            base = self.base.get(path, [])
            added = {i + 1: _sha_of(text, self.shas) for i, text in enumerate(lines) if text not in base}
            kept = set(lines)
            removed = [(i + 1, text) for i, text in enumerate(base) if text not in kept]
            if added or removed:
                out[path] = (added, removed)
        return out


def _sha_of(text: str, shas: list[str]) -> str:
    return shas[int(text.split(":", 2)[1])]


def unified(path: str, before: list[str], after: list[str], *, exists: bool | None = None) -> str:
    """`exists`: whether the file is there before the change; by default, when it has lines."""
    if before == after:
        return ""
    exists = bool(before) if exists is None else exists
    a = f"a/{path}" if exists else "/dev/null"
    body = "".join(
        line if line.endswith("\n") else line + "\n"
        for line in itertools.islice(
            difflib.unified_diff(before, after, a, f"b/{path}", lineterm="", n=3), 0, None
        )
    )
    header = f"diff --git a/{path} b/{path}\n" + ("new file mode 100644\n" if not exists else "")
    return header + body


@st.composite
def series(draw: st.DrawFn, commits: int = 3) -> Series:
    """Files of unique lines edited by a few commits: inserts of fresh lines and deletions, no moves."""
    paths = draw(st.lists(SAFE_SEGMENT.map(lambda s: s + ".py"), min_size=1, max_size=2, unique=True))
    counter = itertools.count()
    base: dict[str, list[str]] = {}
    for path in paths:
        n = draw(st.integers(0, 25))
        base[path] = [f"{path}:b:{next(counter)}" for _ in range(n)]
    shas = [f"{i:02d}" + "c" * 38 for i in range(draw(st.integers(1, commits)))]
    versions: list[dict[str, list[str]]] = []
    current = {p: list(lines) for p, lines in base.items()}
    for c in range(len(shas)):
        current = {p: list(lines) for p, lines in current.items()}
        for path in paths:
            lines = current[path]
            for _ in range(draw(st.integers(0, 4))):
                if lines and draw(st.booleans()):
                    at = draw(st.integers(0, len(lines) - 1))
                    del lines[at : at + draw(st.integers(1, 3))]
                else:
                    at = draw(st.integers(0, len(lines)))
                    fresh = [f"{path}:{c}:{next(counter)}" for _ in range(draw(st.integers(1, 3)))]
                    lines[at:at] = fresh
            if not lines and base[path]:
                lines.append(f"{path}:{c}:{next(counter)}")  # keep the file: deletion is its own case
        versions.append(current)
    # Commits that change nothing are dropped by format-patch too; keep them distinct here.
    return Series(base, versions, shas)


def mbox(patches: list[str], shas: list[str]) -> str:
    out = []
    for i, (patch, sha) in enumerate(zip(patches, shas, strict=True)):
        out.append(
            f"From {sha} Mon Sep 17 00:00:00 2001\n"
            f"From: Dev {i} <dev{i}@example.com>\n"
            "Date: Mon, 24 Nov 2025 17:00:00 +0000\n"
            f"Subject: [PATCH {i + 1}/{len(patches)}] change {i}\n\n"
            f"Body of change {i}.\n---\n\n{patch}-- \n2.43.0\n\n"
        )
    return "".join(out)
