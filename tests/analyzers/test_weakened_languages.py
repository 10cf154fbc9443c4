"""weakened-tests beyond Python and JS: assertions removed and skips added in Rust (in `tests/` and in a
code file's `#[cfg(test)]` module), Go, Java, C# and Ruby test code, each through `ai-gate check` on a
real repository next to a code change, and each caught; and honest rewrites in the same languages that
are no findings.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gate.analyzers.weakened_tests.inline import rust_test_lines
from gate.analyzers.weakened_tests.lines import GO_BUILD_IGNORED, SKIP, line_marker
from tests.analyzers.test_weakened_evasions import ai_gate, make_pr, weakened

RUST_LIB = """pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

pub fn label<'a>(name: &'a str) -> &'a str {
    let _brace = '{';
    let _raw = r#"a } in a raw string"#;
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(2, 2), 4);
    }

    #[test]
    fn labels() {
        // a } in a comment
        assert_eq!(label("x"), "x");
    }
}
"""
RUST_TEST = """use calc::add;

#[test]
fn adds() {
    assert_eq!(add(2, 2), 4);
}

#[test]
fn adds_negatives() {
    let sum = add(-2, -2);
    assert_ne!(sum, 0, "negative: {}", sum);
}
"""
GO_TEST = """package calc

import "testing"

func TestAdd(t *testing.T) {
\tif got := Add(2, 2); got != 4 {
\t\tt.Errorf("Add(2, 2) = %d, want 4", got)
\t}
}
"""
JAVA_TEST = """package x;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void adds() {
        int r = Calc.add(2, 2);
        Assertions.assertEquals(4, r);
    }
}
"""
TESTNG_TEST = """package x;

import org.testng.Assert;
import org.testng.annotations.Test;

public class PriceTest {
    @Test
    public void prices() {
        Assert.assertEquals(Calc.add(1, 1), 2);
    }
}
"""
XUNIT_TEST = """using Xunit;

namespace X.Tests
{
    public class CalcTests
    {
        [Fact]
        public void Adds()
        {
            var r = Calc.Add(2, 2);
            Assert.Equal(4, r);
        }
    }
}
"""
NUNIT_TEST = """using NUnit.Framework;

namespace X.Tests
{
    public class PriceTests
    {
        [Test]
        public void Prices()
        {
            Assert.That(Calc.Add(1, 1), Is.EqualTo(2));
        }
    }
}
"""
MINITEST = """require 'minitest/autorun'
require_relative '../lib/calc'

class CalcTest < Minitest::Test
  def test_add
    r = Calc.add(2, 2)
    assert_equal 4, r
  end
end
"""
RSPEC = """require_relative '../lib/calc'

RSpec.describe Calc do
  it 'adds' do
    expect(Calc.add(2, 2)).to eq(4)
  end
