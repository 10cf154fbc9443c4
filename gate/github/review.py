"""One PR review with inline comments on diff lines, never repeating a finding an earlier run commented.

Each comment carries a hidden fingerprint marker on its first line; on later runs the review comments
this account wrote (`PostContext.identity`) are listed and findings whose fingerprint is already there
are left out; a marker typed by anyone else, posted by `ai-gate publish` (its own tag), or anywhere but
a comment's first line (in the finding's words, which the PR and the models shape), never hides one.

A model finding's fingerprint holds its title, and a later run's models can word one defect anew (the
group's lead changes when the models' severities do): its marker also names its rule, and a model
finding of that rule, or of one kind with it (`review/bug`, `review/correctness`), on lines that
overlap the earlier comment's, on the same file, is left out too. The lines are where GitHub places the
comment now, or, once it shows the comment as outdated, where it was posted; and only while their text
is the text the comment was posted on (its marker holds a hash of it, read from the PR's diff). Once a
push rewrote them, the comment is about code that is gone, and a finding there is about the new code.
Within one run, two model findings the consensus kept apart only for their categories (two models
filing one defect under names no family ties), on overlapping lines, get one comment. A PR gets at most
`MAX_INLINE_COMMENTS` of them, the earlier runs' counted; the review says how many more findings are
only in the check run and the summary comment.

Comments go on the right side only, a range only when it lies inside one hunk, and a ```suggestion
block when a fix is known: a deterministic stage's, or one a quorum of the models that raised the
finding gave. A change fewer of them gave is shown as theirs, in a plain code block. A finding's title
and body are inert, their code shown as written (`text.markdown`), and when several models raised it,
the comment says whose words they are. A published report's comments say so on their first line and
carry no suggestion: a change to apply in one click is not taken from a report an unprivileged job wrote.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gate.diff.model import Diff
from gate.errors import GitHubError
from gate.findings import lines_key
from gate.github import limits
from gate.github.client import GitHubClient, GitHubUnprocessable, PostedComment
from gate.github.text import code_block, markdown, sanitize, suggestion_block
from gate.redact import cut_redacted
from gate.report.github_view import GATE, FindingView, Origin, PostContext
from gate.sanitize import inline

FINGERPRINT_MARKER = "<!-- {tag}={key}{rule}{lines} -->"
# Our choices, not GitHub's: more comments bury the PR's own discussion; the rest are in the check run
# and the summary comment. Counted for the PR, the earlier runs' comments with this run's: a cap a run
# had to itself let every re-run or empty push add as many again.
MAX_INLINE_COMMENTS = 50
# A fingerprint key's characters in its marker, read back from comments anyone could have written, and
# a model finding's rule beside it.
FINGERPRINT_KEY_MAX_CHARS = 200
RULE_MAX_CHARS = 100
# What one comment quotes of a finding. The body and the suggestion, the only long parts, take at most
# 2 x 20,000 characters, so a comment stays within GitHub's limit (`limits.COMMENT_BODY_MAX_CHARS`).
TITLE_MAX_CHARS = 500
STAGE_MAX_CHARS = 40
BODY_MAX_CHARS = 20_000
SUGGESTION_MAX_CHARS = 20_000
MODEL_NAMES_MAX_CHARS = 300  # the models that confirmed, raised or refused a finding
PUBLISHED_LINE = (
    "> ⚠️ Published from a report that an earlier, unprivileged job made (the PR's own workflow could "
    "have written it); not recomputed here."
)
SUGGESTION_LEFT_OUT = "The report's suggested change is not offered here: it came from that report."

_MARKER_KEY = rf"([A-Za-z0-9_.:-]{{1,{FINGERPRINT_KEY_MAX_CHARS}}})"
_MARKER_RULE = rf"(?: rule=([A-Za-z0-9_.:/-]{{1,{RULE_MAX_CHARS}}}))?"
_MARKER_LINES = r"(?: lines=([0-9a-f]{16}))?"  # `findings.lines_key` of the commented lines


@dataclass(frozen=True)
class Commented:
    """A finding an earlier run commented, as its comment says: the key, and for a model finding its
    rule and its lines: where GitHub places the comment now, else (outdated) where it was posted, and
    whether their text on the head is still the text it was posted on."""

    key: str
    rule: str = ""
    path: str = ""
    start_line: int | None = None
    end_line: int | None = None
    same_code: bool = False

    def covers(self, f: FindingView) -> bool:
        """Whether `f` is this comment's finding: its key, or a model finding said again (its rule, on
        lines that overlap these, whose code has not changed since)."""
        if marker_key(f.key) == self.key:
            return True
        if not (self.rule and self.same_code) or self.end_line is None:
            return False
        if not _said_by_models(f) or f.start_line is None:
            return False
        start = self.start_line or self.end_line
        return (
            _same_rule(_marker_rule(f), self.rule)
            and f.path == self.path
            and f.start_line <= self.end_line
            and start <= (f.end or f.start_line)
        )


def _same_rule(a: str, b: str) -> bool:
    """One stage's rules of one kind of issue (`review/bug` and `review/correctness`)."""
    if a == b:
        return True
    stage_a, _, kind_a = a.partition("/")
    stage_b, _, kind_b = b.partition("/")
    if stage_a != stage_b or not kind_a or not kind_b:
        return False
    # The consensus (and rapidfuzz with it) loads only where a model finding is said again: most posts
    # hold none.
    from gate.review.consensus import same_kind

    return same_kind(kind_a, kind_b)


