"""The command line: the only place that parses flags, turns errors into text and sets exit codes."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import enum
import faulthandler
import os
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, assert_never

from gate.collector import fewer_full_collections, freeze_at_exit
from gate.errors import GateError, InputError
from gate.memory import limit_heaps
from gate.run import EXIT_ERROR, EXIT_PASS, exit_code

if TYPE_CHECKING:
    from gate.config.models import Config
    from gate.context.git import Git
    from gate.context.local_git import GitRange
    from gate.diff.model import Diff
    from gate.review.state import ReviewState
    from gate.run import Outcome


class OutputFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"ai-gate: usage: {message} (see 'ai-gate --help')\n")
        raise SystemExit(EXIT_ERROR)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        help="configuration file (default: .github/ai-gate.yml as the base branch has it; none with --diff)",
    )
    p.add_argument("--format", choices=[f.value for f in OutputFormat], default="text", help="report format")
    p.add_argument("--output", type=Path, help="write the report to FILE instead of standard output")
    p.add_argument("--trace", type=Path, help="write the model-call trace (JSONL) to FILE")
    p.add_argument("--offline", action="store_true", help="no network: model and registry stages are skipped")
    p.add_argument("--strict", action="store_true", help="exit 1 on a neutral verdict too")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--no-progress", action="store_true", help="no progress display on standard error")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ai-gate",
        description="Gate pull requests on the risks specific to AI-generated code.",
        epilog="Exit codes: 0 pass (and neutral unless --strict), 1 fail, 2 the gate could not run.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="gate a local git range or a patch file")
    check.add_argument("--repo", type=Path, default=Path("."), help="git repository (default: .)")
    check.add_argument("--base", help="base ref (default: merge-base with the default branch)")
    check.add_argument("--head", help="head ref (default: HEAD)")
    check.add_argument("--diff", help="a unified diff or git format-patch mbox series ('-' = stdin)")
    check.add_argument(
        "--previous-report",
        type=Path,
        metavar="REPORT",
        help="the JSON report of an earlier run on this change: review only what changed since",
    )
    _common(check)

    gh = sub.add_parser("github", help="the GitHub Action entrypoint: gate the PR and post the results")
    gh.add_argument("--debug", action="store_true", help="show tracebacks")

    replay = sub.add_parser("replay", help="recompute the verdict from a recorded trace, calling no model")
    replay.add_argument("trace_file", type=Path, metavar="TRACE")
    _common(replay)

    publish = sub.add_parser("publish", help="post a report made by an earlier job to the pull request")
    publish.add_argument("report", type=Path, metavar="REPORT")
    publish.add_argument("--debug", action="store_true", help="show tracebacks")

    config = sub.add_parser("config", help="print the config JSON Schema, or validate a config file")
    csub = config.add_subparsers(dest="config_command", required=True, parser_class=_Parser)
    csub.add_parser("schema", help="print the JSON Schema of .github/ai-gate.yml")
    validate = csub.add_parser("validate", help="validate a config file (default: .github/ai-gate.yml)")
    validate.add_argument("file", type=Path, nargs="?", default=Path(".github/ai-gate.yml"))

    report = sub.add_parser("report", help="print the JSON Schema of the JSON report")
    rsub = report.add_subparsers(dest="report_command", required=True, parser_class=_Parser)
    rsub.add_parser("schema", help="print the JSON Schema of the report --format json writes")
    return parser


def entry() -> NoReturn:
    """`ai-gate` and `python -m gate`: `main`, then the process ends at once.

    By the time `main` returns, the report and the trace are written and closed and nothing runs on
    that still matters. What is left is the interpreter's own teardown: freeing, one module at a time,
    the hundreds of thousands of objects a run that called a model has (litellm's alone), a tenth of a
    second of nothing a user waits for. So the standard streams are flushed and the exit handlers run
    (an OpenTelemetry export's last spans, a `git cat-file` reader's end), then the process exits with
    `main`'s code without the teardown; a run that passed but whose output could not be written exits
    120, as the interpreter's own exit does. Under a profiler, a debugger or a coverage tool, which write
    what they found as the interpreter exits, it exits as usual."""
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    written = _flushed()
    atexit._run_exitfuncs()
    written = written and _flushed()  # what the exit handlers wrote
    # As the interpreter's own exit does: output that could not be written (a full disk, a reader that
    # went away) is no success.
    os._exit(code if written or code != EXIT_PASS else EXIT_UNWRITTEN)


EXIT_UNWRITTEN = 120  # the interpreter's own code when it cannot flush its output at exit


def _flushed() -> bool:
    """Flush the standard streams; False when what was written to them could not be."""
    written = True
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError) as exc:
            written = False
            if stream is sys.stdout:
                with contextlib.suppress(Exception):
                    sys.stderr.write(f"ai-gate: could not write the output: {exc}\n")
                    sys.stderr.flush()
    return written


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        # litellm's import, when a run started it on a thread and ended without waiting for it, is
        # finished before the process's exit tears down what it uses (`runtime.finish_background_import`).
        runtime = sys.modules.get("gate.models.runtime")
        if runtime is not None:
            with contextlib.suppress(KeyboardInterrupt):
                runtime.finish_background_import()


def _main(argv: list[str] | None) -> int:
    # A crash in native code (a segmentation fault) prints where each thread was, in the job's log,
    # instead of ending the run with no word. (A caller's stderr with no file descriptor cannot.)
    with contextlib.suppress(OSError, ValueError):
        faulthandler.enable()
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    limit_heaps()  # before the change is read: its texts are the largest blocks a run allocates
    freeze_at_exit()
    try:
        with fewer_full_collections():
            return _dispatch(args)
    except GateError as exc:
        if debug:
            raise
        sys.stderr.write(_redacted(exc.one_line(), exc) + "\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("ai-gate: interrupted\n")
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback unless --debug
        if debug:
            raise
        line = f"ai-gate: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
        sys.stderr.write(_redacted(line, exc) + "\n")
        return EXIT_ERROR


def _redacted(line: str, exc: BaseException) -> str:
    """An error line can quote its input (a file name, a line of a config): `gate.redact.redact_error`.
    When redaction fails too (out of memory, or the secret detector half-loaded by the error being
    reported, so that importing it again raises), the line is the error's kind and type alone: its text
    is not written unredacted, and the handler does not end in a traceback of its own. An interrupt
    while redacting stays an interrupt."""
    try:
        from gate.redact import redact_error

        return redact_error(line)
    except Exception:  # whatever it is, the error being reported stays the one said
        kind = exc.kind if isinstance(exc, GateError) else "internal error"
        return f"ai-gate: {kind}: {type(exc).__name__}"


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "config":
        return _config(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "report":
        return _report_schema()
    if args.command == "github":
        from gate.github.action import run_action

        return int(run_action(os.environ))
    if args.command == "publish":
        from gate.github.publish import publish_report

        return int(publish_report(args.report, os.environ))
    raise GateError(f"unknown command {args.command}")


def _load_config(args: argparse.Namespace) -> Config:
    """The file `--config` names, else the defaults (a repository's own file is read at its base)."""
    from gate.config.env import with_env_overrides
    from gate.config.loader import load_config

    config, _ = load_config(args.config)
    return with_env_overrides(config, os.environ)


def _check(args: argparse.Namespace) -> int:
    if args.diff is not None:
        from gate.app import run_gate
        from gate.context.patch import load_patch_changeset

        name, data = _read_input(args.diff)
        config = _load_config(args)
        changeset = load_patch_changeset(
            data, name, config.paths.ignore, default_ignore=config.paths.ignore_defaults
        )
        if args.config is None:
            from dataclasses import replace

            changeset = replace(changeset, notes=(_patch_config_note(args.repo), *changeset.notes))
    else:
        from concurrent.futures import ThreadPoolExecutor

        from gate.context.git import Git
        from gate.context.git_diff import start_diff
        from gate.context.local_git import load_range_changeset, resolve_range

        git = Git.open(args.repo, offline=args.offline)
        # The names are read once: the config and the change then come from the same commits, though a
        # branch moves while the gate works (`GitRange`).
        span = resolve_range(git, args.base, args.head)
        # git works out the diff in its own processes from now, while this one reads the config and loads
        # the stages; then the log.
        start_diff(git, span.merge_base, span.head_sha)
        try:
            notes: tuple[str, ...] = ()
            if args.config is None:
                config, notes = _config_at_base(git, span)
            else:
                config = _load_config(args)
            on_diff = None if args.offline else partial(_warm_up_for_diff, config=config)
            with ThreadPoolExecutor(max_workers=1) as pool:
                loading = pool.submit(
                    load_range_changeset,
                    git,
                    span,
                    config.paths.ignore,
                    on_diff,
                    default_ignore=config.paths.ignore_defaults,
                )
                from gate.app import run_gate
                from gate.redact import ready

                # The detector's rules, which every report's redaction needs: built while git works, and
                # before the stages' child is forked, which then starts with them.
                ready()
                changeset = loading.result()
        finally:
            git.stop_started()  # what a failed read left running
        if notes:
            from dataclasses import replace

            changeset = replace(changeset, notes=(*notes, *changeset.notes))
    previous = _previous_state(args.previous_report) if args.previous_report is not None else None
    with _progress(args) as progress:
        outcome = run_gate(
            changeset,
            config,
            offline=args.offline,
            trace_path=args.trace,
            progress=progress,
            previous_review=previous,
        )
    _emit(outcome, OutputFormat(args.format), args.output)
    return exit_code(outcome.verdict, args.strict)


def _patch_config_note(repo: Path) -> str:
    """What configured a `--diff` run without `--config`: the defaults. A patch has no base commit to read
    `.github/ai-gate.yml` from, so a repository's own file is not read, and the note says so when the
    directory the run looks at holds one: a reader would otherwise take its thresholds to have applied."""
    from gate.config.loader import DEFAULT_PATH, repository_config

    if repository_config(repo) is None:
        return "configuration: defaults"
    return f"configuration: defaults; {DEFAULT_PATH} is not read with --diff (pass --config)"


def _config_at_base(git: Git, span: GitRange) -> tuple[Config, tuple[str, ...]]:
    """The config as the base branch holds it at its tip, read from git's objects, and notes: where it
    came from, and whether the change's head or the working tree holds another. In CI the working tree
    is the change's own checkout: whatever it holds there (an edited file, a folder moved away and
    linked back, a file a build step wrote) must not choose the gate that judges the change."""
    from gate.config.env import with_env_overrides
    from gate.config.loader import DEFAULT_PATH, load_config_bytes
    from gate.config.models import Config
    from gate.context.commit_id import short_id
    from gate.context.committed_file import read_committed
    from gate.errors import ConfigError, GitError

    base_sha, merge_base, head_sha = span.base_sha, span.merge_base, span.head_sha
    # The base branch's file as it is now, as the Action reads it: not as it was where the change
    # forked, which its author chooses (a fork from before the gate was tightened would get the looser).
    name = f"{DEFAULT_PATH} at the base"
    try:
        at_base = read_committed(git, base_sha, DEFAULT_PATH)
    except GitError as exc:
        raise ConfigError(f"{name}: {exc.message}", "pass --config FILE") from None
    config = load_config_bytes(at_base, name) if at_base is not None else Config()
    where = f"{span.base_name} ({short_id(base_sha)})"
    source = (
        f"configuration: {DEFAULT_PATH} at {where}"
        if at_base is not None
        else f"configuration: defaults (no {DEFAULT_PATH} at {where})"
    )
    use = (
        "the gate used the base's version (a change cannot loosen its own gate): "
        f"pass --config {DEFAULT_PATH}"
    )
    note: str | None = None
    if not _holds(partial(read_committed, git, head_sha, DEFAULT_PATH), _forked_from(git, merge_base)):
        note = f"the change edits {DEFAULT_PATH}; {use} to use the edited one"
    elif not _holds(partial(read_committed, git, head_sha, DEFAULT_PATH), at_base):
        note = f"the change's {DEFAULT_PATH} is older than the base's; the gate used the base's"
    elif not _holds(partial(_working_copy, git.root / DEFAULT_PATH), at_base):
        note = f"the working tree's {DEFAULT_PATH} is not the one the base holds; {use} to use it"
    return with_env_overrides(config, os.environ), (source,) if note is None else (source, note)


def _forked_from(git: Git, merge_base: str) -> bytes | None:
    """The config file where the change forked from its base: what the change itself edits, if anything."""
    from gate.config.loader import DEFAULT_PATH
    from gate.context.committed_file import read_committed
    from gate.errors import GitError

    try:
        return read_committed(git, merge_base, DEFAULT_PATH)
    except GitError:
        return None


def _holds(read: Callable[[], bytes | None], expected: bytes | None) -> bool:
    """Whether a copy of the config file holds what the base's does; one that cannot be read does not
    (a link out of the repository at the head, a file the working tree will not give up)."""
    from gate.errors import GitError

    try:
        return read() == expected
    except (GitError, OSError):
        return False


def _working_copy(path: Path) -> bytes | None:
    """The working tree's config file, read only to tell whether it is the base's, never to be used."""
    from gate.config.loader import MAX_CONFIG_BYTES

    if not path.is_file():
        return None
    with path.open("rb") as f:
        return f.read(MAX_CONFIG_BYTES + 1)


def _warm_up_for_diff(diff: Diff, config: Config) -> None:
    """litellm starts loading while git still works, when the diff's size alone calls for a model and
    the deterministic stages cannot run in a child process instead (a fork needs a single thread, so
    there the import starts as the stages do: `gate.pipeline`)."""
    from gate import worker
    from gate.models.warmup import warm_up_for_diff

    if worker.enabled():
        return

    # Only a head start: whatever it trips on (a bad ignore pattern) is reported where the run reads it.
    with contextlib.suppress(Exception):
        warm_up_for_diff(diff, config)


def _previous_state(path: Path) -> ReviewState | None:
    """The review state in an earlier JSON report; None (a full review) when that run left none."""
    from gate.report.github_view import read_report
    from gate.review.state import ReviewState, StateError

    view, _ = read_report(path, "pass a report written by ai-gate check --format json")
    if not view.review_state:
        return None
    try:
        return ReviewState.decode(view.review_state)
    except StateError as exc:
        raise InputError(f"{path}: {exc}", "pass the report as the earlier run wrote it") from None


def _replay(args: argparse.Namespace) -> int:
    from gate.replay import replay_trace

    outcome = replay_trace(args.trace_file)
    _emit(outcome, OutputFormat(args.format), args.output)
    return exit_code(outcome.verdict, args.strict)


def _read_input(spec: str) -> tuple[str, bytes]:
    if spec == "-":
        return "<stdin>", sys.stdin.buffer.read()
    path = Path(spec)
    try:
        return spec, path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{spec}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{spec}: is a directory", "use --repo DIR for a git repository") from None
    except OSError as exc:
        raise InputError(f"{spec}: cannot read: {exc.strerror}") from None


def render(outcome: Outcome, fmt: OutputFormat) -> str:
    if fmt is OutputFormat.JSON:
        from gate.report import json_v1

        return json_v1.render(outcome)
    if fmt is OutputFormat.MARKDOWN:
        from gate.report import markdown

        return markdown.render(outcome)
    if fmt is OutputFormat.SARIF:
        from gate.report import sarif

        return str(sarif.render(outcome))
    if fmt is OutputFormat.TEXT:
        import io

        from gate.report import text

        buf = io.StringIO()
        text.render(outcome, buf, color=False)
        return buf.getvalue()
    assert_never(fmt)


def _emit(outcome: Outcome, fmt: OutputFormat, output: Path | None) -> None:
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render(outcome, fmt), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror}") from None
        return
    if fmt is OutputFormat.TEXT and sys.stdout.isatty():
        from gate.report import text

        text.render(outcome, sys.stdout)
        return
    sys.stdout.write(render(outcome, fmt))


class _progress:
    """A spinner on standard error while the gate works, when standard error is a terminal.

    It starts with the run's first message, which comes once the stages' process is forked: its
    refresh thread, running earlier, would keep the run in one process (a fork needs a single thread)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._enabled = sys.stderr.isatty() and not getattr(args, "no_progress", False)
        self._shown = _Progress(None)

    def __enter__(self) -> _Progress:
        self._shown = _Progress(_spinner if self._enabled else None)
        return self._shown

    def __exit__(self, *exc: object) -> None:
        self._shown.stop()


def _spinner() -> object:
    from rich.console import Console

    status = Console(stderr=True).status("")
    status.start()
    return status


class _Progress:
    """Shows each message; the spinner starts with the first one (model stages send theirs from their
    own threads)."""

    def __init__(self, start: Callable[[], object] | None) -> None:
        self._start = start
        self._status: object | None = None
        self._lock = threading.Lock()

    def __call__(self, message: str) -> None:
        if self._start is None:
            return
        with self._lock:
            if self._status is None:
                self._status = self._start()
            self._status.update(message)  # type: ignore[attr-defined]

    def stop(self) -> None:
        with self._lock:
            if self._status is not None:
                self._status.stop()  # type: ignore[attr-defined]
                self._status = None


def _report_schema() -> int:
    from gate.schema.report import render_json_schema

    sys.stdout.write(render_json_schema())
    return EXIT_PASS


def _config(args: argparse.Namespace) -> int:
    import json

    from gate.config.models import Config

    if args.config_command == "schema":
        schema = Config.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = "AI Quality Gate configuration (.github/ai-gate.yml)"
        sys.stdout.write(json.dumps(schema, indent=2) + "\n")
        return EXIT_PASS
    from gate.config.loader import load_config

    if not args.file.exists():
        raise InputError(f"{args.file}: no such file")
    load_config(args.file)
    from gate.sanitize import visible

    sys.stdout.write(f"{visible(str(args.file))}: valid\n")
    return EXIT_PASS
