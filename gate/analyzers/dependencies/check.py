"""What the `dependencies` stage does online: collect the packages and imports a change newly needs,
look each name up once in its registry, and judge what the registries say."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from gate.analyzers.dependencies.collect import Collected, Wanted, collect
from gate.analyzers.dependencies.model import Ecosystem, Lookup, Status
from gate.analyzers.dependencies.nearmiss import NearMiss, near_miss
from gate.analyzers.dependencies.registry import lookup_all
from gate.analyzers.interface import AnalyzerMeta
from gate.analyzers.limits import RULE, could_not_analyse
from gate.analyzers.skipped import read_in_full, skipped_files
from gate.analyzers.source import NO_REVISIONS_NOTE, ChangeView
from gate.findings import Confidence, Finding, Location, Severity
from gate.run import RunContext, StageResult

# Distinct package names looked up in one run: a change that adds more is hostile or generated, and
# thousands of requests would stall the gate (and hammer the registry). The rest are reported unchecked.
MAX_LOOKUPS = 1000


def check_dependencies(meta: AnalyzerMeta, ctx: RunContext) -> StageResult:
    """The stage's work online: collect what the change newly needs, look each name up once, judge."""
    view = ChangeView(ctx.changeset)
    registries = {Ecosystem(key): str(url) for key, url in ctx.config.dependencies.registries.items()}
    found = collect(view, [registries[Ecosystem.PYPI]] if Ecosystem.PYPI in registries else [])
    findings = list(_unreadable(meta, found))
    wanted, over = _within_lookup_limit(_first_per_path(found.wanted))
    findings.extend(_not_looked_up(meta, over))
    started = time.monotonic()
    lookups = lookup_all(((w.ecosystem, name) for w in wanted for name in _names(w)), registries)
    elapsed = round(time.monotonic() - started, 3)
    by_key = {(r.ecosystem, r.name): r for r in lookups}
    min_age = ctx.config.dependencies.min_age_days
    for one in wanted:
        results = [by_key[(one.ecosystem, one.ecosystem.normalize(name))] for name in _names(one)]
        # Any name that provides the import will do; it is absent only when every one is.
        result = next((r for r in results if r.status is Status.EXISTS), None)
        result = result or next((r for r in results if r.status is Status.UNREACHABLE), results[0])
        judged = one if result is results[0] else replace(one, name=result.name, alternatives=())
        findings.extend(_judge(meta, judged, result, min_age, exact=view.has_revisions))
    unreachable = [r for r in lookups if r.status is Status.UNREACHABLE]
    skipped = skipped_files(view)
    read_as_code = read_in_full(found.read, view)
    details = {
        "manifests": found.manifests,
        "looked_up": {f"{r.ecosystem.value}:{r.name}": r.status.value for r in lookups},
        "lookup_seconds": elapsed,
        "notes": found.notes + _undated(lookups) + ([] if view.has_revisions else [NO_REVISIONS_NOTE]),
        "skipped_files": view.notes,
    }
    # Names past the bound were not looked up: as unchecked as those a registry did not answer for.
    past = (f"{len(over):,} package names past the {MAX_LOOKUPS:,} a run looks up",) if over else ()
    if past and not unreachable:
        details["not_checked"] = list(past)
        return meta.result(
            findings,
            details,
            skipped_reason=f"not looked up: {past[0]}",
            not_checked=past,
            skipped_files=skipped,
            read_as_code=read_as_code,
        )
    if unreachable:
        why = "; ".join(sorted({f"{r.ecosystem.label}: {r.error}" for r in unreachable}))
        not_checked = (*sorted({f"{r.ecosystem.label} (unreachable)" for r in unreachable}), *past)
        details["not_checked"] = list(not_checked)
        reason = f"registry unreachable ({why})"
        if len(unreachable) == len(lookups):
            return meta.result(
                findings,
                details,
                skipped_reason=reason,
                ran=False,
                not_checked=not_checked,
                skipped_files=skipped,
                read_as_code=read_as_code,
            )
        reason = f"registry unreachable for {len(unreachable)} of {len(lookups)} names ({why})"
        return meta.result(
            findings,
            details,
            skipped_reason=reason,
            not_checked=not_checked,
            skipped_files=skipped,
            read_as_code=read_as_code,
        )
    return meta.result(findings, details, skipped_files=skipped, read_as_code=read_as_code)


