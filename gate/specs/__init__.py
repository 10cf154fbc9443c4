"""Spec documents kept in the repository, and which code each governs.

`load_specs(ctx)` reads them once a run (at the head revision, within bounds) into a `SpecSet`;
`SpecSet.governing(paths)` gives the specs that govern some of `paths`, and `SpecSet.context_for(paths)`
the spec text a prompt about those paths carries. See docs/specs.md.
"""

from gate.specs.front_matter import read_front_matter
from gate.specs.load import load_specs, read_specs
from gate.specs.model import MAX_CHUNK_SPEC_CHARS, MAX_GENERAL_SPEC_CHARS, Spec, SpecContext, SpecSet

__all__ = [
    "MAX_CHUNK_SPEC_CHARS",
    "MAX_GENERAL_SPEC_CHARS",
    "Spec",
    "SpecContext",
    "SpecSet",
    "load_specs",
    "read_front_matter",
    "read_specs",
]
