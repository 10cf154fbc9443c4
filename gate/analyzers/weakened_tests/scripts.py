"""What a package.json script does with the tests it names, read as `sh -c` runs it (npm, pnpm and yarn
run scripts so on POSIX, with no `pipefail`).

A script is cut at a `#` that starts a word outside quotes (the rest of the line is a comment to the
shell), split into pipelines at `;`, `&`, `&&`, `||` and a newline (the shell reads one as `;`), and the
pipelines into commands at a lone `|`. A script holding another control character is not read.
It is then run in the mind, the test commands failing: each other command succeeds, unless it is one
whose outcome is known (`true`, `:`, `echo`, `exit N`, `false`, `node -e 0`). The answers: whether a test
command is reached at all (`true || jest`, `exit 0; jest` and `exit 0 # jest` reach none), and whether
its failure still reaches the script's exit status (`jest | cat`, `jest; echo done` and `jest & ` lose it;
`set -o pipefail; jest | tee log` keeps it). A script with grouping, substitutions, control words or a
status kept (`( ... )`, `$( ... )`, `if`, `$?`) is not judged: its flow is not read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

_MAX_SCRIPT = 2_000

# A command that runs nothing and succeeds, or fails; `node -e` given code that does nothing.
_SUCCEEDS = re.compile(
    r"(?:true|:|echo|printf)(?:\s.*)?"
    r"|node\s+(?:-e|--eval|-p|--print)\s+(?:\d+|''|\"\"|'\d*'|\"\d*\"|'process\.exit\(0?\)'|\"process\.exit\(0?\)\")",
    re.DOTALL,
)
_FAILS = re.compile(r"false(?:\s.*)?", re.DOTALL)
_EXIT = re.compile(r"exit(?:\s+(?P<code>\d+))?\s*")
# Possessive: a quote pair is a quoted word or two characters of `\S`, and a value of many pairs with
# no blank after it was tried every way it splits (`A=` then 40 quotes: 2^20 ways).
_ASSIGNMENT = re.compile(r"(?:[A-Za-z_]\w*=(?:'[^']*'|\"[^\"]*\"|\S)*+\s+)*")
# What this reading does not follow: grouping, substitution, control words, here-documents, and a status
# kept and given back (`code=$?; ...; exit $code`).
_FLOW = re.compile(
    r"[(){}`<]|\$[(?]|(?:^|[;&|\n])\s*(?:!|exit[ \t]+[^\d\s;&|]"
    r"|(?:if|then|else|elif|fi|for|while|until|do|done|case|esac)(?![\w-]))"
)

# A control character other than a tab or a newline: what the shell makes of it is not read here.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Script:
    """How a script treats the tests it names, its test commands failing."""

    names_tests: bool  # a command of it runs tests, reached or not
    reaches_tests: bool  # a test command runs, the other commands succeeding
    only_no_ops: bool  # every command it reaches runs nothing (`echo`, `exit 0`, `node -e 0`)
    exit_status: int  # its exit status, the tests failing and the other commands succeeding

    @property
    def drops_failure(self) -> bool:
        """The tests run, fail, and the script succeeds all the same."""
        return self.reaches_tests and self.exit_status == 0

    @property
    def runs_no_test(self) -> bool:
        """The script succeeds without running a test command: it names one the shell never reaches, or
        runs only commands that do nothing."""
        return not self.reaches_tests and self.exit_status == 0 and (self.names_tests or self.only_no_ops)


def read_script(value: str, runs: Callable[[str], bool]) -> Script | None:
    """The script `value` (the JSON string's text, unescaped), `runs` telling a command that runs tests;
    None when it is too long, or its flow is not one read here."""
    if len(value) > _MAX_SCRIPT or _CONTROL.search(value):
        return None
    code = _without_comment(value)
    if _FLOW.search(_unquoted(code)):
        return None
    pipelines = _pipelines(code)
    if pipelines is None:
        return None
    names = any(_kind(command, runs) == "tests" for _, commands in pipelines for command in commands)
    ran = _run(pipelines, runs, pipefail=_sets_pipefail(pipelines))
    return None if ran is None else Script(names, *ran)


def _run(
    pipelines: list[tuple[str, list[str]]], runs: Callable[[str], bool], *, pipefail: bool
) -> tuple[bool, bool, int]:
    """Whether a test command is reached, whether only no-ops are, and the exit status: the pipelines
    run as the shell runs them, each with the operator before it."""
    status = 0
    reached = False
    no_ops = True
    for op, commands in pipelines:
        if (op == "&&" and status != 0) or (op == "||" and status == 0):
            continue  # left-associative: the status carries past a pipeline not run
        statuses: list[int] = []
        for command in commands:
            kind = _kind(command, runs)
            if kind.startswith("exit") and len(commands) == 1:
                return reached, no_ops, status if kind == "exit" else int(kind[4:]) % 256
            reached = reached or kind == "tests"
            no_ops = no_ops and kind in ("succeeds", "fails")
            statuses.append(1 if kind in ("tests", "fails") else 0)
        # Without `pipefail` a pipeline's status is its last command's; with it, the last that failed.
        status = next((s for s in reversed(statuses) if s), 0) if pipefail else statuses[-1]
    return reached, no_ops, status


def _sets_pipefail(pipelines: list[tuple[str, list[str]]]) -> bool:
    """Whether a `set -o pipefail` (`set -eo pipefail`, `set -e -o pipefail`) runs before the script's
    first pipe: the word anywhere else (`jest | tee pipefail.log`, `echo pipefail`) sets nothing."""
    for _, commands in pipelines:
        if len(commands) > 1:
            return False
        words = commands[0].split()
        if words[:1] == ["set"] and any(
            option.startswith("-") and option.endswith("o") and value == "pipefail"
            for option, value in pairwise(words[1:])
        ):
            return True
    return False


def _kind(command: str, runs: Callable[[str], bool]) -> str:
    """`tests`, `succeeds` (runs nothing: `echo`, `true`, `node -e 0`), `fails` (`false`), `exit` or
    `exitN` (`exit 0`), or `other`, for one command of a pipeline."""
    word = command[_ASSIGNMENT.match(command).end() :].strip()  # type: ignore[union-attr]
    ended = _EXIT.fullmatch(word)
    if ended is not None:
        return "exit" + (ended.group("code") or "")
    if _SUCCEEDS.fullmatch(word):
        return "succeeds"  # `echo run jest` names the runner and runs nothing
    if _FAILS.fullmatch(word):
        return "fails"
    return "tests" if runs(command) else "other"


def _pipelines(code: str) -> list[tuple[str, list[str]]] | None:
    """The script's pipelines, each with the operator before it ("" for the first), a background `&`
    read as the next pipeline's `&` with a status of 0 for the one before; None when a pipeline is empty
    where the shell wants a command."""
    out: list[tuple[str, list[str]]] = []
    op = ""
    commands: list[str] = []
    start = 0
    for at, comment in _read(code):
        char = code[at]
        if comment is not None or at < start or char not in ";|&\n":
            continue  # the second character of `&&` or `||`, or no separator
        if char == "\n" and not code[start:at].strip():
            continue  # a blank line, or a line ended by an operator (`jest &&`): the command goes on below
        if char == "&" and (code[at - 1 : at] == ">" or code[at + 1 : at + 2] == ">"):
            continue  # a redirection (`2>&1`, `&>`)
        double = code[at : at + 2] in ("&&", "||")
        commands.append(code[start:at].strip())
        if char == "|" and not double:
            start = at + 1
            continue
        if any(not c for c in commands):
            return None
        out.append((op, commands))
        op = code[at : at + 2] if double else ";" if char == "\n" else char
        commands = []
        start = at + (2 if double else 1)
    last = code[start:].strip()
    if last or commands:
        commands.append(last)
        if any(not c for c in commands):
            return None
        out.append((op, commands))
    elif op == "&" and out:
        # `jest &` at the end: the script's status is the shell's after sending it off, 0.
        out.append((";", [":"]))
    # After a lone `&` the shell goes on at once with `$?` 0: read as `;`, the one before succeeding.
    return [
        (
            ";" if op == "&" else op,
            [*commands, ":"] if i + 1 < len(out) and out[i + 1][0] == "&" else commands,
        )
        for i, (op, commands) in enumerate(out)
    ]


def _without_comment(script: str) -> str:
    """The script without what follows a `#` that starts a word outside quotes, up to the line's end: the
    shell reads that as a comment, and runs the lines below it."""
    kept: list[str] = []
    start = 0
    for at, end in _read(script):
        if end is not None:
            kept.append(script[start:at])
            start = end
    return "".join(kept) + script[start:]


def _read(code: str) -> Iterator[tuple[int, int | None]]:
    """The characters of `code` the shell reads as syntax, as (index, None): outside quotes, not escaped
    by a backslash; and its comments, as (start, end): from a `#` that starts a word outside quotes to the
    line's end, which the shell reads no further."""
    quote = ""
    at = 0
    n = len(code)
    while at < n:
        char = code[at]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                at += 1
        elif char == "\\":
            at += 1
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or code[at - 1] in " \t\n;&|"):
            end = code.find("\n", at)
            yield at, (n if end < 0 else end)
            if end < 0:
                return
            at = end
            continue
        else:
            yield at, None
        at += 1


def _unquoted(code: str) -> str:
    """The script with what its quotes hold emptied: a parenthesis in a pattern (`-t '(a|b)'`) is data."""
    return re.sub(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"", "''", code)
