"""Read the spec documents the config names, at the head revision of the change.

`specs` entries are globs (`"docs/specs/*.md"`) or maps (`{path: ..., governs: [...]}`); a document's
`governs` is the union of its entries' globs (trusted: the config) and its own front matter's (data:
the change may edit it). Documents are untrusted data read within bounds: at most MAX_SPEC_DOCUMENTS
of them, each cut at MAX_DOCUMENT_CHARS, MAX_SET_CHARS in all; every limit that bites is a note. A
document's text is kept with its secrets redacted: prompts carry it, and nothing else reads it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pathspec

from gate.analyzers.source import HEAD_LISTING
from gate.config.models import Config
from gate.context.model import ChangeSet
from gate.diff.model import FileStatus
from gate.redact import MESSAGE_FILENAME, redact
from gate.schema.coverage import SkippedFile
from gate.specs.front_matter import read_front_matter
from gate.specs.model import MAX_GENERAL_SPEC_CHARS, Spec, SpecSet
from gate.wording import first_of

if TYPE_CHECKING:
    from gate.run import RunContext

MAX_SPEC_DOCUMENTS = 200
MAX_DOCUMENT_CHARS = 200_000
MAX_SET_CHARS = 2_000_000


def load_specs(ctx: RunContext) -> SpecSet:
    """The run's spec set, read once and shared by every stage that needs it."""
    with ctx.services.lock:  # read once, also by stages running side by side
        if ctx.services.specs is None:
            ctx.services.specs = read_specs(ctx.changeset, ctx.config)
        return ctx.services.specs


def read_specs(changeset: ChangeSet, config: Config) -> SpecSet:
    """The spec documents `config.specs` names, read at the change's head revision."""
    if not config.specs:
        return SpecSet()
    if changeset.revisions is None:
        return _from_patch(changeset, config)
    notes: list[str] = []
    # (entry, its path glob compiled, the globs it says the documents govern)
    entries: list[tuple[str, pathspec.PathSpec, tuple[str, ...]]] = []
    for entry in config.specs:
        glob, governs = (entry, ()) if isinstance(entry, str) else (entry.path, entry.governs)
        try:
            entries.append((glob, Spec.matcher([glob]), governs))
        except ValueError:
            notes.append(f"specs entry {glob!r} is not a valid glob: left out")
    revisions = changeset.revisions
    unread: list[SkippedFile] = []
    paths = sorted(p for p in revisions.list_files("head") if any(m.match_file(p) for _, m, _ in entries))
    not_listed = revisions.why_unlisted("head")
    if not_listed is not None:
        # No spec found is not no spec there: what the specs say is unknown, not empty.
        unread.append(SkippedFile(path=HEAD_LISTING, why=not_listed))
        notes.append(f"spec documents not found: the list of files at head was not read ({not_listed})")
    if len(paths) > MAX_SPEC_DOCUMENTS:
        notes.append(
            f"{len(paths)} spec documents match the specs globs: only the first {MAX_SPEC_DOCUMENTS} are read"
        )
        paths = paths[:MAX_SPEC_DOCUMENTS]
    specs: list[Spec] = []
    left = MAX_SET_CHARS
    for path in paths:
        text = revisions.read("head", path)
        if text is None and (why := revisions.why_unread("head", path)) is not None:
            unread.append(SkippedFile(path=path, why=why))
            notes.append(f"spec {path} was not read at the head revision ({why})")
            continue
        if text is None:
            notes.append(f"spec {path} could not be read at the head revision")
            continue
        if left <= 0:
            notes.append(
                f"spec {path} left out: spec documents are limited to {MAX_SET_CHARS} characters in all"
            )
            continue
        configured = tuple(g for _, m, globs in entries if m.match_file(path) for g in globs)
        spec, spec_notes = _spec(path, text, configured, min(left, MAX_DOCUMENT_CHARS))
        notes.extend(spec_notes)
        left -= len(spec.text)
        specs.append(spec)
    for glob, matcher, governs in entries:
        if governs and not_listed is None and not any(matcher.match_file(p) for p in paths):
            notes.append(f"specs entry {glob!r} matches no file at the head revision")
    if not specs and not notes:
        notes.append("no file matches the configured specs globs")
    general_left_out = SpecSet(tuple(specs)).general_left_out
    if general_left_out:
        names = first_of([s.path for s in general_left_out], 5)
        notes.append(
            f"spec(s) with no governs left out of review prompts ({names}): "
            f"specs that govern no path go into every prompt only while together within "
            f"{MAX_GENERAL_SPEC_CHARS} characters; declare what each governs"
        )
    return SpecSet(tuple(specs), tuple(notes), configured=True, unread=tuple(unread))


