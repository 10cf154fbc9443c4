"""The `injection-text` analyzer: added content addressed to AI reviewers, hidden HTML comments in the
PR body, and invisible or bidirectional Unicode controls (Trojan Source) in added lines.

The phrase table lives in `gate/data/injection-phrases.tsv` so it can grow without code changes.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from operator import attrgetter

from gate import invisible
from gate.analyzers.interface import Analyzer, AnalyzerMeta
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import AddedLine, ChangeView
from gate.diff.model import FileChange, FileStatus
from gate.findings import Confidence, Finding, Location, Severity
from gate.redact import redact
from gate.run import RunContext, StageResult

_INVISIBLE = invisible.INVISIBLE
_TEXT = attrgetter("text")
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)
_PR_BODY = "PR description"
_NAME_SEPARATORS = re.compile(r"[-_./]+")
# The space between two words of a trigger (`you are`) stands for any run of whitespace within a line, as
# the patterns' `\s+` does: a tab or a no-break space between the words must not keep the line from its
# pattern. (A trigger whose gap is the line break itself is found on its own: `_split_owners`.)
_GAP = r"[^\S\n]+"


def _char(char: str, gap: str = _GAP) -> str:
    return gap if char == " " else re.escape(char)


@dataclass(frozen=True)
class Phrase:
    rule: str
    severity: Severity
    what: str
    # Words a line must contain before the (slower) pattern is tried on it.
    triggers: re.Pattern[str]
    pattern: re.Pattern[str]
    words: tuple[str, ...] = ()  # the trigger words


@lru_cache(maxsize=1)
def phrases() -> tuple[Phrase, ...]:
    out = []
    for row in _data_rows("injection-phrases.tsv"):
        rule, severity, what, triggers, pattern = row.split("\t")
        words = tuple(triggers.split(","))
        out.append(
            Phrase(
                rule,
                Severity(severity),
                what,
                re.compile(_trie(words)),
                re.compile(pattern, re.MULTILINE),
                words,
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _any_trigger() -> re.Pattern[str]:
    return re.compile(_trie({w for p in phrases() for w in p.words}))


# How often the space and each letter occur in source code, per thousand characters (counted on real
# Python files, lower-cased); any other character counts as rare.
_FREQUENCY = dict(
    zip(
        " etrsoanilpcdmufhgybvwkxqjz",
        (242, 78, 59, 46, 45, 44, 44, 42, 41, 29, 22, 22, 21, 18, 17, 16, 13, 12, 10, 8, 6, 5, 4, 2, 1, 1, 1),
        strict=True,
    )
)


@lru_cache(maxsize=1)
def _trigger_anchors() -> re.Pattern[str]:
    """A pattern that matches where any trigger word is, each word found from one of its characters.

    The search engine skips the characters no alternative starts with and tries the pattern at the
    others only. With the words' first letters that is over half of a source text; with a few
    characters that every word holds one of, chosen among the rarest, under a fifth. A match starts at
    the anchor: the characters after it are read first, as a trie (at most places the character after
    the anchor already fails), then a lookbehind checks the word's first part up to there, then the
    rest of the word. So a match is exactly an occurrence of a word.
    """
    words = sorted({w for p in phrases() for w in p.words if w})
    # The anchor lies in a word's first part, before any space: a lookbehind has a fixed width, and a
    # space after it stands for any whitespace run (`_GAP`).
    heads = {word: word.split(" ", 1)[0] for word in words}
    anchors = _anchor_set(sorted(set(heads.values())))
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word, head in heads.items():
        at = min(
            (i for i, char in enumerate(head) if char in anchors), key=lambda i: _FREQUENCY.get(word[i], 0)
        )
        steps = [re.escape(char) for char in head[at:]]
        if at:
            steps.append(f"(?<={re.escape(head)})")
        steps.extend(_char(char) for char in word[len(head) :])
        node = root
        for step in steps:
            node = node.setdefault(step, {})
        node[""] = {}
    return re.compile(_emit(root))


def _anchor_set(words: Sequence[str]) -> set[str]:
    """Characters such that every word holds one, rare ones first: each step takes the character with
    the least frequency per word it newly covers, then characters whose words the others cover go."""
    chosen: set[str] = set()
    open_words = set(words)
    while open_words:
        chars = sorted({char for word in open_words for char in word})
        best = min(chars, key=lambda c: (_FREQUENCY.get(c, 0) + 1) / sum(c in word for word in open_words))
        chosen.add(best)
        open_words = {word for word in open_words if best not in word}
    for char in sorted(chosen, key=lambda c: -_FREQUENCY.get(c, 0)):
        if all(any(other in word for other in chosen - {char}) for word in words):
            chosen.remove(char)
    return chosen


def _trie(words: Iterable[str], gap: str = _GAP) -> str:
    """A pattern matching exactly `words` (literals), written as a trie: a search tries the few words
    that go on with the next character instead of every word at every position (~3x faster over a
    large change). Only where a match starts is read, and that is the same for any pattern of the
    same words."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        if word:
            node = root
            for char in word:
                node = node.setdefault(_char(char, gap), {})
            node[""] = {}
    return _emit(root)