def commented(
    comments: list[PostedComment], origin: Origin = GATE, diff: Diff | None = None
) -> list[Commented]:
    """The findings `comments` (already known to be this account's) commented: one per comment, from
    the marker on its first line, where `comment_body` writes it. The rest of a comment quotes the
    finding's title, body and suggestion, words a model or the PR chose, which could spell a marker.
    `diff` is the PR's diff now: the text of each comment's lines is read from it."""
    pattern = re.compile(
        rf"<!-- {re.escape(origin.finding_marker)}={_MARKER_KEY}{_MARKER_RULE}{_MARKER_LINES} -->"
    )
    out = []
    for c in comments:
        outdated = c.line is None
        start, end = (c.original_start_line, c.original_line) if outdated else (c.start_line, c.line)
        m = pattern.fullmatch(c.body.lstrip().partition("\n")[0].rstrip("\r"))
        if m is None:
            continue
        # A marker without the hash (or lines the diff no longer shows) cannot tell: the comment holds
        # back its own key only.
        posted_on = m.group(3) or ""
        same = bool(posted_on) and end is not None and posted_on == _text_key(diff, c.path, start or end, end)
        out.append(Commented(m.group(1), m.group(2) or "", c.path, start, end, same))
    return out


def _text_key(diff: Diff | None, path: str, start: int, end: int) -> str:
    """The hash (`findings.lines_key`) of lines start..end of `path` as the diff shows them on the head;
    "" unless one hunk shows them all. A review comment's lines are always in one hunk of the diff."""
    change = diff.by_path.get(path) if diff is not None else None
    hunk = change.hunk_at(start) if change is not None else None
    if hunk is None or end < start or end > hunk.new_end:
        return ""
    text = {line.new_no: line.text for line in hunk.lines if line.new_no is not None}
    if any(n not in text for n in range(start, end + 1)):
        return ""
    return lines_key(text[n] for n in range(start, end + 1))


@dataclass(frozen=True)
class _Said:
    """A model finding of the report, as `same_issue` reads one."""

    path: str
    start_line: int
    end_line: int
    category: str
    title: str
    body: str


