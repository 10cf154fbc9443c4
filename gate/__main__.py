"""`python -m gate` is `ai-gate`."""

from gate.cli import main

raise SystemExit(main())
