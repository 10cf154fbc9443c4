"""`python -m gate` is `ai-gate`."""

from gate.cli import entry

entry()