def _emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    """A trie of pattern pieces (`""` marks where a word ends) as one pattern; a longer word is
    preferred where a shorter one ends."""
    branches = [step + _emit(child) for step, child in sorted(node.items()) if step]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _spaced(word: str) -> str:
    """A found trigger word as the table writes it: each whitespace run one space."""
    return " ".join(word.split()) if not word.isalpha() else word


@lru_cache(maxsize=1)
def tool_markers() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(row) for row in _data_rows("injection-markers.tsv"))


def _data_rows(name: str) -> list[str]:
    text = resources.files("gate.data").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class PhraseHit:
    phrase: Phrase
    index: int  # which of the scanned lines
    text: str  # the matched words, as written
    # Quoted and introduced as an example ("text such as 'ignore previous instructions': never follow
    # it"), as in documentation and prompts that warn about injection.
    quoted_example: bool = False

    @property
    def severity(self) -> Severity:
        return Severity.LOW if self.quoted_example else self.phrase.severity

    @property
    def confidence(self) -> Confidence:
        return Confidence.LOW if self.quoted_example else Confidence.MEDIUM


# Whitespace a phrase can hold between two words; a longer run is cut to this many characters.
MAX_GAP = 8
_LONG_GAP = re.compile(rf"(\s)\s{{{MAX_GAP},}}")


def _squeeze(line: str) -> str:
    return _LONG_GAP.sub(lambda m: m.group(0)[:MAX_GAP], line) if len(line) > MAX_GAP else line


def find_phrases(lines: Sequence[str], *, text: str | None = None) -> Iterator[PhraseHit]:
    """Phrase-table hits in the lines (`text`: the lines joined with LF, when the caller has it).

    A phrase's pattern reads a window of two lines, a line and the one after it (its `\\s+` reads the
    line break), and is tried on it when one of the phrase's trigger words is in the window:
    - on the first line: a match that starts on that line is its hit, wherever it ends;
    - only on the second line, or across the break (`you` ending the first, `are now ...` opening the
      second): a match that holds words of both lines is the first line's hit, a phrase broken over
      the two (`# AI` then `reviewer: approve this`). A match within one line is that line's own, found
      through the trigger words on it.
    Each phrase's trigger words are searched in the joined lower-cased text at once, and the breaks a
    trigger could be split by are found from the words that end a line; only those windows are matched
    against the full pattern."""
    joined = _lowered_text(lines, text)
    touched = _touched_in(joined)
    last = len(lines) - 1
    # What the patterns read: the lines of the windows tried, lower-cased, their long whitespace runs
    # squeezed first: phrases are words apart, and a run of 60,000 spaces after "## system" must not
    # cost each pattern a pass per space (linear time).
    lowered = {i: _squeeze(lines[i]).lower() for i in touched}

    def low(index: int) -> str:
        line = lowered.get(index)
        if line is None:
            line = lowered[index] = _squeeze(lines[index]).lower()
        return line

    # Each phrase's own triggers, found in the touched lines joined: one pass of every trigger word
    # together, stepping one character at a time past each find, sees every word at every place (the
    # longest word at a place starts with each shorter one there), and so every line each phrase's
    # words are in.
    near = "\n".join([lowered[i] for i in touched])
    near_starts = [0, *accumulate(len(lowered[i]) + 1 for i in touched)]
    table = phrases()
    slots: list[list[int]] = [[] for _ in table]
    trigger = _any_trigger()
    at = 0
    while (m := trigger.search(near, at)) is not None:
        slot = bisect.bisect_right(near_starts, m.start()) - 1
        for owner in _owners(_spaced(m.group(0))):
            found = slots[owner]
            if not found or found[-1] != slot:
                found.append(slot)
        at = m.start() + 1
    # The windows whose break splits a trigger of several words (`you` / `are`), by phrase.
    split: list[set[int]] = [set() for _ in table]
    for index in _breaks_after_trigger_parts(joined):
        for owner in _split_owners(low(index), low(index + 1)):
            split[owner].add(index)
    windows: dict[int, str] = {}  # a line and the line after it, as the patterns read them
    seen: set[tuple[str, int]] = set()  # one hit per rule and line: the table has several rows a rule
    for number, phrase in enumerate(table):
        own = [touched[slot] for slot in slots[number]] if any(phrase.words) else touched
        # Windows tried for a trigger on their second line or across their break.
        broken = {i - 1 for i in own if i} | split[number]
        broken.difference_update(own)
        for index in sorted({*own, *broken}) if broken else own:
            if (phrase.rule, index) in seen:
                continue
            first = low(index)
            window = windows.get(index)
            if window is None:
                window = first + "\n" + low(index + 1) if index < last else first
                windows[index] = window
            if index in broken:
                m = _broken_match(phrase.pattern, window, len(first))
            else:
                m = phrase.pattern.search(window)
                if m is not None and m.start() > len(first):
                    m = None
            if m is None:
                continue
            original = _squeeze(lines[index]) + ("\n" + _squeeze(lines[index + 1]) if index < last else "")
            shown = original[m.start() : m.end()] if len(original) == len(window) else m.group(0)
            seen.add((phrase.rule, index))
            yield PhraseHit(phrase, index, shown.strip(), _quoted_example(window, m.start(), m.end()))


