"""The `supportbot` subcommands that need more than a few lines: kb, oncall, report."""