end
"""
BASE = {
    "app/__init__.py": "",
    "app/calc.py": "def total(xs):\n    return sum(xs)\n",
    "Cargo.toml": '[package]\nname = "calc"\nversion = "0.1.0"\n',
    "src/lib.rs": RUST_LIB,
    "tests/calc.rs": RUST_TEST,
    "go.mod": "module x\n\ngo 1.21\n",
    "calc.go": "package calc\n\nfunc Add(a, b int) int { return a + b }\n",
    "calc_test.go": GO_TEST,
    "src/main/java/x/Calc.java": "package x;\n\npublic class Calc {\n"
    "    public static int add(int a, int b) { return a + b; }\n}\n",
    "src/test/java/x/CalcTest.java": JAVA_TEST,
    "src/test/java/x/PriceTest.java": TESTNG_TEST,
    "cs/Calc.cs": "namespace X {\n  public static class Calc {\n"
    "    public static int Add(int a, int b) => a + b;\n  }\n}\n",
    "cs/tests/CalcTests.cs": XUNIT_TEST,
    "cs/tests/PriceTests.cs": NUNIT_TEST,
    "lib/calc.rb": "module Calc\n  def self.add(a, b) = a + b\nend\n",
    "test/calc_test.rb": MINITEST,
    "spec/calc_spec.rb": RSPEC,
}


def _edit(path: str, old: str, new: str) -> dict[str, str | None]:
    text = BASE[path]
    assert old in text
    return {path: text.replace(old, new, 1)}


# name -> (files the PR changes besides the code, the finding expected: rule, severity, path)
EVASIONS: dict[str, tuple[dict[str, str | None], tuple[str, str, str]]] = {
    "rust-assert-eq-removed": (
        {
            "tests/calc.rs": RUST_TEST.replace(
                "    assert_eq!(add(2, 2), 4);\n", "    let _ = add(2, 2);\n"
            ).replace('assert_ne!(sum, 0, "negative: {}", sum);', "let _ = sum;")
        },
        ("all-assertions-removed", "high", "tests/calc.rs"),
    ),
    "rust-test-ignored": (
        _edit("tests/calc.rs", "#[test]\nfn adds() {", "#[test]\n#[ignore]\nfn adds() {"),
        ("test-skipped", "high", "tests/calc.rs"),
    ),
    "rust-inline-test-module-emptied": (
        {
            "src/lib.rs": RUST_LIB.replace("        assert_eq!(add(2, 2), 4);\n", "").replace(
                '        assert_eq!(label("x"), "x");\n', ""
            )
        },
        ("all-assertions-removed", "high", "src/lib.rs"),
    ),
    "rust-inline-test-ignored": (
        _edit(
            "src/lib.rs",
            "    #[test]\n    fn adds() {",
            '    #[test]\n    #[ignore = "flaky"]\n    fn adds() {',
        ),
        ("test-skipped", "high", "src/lib.rs"),
    ),
    "go-build-ignore-added": (
        {"calc_test.go": "//go:build ignore\n\n" + GO_TEST},
        ("test-skipped", "high", "calc_test.go"),
    ),
    "java-assertion-removed": (
        _edit("src/test/java/x/CalcTest.java", "        Assertions.assertEquals(4, r);\n", ""),
        ("all-assertions-removed", "high", "src/test/java/x/CalcTest.java"),
    ),
    "testng-test-disabled": (
        _edit("src/test/java/x/PriceTest.java", "    @Test\n", "    @Test(enabled = false)\n"),
        ("test-skipped", "high", "src/test/java/x/PriceTest.java"),
    ),
    "xunit-assertion-removed": (
        _edit("cs/tests/CalcTests.cs", "            Assert.Equal(4, r);\n", ""),
        ("all-assertions-removed", "high", "cs/tests/CalcTests.cs"),
    ),
    "xunit-fact-skipped": (
        _edit("cs/tests/CalcTests.cs", "[Fact]", '[Fact(Skip = "flaky")]'),
        ("test-skipped", "high", "cs/tests/CalcTests.cs"),
    ),
    "nunit-test-ignored": (
        _edit("cs/tests/PriceTests.cs", "[Test]", '[Test, Ignore("flaky")]'),
        ("test-skipped", "high", "cs/tests/PriceTests.cs"),
    ),
    "minitest-assertion-removed": (
        _edit("test/calc_test.rb", "    assert_equal 4, r\n", ""),
        ("all-assertions-removed", "high", "test/calc_test.rb"),
    ),
    "minitest-skip-added": (
        _edit(
            "test/calc_test.rb",
            "    r = Calc.add(2, 2)\n",
            "    skip 'flaky on CI'\n    r = Calc.add(2, 2)\n",
        ),
        ("test-skipped", "high", "test/calc_test.rb"),
    ),
    # Assertions that hold whatever runs, in place of real ones.
    "rust-assert-true-replaces-assert-eq": (
        _edit(
            "tests/calc.rs", "    assert_eq!(add(2, 2), 4);\n", "    let _ = add(2, 2);\n    assert!(true);\n"
        ),
        ("tautological-assertion", "high", "tests/calc.rs"),
    ),
    "xunit-assert-equal-of-one-value": (
        _edit("cs/tests/CalcTests.cs", "Assert.Equal(4, r);", "Assert.Equal(r, r);"),
        ("tautological-assertion", "high", "cs/tests/CalcTests.cs"),
    ),
    "minitest-assert-true": (
        _edit("test/calc_test.rb", "    assert_equal 4, r\n", "    assert true\n"),
        ("tautological-assertion", "high", "test/calc_test.rb"),
    ),
}


@pytest.mark.parametrize("name", list(EVASIONS))
def test_each_evasion_in_another_language_is_caught_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    changes, expected = EVASIONS[name]
    repo = make_pr(tmp_path / "repo", changes, base=BASE)
    code, report = ai_gate(repo.root, capsys)
    assert expected in weakened(report), weakened(report)
    assert code == 1 and report["verdict"] == "fail"


# name -> files the PR changes besides the code: tests refactored, rewritten or renamed, every check kept
HONEST: dict[str, dict[str, str | None]] = {
    "rust-test-refactored-into-a-helper": _edit(
        "tests/calc.rs",
        "#[test]\nfn adds() {\n    assert_eq!(add(2, 2), 4);\n}\n",
        'fn check(a: i32, b: i32, want: i32) {\n    assert_eq!(add(a, b), want, "{} + {}", a, b);\n}\n\n'
        "#[test]\nfn adds() {\n    for (a, b, want) in [(2, 2, 4), (0, 0, 0)] {\n        check(a, b, want);\n"
        "    }\n}\n",
    ),
    "rust-inline-tests-rewritten-and-code-asserting": {
        "src/lib.rs": RUST_LIB.replace(
            "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}",
            "pub fn add(a: i32, b: i32) -> i32 {\n    debug_assert!(a < i32::MAX);\n    a.wrapping_add(b)\n}",
        ).replace(
            "        assert_eq!(add(2, 2), 4);\n",
            '        let got = add(2, 2);\n        assert_eq!(got, 4, "add(2, 2) = {}", got);\n',
        )
    },
    "go-table-test-reshuffled": {
        "calc_test.go": 'package calc\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n'
        "\tcases := []struct {\n\t\tname       string\n\t\ta, b, want int\n\t}{\n"
        '\t\t{"zero", 0, 0, 0},\n\t\t{"two", 2, 2, 4},\n\t}\n\tfor _, tc := range cases {\n'
        "\t\tt.Run(tc.name, func(t *testing.T) {\n\t\t\tif got := Add(tc.a, tc.b); got != tc.want {\n"
        '\t\t\t\tt.Fatalf("Add(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)\n\t\t\t}\n\t\t})\n\t}\n}\n'
    },
    "go-build-line-written-over-a-plus-build-line": {
        "calc.go": "package calc\n\nfunc Add(a, b int) int { return a + b }\n",
        "calc_test.go": "// +build integration\n\n" + GO_TEST,
    },
    "go-integration-test-file-added-under-a-tag": {
        "calc_integration_test.go": "//go:build integration\n\n" + GO_TEST.replace("TestAdd", "TestAddLive"),
    },
    "junit-assertions-rewritten-to-assertj": _edit(
        "src/test/java/x/CalcTest.java",
        "        Assertions.assertEquals(4, r);\n",
        "        assertThat(r).isEqualTo(4);\n",
    )
    | {
        "src/test/java/x/PriceTest.java": TESTNG_TEST.replace(
            "Assert.assertEquals(", "Assert.assertEquals(\n            "
        )
    },
    "xunit-test-renamed-and-nunit-constraint-rewritten": _edit(
        "cs/tests/CalcTests.cs", "public void Adds()", "public void Add_TwoAndTwo_IsFour()"
    )
    | _edit(
        "cs/tests/PriceTests.cs",
        "Assert.That(Calc.Add(1, 1), Is.EqualTo(2));",
        "Assert.AreEqual(2, Calc.Add(1, 1));",
    ),
    "minitest-assertion-rewritten-and-rspec-matcher-changed": _edit(
        "test/calc_test.rb",
        "    assert_equal 4, r\n",
        "    assert_equal(4, r, 'two and two')\n    refute_nil r\n",
    )
    | _edit("spec/calc_spec.rb", "expect(Calc.add(2, 2)).to eq(4)", "expect(Calc.add(2, 2)).to be(4)"),
}


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_changes_in_other_languages_are_not_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    changes = HONEST[name]
    base = BASE
    if name == "go-build-line-written-over-a-plus-build-line":
        base = {**BASE, "calc_test.go": "// +build integration\n\n" + GO_TEST}
        changes = {"calc_test.go": "//go:build integration\n// +build integration\n\n" + GO_TEST}
    repo = make_pr(tmp_path / "repo", changes, base=base)
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0, weakened(report)


def test_skips_under_a_condition_stay_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rust's `#[cfg_attr(windows, ignore)]`, a minitest `skip ... unless`, a Go test file put under a
    build tag: medium, as a `skipif` is, and the gate passes."""
    changes = (
        _edit(
            "tests/calc.rs",
            "#[test]\nfn adds() {",
            '#[test]\n#[cfg_attr(windows, ignore = "no fork")]\nfn adds() {',
        )
        | _edit(
            "test/calc_test.rb",
            "    r = Calc.add(2, 2)\n",
            "    skip 'needs a db' unless ENV['DB']\n    r = Calc.add(2, 2)\n",
        )
        | {"calc_test.go": "//go:build integration\n\n" + GO_TEST}
    )
    repo = make_pr(tmp_path / "repo", changes, base=BASE)
    code, report = ai_gate(repo.root, capsys)
    assert sorted(weakened(report)) == [
        ("test-skipped", "medium", "calc_test.go"),
        ("test-skipped", "medium", "test/calc_test.rb"),
        ("test-skipped", "medium", "tests/calc.rs"),
    ]
    assert code == 0