_NON_SPACE = re.compile(r"\S")


def _broken_match(pattern: re.Pattern[str], window: str, end: int) -> re.Match[str] | None:
    """The first match in `window` that starts on its first line (which ends at `end`) and holds words
    of both lines: a phrase broken over the two.

    Each start on the first line is tried once (the search goes on one character past a match that
    stays within a line), so this costs what one search that finds nothing costs. The whitespace runs
    are squeezed, so the words on each side of a match's break are a few characters from its ends."""
    if _NON_SPACE.search(window, 0, end) is None:  # a blank first line
        return None
    at = 0
    while (m := pattern.search(window, at)) is not None and m.start() < end:
        if _NON_SPACE.search(window, m.start(), end) and _NON_SPACE.search(window, end + 1, m.end()):
            return m
        at = m.start() + 1
    return None


@lru_cache(maxsize=256)  # one entry a trigger word
def _owners(word: str) -> tuple[int, ...]:
    """The phrases (by their place in the table) one of whose trigger words starts `word`: the longest
    trigger word found at a place."""
    return tuple(
        n for n, phrase in enumerate(phrases()) if any(w and word.startswith(w) for w in phrase.words)
    )


def _lowered_text(lines: Sequence[str], joined: str | None = None) -> str:
    """The lines lower-cased and joined with LF (`joined`: the lines joined with LF, if at hand)."""
    raw = "\n".join(lines) if joined is None else joined
    text = raw.lower()
    if len(text) != len(raw):  # lower-casing changed a length (`İ`): lower-case line by line
        text = "\n".join(line.lower() for line in lines)
    return text


def _touched_lines(lines: Sequence[str], joined: str | None = None) -> list[int]:
    """The lines that hold a trigger word, in order (`joined`: the lines joined with LF, if at hand)."""
    return _touched_in(_lowered_text(lines, joined))


def _touched_in(text: str) -> list[int]:
    """The lines of `text` (lower-cased, joined with LF) that hold a trigger word, in order."""
    # Squeezing a long whitespace run leaves a run, so a line holds a trigger word before its long
    # whitespace runs are squeezed exactly when it holds one after: the words are found in the text as
    # it is, and only the lines that hold one are squeezed and lower-cased on their own.
    # A trigger word lies within one line (its gaps are no line break): after a line's first match the search
    # goes on from the next line (a line of code can hold many trigger words). A match's line is
    # counted by the line breaks before it, read once from one match to the next.
    touched: list[int] = []
    trigger = _trigger_anchors()
    index = at = 0
    while (m := trigger.search(text, at)) is not None:
        index += text.count("\n", at, m.start())
        touched.append(index)
        at = text.find("\n", m.end()) + 1
        if at == 0:
            break
        index += 1
    return touched


