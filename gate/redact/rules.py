"""The secret detector's rules, built once: detect-secrets' plugins (split into those that are a list of
regexes and those with their own analysis), its keywords with the config names, the key formats, and
what the prefilter and the candidate pass read of each (`gate.redact.prefilter`, `gate.redact.runs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gate.once import once
from gate.redact.facts import RuleFacts, fingerprint, load
from gate.redact.formats import KEY_FORMATS
from gate.redact.prefilter import Prefilter, exact_literals, required_literals, starts_with_literal
from gate.redact.runs import needs_long_run, within_runs

# The entropy plugins are noise on code; a public address is not a credential (it is neither reported
# nor hidden, so a reviewer sees the `0.0.0.0` a change binds to), and its plugin would take a keyword's
# value from the keyword rule: `password = 1.2.3.4` is a password.
SKIPPED_PLUGINS = {"Hex High Entropy String", "Base64 High Entropy String", "Public IP (ipv4)"}


@dataclass(frozen=True)
class RuleFinder:
    """How the candidate pass finds the lines where one detect-secrets regex can match: in the long
    runs of token characters alone, by literals one of which every match holds (then the regex on the
    lines that hold one), on the lines that hold a long run, or, when none of these is known, by the
    regex over the whole text."""

    pattern: re.Pattern[str]  # the rule's regex, its `^` and `$` at each line's edges
    in_runs: bool
    literals: tuple[str, ...] | None
    folded: bool  # the literals are to be found in the folded text (a case-insensitive rule)
    # Every match holds a long run of token characters (`gate.redact.runs.needs_long_run`), in any text
    # or in ASCII text: the regex is then searched on the lines that hold a long run only.
    needs_run: bool
    needs_run_in_ascii: bool


@dataclass(frozen=True)
class Detectors:
    regex_plugins: tuple[object, ...]  # detect-secrets plugins that are a list of regexes
    other_plugins: tuple[tuple[object, re.Pattern[str]], ...]  # plugins with their own analysis, gated
    keywords: re.Pattern[str]  # KeywordDetector's words and the config names below, lower-cased text
    # The keywords that need nothing around them (all but `auth(?!or)`): a text that holds one holds a
    # match of `keywords`, wherever it stands. None when one of them reads around itself.
    plain_keywords: re.Pattern[str] | None
    # Every regex of the regex plugins with its plugin's kind, in the plugins' order: the rules that
    # `prefilter` numbers first, then the other plugins' gates, then the key formats.
    regex_rules: tuple[tuple[str, re.Pattern[str]], ...]
    prefilter: Prefilter
    # A few short strings one of which every match of `keywords` holds (`key`, `pass`, ...), when they
    # cover its every string; a line holding one is then matched with `keywords` itself.
    keyword_cover: tuple[str, ...] | None
    # For each key format, literals one of which every match holds and whether they are found in the
    # folded text (`gate.redact.prefilter.required_literals`), or None.
    format_needs: tuple[tuple[tuple[str, ...], bool] | None, ...]
    # For each key format that does not open with a fixed character, literals one of which it needs.
    format_literals: tuple[tuple[str, ...] | None, ...]
    # The same, lower-cased, to be found in the folded text: a keyword's short string where every
    # literal holds one (`Password=` holds `pass`: the keyword pass has found those lines already), and
    # one search for the spellings of one word (`Bearer`, `bearer`, `BEARER`).
    format_folded: tuple[tuple[str, ...] | None, ...]
    # For each case-insensitive key format, the lower-cased literals one of which it needs, when few: a
    # line the folded literals above lead to is matched only if its folded text holds one of these
    # (`token=` where the keyword pass found `token`).
    format_folded_on_line: tuple[tuple[str, ...] | None, ...]
    # For each key format, whether it matches only inside a long run of token characters
    # (`gate.redact.runs.within_runs`): it is then searched in those runs alone.
    in_runs: tuple[bool, ...]
    keyword_plugin: object | None  # detect-secrets' KeywordDetector, among `other_plugins`
    # For the regexes of `regex_rules`, how the candidate pass finds where each can match.
    rule_finders: tuple[RuleFinder, ...]


# Substrings of the keywords (and config names) that every one of them holds: eight passes over a change
# instead of one for each of three dozen spellings; `detector_rules` checks that they cover every spelling.
KEYWORD_COVER = ("key", "pass", "pwd", "secret", "token", "auth", "credential", "contrase")

# Config syntax (`.env`, INI, properties, YAML, TOML, JSON): `NAME = value`, `NAME: value`, `"name":
# "value"`, where the name says it holds a credential. detect-secrets' keyword list has no `token`,
# `credential` or `access_key`; this rule reads those, in config files only. `auth` but not `author`
# (`Co-authored-by: x[bot] <…>` in a commit message, `author: jdoe` in a chart): a name is no secret.
_CONFIG_WORDS = r"token|secret|passw(?:or)?d|pwd|api[_-]?key|access[_-]?key|private[_-]?key|credential"
CONFIG_NAMES = _CONFIG_WORDS + r"|auth(?!or)"


@dataclass(frozen=True)
class _Plugins:
    """detect-secrets' plugins and the patterns the rules are built from."""

    keywords: re.Pattern[str]
    plain_keywords: re.Pattern[str]
    regex_plugins: tuple[object, ...]
    other: tuple[tuple[object, re.Pattern[str]], ...]
    regex_rules: tuple[tuple[str, re.Pattern[str]], ...]

    @property
    def gated(self) -> list[re.Pattern[str]]:
        """The patterns the prefilter numbers, in its order."""
        return [regex for _, regex in self.regex_rules] + [gate for _, gate in self.other] + FORMAT_PATTERNS

    @property
    def analysed(self) -> list[re.Pattern[str]]:
        """Every pattern the facts are of."""
        return [*self.gated, self.keywords, self.plain_keywords]


