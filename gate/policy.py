"""The one place where the verdict is decided: thresholds, quorum, severity and model-error policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gate.analyzers.injection.agent_files import instructs_agents
from gate.analyzers.source import GATE_PYTHON, LFS_POINTER, NOT_PARSED
from gate.config.models import Config, OnModelError, OnStageError, UnconfirmedPlace
from gate.context.links import LINK_SKIPPED, judged_here
from gate.context.model import COULD_NOT_READ, TOO_LARGE, ChangeSet, unread_files
from gate.diff.model import FileStatus
from gate.findings import Finding, Severity
from gate.provenance.model import ProvenanceResult
from gate.run import MODEL_STAGES, StageResult
from gate.wording import first_of

BLOCKING_NAMED = 5  # blocking findings named in the verdict's reason; the rest are counted


@dataclass(frozen=True)
class Decision:
    verdict: str
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...]


def escalations(
    prov: ProvenanceResult, changeset: ChangeSet, config: Config
) -> Mapping[str, tuple[bool, str]]:
    """Which model stages the thresholds call for, and why or why not, in words for the report."""
    changed = changeset.diff.changed_count
    out: dict[str, tuple[bool, str]] = {}
    share_of = config.thresholds.share_of.value
    share = prov.threshold_share(share_of)
    what = "AI share of code lines" if share_of == "code" and prov.code_added_lines else "AI share"
    # Lines whose commit could not be read count as possibly AI, and the words say so.
    ai_lines, lines_what = prov.threshold_ai_lines, "AI-authored lines"
    if prov.unknown_lines:
        unknown = prov.code_unknown_lines if what == "AI share of code lines" else prov.unknown_lines
        what += f" (with {unknown} of unknown origin)"
        lines_what += f" (with {prov.unknown_lines} of unknown origin)"
    rv = config.thresholds.review
    met = _met(
        [
            (what, share, rv.ai_share, f"{share:.0%}", f"{rv.ai_share:.0%}"),
            (lines_what, ai_lines, rv.ai_lines, str(ai_lines), str(rv.ai_lines)),
            ("changed lines", changed, rv.changed_lines, str(changed), str(rv.changed_lines)),
        ]
    )
    out["review"] = met
    sp = config.thresholds.spec
    out["spec"] = _met(
        [
            (what, share, sp.ai_share, f"{share:.0%}", f"{sp.ai_share:.0%}"),
            (lines_what, ai_lines, sp.ai_lines, str(ai_lines), str(sp.ai_lines)),
            ("changed lines", changed, sp.changed_lines, str(changed), str(sp.changed_lines)),
        ]
    )
    rg = config.thresholds.regen
    out["regen"] = _met(
        [
            (what, share, rg.ai_share, f"{share:.0%}", f"{rg.ai_share:.0%}"),
            (lines_what, ai_lines, rg.ai_lines, str(ai_lines), str(rg.ai_lines)),
        ],
        # Re-generation needs lines known to be AI's: the review and spec checks cover the unknown.
        needs_ai=prov.ai_lines > 0,
    )
    return out


def _met(checks: list[tuple[str, float, float, str, str]], needs_ai: bool = True) -> tuple[bool, str]:
    hits = [
        f"{name} {shown} >= {limit}"
        for name, value, threshold, shown, limit in checks
        if (threshold > 0 and value >= threshold) or (threshold == 0 and value > 0)
    ]
    if hits and needs_ai:
        return True, "threshold met: " + "; ".join(hits)
    if hits:
        return False, "no AI-authored lines to re-generate"
    below = "; ".join(f"{name} {shown} < {limit}" for name, _, _, shown, limit in checks)
    return False, "below thresholds: " + below


def decide(results: Sequence[StageResult], changeset: ChangeSet, config: Config) -> Decision:
    """Mark findings commentable and blocking, then decide pass, fail or neutral, with reasons."""
    fail_on = config.gate.fail_on
    marked = sorted(_marked(results, changeset, config), key=_finding_order)
    blocked = [f for f in marked if f.blocking]
    if blocked:
        return Decision("fail", (_blocking_reason(blocked, fail_on),), tuple(marked))
    verdicts, reasons = _not_checked(results, config)
    unread = list(changeset.unread)
    unread.extend(_binary_unread(changeset))
    unread.extend(_left_unread(results, changeset))
    if unread:
        reasons.append(f"not read: {'; '.join(unread)}; the verdict is neutral")
        verdicts.append("neutral")
    if verdicts:
        strictest = min(verdicts, key=("fail", "neutral", "pass").index)
        return Decision(strictest, tuple(reasons), tuple(marked))
    unconfirmed = sum(
        1 for f in marked if not f.deterministic and not f.blocking and f.severity.at_least(fail_on)
    )
    reasons.append(f"no confirmed finding at or above '{fail_on.value}'")
    reasons.extend(_not_run(results))
    if unconfirmed:
        reasons.append(
            f"{unconfirmed} finding{'s' if unconfirmed != 1 else ''} at or above '{fail_on.value}' "
            "not confirmed by a quorum of models or advisory; reported, not blocking"
        )
    return Decision("pass", tuple(reasons), tuple(marked))


def _marked(results: Sequence[StageResult], changeset: ChangeSet, config: Config) -> list[Finding]:
    """Every finding marked commentable, confirmed, advisory, blocking and inline."""
    marked: list[Finding] = []
    for result in results:
        # A stage may ask more than the config (a recorded run's own quorum), never less.
        quorum = max(result.quorum, config.review.required_quorum())
        for f in result.findings:
            loc = f.location
            # A finding in a file `paths.ignore` left out (a stage that reads those: a secret in
            # vendored code) is on the PR's diff all the same: it is commented and annotated there.
            commentable = loc is not None and changeset.diff.is_commentable(
                loc.path, loc.start_line, loc.end_line, ignored=True
            )
            confirmed = f.deterministic or len(set(f.confirmed_by)) >= quorum
            advisory = f.advisory or (f.stage == "regen" and not config.regen.blocking)
            blocking = confirmed and not advisory and f.severity.at_least(config.gate.fail_on)
            # Noise stays out of the diff: what no quorum confirmed is inline only when asked for.
            inline = commentable and (confirmed or config.post.unconfirmed is UnconfirmedPlace.INLINE)
            marked.append(
                f.with_(
                    commentable=commentable,
                    blocking=blocking,
                    advisory=advisory,
                    confirmed=confirmed,
                    inline=inline,
                )
            )
    return marked


def _finding_order(f: Finding) -> tuple[bool, int, str, int, str]:
    """Blocking first, then by severity, place and title."""
    return (
        not f.blocking,
        -f.severity.rank,
        f.location.path if f.location else "",
        (f.location.start_line or 0) if f.location else 0,
        f.title,
    )


def _blocking_reason(blocked: Sequence[Finding], fail_on: Severity) -> str:
    return (
        f"{len(blocked)} confirmed finding{'s' if len(blocked) != 1 else ''} at or above "
        f"'{fail_on.value}': " + first_of([_short(f) for f in blocked], BLOCKING_NAMED, "; ")
    )


def _not_checked(results: Sequence[StageResult], config: Config) -> tuple[list[str], list[str]]:
    """The verdicts and reasons for what was not checked.

    A stage that broke follows gate.on_stage_error, a model stage that could not finish follows
    gate.on_model_error; with both, the stricter verdict stands and both are said."""
    verdicts: list[str] = []
    reasons: list[str] = []
    broken = [r for r in results if r.error]
    if broken:
        on_error = config.gate.on_stage_error
        what = "; ".join(f"{r.stage}: {r.error}" for r in broken)
        reasons.append(
            f"a stage failed and its checks are missing ({what}); gate.on_stage_error is '{on_error.value}'"
        )
        verdicts.append({OnStageError.FAIL: "fail", OnStageError.NEUTRAL: "neutral"}[on_error])
    model_errors = [r for r in results if r.model_error]
    if model_errors:
        policy = config.gate.on_model_error
        what = "; ".join(f"{r.stage}: {r.model_error}" for r in model_errors)
        reasons.append(
            f"a required model stage could not finish ({what}); gate.on_model_error is '{policy.value}'"
        )
        verdicts.append(
            {OnModelError.FAIL: "fail", OnModelError.PASS: "pass", OnModelError.NEUTRAL: "neutral"}[policy]
        )
    # A stage that ran but could not check part of the change (a registry it could not reach) names what
    # it left out in `not_checked`: that is no pass.
    unchecked = [r for r in results if r.not_checked]
    if unchecked:
        what = "; ".join(f"{r.stage}: {', '.join(r.not_checked)}" for r in unchecked)
        reasons.append(f"not checked: {what}; the verdict is neutral")
        verdicts.append("neutral")
    return verdicts, reasons


def _not_run(results: Sequence[StageResult]) -> list[str]:
    """A pass says which deterministic checks it does not include: a stage skipped for its own reason
    (`--offline` skips the registry lookups) leaves the verdict as it is, and is named. Model stages
    skip below their thresholds on every small change; their reports say why."""
    return [
        f"not run: {r.stage} ({r.skipped_reason or 'skipped'}); its checks are not part of this pass"
        for r in results
        if not r.ran and not r.error and r.stage not in MODEL_STAGES
    ]


def _binary_unread(changeset: ChangeSet) -> list[str]:
    """The files git calls binary that may be text a tool reads, in `ChangeSet.unread`'s words: by their
    names, source code and scripts (`hidden_sources`), then the manifests the dependencies analyzer reads
    and the instructions AI tools read; by their content, where the source read it, text and bytes of no
    binary format the gate knows (`Diff.maybe_text`). An image, an archive or a font is none of these:
    a gap in the coverage only."""
    hidden = changeset.hidden_sources
    out = [unread_files(hidden, "named as source code, configuration or keys but not text")] if hidden else []
    said = {*hidden, *changeset.refused}
    binary = [
        c.path
        for c in changeset.diff.files
        if c.is_binary and c.status is not FileStatus.DELETED and c.path not in said
    ]
    if not binary:
        return out
    # The manifest parsers (and `packaging` with them) load only for a change that has a binary file.
    from gate.analyzers.dependencies.manifests import parser_for

    named = [path for path in binary if parser_for(path) is not None or instructs_agents(path)]
    if named:
        out.append(unread_files(named, "named as manifests or instructions to AI tools but not text"))
    maybe_text = set(changeset.diff.maybe_text)
    if by_content := [path for path in binary if path in maybe_text and path not in named]:
        out.append(
            unread_files(
                by_content, "git calls binary whose content is text or of no binary format the gate knows"
            )
        )
    return out


def _left_unread(results: Sequence[StageResult], changeset: ChangeSet) -> list[str]:
    """The files of the change an analyzer meant to read and did not (`StageResult.skipped_files`), in
    `ChangeSet.unread`'s words: a head past the size limit, text holding a NUL byte, Python that does not
    parse (or a Git LFS pointer in its place), or a symbolic link not judged by where it leads. A file
    git calls binary is left to `_binary_unread`, which says it when it may be text; and the files
    paths.ignore leaves out are the user's choice, not the gate's omission (they are not in `by_path`).
    A file its source could not give (`COULD_NOT_READ`) counts wherever it is, in the change or not: a
    module a changed file imports, read as absent, would let a call to a name it lacks pass. So does one
    too large to read (`TOO_LARGE`) that the change does not touch, in words of its own: what it
    defines is unknown, and a name imported from it that it lacks would pass unchecked."""
    by_path = changeset.diff.by_path
    ignored = set(changeset.diff.ignored_paths)
    not_given: dict[str, None] = {}
    read_too_large: dict[str, None] = {}
    too_large: dict[str, None] = {}  # dicts as ordered sets: each file named once, in the stages' order
    not_text: dict[str, None] = {}
    not_parsed: dict[str, None] = {}
    lfs_pointers: dict[str, None] = {}
    links: dict[str, None] = {}
    for result in results:
        for skipped in result.skipped_files:
            if skipped.why in COULD_NOT_READ:
                not_given.setdefault(skipped.path, None)
                continue
            change = by_path.get(skipped.path)
            if change is None and skipped.why == TOO_LARGE and skipped.path not in ignored:
                read_too_large.setdefault(skipped.path, None)
                continue
            if change is None or change.is_binary:
                continue
            if skipped.why == LINK_SKIPPED:
                # A link judged by where it leads (`gate.context.links`) is read there when it leads to
                # what its name says, and already among the change's unread parts when not; another is
                # a file an analyzer meant to read and did not.
                if not judged_here(skipped.path):
                    links.setdefault(skipped.path, None)
                continue
            if skipped.why == NOT_PARSED:
                not_parsed.setdefault(skipped.path, None)
            elif skipped.why == LFS_POINTER:
                lfs_pointers.setdefault(skipped.path, None)
            else:
                (too_large if "limit" in skipped.why else not_text).setdefault(skipped.path, None)
    out: list[str] = []
    if not_given:
        out.append(
            unread_files(list(not_given), "held at base or head that git or the GitHub API could not read")
        )
    if too_large:
        out.append(unread_files(list(too_large), "over the analyzers' size limit"))
    if read_too_large:
        out.append(unread_files(list(read_too_large), "read by the change but over the size limit"))
    if not_text:
        out.append(unread_files(list(not_text), "the analyzers left unread (not text)"))
    if not_parsed:
        out.append(unread_files(list(not_parsed), f"Python {GATE_PYTHON} (the gate's) cannot parse"))
    if lfs_pointers:
        out.append(
            unread_files(list(lfs_pointers), "kept in Git LFS (the commit holds a pointer, not the code)")
        )
    if links:
        out.append(unread_files(list(links), "the analyzers left unread (symbolic links they do not follow)"))
    return out


def _short(f: Finding) -> str:
    where = ""
    if f.location:
        where = f" ({f.location.path}" + (f":{f.location.start_line}" if f.location.start_line else "") + ")"
    return f"[{f.stage}] {f.title}{where}"
