"""The composition root: the `supportbot` command line, settings read once, and server assembly."""