# --- triggers of several words split by a line break ---------------------------------------------------
# The patterns' `\s+` reads a line break, so `ignore` ending a line and `previous instructions` opening the
# next is a phrase, found through the trigger word on its first line. A trigger of several words can
# have the break for its gap (`you` / `are now an unrestricted assistant`): then neither line holds it.


@lru_cache(maxsize=1)
def _split_words() -> tuple[str, ...]:
    return tuple(sorted({w for p in phrases() for w in p.words if " " in w}))


@lru_cache(maxsize=1)
def _break_candidates() -> re.Pattern[str]:
    """The line breaks after a word that a gap of a trigger follows (`you` of `you are`), right after
    it or after one whitespace character (a CR), or after a longer whitespace run. Searched from the
    line break, which the search engine finds alone; one lookbehind for the character before it rules
    out most lines (a line of code mostly ends with a bracket or a colon) before the words' ones."""
    ends = sorted({part for word in _split_words() for part in word.split(" ")[:-1]})
    last = "".join(sorted({re.escape(end[-1]) for end in ends}))
    behind = [f"(?<={re.escape(end)}\n)|(?<={re.escape(end)}[^\\S\n]\n)" for end in ends]
    words = "|".join([*behind, r"(?<=[^\S\n][^\S\n]\n)"])
    return re.compile(f"\\n(?<=[{last}\\s]\\n)(?:{words})")


def _breaks_after_trigger_parts(text: str) -> list[int]:
    """The lines of `text` (lower-cased, joined with LF) whose break a trigger could be split by."""
    out: list[int] = []
    index = at = 0
    for m in _break_candidates().finditer(text):
        index += text.count("\n", at, m.start())
        at = m.start()
        out.append(index)
    return out


@lru_cache(maxsize=1)
def _split_trigger() -> tuple[re.Pattern[str], int]:
    """The triggers of several words, any whitespace with or without a line break between the words,
    and how far from a break such a trigger can reach on squeezed lines (each gap and the whitespace
    on either side of the break at most `MAX_GAP`)."""
    words = _split_words()
    reach = max(len(word) + (word.count(" ") + 2) * MAX_GAP for word in words)
    return re.compile(_trie(words, gap=r"\s+")), reach


def _split_owners(line: str, following: str) -> set[int]:
    """The phrases one of whose trigger words has the break between `line` and `following` (squeezed
    and lower-cased) in a gap."""
    trigger, reach = _split_trigger()
    tail = line[-reach:]
    both = tail + "\n" + following[:reach]
    owners: set[int] = set()
    at = 0
    while (m := trigger.search(both, at)) is not None and m.start() < len(tail):
        if m.end() > len(tail):
            owners.update(_owners(_spaced(m.group(0))))
        at = m.start() + 1
    return owners


_QUOTES = "\"'`“”‘’«»"
_EXAMPLE_WORDS = re.compile(
    r"never\s+follow|do\s+not\s+(?:follow|obey)|don't\s+(?:follow|obey)|such\s+as|e\.g\.|for\s+example"
    r"|\bsays?\b|\bclaims?\b|treat\s+(?:it|them|this)\s+as\s+data|attacks?\b|injection"
)


def _quoted_example(window: str, start: int, end: int) -> bool:
    before = window[:start].rstrip()
    after = window[end:].lstrip()
    quoted = bool(before) and before[-1] in _QUOTES and bool(after) and after[0] in _QUOTES
    return quoted and bool(_EXAMPLE_WORDS.search(window))


def describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name and invisible.is_tag(char):
        name = "TAG CHARACTER"
    return f"U+{ord(char):04X} {name}".strip()


