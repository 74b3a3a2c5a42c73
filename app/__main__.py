"""`python -m app`: the same entry point as the `supportbot` console script."""

from app.cli import main

raise SystemExit(main())
