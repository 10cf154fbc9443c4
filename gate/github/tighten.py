"""Action inputs may only make the base branch's config stricter, never looser.

On `pull_request` the workflow file, and so every `with:` input, is the PR's own copy: an input that
could loosen the gate would let a PR pass its own gate. The base branch's `.github/ai-gate.yml` (or the
defaults) is the floor. The `fail-on` input may lower the severity threshold, never raise it; a
`config` input naming another file on the base branch is read, and each policy setting in it that is
looser than the floor is kept at the floor's value. A file outside the repository, which the PR's own
workflow may have written, gives only its stricter policy settings; every other setting stays the
floor's. Every refusal is said in the run's notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from gate.config.models import Config
from gate.findings import Severity

Stricter = Callable[[Any, Any], Any]


def _lower(a: Any, b: Any) -> Any:
    return min(a, b)


def _higher(a: Any, b: Any) -> Any:
    return max(a, b)


def _either(a: Any, b: Any) -> Any:
    return a or b


def _severity(a: Severity, b: Severity) -> Severity:
    """The lower threshold: a finding of lower severity fails the gate."""
    return a if a.rank <= b.rank else b


def _first_of(order: Sequence[str]) -> Stricter:
    """The value earlier in `order` (strictest first); one this table does not know counts as loosest."""

    def rank(value: Any) -> int:
        plain = _plain(value)
        return order.index(plain) if plain in order else len(order)

    def stricter(a: Any, b: Any) -> Any:
        return a if rank(a) <= rank(b) else b

    return stricter


def _floor(wanted: Any, floor: Any) -> Any:
    """The floor's value: a setting where neither direction is safely stricter."""
    return floor


def _priced_higher(wanted: float | None, floor: float | None) -> float | None:
    """Of two assumed prices for unpriced models, the higher: a lower one lets the real spend pass the
    budget the floor allows. Unset (the highest price among the run's priced models, known only at run
    time) cannot be compared with a number, so either side unset keeps the floor's value."""
    if wanted is None or floor is None:
        return floor
    return max(wanted, floor)