def test_a_change_only_to_a_rust_files_tests_is_no_code_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Edits inside a code file's test module are test edits: with no other code changed they are not
    suspicious, and the stage says so."""
    repo = make_pr(
        tmp_path / "repo",
        {
            "app/calc.py": BASE["app/calc.py"],
            "src/lib.rs": RUST_LIB.replace("        assert_eq!(add(2, 2), 4);\n", ""),
        },
        base=BASE,
    )
    code, report = ai_gate(repo.root, capsys)
    assert weakened(report) == [] and code == 0
    assert "no non-test code" in report["stages"]["weakened-tests"]["details"]["note"]


def test_test_code_in_a_language_the_check_cannot_read_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Haskell test file's removed assertions go unseen: the stage's details say which file it could
    not read, rather than passing it in silence."""
    spec = 'import Test.Hspec\nimport Calc\n\nmain = hspec $ it "adds" $ add 2 2 `shouldBe` 4\n'
    base = {**BASE, "hs/Calc.hs": "module Calc where\nadd a b = a + b\n", "hs/test/CalcSpec.hs": spec}
    repo = make_pr(tmp_path / "repo", {"hs/test/CalcSpec.hs": spec.replace(" `shouldBe` 4", "")}, base=base)
    _, report = ai_gate(repo.root, capsys)
    unread = report["stages"]["weakened-tests"]["details"]["tests_not_read"]
    assert list(unread) == ["hs/test/CalcSpec.hs"]