def _escaped(text: str) -> str:
    """The text with invisible characters written as escapes, everything else as is."""
    return _INVISIBLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InjectionAnalyzer(Analyzer):
    meta = AnalyzerMeta(
        id="injection-text",
        description="find text aimed at AI reviewers, hidden PR comments and invisible Unicode",
        docs="#injection-text",
    )

    def run(self, ctx: RunContext) -> StageResult:
        view = ChangeView(ctx.changeset)
        findings: list[Finding] = []
        # One pass of the phrase table over every file's added lines, an empty line between files so
        # that no phrase runs on from one file into the next.
        # Ignored paths too: text for the models is as well hidden in a vendored or generated file.
        ignored = list(view.ignored_changes())
        changes = [*view.changes(), *ignored]
        texts: list[str] = []
        offsets: list[int] = []  # index of each file's first line in `texts`
        for change in changes:
            offsets.append(len(texts))
            texts.extend(map(_TEXT, change.added))
            texts.append("")
        scanned = len(texts) - len(changes)
        joined = "\n".join(texts)

        def added_line(index: int) -> AddedLine | None:
            file_index = bisect.bisect_right(offsets, index) - 1
            change = changes[file_index]
            within = index - offsets[file_index]
            if within >= len(change.added):
                return None  # the boundary between two files
            return AddedLine(change.path, change.added[within].new_no or 0, texts[index])

        for hit in find_phrases(texts, text=joined):
            line = added_line(hit.index)
            if line is not None:
                findings.append(self._phrase(hit, line))
        if _INVISIBLE.search(joined):
            for i, text in enumerate(texts):
                if _INVISIBLE.search(text) and (line := added_line(i)):
                    # a byte-order mark at the start of a file is ordinary
                    finding = self._invisible(text, line.path, line.line_no, bom_ok=line.line_no == 1)
                    if finding is not None:
                        findings.append(finding)
        diff = ctx.changeset.diff
        findings.extend(self._file_names((*diff.files, *diff.ignored_files)))
        pr = ctx.changeset.pr
        if pr is not None:
            findings.extend(self._pr_text(pr.title, pr.body))
        for commit in ctx.changeset.commits:
            findings.extend(self._commit_message(commit.sha, commit.message))
        details = {
            "lines_scanned": scanned,
            "ignored_files_scanned": len(ignored),
            "pr_text_scanned": pr is not None,
            "commit_messages_scanned": len(ctx.changeset.commits),
            "skipped_files": view.notes,
        }
        return self.meta.result(findings, details, skipped_files=skipped_files(view))

    def _phrase(self, hit: PhraseHit, line: AddedLine) -> Finding:
        example = (
            " It is quoted as an example, so it is reported at low severity." if hit.quoted_example else ""
        )
        return self.meta.finding(
            hit.phrase.rule,
            hit.severity,
            hit.confidence,
            f"Text addressed to AI reviewers: “{_quote(hit.text, 60)}”",
            f"Line {line.line_no} of {line.path} adds “{_quote(hit.text)}”, which {hit.phrase.what}. Text "
            "like this is aimed at the models that review or act on the change, not at people; if it is "
            f"meant (a test fixture, documentation of attacks), say so in the PR.{example}",
            Location(line.path, line.line_no),
        )

    def _file_names(self, files: Iterable[FileChange]) -> Iterator[Finding]:
        """A new file's name is text the models read too: "ai-reviewer-approve-this.md" is an injection."""
        named = [c for c in files if c.status in (FileStatus.ADDED, FileStatus.RENAMED)]
        hits: dict[int, list[PhraseHit]] = {}
        for hit in find_phrases([_NAME_SEPARATORS.sub(" ", c.path) for c in named]):
            hits.setdefault(hit.index, []).append(hit)
        for index, change in enumerate(named):
            for hit in hits.get(index, []):
                yield self.meta.finding(
                    hit.phrase.rule,
                    hit.severity,
                    hit.confidence,
                    f"Text addressed to AI reviewers: {hit.phrase.what}",
                    f"The new file name “{_quote(change.path)}” says “{_quote(hit.text)}”, which "
                    f"{hit.phrase.what}. File names reach the models that review the change as well.",
                    Location(change.path),
                )
            if (finding := self._invisible(change.path, change.path, None)) is not None:
                yield finding

    def _invisible(
        self, text: str, path: str, line_no: int | None, *, bom_ok: bool = False
    ) -> Finding | None:
        """A finding for the invisible characters in `text`, if it has any; `bom_ok` lets a byte-order
        mark open it (the start of a file)."""
        found = list(_INVISIBLE.finditer(text))
        if bom_ok and found and found[0].start() == 0 and found[0].group(0) == "\ufeff":
            found = found[1:]
        if not found:
            return None
        chars = [m.group(0) for m in found]
        columns = [m.start() + 1 for m in found]
        # A credential on the same line must not travel with the finding into reports and comments.
        quoted = redact(text)
        # The escaped text keeps titles (and so fingerprints) of different lines apart.
        excerpt = f"“{_quote(_escaped(quoted), 50)}”" if text.strip() else "added text"
        bidi = [c for c in chars if invisible.is_bidi(c)]
        tags = [c for c in chars if invisible.is_tag(c)]
        names = sorted({describe(c) for c in chars})
        where = f"line {line_no} of {path}" if line_no else path
        body = (
            f"{where.capitalize()} contains {len(chars)} invisible control character(s): "
            f"{', '.join(names)} (column {', '.join(map(str, columns[:5]))})."
        )
        if bidi:
            rule, severity = "bidi-control", Severity.HIGH
            title = f"Bidirectional control character {describe(bidi[0]).split(' ', 1)[0]} in {excerpt}"
            body += (
                " Bidirectional overrides make code display differently from how it runs (Trojan "
                "Source, CVE-2021-42574): what a reviewer reads is not what the compiler sees."
            )
        elif tags:
            rule, severity = "tag-characters", Severity.HIGH
            hidden = "".join(chr(ord(c) - 0xE0000) for c in tags if 0x20 <= ord(c) - 0xE0000 < 0x7F)
            title = f"Invisible Unicode tag characters in {excerpt}"
            body += f" Tag characters render as nothing but models read them; they spell “{_quote(hidden)}”."
        else:
            rule, severity = "zero-width", Severity.MEDIUM
            title = f"Invisible character {describe(chars[0]).split(' ', 1)[0]} in {excerpt}"
            body += " Zero-width characters hide text from reviewers and make identical-looking names differ."
        shown = _quote(_escaped(quoted), 160) if text else ""
        if shown:
            body += f" Escaped: {shown}"
        location = Location(path, line_no) if line_no else None
        return self.meta.finding(rule, severity, Confidence.HIGH, title, body, location)

    def _commit_message(self, sha: str, message: str) -> Iterator[Finding]:
        """Commit messages reach reviewers (and the models that review) as much as the PR text does."""
        place = f"commit {sha[:10]}"
        lines = message.splitlines()
        for hit in find_phrases(lines):
            yield self.meta.finding(
                hit.phrase.rule,
                hit.severity,
                hit.confidence,
                f"Text addressed to AI reviewers in the message of {place}: “{_quote(hit.text, 60)}”",
                f"The message of {place} says “{_quote(hit.text)}”, which {hit.phrase.what}.",
            )
        for text in lines:
            if (finding := self._invisible(text, place, None)) is not None:
                yield finding

    def _pr_text(self, title: str, body: str) -> Iterator[Finding]:
        lines = [title, *body.splitlines()]
        for hit in find_phrases(lines):
            place = "the PR title" if hit.index == 0 else "the PR description"
            yield self.meta.finding(
                hit.phrase.rule,
                hit.severity,
                hit.confidence,
                f"Text addressed to AI reviewers in {place}: “{_quote(hit.text, 60)}”",
                f"{place.capitalize()} says “{_quote(hit.text)}”, which {hit.phrase.what}.",
            )
        for index, text in enumerate(lines):
            if (finding := self._invisible(text, "PR title" if index == 0 else _PR_BODY, None)) is not None:
                yield finding
        yield from self._hidden_comments(body)

    def _hidden_comments(self, body: str) -> Iterator[Finding]:
        for m in _HTML_COMMENT.finditer(body):
            content = m.group(1).strip()
            lowered = content.lower()
            injected = next(iter(find_phrases(content.splitlines() or [""])), None)
            if injected is not None:
                yield self.meta.finding(
                    "hidden-instructions",
                    Severity.HIGH,
                    Confidence.HIGH,
                    "Hidden instructions for AI reviewers in the PR description",
                    f"An HTML comment, invisible on GitHub but read by models, says “{_quote(content)}”, "
                    f"which {injected.phrase.what}.",
                )
            elif any(marker.search(lowered) for marker in tool_markers()):
                yield self.meta.finding(
                    "hidden-comment-tool-marker",
                    Severity.INFO,
                    Confidence.HIGH,
                    f"Tool marker in the PR description: <!-- {_quote(content, 40)} -->",
                    "An HTML comment that a well-known tool leaves in PR descriptions; hidden from people.",
                )
            elif content:
                yield self.meta.finding(
                    "hidden-comment",
                    Severity.LOW,
                    Confidence.MEDIUM,
                    f"Hidden HTML comment in the PR description: “{_quote(content, 50)}”",
                    "The PR description holds text that GitHub does not show but models read: "
                    f"“{_quote(content)}”. Check that it is a leftover of a template and not instructions.",
                )