def _only_both(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    """Of two ignore lists, only what both ignore: a pattern the floor lacks would skip more files, and a
    `!` exception of the floor's left out would skip what it keeps in. The wanted list's own exceptions
    stay (they only keep more in), and the floor's go last, where no pattern of the list overrides them."""
    if a == b:
        return a
    exceptions = tuple(x for x in b if str(x).startswith("!"))
    kept = tuple(x for x in a if x not in exceptions and (x in b or str(x).startswith("!")))
    return (*kept, *exceptions)


def _all_of(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    """More AI evidence means more review."""
    return (*a, *(x for x in b if x not in a))


# Each policy setting and which of two values is the stricter (fails or checks more). A setting missing
# from this build's Config is skipped. Each function is called (wanted, floor).
POLICY: tuple[tuple[str, Stricter], ...] = (
    ("gate.fail_on", _severity),
    ("gate.on_model_error", _first_of(("fail", "neutral", "pass"))),
    ("gate.on_stage_error", _first_of(("fail", "neutral"))),
    ("gate.run_on_drafts", _either),
    ("thresholds.review.ai_share", _lower),
    ("thresholds.review.ai_lines", _lower),
    ("thresholds.review.changed_lines", _lower),
    ("thresholds.regen.ai_share", _lower),
    ("thresholds.regen.ai_lines", _lower),
    ("thresholds.spec.ai_share", _lower),
    ("thresholds.spec.ai_lines", _lower),
    ("thresholds.spec.changed_lines", _lower),
    # The share over code lines is the one padding with prose cannot dilute.
    ("thresholds.share_of", _first_of(("code", "all"))),
    ("review.quorum", _lower),
    ("review.cross_check", _either),
    ("regen.blocking", _either),
    ("regen.max_hunks", _higher),
    ("dependencies.min_age_days", _higher),
    ("budget.max_cost_usd", _higher),
    ("budget.max_seconds", _higher),
    ("budget.unpriced_usd_per_million_tokens", _priced_higher),
    # How model calls are made. Longer per-call timeouts and a longer wait for the slowest model only give
    # the calls more room (the whole run stays within budget.max_seconds). The others cut both ways, so
    # the floor's value stands: fewer calls in flight can run out the time budget and more can trip the
    # providers' rate limits; a longer first backoff spends the time budget on waiting and a shorter one
    # spends the retries in a burst of 429s; a smaller answer limit cuts answers off (invalid, dropped)
    # and a larger one reserves more of the cost budget per call than it holds.
    ("models.timeout_seconds", _higher),
    ("models.grace_seconds", _higher),
    ("models.concurrency", _floor),
    ("models.backoff_seconds", _floor),
    ("models.max_output_tokens", _floor),
    ("paths.ignore", _only_both),
    ("provenance.ai_labels", _all_of),
    ("provenance.ai_identities", _all_of),
)


@dataclass(frozen=True)
class Tightened:
    config: Config
    notes: tuple[str, ...]  # each input, or setting of an input's file, that was refused


def tighten(floor: Config, candidate: Config, source: str) -> Tightened:
    """`candidate` (from an input) with every policy setting looser than `floor` set back to it."""
    config = candidate
    kept: list[str] = []
    for path, stricter in POLICY:
        try:
            low, wanted = _get(floor, path), _get(candidate, path)
        except AttributeError:
            continue
        value = stricter(wanted, low)
        if value != wanted:
            config = _set(config, path, value)
            kept.append(f"{path}: {_shown(wanted)} -> {_shown(value)}")
    if not kept:
        return Tightened(candidate, ())
    note = (
        f"{source} would loosen the base branch's config; kept its stricter value for "
        + "; ".join(kept)
        + " (action inputs may only make the gate stricter)"
    )
    return Tightened(config, (note,))


def only_tighten(floor: Config, candidate: Config, source: str) -> Tightened:
    """`floor` with each policy setting of `candidate` that is stricter: for a file the PR could have
    written, where no other setting can be trusted. A setting outside the table (registries, models and
    their endpoints, specs, instructions, what is posted, how regeneration samples) has no stricter side,
    and any value of it may let a PR choose what checks it, so the floor's value stands."""
    held = tighten(floor, candidate, source)
    config = floor
    for path, _ in POLICY:
        try:
            value, low = _get(held.config, path), _get(floor, path)
        except AttributeError:
            continue
        if value != low:
            config = _set(config, path, value)
    policy = {path for path, _ in POLICY}
    ignored = [path for path in _differing(floor, candidate) if path not in policy]
    if not ignored:
        return Tightened(config, held.notes)
    note = (
        f"{source} is a file outside the repository, which the pull request could have written: kept the "
        "base branch's config for " + ", ".join(ignored) + " (from such a file only the settings that can "
        "only make the gate stricter are taken)"
    )
    return Tightened(config, (*held.notes, note))


def tighten_fail_on(config: Config, fail_on: Severity | None) -> Tightened:
    if fail_on is None:
        return Tightened(config, ())
    floor = config.gate.fail_on
    if fail_on.rank > floor.rank:
        return Tightened(
            config,
            (
                f"input 'fail-on: {fail_on.value}' refused: the base branch's gate.fail_on is "
                f"'{floor.value}', and an input may only make the gate stricter",
            ),
        )
    return Tightened(_set(config, "gate.fail_on", fail_on), ())


def _get(model: BaseModel, path: str) -> Any:
    value: Any = model
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _set(model: BaseModel, path: str, value: Any) -> Any:
    name, _, rest = path.partition(".")
    if not rest:
        return model.model_copy(update={name: value})
    return model.model_copy(update={name: _set(getattr(model, name), rest, value)})


def _differing(a: BaseModel, b: BaseModel, prefix: str = "") -> list[str]:
    """The settings (dotted paths, down to the first value that is not a section) where `b` differs from
    `a`."""
    found: list[str] = []
    for name in type(a).model_fields:
        left, right = getattr(a, name), getattr(b, name)
        if isinstance(left, BaseModel) and type(left) is type(right):
            found.extend(_differing(left, right, f"{prefix}{name}."))
        elif left != right:
            found.append(f"{prefix}{name}")
    return found


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(_plain(v)) for v in value) + "]"
    return str(_plain(value))
