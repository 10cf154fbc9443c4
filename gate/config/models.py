"""The configuration of SPEC 3 as strict pydantic models: unknown keys and wrong types are errors."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    HttpUrl,
    Tag,
    field_validator,
    model_validator,
)

from gate.findings import Severity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathRule(_Strict):
    path: str = Field(description="Glob of files the rules apply to, e.g. 'src/payments/**'.")
    rules: str = Field(description="Contract the change must keep in those files, given to reviewers.")


DEFAULT_IGNORE = ("**/*.lock", "**/package-lock.json", "**/vendor/**", "**/dist/**", "**/*.min.js")


class Paths(_Strict):
    ignore: tuple[str, ...] = Field(
        default=DEFAULT_IGNORE, description="Globs of files left out of the gate."
    )
    instructions: tuple[PathRule, ...] = Field(default=(), description="Per-path review rules.")

    @property
    def ignore_defaults(self) -> tuple[str, ...]:
        """The patterns of `ignore` that are the gate's own defaults, whether the config leaves `ignore`
        out or writes them (the README's config block does): a file only they match is the gate's guess,
        not the user's choice, and a check may still read it where a tool the project runs would read
        it (`gate.context.ignore`). A pattern the user adds is theirs, honoured as written."""
        return tuple(pattern for pattern in self.ignore if pattern in DEFAULT_IGNORE)


class AIIdentity(_Strict):
    name: str | None = None
    email: str | None = None
    login: str | None = None
    tool: str = Field(default="unknown-ai", description="Tool id reported for commits that match.")


class Provenance(_Strict):
    ai_identities: tuple[AIIdentity, ...] = Field(default=(), description="Extra identities counted as AI.")
    ai_labels: tuple[str, ...] = Field(
        default=("ai-generated",), description="PR labels marking the PR as AI."
    )


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Count = Annotated[int, Field(ge=0)]


class ReviewThresholds(_Strict):
    ai_share: Share = 0.30
    ai_lines: Count = 200
    changed_lines: Count = 1000


class RegenThresholds(_Strict):
    ai_share: Share = 0.50
    ai_lines: Count = 50


class SpecThresholds(_Strict):
    """When the `spec` stage checks the change against its intent (any one met), like review."""

    ai_share: Share = 0.30
    ai_lines: Count = 200
    changed_lines: Count = 1000


class ShareOf(enum.Enum):
    CODE = "code"
    ALL = "all"


class Thresholds(_Strict):
    review: ReviewThresholds = ReviewThresholds()
    regen: RegenThresholds = RegenThresholds()
    spec: SpecThresholds = SpecThresholds()
    share_of: ShareOf = Field(
        default=ShareOf.CODE,
        description="Lines the ai_share thresholds are computed over: 'code' (files that are not "
        "documentation, so prose padding cannot dilute the share; every added line when a change has "
        "no code) or 'all' added lines. ai_lines counts every AI line either way.",
    )


class Endpoint(_Strict):
    api_base: HttpUrl | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    max_input_tokens: Annotated[int, Field(ge=2_048, le=100_000_000)] | None = Field(
        default=None,
        description="The model's context window in tokens, where litellm's model map does not know it (a "
        "self-hosted or proxied model; else 32,000 is assumed) or knows it wrong. Prompts are cut to fit it.",
    )


# Bounds catch a typo (an extra zero, a unit mix-up) before a run waits an hour on it.
Seconds = Annotated[float, Field(gt=0.0, le=3600.0, allow_inf_nan=False)]


class Models(_Strict):
    review: tuple[str, ...] = Field(default=(), description="litellm model names; empty = auto.")
    regen: tuple[str, ...] = Field(default=(), description="litellm model names; empty = the review models.")
    endpoints: dict[str, Endpoint] = Field(default_factory=dict, description="Per-model endpoint settings.")
    # How the calls are made (overridable by AI_GATE_MODEL_* environment variables, see gate.config.env).
    concurrency: Annotated[int, Field(ge=1, le=256)] = Field(
        default=16, description="Calls in flight at once per model."
    )
    timeout_seconds: Seconds = Field(default=120.0, description="Timeout of one call attempt.")
    backoff_seconds: Annotated[float, Field(gt=0.0, le=60.0, allow_inf_nan=False)] = Field(
        default=1.0, description="First wait before retrying a 429, 5xx or timeout (then doubling)."
    )
    grace_seconds: Seconds = Field(
        default=15.0,
        description="Least time a round waits for its slowest model once the others have answered.",
    )
    max_output_tokens: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=8192,
        description="Longest answer a call may get (sent as max_tokens); its cost is reserved from the "
        "budget before the call starts.",
    )

    @model_validator(mode="after")
    def _windows_hold_the_answer(self) -> Models:
        """A declared context window must hold the answer each call asks for, and a prompt beside it."""
        for name, endpoint in self.endpoints.items():
            window = endpoint.max_input_tokens
            if window is not None and window <= self.max_output_tokens:
                raise ValueError(
                    f"endpoints.{name}.max_input_tokens ({window}) leaves no room for a prompt beside the "
                    f"answer each call asks for (max_output_tokens: {self.max_output_tokens}); lower "
                    "max_output_tokens for this model's window"
                )
        return self


# What a quorum of 1 not written in the config counts as: one model never blocks alone.
DEFAULT_QUORUM = 2


class Review(_Strict):
    quorum: Annotated[int, Field(ge=1)] = DEFAULT_QUORUM
    cross_check: bool = True

    def required_quorum(self) -> int:
        """Distinct models a model finding needs to be confirmed: `quorum`, never capped to the number of
        models at hand (fewer models than that means advisory findings, not a lower bar). One model
        blocks alone only when the config says `review.quorum: 1` itself."""
        if self.quorum < DEFAULT_QUORUM and "quorum" not in self.model_fields_set:
            return DEFAULT_QUORUM
        return self.quorum


class Regen(_Strict):
    samples: Annotated[int, Field(ge=2, le=20)] = 5
    temperature: Annotated[float, Field(ge=0.0, le=2.0)] = 0.8
    max_hunks: Annotated[int, Field(ge=0)] = 8
    min_stability: Share = 0.35
    blocking: bool = False


RegistryKey = Literal["pypi", "npm", "go", "crates"]


def _default_registries() -> dict[RegistryKey, HttpUrl]:
    return {
        "pypi": HttpUrl("https://pypi.org"),
        "npm": HttpUrl("https://registry.npmjs.org"),
        # The Go module proxy protocol (GOPROXY) and the Cargo sparse index protocol.
        "go": HttpUrl("https://proxy.golang.org"),
        "crates": HttpUrl("https://index.crates.io"),
    }


class Dependencies(_Strict):
    registries: dict[RegistryKey, HttpUrl] = Field(
        default_factory=_default_registries,
        description="Registry base URLs by ecosystem; one left out keeps its default.",
    )
    min_age_days: Count = 30

    @field_validator("registries", mode="after")
    @classmethod
    def _keep_defaults(cls, value: dict[RegistryKey, HttpUrl]) -> dict[RegistryKey, HttpUrl]:
        # Naming a PyPI mirror must not switch off the Go or crates.io lookups.
        return {**_default_registries(), **value}


class Budget(_Strict):
    max_cost_usd: Annotated[float, Field(ge=0.0)] = 2.00
    max_seconds: Annotated[float, Field(gt=0.0)] = Field(
        default=600,
        description="The run's time, from its start: no model call starts past it, and a deterministic "
        "check still at work then is stopped and fails (gate.on_stage_error), never passes.",
    )
    unpriced_usd_per_million_tokens: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = Field(
        default=None,
        description="Price (input and output) of a model not in litellm's cost map; unset = the highest "
        "price among the run's priced models, and a model is refused when none is priced.",
    )


class UnconfirmedPlace(enum.Enum):
    """Where model findings that no quorum confirmed are shown. Inline review comments carry confirmed
    and deterministic findings; `inline` adds the unconfirmed ones there too, `none` keeps them to the
    JSON report."""

    SUMMARY = "summary"
    INLINE = "inline"
    NONE = "none"


class Post(_Strict):
    unconfirmed: UnconfirmedPlace = Field(
        default=UnconfirmedPlace.SUMMARY,
        description="Where unconfirmed model findings go: summary (listed, refused ones as disputed), "
        "inline (also as review comments), none (the JSON report only).",
    )


class OnModelError(enum.Enum):
    FAIL = "fail"
    PASS = "pass"
    NEUTRAL = "neutral"


class OnStageError(enum.Enum):
    """What a stage that broke (a defect or a hostile input) does to the verdict: its checks are missing."""

    FAIL = "fail"
    NEUTRAL = "neutral"


class GatePolicy(_Strict):
    fail_on: Severity = Severity.HIGH
    on_model_error: OnModelError = OnModelError.NEUTRAL
    on_stage_error: OnStageError = Field(
        default=OnStageError.FAIL,
        description="Verdict when a stage itself breaks: fail (default; what was not checked does not "
        "pass) or neutral.",
    )
    run_on_drafts: bool = Field(
        default=False, description="Gate draft pull requests too (the Action skips them)."
    )


# --- spec documents -------------------------------------------------------------------------------


class SpecDocument(_Strict):
    """A spec entry in map form: which documents, and the code they govern (see docs/specs.md)."""

    path: str = Field(
        description="Glob of spec documents (a plain path names one), e.g. 'docs/specs/payments.md'."
    )
    governs: tuple[str, ...] = Field(
        default=(),
        description="Globs of the code these documents govern, e.g. 'src/payments/**'; added to any "
        "`governs` the document's own front matter declares.",
    )

    @field_validator("path")
    @classmethod
    def _path_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty glob")
        return value

    @field_validator("governs")
    @classmethod
    def _globs_not_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not g.strip() for g in value):
            raise ValueError("empty glob")
        return value


def _spec_entry_kind(value: object) -> str:
    return "map" if isinstance(value, dict | SpecDocument) else "glob"


# A glob, or a {path, governs} map: told apart by shape, so an error names the map's own key.
SpecEntry = Annotated[
    Annotated[str, Tag("glob")] | Annotated[SpecDocument, Tag("map")],
    Discriminator(_spec_entry_kind),
]


class Config(_Strict):
    version: Literal[1] = 1
    paths: Paths = Paths()
    specs: tuple[SpecEntry, ...] = Field(
        default=(),
        description="Spec documents: globs, or {path, governs} entries naming the code each governs. "
        "Reviewers see the specs that govern the code they review.",
    )
    provenance: Provenance = Provenance()
    thresholds: Thresholds = Thresholds()
    models: Models = Models()
    review: Review = Review()
    regen: Regen = Regen()
    dependencies: Dependencies = Dependencies()
    budget: Budget = Budget()
    post: Post = Post()
    gate: GatePolicy = GatePolicy()

    @field_validator("specs")
    @classmethod
    def _no_empty_globs(cls, value: tuple[SpecEntry, ...]) -> tuple[SpecEntry, ...]:
        if any(isinstance(g, str) and not g.strip() for g in value):
            raise ValueError("empty glob")
        return value
