"""`python -m bot`, kept for the contract in docs/CONTRACTS.md: it runs the composition root `app`
(`python -m app`) without importing it, so `bot/` still imports nothing of the outer rings."""

import runpy

runpy.run_module("app", run_name="__main__", alter_sys=True)