def _names(wanted: Wanted) -> tuple[str, ...]:
    """Every name a wanted package may be looked up by: its own, then its alternatives."""
    return (wanted.name, *wanted.alternatives)


def _undated(lookups: Iterable[Lookup]) -> list[str]:
    """A package that exists but has no date had no age check: said, not passed over in silence."""
    return [
        f"{r.ecosystem.label} gives no publication date for '{r.name}': its age was not checked"
        for r in lookups
        if r.status is Status.EXISTS and r.first_release is None
    ]


def _unreadable(meta: AnalyzerMeta, found: Collected) -> Iterable[Finding]:
    """One finding per file that could not be read (its first problem, and how many more): high for a
    manifest, since an installer reads the line the gate could not, and what it installs is unchecked."""
    by_path: dict[str, list[str]] = {}
    for path, why in found.unreadable:
        by_path.setdefault(path, []).append(why)
    manifests = set(found.manifests)
    for path, whys in by_path.items():
        more = f" (and {len(whys) - 1} more)" if len(whys) > 1 else ""
        if path in manifests:
            yield _unread_manifest(meta, path, whys[0] + more)
        else:
            yield could_not_analyse(meta, path, whys[0] + more)


def _unread_manifest(meta: AnalyzerMeta, path: str, why: str) -> Finding:
    return meta.finding(
        RULE,
        Severity.HIGH,
        Confidence.HIGH,
        f"could not analyse: {why}",
        f"The {meta.id} analyzer could not read all of the manifest {path} ({why}). An installer reads "
        "what the gate could not, so what it installs from there was not checked, and the change is no "
        "pass until the manifest reads plainly. Other files were analysed as usual.",
        Location(path),
    )


def _not_looked_up(meta: AnalyzerMeta, over: list[Wanted]) -> Iterable[Finding]:
    if over:
        why = (
            f"{len(over):,} more new package names than the {MAX_LOOKUPS:,} looked up in one run "
            f"(first not looked up: '{over[0].name}')"
        )
        yield could_not_analyse(meta, over[0].path, why)


def _judge(
    meta: AnalyzerMeta, wanted: Wanted, result: Lookup, min_age_days: int, *, exact: bool
) -> Iterable[Finding]:
    eco = wanted.ecosystem
    where = Location(wanted.path, wanted.line_no)
    shown = (
        f"'{wanted.name}'"
        if not wanted.module or wanted.module == wanted.name
        else (f"'{wanted.name}' (imported as '{wanted.module}')")
    )
    miss = near_miss(wanted.name, eco)
    hint = (
        f" Did you mean '{miss.popular}', the #{miss.rank} most downloaded {eco.label} package?"
        if miss
        else ""
    )
    if result.status is Status.ABSENT:
        answer = (
            f"nothing to install under that name ({result.detail})"
            if result.detail
            else "no package by that name (404)"
        )
        absent = _absent(meta, wanted, shown, where, hint, answer, exact=exact)
        yield absent.with_(suggestion=_suggest(wanted, miss)) if miss else absent
        return
    if result.status is Status.UNREACHABLE:
        return
    if result.first_release is not None:
        age = (datetime.now(UTC) - result.first_release).days
        dated = f"; {result.detail}" if result.detail else ""
        if age < min_age_days:
            yield meta.finding(
                "young-package",
                Severity.MEDIUM,
                Confidence.HIGH,
                f"Package '{wanted.name}' was first published {age} days ago on {eco.label}",
                f"{shown} is newly needed by this change and its first release on {eco.label} was "
                f"{result.first_release:%Y-%m-%d} ({age} days ago, under dependencies.min_age_days = "
                f"{min_age_days}){dated}. New packages are where registered hallucinated names end up; "
                f"check its source and maintainers.{hint}",
                where,
            )
    if miss is not None:
        yield meta.finding(
            "near-miss-package",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            f"Package '{wanted.name}' is one typo away from the popular '{miss.popular}'"
            if miss.distance == 1
            else f"Package '{wanted.name}' is a near miss of the popular '{miss.popular}'",
            f"{shown} exists on {eco.label}, but is {miss.distance} edit(s) from '{miss.popular}' "
            f"(#{miss.rank} by downloads). Look-alike names are a typosquatting pattern; make sure this "
            "is the package meant.",
            where,
            suggestion=_suggest(wanted, miss),
        )


