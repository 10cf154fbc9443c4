"""Spec context per review chunk: what the spec documents cost in every review prompt, before and after
each chunk got only the specs governing its files.

The corpus PRs (bench/corpus.py) are given a spec set of about SPEC_SET_BYTES: SPEC_COUNT documents of
equal size, each governing the files of one directory of the repository (the directories with the most
files, whether the PR touches them or not). The chunks are the review stage's own (`build_units`, `pack`,
`chunk_budget`), and the spec text of each chunk's prompt is counted with tiktoken `o200k_base`, the
tokenizer of bench/loopback.py.

- *before*: every prompt carried every spec, in path order, up to 24,000 characters (the earlier cap;
  the rest of the set reached no prompt at all);
- *after*: `SpecSet.context_for(chunk.paths)`: the specs governing the chunk's files (plus general
  context, none here), within the same 24,000-character limit a prompt.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from bench import corpus
from bench.gate_models import REVIEW_MODELS
from bench.loopback import count_tokens
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.context.model import RevisionReader
from gate.fence import data_block
from gate.models.pricing import token_counter
from gate.models.selection import smallest_window
from gate.review.check import chunk_budget
from gate.review.prompt import Contracts, pr_text
from gate.review.units import build_units, measured_chars_per_token, pack
from gate.specs import MAX_CHUNK_SPEC_CHARS, read_specs

SIZES = (100, 1_000, 10_000)
SPEC_SET_BYTES = 50_000
SPEC_COUNT = 25
SPEC_DIR = "docs/specs"


@dataclass(frozen=True)
class WithSpecs:
    """The head revision of the corpus repository with the spec documents added beside it."""

    inner: RevisionReader
    specs: dict[str, str]

    def read(self, revision: str, path: str) -> str | None:
        if revision == "head" and path in self.specs:
            return self.specs[path]
        return self.inner.read(revision, path)

    def list_files(self, revision: str) -> tuple[str, ...]:
        extra = tuple(self.specs) if revision == "head" else ()
        return self.inner.list_files(revision) + extra

    def why_unread(self, revision: str, path: str) -> str | None:
        if revision == "head" and path in self.specs:
            return None
        return self.inner.why_unread(revision, path)

    def why_unlisted(self, revision: str) -> str | None:
        return self.inner.why_unlisted(revision)


def spec_documents(files: Sequence[str]) -> dict[str, str]:
    """About SPEC_SET_BYTES of specs, one for each of the SPEC_COUNT directories holding the most files."""
    dirs = Counter(str(PurePosixPath(p).parent) for p in files if "/" in p)
    chosen = [d for d, _ in dirs.most_common(SPEC_COUNT)]
    size = SPEC_SET_BYTES // max(1, len(chosen))
    docs = {}
    for d in chosen:
        head = f'---\ngoverns: ["{d}/*"]\n---\n# Contract of `{d}`\n\n'
        n, body = 1, ""
        while len(head) + len(body) < size:
            seed = hashlib.sha256(f"{d}{n}".encode()).hexdigest()[:16]
            body += f"{n}. Functions in `{d}` keep invariant {seed}: inputs are validated before use.\n"
            n += 1
        docs[f"{SPEC_DIR}/{d.replace('/', '-')}.md"] = (head + body)[:size]
    return docs


def before_tokens(docs: dict[str, str], contracts: Contracts) -> int:
    """The earlier rule: every spec in every prompt, in path order, within 24,000 characters in all."""
    sections, left = [], MAX_CHUNK_SPEC_CHARS
    for spec in contracts.specs.specs:  # path order, text without front matter, as sent
        if left <= 0:
            break
        text = spec.text[:left]
        left -= len(text)
        sections.append(
            data_block(text, f"Specification document `{spec.path}` (the contract the code must keep)")
        )
    return count_tokens("\n\n".join(sections))


def measure(size: int) -> dict[str, object]:
    pr = corpus.pr(size)
    changeset = load_git_changeset(pr.repo, "main", "pr")
    assert changeset.revisions is not None
    docs = spec_documents(changeset.revisions.list_files("head"))
    changeset = replace(changeset, revisions=WithSpecs(changeset.revisions, docs))
    specs = read_specs(changeset, Config(specs=(f"{SPEC_DIR}/*.md",)))
    contracts = Contracts.of(specs)
    cpt = measured_chars_per_token(changeset, token_counter(REVIEW_MODELS))
    changed = [f.path for f in changeset.diff.files]
    answer = Config().models.max_output_tokens
    window = smallest_window(REVIEW_MODELS, Config())
    budget = chunk_budget(window, contracts, pr_text(changeset), answer, cpt, changed)
    units, _ = build_units(changeset, budget, cpt)
    chunks = pack(units, budget)
    before = before_tokens(docs, contracts)
    after = []
    reached = governed_pairs = 0
    for chunk in chunks:
        context = contracts.for_chunk(chunk)
        text = "\n\n".join(
            data_block(t, f"Specification document `{s.path}` (the contract the code must keep)")
            for s, t in context.sections
        )
        after.append(count_tokens(text) if text else 0)
        governing = specs.governing(chunk.paths)
        governed_pairs += len(governing)
        reached += sum(1 for s, t in context.sections if s.governs and len(t) == len(s.text))
    old_reach = sum(
        1
        for chunk in chunks
        for s in specs.governing(chunk.paths)
        if sum(len(x.text) for x in specs.specs if x.path <= s.path) <= MAX_CHUNK_SPEC_CHARS
    )
    return {
        "pr": pr,
        "set_bytes": sum(len(t) for t in docs.values()),
        "chunks": len(chunks),
        "before": before,
        "after_mean": sum(after) / len(after) if after else 0.0,
        "after_max": max(after, default=0),
        "before_total": before * len(chunks),
        "after_total": sum(after),
        "governed_pairs": governed_pairs,
        "reached_after": reached,
        "reached_before": old_reach,
        "budget": budget,
    }


def run() -> str:
    rows = [measure(size) for size in SIZES]
    lines = [
        "## Spec context per review chunk",
        "",
        f"A spec set of about {SPEC_SET_BYTES:,} bytes (up to {SPEC_COUNT} documents of equal size, each "
        "governing the files of one of the directories with the most files) on the corpus PRs; spec tokens "
        "in each review prompt "
        "(tiktoken `o200k_base`), before (every spec in every prompt, cut at 24,000 characters) and after "
        "(the specs governing the chunk's files). *Governing specs whole in their chunk's prompt* counts the "
        "(chunk, governing spec) pairs.",
        "",
        "| PR | chunks | spec tokens a chunk, before | after: mean / max "
        "| spec tokens a run, before -> after "
        "| governing specs whole in their chunk's prompt, before -> after |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        pr = r["pr"]
        assert isinstance(pr, corpus.CorpusPR)
        pairs = r["governed_pairs"] or 0
        lines.append(
            f"| {pr.name} ({pr.changed:,} changed lines) | {r['chunks']} | {r['before']:,} | "
            f"{r['after_mean']:,.0f} / {r['after_max']:,} | {r['before_total']:,} -> {r['after_total']:,} | "
            f"{r['reached_before']} -> {r['reached_after']} of {pairs} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
