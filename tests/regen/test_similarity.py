"""The similarity measure ignores what keeps behaviour and sees every kind of change that alters it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gate.regen.lexing import LexedNames, lexed_names, names_in
from gate.regen.similarity import code_similarity, measure
from gate.regen.tokens import language_for, normalized_tokens, surroundings

ORIGINAL = '''def window(values, size, step=1):
    """Slide a window over values."""
    out = []
    # stop before the tail is shorter than the window
    for start in range(0, len(values) - size + 1, step):
        chunk = values[start:start + size]
        if chunk:
            out.append(tuple(chunk))
    return out
'''

REFORMATTED = """def window(values,
           size,
           step = 1):
    out = [ ]
    for start in range( 0, len( values ) - size + 1, step ):
        chunk = values[ start : start + size ]
        if (chunk): out.append( tuple( chunk, ) )
    return (out)
"""

RENAMED = '''def window(items, n, stride=1):
    """Different words, same code."""
    result = []
    for i in range(0, len(items) - n + 1, stride):
        piece = items[i:i + n]
        if piece:
            result.append(tuple(piece))  # keep it
    return result
'''

MUTATIONS = {
    "flipped comparison": ORIGINAL.replace("if chunk:", "if len(chunk) > size:"),
    "comparison operator": ORIGINAL.replace("len(values) - size + 1", "len(values) - size - 1"),
    "off-by-one": ORIGINAL.replace("len(values) - size + 1", "len(values) - size"),
    "swapped arguments": ORIGINAL.replace("range(0, len(values) - size + 1, step)",
                                          "range(0, step, len(values) - size + 1)"),
    "removed check": ORIGINAL.replace("        if chunk:\n            out.append", "        out.append"),
    "different attribute": ORIGINAL.replace("out.append", "out.extend"),
    "different literal": ORIGINAL.replace("step=1", "step=2"),
}  # fmt: skip


def test_formatting_comments_and_docstrings_do_not_count() -> None:
    assert code_similarity(ORIGINAL, REFORMATTED, "python") == 1.0


def test_consistent_renaming_of_locals_and_parameters_does_not_count() -> None:
    assert code_similarity(ORIGINAL, RENAMED, "python") == 1.0


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_every_behaviour_change_lowers_similarity(kind: str) -> None:
    mutated = MUTATIONS[kind]
    assert mutated != ORIGINAL
    score = code_similarity(ORIGINAL, mutated, "python")
    assert score < 1.0
    # ... also when the mutation comes reformatted and renamed
    assert code_similarity(RENAMED, mutated, "python") == score


def test_swapped_arguments_of_free_names_count_in_fragments() -> None:
    # Names the fragment does not bind are not renamed, so their order still matters.
    assert (
        code_similarity("result = combine(left, right)\n", "result = combine(right, left)\n", "python") < 1.0
    )


def test_fragments_cut_mid_statement_still_compare() -> None:
    # An indented fragment starting with "elif" neither parses nor dedents cleanly: the tokenizer path.
    a = "    elif total > limit:\n        raise ValueError(total)\n    count += 1\n"
    b = "    elif (total > limit): raise ValueError(total)\n    count += 1  # next\n"
    assert code_similarity(a, b, "python") == 1.0
    assert code_similarity(a, a.replace(">", ">="), "python") < 1.0


def test_other_languages_go_through_pygments() -> None:
    js = (
        "function f(a, b) {\n  let total = a + b; // sum\n  if (total > 10) { return total; }\n  return 0;\n}"
    )
    js_renamed = (
        "function f(a, b) {\n  let sum = a + b;\n  if (sum > 10) {\n    return sum;\n  }\n  return 0;\n}"
    )
    assert language_for("web/app.js") == "javascript"
    assert code_similarity(js, js_renamed, "javascript") == 1.0
    assert code_similarity(js, js.replace(">", ">="), "javascript") < 1.0


def test_languages() -> None:
    assert language_for("a/b.py") == "python"
    assert language_for("README.md") is None
    assert language_for("config.yaml") is None
    assert language_for("main.go") == "go"
    assert normalized_tokens("", "python") == ()


def test_measure_stability_agreement_and_consensus() -> None:
    samples = [ORIGINAL, REFORMATTED, RENAMED, MUTATIONS["removed check"]]
    m = measure(MUTATIONS["off-by-one"], samples, "python")
    assert 0.8 < m.stability < 1.0
    assert m.medoid in (0, 1, 2)
    assert set(m.consensus) >= {0, 1, 2}
    assert m.agreement_max < 1.0
    assert m.agreement_mean <= m.agreement_max
    same = measure(REFORMATTED, samples[:3], "python")
    assert same.stability == 1.0 and same.agreement_max == 1.0 and same.spread == 0.0
    with pytest.raises(ValueError):
        measure(ORIGINAL, [ORIGINAL], "python")


def test_parameters_of_other_languages_are_locals_too() -> None:
    js = "function f(a, b) {\n  let total = a + b;\n  return total - b;\n}"
    renamed = "function f(x, y) {\n  let sum = x + y;\n  return sum - y;\n}"
    assert code_similarity(js, renamed, "javascript") == 1.0
    assert code_similarity(js, js.replace("total - b", "b - total"), "javascript") < 1.0
    go = "func add(a, b int) int {\n\tsum := a + b\n\treturn sum - b\n}"
    assert (
        code_similarity(go, go.replace("sum", "s").replace("(a, b", "(p, b").replace("a +", "p +"), "go")
        == 1.0
    )


def test_statement_ends_with_or_without_semicolons_compare_equal() -> None:
    semi = 'let total = a + b;\nif (total > 10) {\n  return total;\n}\nconsole.log("x" + total);\n'
    bare = "let total = a + b\nif (total > 10) {\n  return total\n}\nconsole.log('x' + total)\n"
    assert code_similarity(semi, bare, "javascript") == 1.0


def test_python_fragments_cut_inside_brackets_are_balanced_before_tokenizing() -> None:
    # Starts inside a call opened above the region and ends inside one it opens: `tokenize` alone refuses.
    cut = "        DeprecationWarning,\n    )\n    found: list[str] = []\n    result = combine(left,\n"
    renamed = (
        "        DeprecationWarning,\n    )\n    seen: list[str] = []  # none yet\n    out = combine(left,\n"
    )
    assert code_similarity(cut, renamed, "python") == 1.0
    assert code_similarity(cut, cut.replace("(left,", "(right,"), "python") < 1.0


def test_comment_lines_at_the_margin_do_not_change_a_fragment() -> None:
    body = "    if ready:\n        start()\n    return done\n"
    assert code_similarity(body, "# first\n" + body + "# last\n", "python") == 1.0


def test_a_shared_signature_is_not_agreement_on_the_region() -> None:
    header = "def pick(items, key):\n"
    bodies = [
        "    return max(items, key=key)\n",
        "    best = None\n    for item in items:\n        if best is None or key(item) > key(best):\n"
        "            best = item\n    return best\n",
        "    ordered = sorted(items, key=key)\n    return ordered[-1] if ordered else None\n",
    ]
    versions = [header + body for body in bodies]
    pairs = [(versions[0], versions[1]), (versions[0], versions[2]), (versions[1], versions[2])]
    with_header = sum(code_similarity(a, b, "python") for a, b in pairs) / len(pairs)
    m = measure(versions[0], versions, "python")
    assert m.stability < 0.35 < with_header


def test_preprocessor_directives_and_attributes_are_code_not_comments() -> None:
    c = "#define MAX_LEN 256\n#define CHECK_BOUNDS 1\nstatic char buf[MAX_LEN];\n"
    assert code_similarity(c, c.replace("CHECK_BOUNDS 1", "CHECK_BOUNDS 0"), "c") < 1.0
    assert code_similarity(c, c.replace("#define MAX_LEN", "#  define MAX_LEN"), "c") == 1.0
    assert code_similarity(c, "/* sizes */\n" + c.replace("256", "256 // bytes"), "c") == 1.0
    guarded = "#if 0\ncheck_bounds(buf, len);\n#endif\ncopy(buf, len);\n"
    assert code_similarity(guarded, "check_bounds(buf, len);\ncopy(buf, len);\n", "c") < 1.0
    rust = (
        "fn apply(update: &Update, key: &Key) {\n    key.verify(&update.payload)?;\n    install(update)\n}\n"
    )
    gated = rust.replace("    key.verify", "    #[cfg(test)]\n    key.verify")
    assert code_similarity(rust, gated, "rust") < 1.0
    assert code_similarity(gated, gated.replace("cfg(test)", "cfg(not(test))"), "rust") < 1.0
    assert code_similarity(rust, rust.replace("{\n", "{\n    // verify first\n", 1), "rust") == 1.0


def test_a_name_the_code_around_reads_is_not_renamed() -> None:
    region = "    if doc.locked:\n        allowed = False\n"
    misspelt = region.replace("allowed", "alowed")
    reads_it = surroundings(
        region,
        lambda: "def can_delete(user, doc):\n    allowed = user.is_admin\n    return allowed",
        "python",
    )
    assert code_similarity(region, misspelt, "python", reads_it) < 1.0
    # A name the region alone uses is its own: naming it differently changes nothing.
    own = "    if doc.locked:\n        reason = 'locked'\n        log(reason)\n"
    assert code_similarity(own, own.replace("reason", "why"), "python", reads_it) == 1.0
    js = "  if (doc.locked) {\n    allowed = false;\n  }\n"
    js_reads = surroundings(
        js,
        lambda: "function canDelete(user, doc) {\n  let allowed = user.isAdmin;\n  return allowed;\n}",
        "javascript",
    )
    assert code_similarity(js, js.replace("allowed", "alowed"), "javascript", js_reads) < 1.0


def test_the_code_around_is_gathered_only_for_an_indented_region() -> None:
    # Gathering the code around walks the whole changed file; a top-level region's names are
    # module-level whatever it says.
    asked: list[str] = []

    def code_around() -> str:
        asked.append("code around")
        return "def can_delete(user, doc):\n    allowed = user.is_admin\n    return allowed"

    assert surroundings("allowed = False\n", code_around, "python").top_level
    assert asked == []
    around = surroundings("    allowed = False\n", code_around, "python")
    assert around.uses(frozenset({"allowed"})) == {"allowed"}
    assert asked == ["code around"]


def test_the_code_around_is_lexed_only_when_a_name_the_region_binds_is_written_in_it() -> None:
    around = surroundings(
        "    total = 0\n",
        lambda: 'def report(rows):\n    # the sum of the rows\n    label = "count"\n    return label',
        "python",
    )
    lexed_names.cache_clear()
    assert around.uses(frozenset({"total", "subtotal"})) == frozenset()
    assert lexed_names.cache_info().currsize == 0  # neither is written there: nothing to lex
    # Written only in a comment or a string is not used: the lexer tells.
    assert around.uses(frozenset({"sum", "count", "label", "rows"})) == {"label", "rows"}
    assert lexed_names.cache_info().currsize == 1
    for names in ({"rows"}, {"sum", "report"}, {"row", "return"}, set()):
        assert around.uses(frozenset(names)) == frozenset(names) & names_in(around.code, "python")


@pytest.mark.parametrize("language", ["python", "javascript", "go"])
def test_questions_that_each_read_the_code_only_so_far_get_the_answers_of_a_whole_reading(
    language: str,
) -> None:
    code = "\n".join(
        [
            "first = 1  // first",
            *(f"name_{i} = first + {i}  // 'later_{i}'" for i in range(300)),
            "last = name_299",
        ]
    )
    whole = lexed_names(code, language).used()
    assert {"first", "name_0", "name_299", "last"} <= whole
    lexed_names.cache_clear()
    asked = lexed_names(code, language)
    questions = [{"first"}, {"name_10", "first"}, {"later_5"}, {"last", "nothing"}, {"name_150"}, set()]
    for names in questions:
        assert asked.used(frozenset(names)) == frozenset(names) & whole
    assert asked.used() == whole


def test_a_reading_that_failed_part_way_answers_only_what_it_had_read() -> None:
    """The lexer stopped (a hostile text can make one raise): a question it would have to read on for
    raises again, every time, never answering from the part read as if it were the whole."""
    from pygments.token import Name, Text

    def tokens() -> Iterator[tuple[object, str]]:
        yield Name, "early"
        yield Text, " "
        raise RecursionError("the lexer gave up")

    lexed = LexedNames(tokens())
    assert lexed.used(frozenset({"early"})) == {"early"}  # found before the failure: a true answer
    for _ in range(2):
        with pytest.raises(RecursionError):
            lexed.used(frozenset({"early", "late"}))
    with pytest.raises(RecursionError):
        lexed.used()
    assert lexed.used(frozenset({"early"})) == {"early"}


def test_a_name_a_lone_carriage_return_splits_is_kept_as_the_lexer_reads_it() -> None:
    # The lexer reads a lone CR as a line end, so the name it reads is not written as such.
    region = "    `a\rb` = 1\n"
    around = surroundings(region, lambda: "f <- function() {\n  `a\rb` = 2\n  print(`a\rb`)\n}", "r")
    assert around.uses(frozenset({"`a\nb`"})) == {"`a\nb`"}
    assert code_similarity(region, region.replace("a\rb", "a\rc"), "r", around) < 1.0


def test_module_level_class_and_global_names_are_not_renamed() -> None:
    flag = "VERIFY_TLS = True\nTIMEOUT = 30\n"
    top = surroundings(flag, lambda: "", "python")
    assert top.top_level
    assert code_similarity(flag, flag.replace("VERIFY_TLS", "DEBUG_TLS"), "python", top) < 1.0
    js = (
        "const VERIFY_TLS = true;\n"
        "function connect(host) {\n  const socket = open(host, VERIFY_TLS);\n  return socket;\n}\n"
    )
    js_top = surroundings(js, lambda: "", "javascript")
    assert code_similarity(js, js.replace("VERIFY_TLS", "DEBUG_TLS"), "javascript", js_top) < 1.0
    # The locals and parameters of a function the region defines stay its own, at any level.
    assert code_similarity(js, js.replace("socket", "s").replace("host", "h"), "javascript", js_top) == 1.0
    arrow = "const handle = (req) => {\n  const user = req.user;\n  return user;\n};\n"
    renamed = arrow.replace("const user", "const u").replace("return user", "return u")
    assert code_similarity(arrow, renamed, "javascript", js_top) == 1.0
    assert code_similarity(arrow, arrow.replace("handle", "serve"), "javascript", js_top) < 1.0
    assert code_similarity(ORIGINAL, RENAMED, "python", surroundings(ORIGINAL, lambda: "", "python")) == 1.0
    nested = "    def bump():\n        global counter\n        counter += 1\n"
    assert code_similarity(nested, nested.replace("counter", "count"), "python") < 1.0
    attrs = "    class Settings:\n        verify_tls = True\n"
    assert code_similarity(attrs, attrs.replace("verify_tls", "debug_tls"), "python") < 1.0