def _absent(
    meta: AnalyzerMeta, wanted: Wanted, shown: str, where: Location, hint: str, answer: str, *, exact: bool
) -> Finding:
    """`answer`: what the registry has under the name ("no package by that name (404)", or nothing to
    install and why)."""
    eco = wanted.ecosystem
    title = f"Package '{wanted.name}' does not exist on {eco.label}"
    if wanted.source == "manifest":
        body = (
            f"{wanted.path} newly declares {shown}, and {eco.label} has {answer}. "
            f"An installer would fail, or install whatever someone registers under it later.{hint}"
        )
        if wanted.private_index:
            # Absent publicly is expected for a private package; still worth a look, since a public
            # package registered under the same name can win (dependency confusion).
            body += (
                f" The manifest also installs from {wanted.private_index}, where it may be a private "
                "package; if so, make sure no public package can shadow it (dependency confusion)."
            )
            return meta.finding("absent-package", Severity.MEDIUM, Confidence.LOW, title, body, where)
        return meta.finding("absent-package", Severity.HIGH, Confidence.HIGH, title, body, where)
    body = (
        f"This change imports {shown}; it is not a standard-library module, no module of the repository "
        f"and no declared dependency, and {eco.label} has {answer}.{hint}"
    )
    if wanted.alternatives:
        others = ", ".join(f"'{n}'" for n in wanted.alternatives)
        body += f" Nor has it {others}, the other distribution names the import may come from."
    severity, confidence = Severity.HIGH, Confidence.HIGH
    if wanted.guarded:
        severity, confidence = Severity.MEDIUM, Confidence.MEDIUM
        body += " The import is guarded by `except ImportError`, so the code runs without it."
    if not exact:
        severity, confidence = Severity.MEDIUM, Confidence.LOW
        body += (
            " Without the repository's file list (patch input) it may still be a module of the "
            "repository that the patch does not show."
        )
    return meta.finding("absent-package", severity, confidence, title, body, where)


def _suggest(wanted: Wanted, miss: NearMiss | None) -> str | None:
    """The manifest line with the popular name in place of the near miss (a one-click fix on GitHub)."""
    if miss is None or wanted.source != "manifest" or not wanted.line_text:
        return None
    pattern = re.compile(re.escape(wanted.name), re.IGNORECASE)
    fixed, count = pattern.subn(miss.popular, wanted.line_text, count=1)
    return fixed if count else None


def _within_lookup_limit(wanted: list[Wanted]) -> tuple[list[Wanted], list[Wanted]]:
    """The names to look up, at most MAX_LOOKUPS distinct ones, and the rest (reported, not asked)."""
    names: set[tuple[Ecosystem, str]] = set()
    within: list[Wanted] = []
    over: list[Wanted] = []
    for one in wanted:
        keys = {(one.ecosystem, one.ecosystem.normalize(name)) for name in _names(one)}
        if len(names | keys) <= MAX_LOOKUPS:
            names.update(keys)
            within.append(one)
        else:
            over.append(one)
    return within, over


def _first_per_path(wanted: Iterable[Wanted]) -> list[Wanted]:
    """One report per package per file: a name imported on ten lines is one problem, not ten."""
    seen: set[tuple[Ecosystem, str, str]] = set()
    out: list[Wanted] = []
    for w in wanted:
        key = (w.ecosystem, w.ecosystem.normalize(w.name), w.path)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out
