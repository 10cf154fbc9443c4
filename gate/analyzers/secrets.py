"""The `secrets` analyzer: credentials in added lines, found by the same detector that redacts them.

A finding never contains the secret: it shows a masked form (`AKIA…MPLE`) and where it is. Obvious
placeholders (`EXAMPLE`, `xxxx`, `<your-key>`, `${VAR}`, `changeme`) and values read from the
environment are not credentials and are not reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from urllib.parse import unquote

from gate.analyzers import catalog
from gate.analyzers.interface import Analyzer
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import ChangeView
from gate.context.model import ChangeSet
from gate.diff.model import FileChange, FileStatus, LineKind
from gate.findings import Confidence, Finding, Location, Severity
from gate.redact import MESSAGE_FILENAME, SecretHit, scan_files
from gate.redact.detect import PRIVATE_KEY_KIND
from gate.redact.formats import BASIC_AUTH_KIND, PLACED_FORMATS, TOOL_FORMATS, chosen_by_hand
from gate.redact.phrases import PHRASE_KIND
from gate.run import RunContext, StageResult

# Kinds that the generic keyword rule reports with too little certainty to block on their own. (Kinds
# that are not credentials, such as public addresses, are not detected at all: `redact.rules`.)
_WEAKER = frozenset({"Secret Keyword"})
# Kinds found where a tool's syntax sets a credential (`requirepass`, `IDENTIFIED BY`, an XML
# `<password>`, `os.getenv("DB_PASSWORD", …)`): test fixtures and development defaults write a person's
# word there (`foobared`, `keycloak`, `keyboard cat`); only a generated-looking value blocks on its own.
_TOOL_KINDS = frozenset({fmt.kind for fmt in TOOL_FORMATS} | {"XML Password Element", "XML Password Setting"})
# Kinds found by where a value stands (after a credential's name, in a config syntax), not by its shape.
_BY_PLACE = _TOOL_KINDS | {fmt.kind for fmt in PLACED_FORMATS}

_PLACEHOLDER_WORDS = re.compile(
    r"example|sample|placeholder|changeme|change_me|dummy|redacted|your[-_ ]"
    r"|my[-_ ]?(?:secret|key|token|pass)|<[^>]*>|\{\{|\$\{|%\(|xxxx|\*\*\*\*|\.\.\."
    r"|fake|not[-_]?a[-_]?real|todo|fixme|^!vault",
    re.IGNORECASE,
)
# A PEM header alone is code that parses keys; a leaked key has its base64 body next to the header.
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
# `api_key_env: "PROXY_KEY"`: the name of a variable that holds the secret, not the secret.
_ENV_VAR_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# `_strip_prompt_cache_breakpoints_from_content`: lower-case words joined by underscores, a name.
_SNAKE_NAME = re.compile(r"_*[a-z]+(?:_+[a-z]+)+_*")
_FROM_ENVIRONMENT = re.compile(
    r"os\.environ|os\.getenv|getenv\(|process\.env|ENV\[|System\.getenv|secrets\.\w+|vault\(|\$\{\{",
)


def _header_only(hit: SecretHit, lines: str) -> bool:
    """A private key's BEGIN line with no base64 body beside it: code that parses keys, not a key. (A key
    found by its base64 itself, a DER key in pieces however short, is one.)"""
    return (
        hit.kind == PRIVATE_KEY_KIND and not _BASE64_RUN.fullmatch(hit.value) and not _KEY_BODY.search(lines)
    )


def _base_lines(files: Sequence[FileChange]) -> list[tuple[str, list[str]]]:
    """Each file's lines the base held that the change's diff shows (removed and context), with its path."""
    return [
        (
            change.path,
            [line.text for hunk in change.hunks for line in hunk.lines if line.kind is not LineKind.ADDED],
        )
        for change in files
    ]


# The password documentation writes in a URL's `user:password@` (`https://user:pass@host:port/path`,
# `username:password@host.com`, httpx's `jo%40email.com:a%20secret@`): as blocking a finding as a real
# one, on every docstring and README that shows how a URL is spelled.
_URL_CREDENTIALS = re.compile(r"://[^:/@]*:(?P<password>.*)@")
_DOCUMENTED_URL_PASSWORDS = frozenset({"pass", "password", "passwd", "pwd", "pw", "secret", "a secret"})


def documented_url_password(value: str) -> bool:
    """A URL's password (the detector's value: the password, or `://user:password@` whole) that is a
    word documentation writes for one."""
    whole = _URL_CREDENTIALS.fullmatch(value)
    password = whole.group("password") if whole is not None else value
    return unquote(password).lower() in _DOCUMENTED_URL_PASSWORDS


def _excused(hit: SecretHit, lines: Sequence[str], index: int) -> bool:
    """A hit on `lines[index]` that is no credential: a placeholder, or a key's BEGIN line alone."""
    if hit.kind == BASIC_AUTH_KIND and documented_url_password(hit.value):
        return True
    if hit.kind != PRIVATE_KEY_KIND:
        return _placeholder(hit, lines[index])
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return _header_only(hit, lines[index] + "\n" + following)


