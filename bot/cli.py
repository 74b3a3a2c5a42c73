"""The `supportbot` command line: the composition root."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("supportbot: not yet", file=sys.stderr)
    return 1
