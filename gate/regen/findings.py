"""What the measures of a region mean, and the findings the regen stage reports.

Thresholds (the defaults of `regen` in SPEC 3 aside):

- *unstable region*: stability < `regen.min_stability`. The models write this region differently each
  time, so the submitted code is one guess among several.
- *outlier candidate*: the re-generations form a consensus (stability >= `consensus_stability`, that is
  `max(regen.min_stability, CONSENSUS_STABILITY)`) and the submitted code is farther from its closest
  re-generation than re-generations are from each other: `1 - agreement_max > OUTLIER_SPREAD_FACTOR *
  spread` (spread = mean distance of a re-generation to its nearest other one) and more than
  `MIN_OUTLIER_DISTANCE`. A one-token change (a flipped `<`) moves similarity by only a few hundredths,
  so the test is relative to how tightly the samples agree, not an absolute cut.
- an outlier candidate becomes an *outlier* finding only when an equivalence call says the submitted
  code and the consensus re-generation (the medoid) behave differently; text similarity alone says
  "written differently", not "behaves differently". Each model of the consensus is asked (every model
  that sampled the region when the consensus holds fewer than the quorum of models), and the
  finding is confirmed by those that say the behaviour differs: one model's answer alone confirms it
  only under `review.quorum: 1`, and an "equivalent" from one model does not clear what others found.

Stability is not correctness (models repeat the same mistake), so these findings are advisory unless
`regen.blocking` is set; the policy decides, as for every other finding.
"""

from __future__ import annotations

import difflib
import enum
import textwrap
from collections.abc import Mapping, Sequence

from gate.config.models import Regen
from gate.fence import fence
from gate.findings import Confidence, Finding, Location, Severity
from gate.redact import redact
from gate.regen.sampling import Sample
from gate.regen.selection import Region
from gate.regen.similarity import Measures

STAGE = "regen"
CONSENSUS_STABILITY = 0.6
OUTLIER_SPREAD_FACTOR = 2.0
MIN_OUTLIER_DISTANCE = 0.005
CATEGORY = "non-determinism"


class Assessment(enum.Enum):
    CONSISTENT = "consistent"  # the submitted code sits with the re-generations
    UNSTABLE = "unstable"  # the re-generations disagree with each other
    OUTLIER_CANDIDATE = "outlier-candidate"  # they agree, and the submitted code is apart from them
    UNSETTLED = "unsettled"  # neither unstable nor a consensus: nothing to say


def consensus_stability(config: Regen) -> float:
    return max(config.min_stability, CONSENSUS_STABILITY)


def assess(m: Measures, config: Regen) -> Assessment:
    if m.stability < config.min_stability:
        return Assessment.UNSTABLE
    distance = 1.0 - m.agreement_max
    if distance <= max(MIN_OUTLIER_DISTANCE, OUTLIER_SPREAD_FACTOR * m.spread):
        return Assessment.CONSISTENT
    if m.stability >= consensus_stability(config):
        return Assessment.OUTLIER_CANDIDATE
    return Assessment.UNSETTLED


def consensus_models(m: Measures, samples: Sequence[Sample]) -> tuple[str, ...]:
    """The distinct models whose samples formed the consensus, in first-seen order."""
    return tuple(dict.fromkeys(samples[i].model for i in m.consensus))


def unstable_finding(region: Region, m: Measures, samples: Sequence[Sample], config: Regen) -> Finding:
    models = tuple(dict.fromkeys(s.model for s in samples))
    body = (
        f"The models' re-generations of `{region.path}` lines {region.start_line}-{region.end_line} "
        f"disagree with each other: stability {m.stability:.2f} over {len(samples)} samples from "
        f"{', '.join(models)}, below `regen.min_stability` {config.min_stability:.2f}. The submitted code "
        "is one guess among several different ones; review it with extra care, and prefer tests that pin "
        "its behaviour."
    )
    return _finding(
        region,
        m,
        samples,
        models,
        rule="unstable-region",
        severity=Severity.LOW,
        confidence=Confidence.LOW,
        title="Unstable region: re-generations of this AI-written code disagree",
        body=body,
    )


def outlier_finding(
    region: Region,
    m: Measures,
    samples: Sequence[Sample],
    differences: Mapping[str, str],
    same: Sequence[str],
    config: Regen,
) -> Finding:
    """The outlier, confirmed by the models that say its behaviour differs (`differences`: model -> how);
    `same` are the models that found the two equivalent, named in the body as a dispute."""
    models = consensus_models(m, samples)
    difference = next(iter(differences.values()), "")
    judged = f"Judged to behave differently by {', '.join(differences)}" + (
        f"; {', '.join(same)} found the two equivalent." if same else "."
    )
    consensus = samples[m.medoid].code
    submitted = redact(region.code, filename=region.path)
    regenerated = redact(reindent(consensus, like=region.code), filename=region.path)
    diff = "\n".join(
        difflib.unified_diff(
            submitted.splitlines(), regenerated.splitlines(), "submitted", "re-generated", lineterm=""
        )
    )
    body = "\n".join(
        [
            f"The submitted code behaves differently from what the models consistently write for "
            f"`{region.path}` lines {region.start_line}-{region.end_line}.",
            "",
            f"**Difference:** {redact(difference.strip()) or '(not described)'}",
            "",
            judged,
            "",
            f"The re-generations agree with each other (stability {m.stability:.2f}, {len(m.consensus)} of "
            f"{len(samples)} samples in the consensus, from {', '.join(models)}); the submitted code is "
            f"{m.agreement_max:.2f} similar to the closest one. Agreement is not correctness: the consensus "
            "can be the wrong one, so check which behaviour the change intends.",
            "",
            "<details><summary>Consensus re-generation, as a diff from the submitted code</summary>",
            "",
            fence(diff, "diff"),
            "",
            "</details>",
        ]
    )
    return _finding(
        region,
        m,
        samples,
        tuple(differences),
        rule="outlier",
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Outlier: the submitted code behaves differently from a stable re-generation",
        body=body,
    )


def _finding(
    region: Region,
    m: Measures,
    samples: Sequence[Sample],
    models: tuple[str, ...],
    *,
    rule: str,
    severity: Severity,
    confidence: Confidence,
    title: str,
    body: str,
) -> Finding:
    """A finding on the region, confirmed by `models` (never deterministic): for an unstable region the
    models whose samples show it, for an outlier those that judged its behaviour different."""
    return Finding(
        stage=STAGE,
        rule=rule,
        severity=severity,
        confidence=confidence,
        title=title,
        body=body,
        location=Location(region.path, region.start_line, region.end_line),
        category=CATEGORY,
        confirmed_by=models,
        deterministic=False,
        extra=_numbers(m, len(samples)),
    )


def reindent(code: str, *, like: str) -> str:
    """`code` dedented, then indented as `like` is (models often answer a nested region flush left)."""
    lines = [line for line in like.splitlines() if line.strip()]
    if not lines:
        return textwrap.dedent(code)
    width = min(len(line) - len(line.lstrip()) for line in lines)
    prefix = next(line[:width] for line in lines if len(line) - len(line.lstrip()) == width)
    return textwrap.indent(textwrap.dedent(code), prefix)


def _numbers(m: Measures, samples: int) -> tuple[tuple[str, str], ...]:
    return (
        ("stability", f"{m.stability:.3f}"),
        ("agreement_max", f"{m.agreement_max:.3f}"),
        ("agreement_mean", f"{m.agreement_mean:.3f}"),
        ("samples", str(samples)),
    )
