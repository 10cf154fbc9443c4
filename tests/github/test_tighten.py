"""The stricter-of-two rule behind "action inputs may only tighten the base branch's config"."""

from __future__ import annotations

from gate.config.models import Config
from gate.findings import Severity
from gate.github.tighten import POLICY, _get, only_tighten, tighten, tighten_fail_on

# Named in the table for the builds that have them; absent here.
NOT_IN_THIS_BUILD: set[str] = set()

LOOSE = {
    "gate": {
        "fail_on": "critical",
        "on_model_error": "pass",
        "on_stage_error": "neutral",
        "run_on_drafts": False,
    },
    "thresholds": {
        "review": {"ai_share": 0.9, "ai_lines": 5000, "changed_lines": 90000},
        "regen": {"ai_share": 1.0, "ai_lines": 900},
        "spec": {"ai_share": 0.9, "ai_lines": 5000, "changed_lines": 90000},
        "share_of": "all",
    },
    "review": {"quorum": 3, "cross_check": False},
    "regen": {"blocking": False, "max_hunks": 1},
    "dependencies": {"min_age_days": 0},
    "budget": {"max_cost_usd": 0.01, "max_seconds": 5, "unpriced_usd_per_million_tokens": 0.0},
    "models": {
        "concurrency": 1,
        "timeout_seconds": 1,
        "backoff_seconds": 60,
        "grace_seconds": 0.1,
        "max_output_tokens": 1,
    },
    "paths": {"ignore": ["**/*.lock", "src/**"]},
    "provenance": {"ai_labels": []},
}
STRICT = {
    "gate": {"fail_on": "low", "on_model_error": "fail", "run_on_drafts": True},
    "thresholds": {"review": {"ai_share": 0.0, "ai_lines": 0, "changed_lines": 0}},
    "review": {"quorum": 1},
    "regen": {"blocking": True, "max_hunks": 20},
    "dependencies": {"min_age_days": 90},
    "budget": {"max_cost_usd": 10, "max_seconds": 1200},
    "models": {"timeout_seconds": 600, "grace_seconds": 60},
    "paths": {"ignore": ["**/*.lock"]},
    "provenance": {"ai_labels": ["ai-generated", "bot"]},
}


def test_every_policy_setting_names_a_config_field() -> None:
    for path, _ in POLICY:
        if path in NOT_IN_THIS_BUILD:
            continue
        _get(Config(), path)  # raises AttributeError on a misspelt path


def test_every_looser_setting_is_kept_at_the_floor_and_named() -> None:
    floor = Config()
    held = tighten(floor, Config.model_validate(LOOSE), "input 'config: lax.yml'")
    for path, _ in POLICY:
        if path not in NOT_IN_THIS_BUILD:
            assert _get(held.config, path) == _get(floor, path) or path == "paths.ignore", path
    assert held.config.paths.ignore == ("**/*.lock",)  # only what both ignore
    (note,) = held.notes
    assert note.startswith("input 'config: lax.yml' would loosen the base branch's config")
    assert "gate.fail_on: critical -> high" in note and "review.quorum: 3 -> 2" in note
    assert "budget.max_cost_usd: 0.01 -> 2.0" in note
    assert "gate.on_stage_error: neutral -> fail" in note and "thresholds.share_of: all -> code" in note
    assert "models.max_output_tokens: 1 -> 8192" in note and "models.timeout_seconds: 1.0 -> 120.0" in note
    assert "budget.unpriced_usd_per_million_tokens: 0.0 -> None" in note

    assert "thresholds.spec.ai_lines: 5000 -> 200" in note


def test_a_stricter_file_is_taken_as_it_is() -> None:
    strict = Config.model_validate(STRICT)
    held = tighten(Config(), strict, "input 'config: strict.yml'")
    assert held.config == strict and held.notes == ()


def test_fail_on_only_goes_down() -> None:
    config = Config()
    assert tighten_fail_on(config, Severity.LOW).config.gate.fail_on is Severity.LOW
    assert tighten_fail_on(config, Severity.HIGH) == tighten_fail_on(config, None)
    refused = tighten_fail_on(config, Severity.CRITICAL)
    assert refused.config.gate.fail_on is Severity.HIGH and "refused" in refused.notes[0]