# The most lines of the commits' own diffs that the change no longer holds that one run scans: about a
# large change's own added lines. Past it, the rest is not looked at, and the stage says so.
MAX_GONE_LINES = 100_000


def mask(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it. Of a secret of words alone (a recovery
    phrase, a passphrase) only how many: its first and last characters would be whole words of it."""
    words = value.split()
    if len(words) > 1 and all(map(str.isalpha, words)):
        return f"of {len(words)} words"
    if len(value) >= 16:
        return f"{value[:4]}…{value[-4:]}"
    if len(value) >= 8:
        return f"{value[:2]}…{value[-2:]}"
    return "…"


def _placeholder(hit: SecretHit, line: str) -> bool:
    """`is_placeholder`, for a hit of any kind but a recovery phrase: every word of one is on BIP-39's list
    and its checksum holds (`gate.redact.phrases`, which leaves out the phrases tutorials print), and
    `example` and `sample` are two of those words, no placeholder's mark."""
    return hit.kind != PHRASE_KIND and is_placeholder(hit.value, line)


def is_placeholder(value: str, line: str) -> bool:
    """True for values that are obviously not real: documentation examples, templates, masks, one
    repeated character, or a line that reads the value from the environment."""
    if _PLACEHOLDER_WORDS.search(value) or _ENV_VAR_NAME.fullmatch(value):
        return True
    core = re.sub(r"[^A-Za-z0-9]", "", value)
    if len(set(core.lower())) <= 3 or _sequential(core.lower()):
        return True
    if _SNAKE_NAME.fullmatch(value) and re.search(rf"(?<!\w){re.escape(value)}\s*\(", line):
        # A snake_case name that is called is code: detect-secrets' assignment rules take any 44-character
        # word after `key:` (`key: _strip_prompt_cache_breakpoints_from_content(item)`). Only such a name:
        # a key's random letters and digits followed by `(` (in a string, a comment) are still reported.
        return True
    # A value written as a literal is no read, also with the `0x` a wallet's key is written with: the
    # key a loader falls back to (`new Wallet(process.env.PK || "0x…")`) is in the repository all the same.
    written = {literal[2:] if literal[:2] in ("0x", "0X") else literal for literal in _literals(line)}
    return bool(_FROM_ENVIRONMENT.search(line)) and value not in written


def _sequential(core: str, run: int = 6) -> bool:
    """`abcdef`, `123456`: typed by a person filling in an example, vanishingly rare in a random key."""
    streak = 1
    for a, b in itertools.pairwise(core):
        streak = streak + 1 if ord(b) == ord(a) + 1 else 1
        if streak >= run:
            return True
    return False


def _literals(line: str) -> set[str]:
    """The string literals of a line (JavaScript's backquoted too); those a JSON string holds too (a
    notebook cell's source line, `"os.environ[\\"KEY\\"] = \\"value\\"\\n"`), whose quotes are escaped."""
    found = set(re.findall(r"""["'`]([^"'`]+)["'`]""", line))
    return found | set(re.findall(r'\\"((?:[^"\\]|\\\\)+)\\"', line)) if '\\"' in line else found


def _counted(changeset: ChangeSet) -> list[str] | None:
    """The commits whose own diffs' added lines `_gone_from_head` counts (the count settles whether they
    are read); None when it reads them uncounted. Read unless the count settles it: a merge's own lines
    are in the change's diff and not counted, and a file the source calls binary is counted as none
    though the change's diff may read it."""
    commits = changeset.commits
    if len(commits) < 2 or changeset.commit_lines is None or any(c.is_merge for c in commits):
        return None
    return [c.sha for c in commits]


class SecretsAnalyzer(Analyzer):
    meta = catalog.SECRETS

    def prepare(self, ctx: RunContext) -> None:
        """Have the commits' added lines counted (`_gone_from_head`) while this process works on."""
        counted = _counted(ctx.changeset)
        if counted is not None and ctx.changeset.commit_lines is not None:
            ctx.changeset.commit_lines.start_added_total(counted)

    def run(self, ctx: RunContext) -> StageResult:
        view = ChangeView(ctx.changeset)
        findings: list[Finding] = []
        placeholders = 0
        found: set[str] = set()  # the values found on added lines
        # Ignored paths too: a vendored or generated file is where a credential would be hidden.
        ignored = list(view.ignored_changes(any_size=True))
        changes = [*view.changes(any_size=True), *ignored]
        scanned = sum(len(change.added) for change in changes)
        texts = [(change.path, [line.text for line in change.added]) for change in changes]
        for file_index, index, hit in scan_files(texts):
            path, lines = texts[file_index]
            if _excused(hit, lines, index):
                placeholders += 1
                continue
            found.add(hit.value)
            findings.append(self._finding(hit, path, changes[file_index].added[index].new_no or 0))
        findings.extend(self._in_names(changes))
        gone, gone_scanned, unread = self._gone_from_head(ctx, changes, found)
        findings.extend(gone)
        details: dict[str, object] = {
            "lines_scanned": scanned,
            "placeholders_ignored": placeholders,
            "ignored_files_scanned": len(ignored),
            "removed_lines_scanned": gone_scanned,
            "skipped_files": view.notes,
        }
        if not unread:
            return self.meta.result(findings, details, skipped_files=skipped_files(view))
        # Not looked for is no pass: the verdict is neutral, and the report names the gap.
        details["commits_unread"] = unread
        return self.meta.result(
            findings,
            details,
            skipped_reason=unread,
            not_checked=("credentials a later commit removed",),
            skipped_files=skipped_files(view),
        )

    def _gone_from_head(
        self, ctx: RunContext, changes: Sequence[FileChange], found: set[str]
    ) -> tuple[list[Finding], int, str]:
        """Credentials that a commit of the change adds and a later one removes or rewrites: gone from
        the diff, but in the commit, which the branch's history keeps (and the base branch's after a
        merge that keeps the commits). The commits' own diffs add at least the lines the change's diff
        adds, and more only when some line one of them added is gone at head (or was moved): only then
        are they read, and of their lines only those the change does not add in their file and the base
        did not hold (a line the base held is no credential of the change's). (Findings, lines scanned,
        why the commits' own diffs were not read when they were not.)"""
        changeset = ctx.changeset
        if len(changeset.commits) < 2:
            return [], 0, ""
        reader = changeset.commit_lines
        if reader is None:
            if sum(not c.is_merge for c in changeset.commits) < 2:
                # One commit of its own: what it added is in the diff (a merge's own lines are not read,
                # as from git).
                return [], 0, ""
            return (
                [],
                0,
                "the commits' own diffs were not read: a credential a later commit removed is not looked for",
            )
        shas = [c.sha for c in changeset.commits if not c.is_merge]
        diff = changeset.diff
        files = [*diff.files, *diff.ignored_by_path.values()]
        counted = _counted(changeset)
        total = None if counted is None else reader.added_total(counted)
        if total is not None and total <= sum(len(change.added) for change in files):
            return [], 0, ""
        # A line the base held (removed or context, in any file) is no credential of the change's; one
        # the change adds excuses the line only in its own file (a copy in a file read otherwise, a
        # README, would hide it).
        base_lines = _base_lines(files)
        based = {text for _, texts in base_lines for text in texts}
        added = {(change.path, line.text) for change in files for line in change.added}
        gone: dict[tuple[str, str], list[str]] = {}  # (sha, path) -> its lines the change does not hold
        read: set[tuple[str, str]] = set()  # (path, text): a line several commits rewrote is read once
        unread = ""
        for sha, path, text in reader.added_lines(shas):
            if text not in based and (path, text) not in added and (path, text) not in read:
                if len(read) >= MAX_GONE_LINES:
                    unread = (
                        f"past {MAX_GONE_LINES:,} lines the commits added that the change no longer holds, "
                        "the rest were not read: a credential a later commit removed may be among them"
                    )
                    break
                read.add((path, text))
                gone.setdefault((sha, path), []).append(text)
        keys = list(gone)
        findings: list[Finding] = []
        reported = set(found)  # a value also on an added line is reported there
        based_values: set[str] | None = None  # read when some line gives a hit
        for file_index, index, hit in scan_files([(path, gone[sha, path]) for sha, path in keys]):
            sha, path = keys[file_index]
            if _excused(hit, gone[sha, path], index) or hit.value in reported:
                continue
            if based_values is None:
                based_values = {based.value for _, _, based in scan_files(base_lines)}
            if hit.value in based_values:
                continue  # the base's credential, its line rewritten on the way (re-indented, re-quoted)
            reported.add(hit.value)
            findings.append(self._finding(hit, path, None, sha))
        return findings, len(read), unread

    def _in_names(self, changes: Sequence[FileChange]) -> Iterator[Finding]:
        """A credential in the name of a file the change adds or renames to: the name is in the repository
        and its history as much as a line is. Read as prose is (`MESSAGE_FILENAME`), and only a credential
        of its own shape counts: a name is no assignment, and `[secret=slug]` (a SvelteKit route's
        parameter) or `test_login[password=x]` read by keyword or a tool's syntax is a name of code."""
        named = [c for c in changes if c.status in (FileStatus.ADDED, FileStatus.RENAMED)]
        names = [c.path for c in named]
        reported: set[str] = set()
        for _, index, hit in scan_files([(MESSAGE_FILENAME, names)]):
            change = named[index]
            if hit.kind in _WEAKER or hit.kind in _BY_PLACE or _placeholder(hit, names[index]):
                continue
            # The value read in a name ends with its part of the path: a folder's, in every file's path
            # below it, is one finding.
            value = hit.value.partition("/")[0]
            if value in reported:
                continue
            reported.add(value)
            hit = replace(hit, value=value)
            shown = mask(hit.value)
            first = change.added[0].new_no if change.added else None
            yield self.meta.finding(
                "hard-coded-secret",
                Severity.HIGH,
                Confidence.HIGH,
                f"{hit.kind} {shown} in the name of a file added",
                f"The name of {change.path} holds what the detector recognises as "
                f"{'an' if hit.kind[:1].upper() in 'AEIOU' else 'a'} {hit.kind} ({shown}, "
                f"{len(hit.value)} characters). A file name is readable by everyone with access and stays in "
                "the repository's history: revoke the credential, and name the file otherwise.",
                Location(change.path, first),
            )

    def _finding(self, hit: SecretHit, path: str, line_no: int | None, sha: str = "") -> Finding:
        """A credential on line `line_no` of `path`; with `sha`, one that commit added and a later one
        removed (on no line at head)."""
        shown = mask(hit.value)
        weaker = hit.kind in _WEAKER or (hit.kind in _TOOL_KINDS and chosen_by_hand(hit.value))
        what = (
            f"what the detector recognises as {'an' if hit.kind[:1].upper() in 'AEIOU' else 'a'} {hit.kind} "
            f"({shown}, {len(hit.value)} characters)"
        )
        if sha:
            title = f"{hit.kind} {shown} added in {path} by commit {sha[:12]}, removed later"
            body = (
                f"Commit {sha[:12]} adds to {path} {what}, and a later commit of the change removes it. The "
                "commit stays in the branch's history on GitHub, and in the base branch's after a merge that "
                "keeps the commits: revoke the credential, and drop it from the branch's commits (an "
                "interactive rebase) before merging."
            )
        else:
            title = f"{hit.kind} {shown} added in {path}"
            body = (
                f"Line {line_no} of {path} adds {what}. A credential in the repository is readable by "
                "everyone with access and stays in its history: revoke it, then read it from the environment "
                "or a secret store."
            )
        return self.meta.finding(
            "hard-coded-secret",
            Severity.MEDIUM if weaker else Severity.HIGH,
            Confidence.MEDIUM if weaker else Confidence.HIGH,
            title,
            body,
            Location(path, line_no),
        )