def _one_defect(a: FindingView, b: FindingView) -> bool:
    """Two model findings on overlapping lines of one file that the consensus keeps apart only for their
    categories: one thing said twice. Findings it could have grouped and did not are two issues."""
    if not (_said_by_models(a) and _said_by_models(b)) or a.path != b.path:
        return False
    if a.path is None or a.start_line is None or b.start_line is None:
        return False
    end_a, end_b = a.end or a.start_line, b.end or b.start_line
    if a.start_line > end_b or b.start_line > end_a:
        return False
    from gate.review.consensus import same_issue  # as in `_same_rule`: only for two model findings

    first = _Said(a.path, a.start_line, end_a, a.category, a.title, a.body)
    second = _Said(a.path, b.start_line, end_b, b.category, b.title, b.body)
    return same_issue(first, second, categories=False) and not same_issue(first, second)


def marker_key(key: str) -> str:
    """A finding's key as its comment's marker holds it, and as a later run compares it with the markers
    it reads: the key itself when the marker can hold it, else a hash of it (a key of other characters,
    or a longer one, would otherwise be written as one key and compared as another, and its comment
    posted again on every run)."""
    if re.fullmatch(_MARKER_KEY, key):
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _said_by_models(f: FindingView) -> bool:
    return bool(f.raised_by or f.confirmed_by)


def _marker_rule(f: FindingView) -> str:
    return re.sub(r"[^A-Za-z0-9_.:/-]", "", f.rule or f.category)[:RULE_MAX_CHARS]


def comment_body(f: FindingView, origin: Origin = GATE, diff: Diff | None = None) -> str:
    """The comment on `f`'s lines. Its first line is the marker a later run reads: the finding's key,
    and for a model finding its rule and the hash of the text of its lines (from `diff`, the PR's)."""
    key = marker_key(f.key)
    rule = _marker_rule(f) if _said_by_models(f) else ""
    text = ""
    if rule and f.path is not None and f.start_line is not None:
        text = _text_key(diff, f.path, f.start_line, f.end or f.start_line)
    parts = [
        FINGERPRINT_MARKER.format(
            tag=origin.finding_marker,
            key=key,
            rule=f" rule={rule}" if rule else "",
            lines=f" lines={text}" if text else "",
        )
    ]
    if origin.published:
        parts += [PUBLISHED_LINE, ""]
    # One line, its code spans as written and the rest unmarked: a title's `**` would close the bold
    # written around it. Cut with a plain `…`, as every title shown on a line of the gate's text is.
    title = inline(f"[{f.severity}] {f.title}", max_chars=TITLE_MAX_CHARS)
    parts.append(f"**{'🚫 ' if f.blocking else ''}{title}** ({sanitize(f.stage, STAGE_MAX_CHARS)})")
    if f.body:
        parts.append("")
        parts.append(markdown(f.body, BODY_MAX_CHARS))
    if f.suggestion is not None:
        parts.append("")
        if origin.published:
            parts.append(SUGGESTION_LEFT_OUT)
        elif f.suggested_by:
            # fewer models than the quorum gave this change: theirs to read, not a confirmed fix to apply
            parts.append(f"Suggested by {_names(f.suggested_by)} (not confirmed):")
            parts.append(code_block(f.suggestion, SUGGESTION_MAX_CHARS))
        else:
            parts.append(suggestion_block(f.suggestion, SUGGESTION_MAX_CHARS))
    # Several models raised it, each in its own words: the title and body are one model's.
    worded = f"; worded by {_names([f.worded_by])}" if f.worded_by else ""
    if f.confirmed and f.confirmed_by:
        parts.append("")
        parts.append(f"Confirmed by: {_names(f.confirmed_by)}{worded}")
    elif f.raised_by or f.confirmed_by:
        # `post.unconfirmed: inline`: said for what it is
        parts.append("")
        raised = f.raised_by or f.confirmed_by
        line = f"Not confirmed: raised by {_names(raised)}"
        if f.refused_by:
            line += f"; refused by {_names(f.refused_by)}"
        parts.append(line + worded)
    return cut_redacted("\n".join(parts), limits.COMMENT_BODY_MAX_CHARS, marker="")