ADVERSARIAL_RUST = {
    "escapes-that-never-close": "'\\",
    "test-attributes-over-open-braces": "#[test]\n{",
    "raw-strings-that-never-close": 'r#"',
    "nested-comment-openers": "/*",
    "lifetimes": "'a ",
}


@pytest.mark.parametrize("shape", list(ADVERSARIAL_RUST))
def test_rust_test_items_are_found_in_linear_time(shape: str) -> None:
    """The braces of a Rust file are counted in one pass, whatever the file holds."""
    times = {}
    for n in (20_000, 200_000):
        text = "#[cfg(test)]\nmod tests {\n" + ADVERSARIAL_RUST[shape] * n
        started = time.process_time()
        rust_test_lines(text)
        times[n] = time.process_time() - started
    assert max(times[200_000], 0.02) / max(times[20_000], 0.02) < 30, times


def test_a_word_only_one_languages_runner_reads_as_a_skip_is_read_in_that_language_alone() -> None:
    """Ruby's bare `skip` and `pending`, and Go's build constraints, are calls and directives in those
    languages only: a JavaScript object's `skip` shorthand or a comment reading `// +build` is neither."""
    assert line_marker("    skip", "test/calc_test.rb") is SKIP
    assert line_marker('  pending "flaky"', "spec/calc_spec.rb") is SKIP
    assert line_marker("    skip", "tests/query.test.js") is None
    assert line_marker("    pending(", "tests/test_queue.py") is None
    assert line_marker("//go:build ignore", "calc_test.go") is GO_BUILD_IGNORED
    assert line_marker("//go:build ignore", "tests/build.test.js") is None


def test_a_raw_byte_string_hides_no_rust_test_item() -> None:
    """`br"\\"` is a raw string: its backslash escapes nothing, and the test items after it are found."""
    head = (
        'const X: &[u8] = br"\\";\n\n#[cfg(test)]\nmod tests {\n    #[ignore]\n    #[test]\n'
        + "    fn t() {}\n}\n"
    )
    assert rust_test_lines(head) == frozenset(range(3, 9))


def test_a_patch_hunk_numbered_far_down_sizes_nothing(tmp_path: Path) -> None:
    """A patch chooses its hunks' line numbers: a Go skip added at line 300,000,001 is read from the lines
    the hunk shows, in the memory those lines take (the run is capped at 1.5 GB; one slot per line number
    would take 2.4 GB)."""
    patch = tmp_path / "pr.diff"
    patch.write_text(
        "diff --git a/calc.go b/calc.go\n--- a/calc.go\n+++ b/calc.go\n@@ -1,2 +1,2 @@\n package calc\n"
        "-var x = 1\n+var x = 2\n"
        "diff --git a/calc_test.go b/calc_test.go\n--- a/calc_test.go\n+++ b/calc_test.go\n"
        "@@ -1,1 +300000000,2 @@\n func TestAdd(t *testing.T) {\n+\tt.Skip()\n"
    )

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    run = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--diff", str(patch), "--offline", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=cap_memory,
        timeout=120,
        check=False,
    )
    report = json.loads(run.stdout)
    assert weakened(report) == [("test-skipped", "high", "calc_test.go")]
    assert [g for g in report["coverage"]["gaps"] if g["stage"] == "weakened-tests"] == []
