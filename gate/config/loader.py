"""Find and read the configuration file; its YAML is read by `gate.config.parse`, loaded only for a file."""

from __future__ import annotations

from pathlib import Path

from gate.config.models import Config
from gate.errors import ConfigError

DEFAULT_PATH = ".github/ai-gate.yml"
MAX_CONFIG_BYTES = 1 << 20


def load_config(path: Path | None) -> tuple[Config, str | None]:
    """Load `path`, else the defaults. A repository's own `.github/ai-gate.yml` is read from a commit,
    never from a working tree (`gate.context.committed_file`).

    Returns the config and the file it came from (None for the defaults).
    """
    if path is None:
        return Config(), None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return load_config_bytes(data, str(path)), str(path)


def load_config_bytes(data: bytes, name: str) -> Config:
    """A config file's content, held to the same limits wherever it was read from (`name` says where)."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{name}: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    return load_config_text(text, name)


def load_config_text(text: str, name: str = "<config>") -> Config:
    """A config's YAML text (`name` is the file it came from, for the errors)."""
    # The YAML parser loads only when there is a config to read: a run on the defaults never needs it.
    from gate.config.parse import parse_config_text

    return parse_config_text(text, name)


def repository_config(start: Path) -> Path | None:
    """The `.github/ai-gate.yml` of the directory `start`, or of the repository it lies in (the first
    directory up from it holding `.git`), committed or not; None when neither holds one."""
    here = start.resolve()
    for directory in (here, *here.parents):
        path = directory / DEFAULT_PATH
        if path.exists() or path.is_symlink():
            return path
        if (directory / ".git").exists():
            return None
    return None