def _names(models: Sequence[str]) -> str:
    return sanitize(", ".join(models), MODEL_NAMES_MAX_CHARS)


def review_comment(f: FindingView, origin: Origin = GATE, diff: Diff | None = None) -> dict[str, Any]:
    assert f.path is not None and f.start_line is not None
    end = max(f.start_line, f.end or f.start_line)
    body = comment_body(f, origin, diff)
    out: dict[str, Any] = {"path": f.path, "line": end, "side": "RIGHT", "body": body}
    if end > f.start_line:
        out["start_line"] = f.start_line
        out["start_side"] = "RIGHT"
    return out


def post_review(client: GitHubClient, ctx: PostContext) -> str:
    # Confirmed and deterministic findings only (the report's `inline`, from `post.unconfirmed`).
    commentable = [f for f in ctx.view.findings if f.posts_inline and ctx.is_commentable(f)]
    if not commentable:
        return "no finding on a changed line"
    if ctx.identity is None:
        raise GitHubError(
            "the review was not posted: cannot tell which account the token posts as, so the comments "
            "of earlier runs cannot be told apart"
        )
    mine = [c for c in client.review_comments(ctx.number) if c.user_login == ctx.identity]
    earlier = commented(mine, ctx.origin, ctx.diff)
    fresh: list[FindingView] = []
    shown: list[FindingView] = []  # commented now or on an earlier run
    keys: set[str] = set()
    for f in commentable:
        if f.key in keys or any(_one_defect(g, f) for g in shown):
            continue
        keys.add(f.key)
        shown.append(f)
        if not any(c.covers(f) for c in earlier):
            fresh.append(f)
    if not fresh:
        return f"no new inline comments ({len(earlier)} already posted)"
    room = max(0, MAX_INLINE_COMMENTS - len(earlier))
    left_out = len(fresh) - room
    if room == 0:
        return (
            f"no new inline comments: {len(earlier)} already posted, the most a PR gets; {left_out} more "
            "are only in the check run and the summary comment"
        )
    fresh = fresh[:room]
    plural = "s" if len(fresh) != 1 else ""
    body = f"**{ctx.origin.check_name}**: {len(fresh)} new finding{plural} on changed lines."
    if left_out > 0:
        body += (
            f" {left_out} more are only in the check run and the summary comment: the gate leaves at most "
            f"{MAX_INLINE_COMMENTS} inline comments on a PR."
        )
    review: dict[str, Any] = {
        "commit_id": ctx.head_sha,
        "event": "COMMENT",
        "body": body,
        "comments": [review_comment(f, ctx.origin, ctx.diff) for f in fresh],
    }
    try:
        client.create_review(ctx.number, review)
    except GitHubUnprocessable:
        # The diff GitHub holds may differ from ours (a push raced the run): keep the comments that
        # are certain, single lines that are added lines, and try once more.
        certain = [_single_line(f) for f in fresh if _on_added_line(ctx, f)]
        if not certain:
            raise
        review["comments"] = [review_comment(f, ctx.origin, ctx.diff) for f in certain]
        client.create_review(ctx.number, review)
        return (
            f"review with {len(certain)} inline comment(s) on added lines ({len(fresh) - len(certain)} "
            f"left out: GitHub refused their lines); {len(earlier)} already posted"
        )
    return f"review with {len(fresh)} inline comment(s); {len(earlier)} already posted"


def _on_added_line(ctx: PostContext, f: FindingView) -> bool:
    """Whether the last line of `f` is a line the PR adds, as far as the diff says (without one, the
    findings' own `commentable` is all there is to go by)."""
    line = f.end or f.start_line
    if ctx.diff is None or f.path is None:
        return f.commentable
    change = ctx.diff.by_path.get(f.path)
    return change is not None and any(added.new_no == line for added in change.added)


def _single_line(f: FindingView) -> FindingView:
    line = f.end or f.start_line
    return f.model_copy(update={"start_line": line, "end_line": line, "suggestion": None})