FORMAT_PATTERNS = [fmt.pattern for fmt in KEY_FORMATS]


@once  # detect-secrets' plugins, imported and built once per process
def detector_rules() -> Detectors:
    plugins = _plugins()
    try:
        facts = load(fingerprint(plugins.analysed))
    except OSError:  # the analysing modules' source is not installed: nothing says whose facts they are
        facts = None
    built = _from_facts(plugins, facts) if facts is not None else None
    return built if built is not None else _detectors(plugins, _analyse(plugins))


def analysed() -> tuple[str, RuleFacts]:
    """The fingerprint of the detector's patterns and their facts, analysed now (`gate.redact.keep_facts`)."""
    plugins = _plugins()
    return fingerprint(plugins.analysed), _analyse(plugins)


def _plugins() -> _Plugins:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import DENYLIST

    keywords = re.compile("|".join((*DENYLIST, CONFIG_NAMES)))
    plain_keywords = re.compile("|".join((*DENYLIST, _CONFIG_WORDS)))
    gates = {
        "KeywordDetector": re.compile("|".join(DENYLIST), re.IGNORECASE),
    }
    regex_plugins: list[object] = []
    other: list[tuple[object, re.Pattern[str]]] = []
    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    for name, cls in mapping.items():
        if name in SKIPPED_PLUGINS:
            continue
        plugin: object = cls()
        plugin_name = type(plugin).__name__
        if plugin_name in gates or not getattr(plugin, "denylist", None):
            other.append((plugin, gates.get(plugin_name, re.compile(""))))
        else:
            regex_plugins.append(plugin)
    regex_rules = tuple(
        (str(getattr(plugin, "secret_type", type(plugin).__name__)), regex)
        for plugin in regex_plugins
        for regex in getattr(plugin, "denylist", ())
    )
    return _Plugins(keywords, plain_keywords, tuple(regex_plugins), tuple(other), regex_rules)


def _analyse(plugins: _Plugins) -> RuleFacts:
    prefilter = Prefilter.of(plugins.gated)
    # Every match holds one of these (`auth(?!or)` matches `auth`): what the cover needs. Not
    # `exact_literals`, which knows no set for a pattern that reads around its match.
    keyword_strings = required_literals(plugins.keywords)
    covered = keyword_strings is not None and all(
        any(part in string for part in KEYWORD_COVER) for string in keyword_strings[0]
    )
    needs = [required_literals(pattern) for pattern in FORMAT_PATTERNS]
    return RuleFacts(
        tuple(sorted(prefilter.always)),
        prefilter.exact,
        prefilter.folded,
        covered,
        exact_literals(plugins.plain_keywords) is not None,
        tuple(None if need is None else (tuple(sorted(need[0])), need[1]) for need in needs),
        tuple(_format_literals(pattern) for pattern in FORMAT_PATTERNS),
        tuple(_folded_literals(pattern) for pattern in FORMAT_PATTERNS),
        tuple(_folded_on_line(pattern) for pattern in FORMAT_PATTERNS),
        tuple(within_runs(pattern) for pattern in FORMAT_PATTERNS),
        tuple(_finder_facts(regex) for _, regex in plugins.regex_rules),
    )


