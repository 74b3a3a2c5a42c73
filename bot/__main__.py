"""`python -m bot`: the same entry point as the `supportbot` console script."""

from bot.cli import main

raise SystemExit(main())
