"""Addresses of this machine, for tests of what is refused to anything but loopback."""

from __future__ import annotations

import socket


def non_loopback_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends no packet), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address