def _from_facts(plugins: _Plugins, facts: RuleFacts) -> Detectors | None:
    """The rules built from kept facts; None when the facts lack an answer for a rule, number a rule the
    detector does not have, or are of another shape than `save` writes (the patterns are then read
    again). A file of these patterns, as `save` wrote it, never is."""
    per_format = (facts.format_needs, facts.format_literals, facts.format_folded, facts.format_folded_on_line)
    rules = range(len(plugins.gated))
    try:
        numbered = [*facts.always, *(rule for _, found in (*facts.exact, *facts.folded) for rule in found)]
        if any(len(answers) != len(FORMAT_PATTERNS) for answers in (*per_format, facts.in_runs)) or not all(
            rule in rules for rule in numbered
        ):
            return None
        return _detectors(plugins, facts)  # a finder too many or too few, or of another arity, raises
    except (TypeError, ValueError):
        return None


def _detectors(plugins: _Plugins, facts: RuleFacts) -> Detectors:
    finders = tuple(
        RuleFinder(re.compile(regex.pattern, regex.flags | re.MULTILINE), *answers)
        for (_, regex), answers in zip(plugins.regex_rules, facts.finders, strict=True)
    )
    return Detectors(
        plugins.regex_plugins,
        plugins.other,
        plugins.keywords,
        plugins.plain_keywords if facts.plain_keywords_exact else None,
        plugins.regex_rules,
        Prefilter.from_tables(facts.always, facts.exact, facts.folded),
        KEYWORD_COVER if facts.keyword_covered else None,
        facts.format_needs,
        facts.format_literals,
        facts.format_folded,
        facts.format_folded_on_line,
        facts.in_runs,
        next((plugin for plugin, _ in plugins.other if type(plugin).__name__ == "KeywordDetector"), None),
        finders,
    )


def _finder_facts(regex: re.Pattern[str]) -> tuple[bool, tuple[str, ...] | None, bool, bool, bool]:
    """How the candidate pass finds where `regex` can match (`RuleFinder`, less the pattern)."""
    need = required_literals(regex)
    literals = tuple(sorted(need[0])) if need is not None else None
    folded = need is not None and need[1]
    if folded and literals is not None:
        # Case-insensitive literals that each hold a keyword's short string (`secret_access_key` holds
        # `key`) are found by those strings, which the keyword pass finds anyway: one pass, not sixteen.
        cover = [next((part for part in KEYWORD_COVER if part in literal), None) for literal in literals]
        if all(cover):
            literals = tuple(sorted({part for part in cover if part}))
    in_runs = within_runs(regex)
    # Read only where the candidate pass would search the whole text otherwise: each reading parses
    # the pattern again, and a small change's run is mostly this set-up.
    bare = not in_runs and literals is None
    return (
        in_runs,
        literals,
        folded,
        bare and needs_long_run(regex, ascii_text=False),
        bare and needs_long_run(regex, ascii_text=True),
    )


def _format_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals one of which every match of the pattern holds, for a pattern the regex engine cannot
    find by its first character (`(?:sk|rk)_live_...|whsec_...`): finding them is several times faster
    than the search."""
    if starts_with_literal(pattern):
        return None
    need = required_literals(pattern)
    if need is None or need[1] or len(need[0]) > _MAX_FORMAT_LITERALS:
        return None
    return tuple(sorted(need[0]))


def _folded_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """`_format_literals` for the folded text: lower-cased, and a keyword's short string in place of
    literals that each hold one."""
    if starts_with_literal(pattern):
        return None
    need = required_literals(pattern)
    if need is None:
        return None
    lowered = sorted({literal.lower() for literal in need[0]})
    cover = [next((part for part in KEYWORD_COVER if part in literal), None) for literal in lowered]
    if all(cover):
        return tuple(sorted({part for part in cover if part}))
    return tuple(lowered) if len(lowered) <= _MAX_FORMAT_LITERALS else None


def _folded_on_line(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """For a case-insensitive pattern, its own lower-cased literals, when few and more telling than the
    keyword strings `_folded_literals` gives for it; None otherwise."""
    need = required_literals(pattern)
    if need is None or not need[1] or len(need[0]) > _MAX_FORMAT_LITERALS:
        return None
    literals = tuple(sorted(need[0]))
    return None if literals == _folded_literals(pattern) else literals


# Past this many literals, their passes together cost more than the one search (GitLab's dozen prefixes).
_MAX_FORMAT_LITERALS = 6
