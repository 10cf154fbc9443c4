"""Inline script metadata (PEP 723): the `# /// script` block of a Python file, whose `dependencies` uv,
pipx, hatch and pdm install before they run the script.

The block is a comment to Python, so the import reader never sees it; it is read here as a manifest of
its own file. The grammar is the PEP's reference one: a line `# /// script`, then lines that are `#` or
start with `# `, up to the last `# ///` among them; the content, with those prefixes cut, is TOML. Two
`script` blocks make the tools refuse the file, and so does the gate (`Unreadable`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.requirements import InvalidRequirement, Requirement

from gate.analyzers.dependencies.model import Declared, Ecosystem, Parsed, ReadSibling
from gate.analyzers.dependencies.pyproject import PyprojectParser
from gate.analyzers.limits import Unreadable, load_toml
from gate.context.lines import git_lines

MARKER = "# /// script"
_OPENING = re.compile(r"# /// [a-zA-Z0-9-]++")
_CLOSING = "# ///"
_KIND = "script dependencies"


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """(type, content lines) of each metadata block, as the PEP's reference pattern finds them: an
    opening line, then comment lines (`#`, or `# ` and more) up to the last `# ///` among them. Line by
    line, each line looked at once or twice: a run of comment lines with no closing line holds no block,
    whatever openings it has."""
    lines = git_lines(text)  # as uv reads the file: at LF alone, not at U+2028 or a form feed
    found: list[tuple[str, list[str]]] = []
    at = 0
    while at < len(lines):
        if not _OPENING.fullmatch(lines[at]):
            at += 1
            continue
        end = at + 1
        closing = -1
        while end < len(lines) and (lines[end] == "#" or lines[end].startswith("# ")):
            if lines[end] == _CLOSING:
                closing = end
            end += 1
        if closing < 0:
            at = end
            continue
        content = [line[2:] if line.startswith("# ") else line[1:] for line in lines[at + 1 : closing]]
        found.append((lines[at][len("# /// ") :], content))
        at = closing + 1
    return found


def has_script_block(text: str | None) -> bool:
    return text is not None and MARKER in text


class ScriptParser:
    ecosystem = Ecosystem.PYPI

    def matches(self, path: str) -> bool:
        return False  # chosen by a Python file's text, not by its name

    def parse(self, text: str, path: str, read: ReadSibling) -> Parsed:
        scripts = [content for kind, content in blocks(text) if kind == "script"]
        if len(scripts) > 1:
            raise Unreadable("more than one `# /// script` block")
        if not scripts:
            return Parsed(())
        content = "".join(line + "\n" for line in scripts[0])
        data = load_toml(content)
        declared: list[Declared] = []
        problems: list[str] = []
        deps = data.get("dependencies")
        for item in deps if isinstance(deps, list) else ():
            if not isinstance(item, str):
                continue
            try:
                req = Requirement(item)
            except InvalidRequirement as exc:
                problems.append(f"{path}: {_KIND}: {exc}")
                continue
            declared.append(Declared(req.name, self.ecosystem, path, _KIND, from_registry=req.url is None))
        return Parsed(tuple(declared), tuple(problems))

    def parse_fragment(self, lines: Iterable[str], path: str) -> Parsed:
        """The block's quoted requirements as the diff lines show them, read as a pyproject's."""
        inside = [line[2:] if line.startswith("# ") else line for line in lines if line.startswith("#")]
        return PyprojectParser().parse_fragment(["[dependencies]", *inside], path)
