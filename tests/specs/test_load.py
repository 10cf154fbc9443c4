"""Spec documents read from real repositories: globs and map entries, `governs` front matter, bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate.config.loader import load_config_text
from gate.config.models import Config
from gate.context.local_git import load_git_changeset
from gate.errors import ConfigError
from gate.specs import MAX_GENERAL_SPEC_CHARS, SpecSet, read_specs
from gate.specs.front_matter import MAX_FRONT_MATTER_CHARS, read_front_matter
from tests.gitrepo import GitRepo

PAYMENTS_SPEC = """---
title: Payments
governs: ["src/payments/**"]
---
# Payments

1. Amounts are Decimal, never float.
2. A refund never exceeds the captured amount.
"""


def repo_with(tmp_path: Path, files: dict[str, str]) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("src/payments/refund.py", "def refund(amount):\n    return amount\n")
    repo.write("src/web/page.py", "def page():\n    return ''\n")
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("base")
    repo.branch("pr")
    repo.write("src/payments/refund.py", "def refund(amount):\n    return float(amount)\n")
    repo.commit("refund as float")
    return repo


def specs_of(repo: GitRepo, config: Config) -> SpecSet:
    return read_specs(load_git_changeset(repo.root, "main", "pr"), config)


def test_front_matter_governs_and_governing(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"docs/specs/payments.md": PAYMENTS_SPEC, "docs/specs/style.md": "Be kind.\n"})
    specs = specs_of(repo, Config(specs=("docs/specs/*.md",)))
    payments = specs.get("docs/specs/payments.md")
    assert payments is not None and payments.governs == ("src/payments/**",)
    assert payments.declared_in == ("front matter",)
    assert payments.text.startswith("# Payments") and "governs" not in payments.text
    assert payments.content_hash.startswith("sha256:") and len(payments.content_hash) == 71
    assert [s.path for s in specs.governing(["src/payments/refund.py"])] == ["docs/specs/payments.md"]
    assert specs.governing(["src/web/page.py"]) == []
    # No governs: governs nothing, but small enough to be general context in every prompt.
    style = specs.get("docs/specs/style.md")
    assert style is not None and style.is_general and specs.general_context == (style,)
    context = specs.context_for(["src/web/page.py"])
    assert [s.path for s, _ in context.sections] == ["docs/specs/style.md"]
    context = specs.context_for(["src/payments/refund.py"])
    assert [s.path for s, _ in context.sections] == ["docs/specs/payments.md", "docs/specs/style.md"]
    assert specs.notes == ()


def test_config_map_form_adds_governs_and_the_plain_list_stays_valid(tmp_path: Path) -> None:
    config = load_config_text(
        'specs:\n  - "docs/general/*.md"\n  - {path: "docs/contract.txt", governs: ["src/web/**"]}\n'
    )
    repo = repo_with(tmp_path, {"docs/contract.txt": "1. Pages escape HTML.\n", "docs/general/a.md": "x\n"})
    specs = specs_of(repo, config)
    contract = specs.get("docs/contract.txt")
    assert (
        contract is not None and contract.governs == ("src/web/**",) and contract.declared_in == ("config",)
    )
    assert [s.path for s in specs.governing(["src/web/page.py"])] == ["docs/contract.txt"]
    # Config and front matter add up: the document cannot narrow what the config says it governs.
    repo2 = repo_with(tmp_path / "two", {"docs/specs/payments.md": PAYMENTS_SPEC})
    config2 = Config.model_validate(
        {"specs": [{"path": "docs/specs/payments.md", "governs": ["src/web/**"]}]}
    )
    payments = specs_of(repo2, config2).get("docs/specs/payments.md")
    assert payments is not None and payments.governs == ("src/web/**", "src/payments/**")
    assert payments.declared_in == ("config", "front matter")


def test_config_map_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="specs"):
        load_config_text("specs:\n  - {path: docs/a.md, govern: [x]}\n", "c.yml")
    with pytest.raises(ConfigError, match=r"c\.yml:2"):
        load_config_text("specs:\n  - {path: '  ', governs: []}\n", "c.yml")


def test_the_schema_offers_both_forms() -> None:
    schema = Config.model_json_schema()
    items = schema["properties"]["specs"]["items"]
    kinds = {b.get("type") or b.get("$ref", "").rsplit("/", 1)[-1] for b in items["oneOf"]}
    assert kinds == {"string", "SpecDocument"}
    assert set(schema["$defs"]["SpecDocument"]["properties"]) == {"path", "governs"}


def test_specs_without_the_repository_say_so_and_read_only_what_the_patch_adds_whole(tmp_path: Path) -> None:
    from gate.context.patch import load_patch_changeset

    patch = b"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    specs = read_specs(load_patch_changeset(patch, "p.diff"), Config(specs=("docs/*.md",)))
    assert not specs.readable and specs.configured and "without its repository" in specs.notes[0]
    assert specs.specs == ()
    assert read_specs(load_patch_changeset(patch, "p.diff"), Config()) == SpecSet()
    repo = GitRepo(tmp_path / "repo")
    repo.write("docs/old.md", "1. Old.\n")
    repo.commit("base")
    repo.branch("pr")
    repo.write("docs/old.md", "1. Old, edited.\n")
    repo.write("docs/new.md", PAYMENTS_SPEC)
    repo.commit("specs")
    changeset = load_patch_changeset(repo.format_patch("main..pr"), "pr.mbox")
    specs = read_specs(changeset, Config(specs=("docs/*.md",)))
    assert not specs.readable and [s.path for s in specs.specs] == ["docs/new.md"]
    assert specs.specs[0].governs == ("src/payments/**",) and "only the 1 spec document" in specs.notes[0]
    assert [s.path for s in specs.governing(["src/payments/a.py"])] == ["docs/new.md"]


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("---\ngoverns: [unclosed\n---\nbody\n", "not valid YAML"),
        ("---\ngoverns: {a: 1}\n---\nbody\n", "governs must be a glob or a list"),
        ("---\ngoverns: [1, 2]\n---\nbody\n", "governs must be a glob or a list"),
        ("---\ngoverns: ['" + "a" * 300 + "']\n---\nbody\n", "longer than 256"),
        ("---\ngoverns: ['x/**']\n" + "# padding\n" * 1000 + "---\nbody\n", "not closed within"),
        ("---\n" + "[" * 3000 + "\n---\nbody\n", "front matter"),
        ("---\nbomb: &a [x, x, x]\nb: &b [*a, *a, *a]\ngoverns: *b\n---\n", "governs must be"),
    ],
)
def test_hostile_front_matter_becomes_a_note(text: str, note: str) -> None:
    front = read_front_matter("docs/spec.md", text)
    assert front.governs == () and any(note in n for n in front.notes), front.notes


def test_front_matter_only_in_markdown_and_only_at_the_top() -> None:
    assert read_front_matter("api.yaml", "---\ngoverns: [src/**]\n---\n").governs == ()
    assert read_front_matter("a.md", "intro\n---\ngoverns: [src/**]\n---\n").governs == ()
    assert read_front_matter("a.md", "\ufeff---\r\ngoverns: src/**\r\n...\r\nbody").governs == ("src/**",)
    assert read_front_matter("a.md", "---\ngoverns: [src/**]\n---").body == ""
    near_bound = "---\ngoverns: [src/**]\n" + "x: 1\n" * (MAX_FRONT_MATTER_CHARS // 5 - 10) + "---\nbody"
    assert read_front_matter("a.md", near_bound).governs == ("src/**",)


def test_invalid_globs_from_a_document_are_dropped_not_the_configs(tmp_path: Path) -> None:
    spec = "---\ngoverns: ['src/payments/**', 'a/***/[']\n---\nbody\n"
    repo = repo_with(tmp_path, {"docs/p.md": spec})
    config = Config.model_validate({"specs": [{"path": "docs/p.md", "governs": ["src/web/**"]}]})
    specs = specs_of(repo, config)
    got = specs.get("docs/p.md")
    assert got is not None and "src/web/**" in got.governs
    assert [s.path for s in specs.governing(["src/web/page.py"])] == ["docs/p.md"]


def test_large_general_specs_are_left_out_of_prompts_with_a_note(tmp_path: Path) -> None:
    big = "1. a statement.\n" * (MAX_GENERAL_SPEC_CHARS // 16 + 10)
    repo = repo_with(tmp_path, {"docs/a.md": "small\n", "docs/b.md": big})
    specs = specs_of(repo, Config(specs=("docs/*.md",)))
    assert [s.path for s in specs.general_context] == ["docs/a.md"]
    assert any("docs/b.md" in n and "declare what each governs" in n for n in specs.notes)
    assert specs.governing(["src/web/page.py"]) == []


def test_a_spec_document_is_not_governed_code(tmp_path: Path) -> None:
    spec = "---\ngoverns: ['**']\n---\n1. Everything.\n"
    repo = repo_with(tmp_path, {"docs/all.md": spec, "docs/other.md": spec})
    specs = specs_of(repo, Config(specs=("docs/*.md",)))
    assert [s.path for s in specs.governing(["docs/other.md"])] == []
    all_ = specs.get("docs/all.md")
    assert all_ is not None
    assert specs.governed_paths(all_, ["docs/other.md", "src/web/page.py"]) == ["src/web/page.py"]


def test_bounds_on_document_count_and_size(tmp_path: Path) -> None:
    from gate.specs import load

    files = {
        f"docs/s{i:03}.md": f"---\ngoverns: ['src/{i}/**']\n---\nx\n"
        for i in range(load.MAX_SPEC_DOCUMENTS + 3)
    }
    files["docs/zbig.txt"] = "y" * (load.MAX_DOCUMENT_CHARS + 10)
    repo = repo_with(tmp_path, files)
    specs = specs_of(repo, Config(specs=("docs/*",)))
    assert len(specs.specs) == load.MAX_SPEC_DOCUMENTS
    assert any("only the first" in n for n in specs.notes)
    specs = specs_of(repo, Config(specs=("docs/zbig.txt",)))
    big = specs.get("docs/zbig.txt")
    assert big is not None and big.truncated and len(big.text) == load.MAX_DOCUMENT_CHARS
