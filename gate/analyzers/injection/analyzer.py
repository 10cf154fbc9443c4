"""The `injection-text` analyzer: added content addressed to AI reviewers, hidden HTML comments in the
PR body, and invisible or bidirectional Unicode controls (Trojan Source) in added lines.

The phrases are found by `windows.find_phrases` on the text as written and by `decode` on second readings
of it (escapes and base64 decoded, digits read as letters); their table lives in
`gate/data/injection-phrases.tsv`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import accumulate
from operator import attrgetter

from gate import invisible
from gate.analyzers import catalog
from gate.analyzers.injection.agent_files import AGENT_FILE_RULES, instructs_agents
from gate.analyzers.injection.decode import find_decoded_phrases
from gate.analyzers.injection.table import tool_markers
from gate.analyzers.injection.windows import PhraseHit, find_phrases
from gate.analyzers.interface import Analyzer
from gate.analyzers.skipped import skipped_files
from gate.analyzers.source import AddedLine, ChangeView, part_bounds
from gate.diff.model import FileChange, FileStatus
from gate.findings import Confidence, Finding, Location, Severity
from gate.redact import cut_redacted, redact
from gate.run import RunContext, StageResult

_INVISIBLE = invisible.INVISIBLE
_TEXT = attrgetter("text")
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)
_PR_BODY = "PR description"
# What each part of the stage's work counts of its own files (`InjectionAnalyzer.merge` adds them up).
_COUNTED = ("lines_scanned", "ignored_files_scanned")
_NAME_SEPARATORS = re.compile(r"[-_./]+")
# Markup that draws its text where no one sees it: at size or opacity zero, not displayed, or far off
# the canvas (SVG `<text font-size="0" x="-9999">`, an HTML `<span style="display:none">`). A model
# reads the text all the same.
_HIDDEN_MARKUP = re.compile(
    r"""(?:font-size|opacity|fill-opacity)\s*(?:=\s*["']|:)\s*0+(?:\.0+)?(?:px|pt|r?em|%)?\s*(?:["';}]|$|\s)"""
    r"""|display\s*:\s*none|visibility\s*:\s*hidden"""
    r"""|\b(?:x|y|dx|dy|left|top|text-indent)\s*(?:=\s*["']|:)\s*-\d{3,}""",
    re.IGNORECASE,
)


def describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name and invisible.is_tag(char):
        name = "TAG CHARACTER"
    elif not name and invisible.is_nul(char):
        name = "NUL"
    return f"U+{ord(char):04X} {name}".strip()


def _escaped(text: str) -> str:
    """The text with invisible characters written as escapes, everything else as is."""
    return _INVISIBLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def read_phrases(lines: Sequence[str], text: str | None = None) -> Iterator[PhraseHit]:
    """Phrase-table hits on the lines as written, then those only their second readings hold (`decode`);
    one per rule and line (`text`: the lines joined with LF, when at hand)."""
    seen: set[tuple[str, int]] = set()
    for hit in find_phrases(lines, text=text):
        seen.add((hit.phrase.rule, hit.index))
        yield hit
    for hit in find_decoded_phrases(lines, text):
        if (hit.phrase.rule, hit.index) not in seen:
            yield hit


def _quote(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters, redacted before it is cut (`cut_redacted`)."""
    return cut_redacted(" ".join(text.split()), limit)


class InjectionAnalyzer(Analyzer):
    meta = catalog.INJECTION_TEXT

    def run(self, ctx: RunContext) -> StageResult:
        return self.run_part(ctx, 0, 1)

    def run_part(self, ctx: RunContext, index: int, count: int) -> StageResult:
        """The added lines of run `index` of `count` of the changed files (`part_bounds`); the last part also
        reads the new files' names, the PR's text and the commit messages. No phrase runs on from one
        file into the next, so the parts' findings are the whole's."""
        view = ChangeView(ctx.changeset)
        findings: list[Finding] = []
        # One pass of the phrase table over every file's added lines, an empty line between files so
        # that no phrase runs on from one file into the next.
        # Ignored paths too: text for the models is as well hidden in a vendored or generated file.
        listed = list(view.changes(any_size=True))
        every = [*listed, *view.ignored_changes(any_size=True)]
        first, end = part_bounds([len(change.added) for change in every], index, count)
        changes = every[first:end]
        ignored_here = end - max(first, min(end, len(listed)))  # the ignored files follow the others
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

        for hit in read_phrases(texts, joined):
            line = added_line(hit.index)
            if line is not None:
                findings.append(self._phrase(hit, line))
        if found := list(invisible.finditer(joined)):
            # The lines that hold one, found from where each stands in the joined text (one character
            # each, never a line break).
            starts = list(accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
            holding = sorted({bisect.bisect_right(starts, m.start()) - 1 for m in found})
            for i in holding:
                text = texts[i]
                if line := added_line(i):
                    # a byte-order mark at the start of a file is ordinary
                    finding = self._invisible(text, line.path, line.line_no, bom_ok=line.line_no == 1)
                    if finding is not None:
                        findings.append(finding)
        details: dict[str, object] = {"lines_scanned": scanned, "ignored_files_scanned": ignored_here}
        if index < count - 1:
            return self.meta.result(findings, details)
        diff = ctx.changeset.diff
        findings.extend(self._file_names((*diff.files, *diff.ignored_files)))
        pr = ctx.changeset.pr
        if pr is not None:
            findings.extend(self._pr_text(pr.title, pr.body))
        for commit in ctx.changeset.commits:
            findings.extend(self._commit_message(commit.sha, commit.message))
        details |= {
            "pr_text_scanned": pr is not None,
            "commit_messages_scanned": len(ctx.changeset.commits),
            "skipped_files": view.notes,
        }
        return self.meta.result(findings, details, skipped_files=skipped_files(view))

    def merge(self, parts: Sequence[StageResult]) -> StageResult:
        """The parts' findings in their order, and the last part's result (the files it could not read,
        the PR's text and the commits) with the lines of every part counted."""
        last = parts[-1]
        counted = {key: sum(p.details[key] for p in parts) for key in _COUNTED}
        return replace(
            last, findings=tuple(f for p in parts for f in p.findings), details={**last.details, **counted}
        )

    def _phrase(self, hit: PhraseHit, line: AddedLine) -> Finding:
        severity = hit.severity
        if hit.quoted_example:
            why = " It is quoted as an example, so it is reported at low severity."
        elif instructs_agents(line.path) and hit.phrase.rule in AGENT_FILE_RULES:
            # Such a file speaks to AI tools by design; a person reviews what it tells them.
            severity = min(severity, Severity.MEDIUM, key=attrgetter("rank"))
            why = (
                f" {line.path} is a file that AI tools read as instructions, so text addressed to them is "
                "expected there and this is not blocking; check that it tells them nothing about how to "
                "judge this change."
            )
        else:
            why = ""
        if _HIDDEN_MARKUP.search(line.text):
            why += (
                " The line draws its text where no one sees it (at size or opacity zero, not displayed, or "
                "off the canvas): hidden from the people who review the change, read by the models."
            )
        if hit.encoded:
            why += (
                " The line writes these words encoded (character references, escapes, base64 or digits "
                "for letters), which a model reads as plain text and a person reading the diff does not; "
                "the words quoted are the line as decoded."
            )
        return self.meta.finding(
            hit.phrase.rule,
            severity,
            hit.confidence,
            f"Text addressed to AI reviewers: “{_quote(hit.text, 60)}”",
            f"Line {line.line_no} of {line.path} adds “{_quote(hit.text)}”, which {hit.phrase.what}. Text "
            "like this is aimed at the models that review or act on the change, not at people; if it is "
            f"meant (a test fixture, documentation of attacks), say so in the PR.{why}",
            Location(line.path, line.line_no),
        )

    def _file_names(self, files: Iterable[FileChange]) -> Iterator[Finding]:
        """A new file's name is text the models read too: "ai-reviewer-approve-this.md" is an injection."""
        named = [c for c in files if c.status in (FileStatus.ADDED, FileStatus.RENAMED)]
        hits: dict[int, list[PhraseHit]] = {}
        for hit in read_phrases([_NAME_SEPARATORS.sub(" ", c.path) for c in named]):
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
        found = invisible.hidden(text)
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
        nul = any(map(invisible.is_nul, chars))
        selectors = [c for c in chars if invisible.is_selector(c)]
        names = sorted({describe(c) for c in chars})
        where = f"line {line_no} of {path}" if line_no else path
        body = (
            f"{where.capitalize()} contains {len(chars)} invisible control character(s): "
            f"{', '.join(names)} (column {', '.join(map(str, columns[:5]))})."
        )
        if nul:
            rule, severity = "nul-byte", Severity.HIGH
            title = f"NUL byte in {excerpt}"
            body += (
                " Git, GitHub and most review tools show a file that holds a NUL byte as binary, none of "
                "its text, while an interpreter still runs the code around it (a NUL is legal in a "
                "JavaScript string or a comment)."
            )
        elif bidi:
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
        elif len(selectors) > 1:
            rule, severity = "variation-selectors", Severity.HIGH
            title = f"Invisible variation selectors in {excerpt}"
            body += (
                " A run of variation selectors renders as nothing, or as the one character before it, "
                "while models read every selector: 256 of them can spell any byte, so text is smuggled "
                "past the people who review the change."
            )
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
        for hit in read_phrases(lines):
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
        for hit in read_phrases(lines):
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
            injected = next(iter(read_phrases(content.splitlines() or [""])), None)
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