def _spec(path: str, text: str, configured: tuple[str, ...], limit: int) -> tuple[Spec, list[str]]:
    notes: list[str] = []
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    front = read_front_matter(path, text)
    notes.extend(front.notes)
    governs = tuple(dict.fromkeys([*configured, *front.governs]))
    declared = tuple(
        where for where, globs in (("config", configured), ("front matter", front.governs)) if globs
    )
    matcher: pathspec.PathSpec | None = None
    if governs:
        try:
            matcher = Spec.matcher(governs)
        except ValueError:
            # One bad glob from the document must not drop the config's: keep the ones that compile.
            good = []
            for glob in governs:
                try:
                    Spec.matcher([glob])
                    good.append(glob)
                except ValueError:
                    notes.append(f"spec {path}: governs glob {glob[:80]!r} is not a valid glob: left out")
            governs = tuple(good)
            matcher = Spec.matcher(governs) if governs else None
    body = _redacted(path, front.body)
    truncated = len(body) > limit
    if truncated:
        notes.append(f"spec {path} cut to {limit} characters")
        body = body[:limit]
    return Spec(path, governs, body, digest, truncated, declared, matcher), notes


def _redacted(path: str, text: str) -> str:
    """A document as prompts carry it (whole, and most of it no line of the change, which the run's
    learning reads), its secrets hidden before any cut: read with its own name, and as prose with
    config syntax, like a PR body (`DB_PASSWORD=...` in a Markdown code block)."""
    return redact(redact(text, filename=path), filename=MESSAGE_FILENAME)


def _from_patch(changeset: ChangeSet, config: Config) -> SpecSet:
    """A plain patch has no repository: only the spec documents it adds whole can be read (their every
    line is in the patch). `readable` stays False, so what needs the others says it could not run."""
    entries = [
        (Spec.matcher([e if isinstance(e, str) else e.path]), () if isinstance(e, str) else e.governs)
        for e in config.specs
        if _valid(e if isinstance(e, str) else e.path)
    ]
    specs: list[Spec] = []
    notes = ["spec documents not available: the change came without its repository"]
    for change in changeset.diff.files:
        if change.status is not FileStatus.ADDED or change.is_binary:
            continue
        if not any(m.match_file(change.path) for m, _ in entries) or len(specs) >= MAX_SPEC_DOCUMENTS:
            continue
        text = "".join(line.text + "\n" for line in change.added)
        configured = tuple(g for m, globs in entries if m.match_file(change.path) for g in globs)
        spec, spec_notes = _spec(change.path, text, configured, MAX_DOCUMENT_CHARS)
        notes.extend(spec_notes)
        specs.append(spec)
    if specs:
        notes[0] += f"; only the {len(specs)} spec document(s) the patch adds whole were read"
    return SpecSet(tuple(specs), tuple(notes), configured=True, readable=False)


def _valid(glob: str) -> bool:
    try:
        Spec.matcher([glob])
    except ValueError:
        return False
    return True


def read_removed_specs(
    changeset: ChangeSet, config: Config
) -> tuple[tuple[Spec, ...], tuple[SkippedFile, ...]]:
    """The spec documents the change deletes, read at the base revision (with their `governs`): a spec
    deleted along with a change to its code is what a drift check must not miss. And those of them the
    base revision holds but did not give, with why: still deleted, but what their own front matter
    governs is unknown."""
    from gate.diff.model import FileStatus as Status

    if not config.specs or changeset.revisions is None:
        return (), ()
    entries = [
        (Spec.matcher([e if isinstance(e, str) else e.path]), () if isinstance(e, str) else e.governs)
        for e in config.specs
        if _valid(e if isinstance(e, str) else e.path)
    ]
    removed: list[Spec] = []
    unread: list[SkippedFile] = []
    gone = [f.path for f in changeset.diff.files if f.status is Status.DELETED]
    gone += [f.old_path for f in changeset.diff.files if f.status is Status.RENAMED and f.old_path]
    for path in gone[:MAX_SPEC_DOCUMENTS]:
        matching = [globs for m, globs in entries if m.match_file(path)]
        if not matching or any(
            m.match_file(f.path) for f in changeset.diff.files for m, _ in entries if f.old_path == path
        ):
            continue  # not a spec, or renamed to another spec path (still a spec)
        text = changeset.revisions.read("base", path)
        if text is None and (why := changeset.revisions.why_unread("base", path)) is not None:
            unread.append(SkippedFile(path=path, why=why))
        configured = tuple(g for globs in matching for g in globs)
        removed.append(_spec(path, text or "", configured, MAX_DOCUMENT_CHARS)[0])
    return tuple(removed), tuple(unread)
