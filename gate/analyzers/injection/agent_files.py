"""Files written to instruct AI tools: their text is addressed to models by design.

An agent-instruction file (`AGENTS.md`, `.github/copilot-instructions.md`, Cursor rules) says "do not
flag the vendored files" to the coding agents and reviewers that read the repository; so does a prompt
file. Directives and notes to the tools found there are reported, not blocking: people review these
files as the instructions they are (`AGENT_FILE_RULES`). Invisible characters in them are reported as
anywhere else, since nobody writes those on purpose.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from posixpath import basename

# Read by their tool in any folder of the repository (nested ones apply to their subtree).
_ANY_FOLDER = frozenset({"AGENTS.md", "CLAUDE.md", "CLAUDE.local.md", "GEMINI.md"})
# Read by their tool at these places only, relative to the repository root.
_AT_ROOT = (
    ".github/copilot-instructions.md",
    ".github/instructions/*.instructions.md",
    ".github/prompts/*.prompt.md",
    ".cursorrules",
    ".cursor/rules/*",
    ".windsurfrules",
    ".windsurf/rules/*",
    ".clinerules",
    ".clinerules/*",
)
# Reusable prompt files (VS Code, Copilot) by their suffix, wherever they are kept.
_PROMPT_SUFFIX = ".prompt.md"
# What such a file says to its tools as a matter of course ("do not flag the vendored files", a note to
# the agents): reported there, not blocking. Any file can be named like one, so what no instruction file
# needs to say (drop your instructions, a dictated verdict, a fake turn, chat-template tokens) still
# blocks there.
AGENT_FILE_RULES = frozenset({"reviewer-directive", "note-to-ai"})


def instructs_agents(path: str) -> bool:
    """Whether the file at `path` is one that AI tools read as instructions to them."""
    if basename(path) in _ANY_FOLDER or path.endswith(_PROMPT_SUFFIX):
        return True
    # `*` in fnmatch crosses folders, so `.cursor/rules/*` holds rules kept in subfolders too.
    return any(fnmatchcase(path, pattern) for pattern in _AT_ROOT)