def test_call_settings_that_cut_both_ways_keep_the_floor() -> None:
    """More calls in flight, another first backoff or a larger answer limit is no stricter than less: each
    can leave code unreviewed (rate limits, the time budget spent waiting, the cost budget held per call)."""
    floor = Config()
    bolder = Config.model_validate(
        {"models": {"concurrency": 64, "backoff_seconds": 0.1, "max_output_tokens": 100_000}}
    )
    held = tighten(floor, bolder, "input 'config: fast.yml'")
    assert held.config.models == floor.models
    (note,) = held.notes
    assert "models.concurrency: 64 -> 16" in note and "models.max_output_tokens: 100000 -> 8192" in note


def test_an_assumed_price_for_unpriced_models_may_only_go_up() -> None:
    def held(floor: float | None, wanted: float | None) -> float | None:
        budget = {"budget": {"unpriced_usd_per_million_tokens": floor}}
        candidate = {"budget": {"unpriced_usd_per_million_tokens": wanted}}
        config = tighten(Config.model_validate(budget), Config.model_validate(candidate), "input").config
        return config.budget.unpriced_usd_per_million_tokens

    assert held(5.0, 9.0) == 9.0
    assert held(5.0, 1.0) == 5.0
    # unset is priced at run time (the highest price among the run's priced models): not comparable
    assert held(5.0, None) == 5.0 and held(None, 9.0) is None


def test_an_ignore_list_may_not_drop_the_floors_exceptions() -> None:
    """Every pattern of `**/vendor/**` alone is in the floor's list, but the floor's `!` exception is what
    keeps `vendor/keep/` in the gate: dropping it ignores more, so the floor's exceptions stay."""
    from gate.context.ignore import ignore_spec

    floor = Config.model_validate({"paths": {"ignore": ["**/vendor/**", "!**/vendor/keep/**"]}})
    wanted = Config.model_validate({"paths": {"ignore": ["**/vendor/**", "!**/vendor/tests/**"]}})
    held = tighten(floor, wanted, "input 'config: vendor.yml'")
    assert held.config.paths.ignore == ("**/vendor/**", "!**/vendor/tests/**", "!**/vendor/keep/**")
    assert "paths.ignore" in held.notes[0]
    spec = ignore_spec(held.config.paths.ignore)
    assert not spec.match_file("lib/vendor/keep/core.py") and not spec.match_file("lib/vendor/tests/t.py")
    assert spec.match_file("lib/vendor/other.py")
    assert tighten(floor, floor, "input").notes == ()


def test_a_file_the_pr_could_have_written_gives_only_its_stricter_policy_settings() -> None:
    """Registries, models and their endpoints have no stricter side: from such a file they are the
    floor's, and each one refused is named."""
    floor = Config.model_validate({"dependencies": {"registries": {"pypi": "https://pypi.example/"}}})
    wanted = Config.model_validate(
        {
            "gate": {"fail_on": "medium"},
            "budget": {"max_cost_usd": 0.01},
            "dependencies": {"registries": {"pypi": "https://evil.example/"}},
            "models": {
                "review": ["openai/gpt-4o"],
                "endpoints": {"openai/gpt-4o": {"api_base": "https://x/"}},
            },
            "post": {"unconfirmed": "none"},
        }
    )
    held = only_tighten(floor, wanted, "input 'config: /tmp/x.yml'")
    expected = floor.model_copy(update={"gate": floor.gate.model_copy(update={"fail_on": Severity.MEDIUM})})
    assert held.config == expected
    loosened, outside = held.notes
    assert "budget.max_cost_usd: 0.01 -> 2.0" in loosened
    assert outside.startswith("input 'config: /tmp/x.yml' is a file outside the repository")
    assert "models.review, models.endpoints, dependencies.registries, post.unconfirmed" in outside
    assert only_tighten(floor, floor, "input").notes == ()
