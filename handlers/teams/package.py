"""The Teams app package: manifest.json (schema 1.25) and two icons, zipped for upload (`supportbot teams-package`).

The icons are drawn here with a tiny PNG writer (zlib + struct), so the package needs no image library;
handlers/teams/assets/ holds the same two files for the README and for hand inspection.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST_VERSION = "1.25"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
ACCENT = "#2F6FDE"
ASSETS = Path(__file__).parent / "assets"
COMMANDS = (
    ("escalate", "Open a case for the coordinators: escalate [what happened]"),
    ("cases", "Your queue: your cases, unclaimed ones in your regions, those past target"),
    ("oncall", "Who is on duty: oncall [REGION] · cover @name 14:00-18:00 · swap @name · on · off"),
    ("help", "What the bot can do"),
)

# Channel messages without an @mention (thread replies on case cards): granted per team at install.
RESOURCE_SPECIFIC = ({"name": "ChannelMessage.Read.Group", "type": "Application"},)
RSC_RESOURCE = "https://supportbot/rsc"

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG of `pixel(x, y)`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _in_bubble(x: float, y: float, size: int) -> bool:
    """A speech bubble: a rounded square in the upper part plus a tail at the lower left."""
    s = size
    left, top, right, bottom, radius = 0.15 * s, 0.18 * s, 0.85 * s, 0.68 * s, 0.12 * s
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    if (x - cx) ** 2 + (y - cy) ** 2 <= radius**2 and left <= x <= right and top <= y <= bottom:
        return True
    # tail: a triangle below the bubble
    tx, ty = x - 0.28 * s, y - 0.68 * s
    return 0 <= ty <= 0.16 * s and 0 <= tx <= 0.2 * s - ty * 1.25


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: a white speech bubble on the accent colour."""
    background = (0x2F, 0x6F, 0xDE, 255)
    white = (255, 255, 255, 255)
    return png(size, size, lambda x, y: white if _in_bubble(x + 0.5, y + 0.5, size) else background)


def outline_icon(size: int = 32) -> bytes:
    """The outline icon: the bubble's border in white on a transparent background (Teams requires both)."""

    def pixel(x: int, y: int) -> Pixel:
        inside = _in_bubble(x + 0.5, y + 0.5, size)
        edge = inside and not all(
            _in_bubble(x + 0.5 + dx, y + 0.5 + dy, size) for dx, dy in ((-2, 0), (2, 0), (0, -2), (0, 2))
        )
        return (255, 255, 255, 255) if edge else (0, 0, 0, 0)

    return png(size, size, pixel)


def manifest(
    *, app_id: str, name: str, developer: str, website: str, version: str = "1.0.0"
) -> dict[str, Any]:
    """The app manifest: one bot in personal, team and group-chat scope, with its command list."""
    commands = [{"title": title, "description": description} for title, description in COMMANDS]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer[:32],
            "websiteUrl": website,
            "privacyUrl": website,
            "termsOfUseUrl": website,
        },
        "name": {"short": name[:30], "full": f"{name}: policy answers, escalations and on-duty coordinators"},
        "description": {
            "short": "Policy answers, escalations and on-duty coordinators for support teams",
            "full": (
                "Ask a policy question and get the answer from your knowledge base, in your language. "
                "Escalate a case to the on-duty coordinators of your region, who claim and resolve it "
                "right from the case card. Reminders go out when a case waits too long."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal", "team", "groupChat"], "commands": commands}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
        # Resource-specific consent (manifest 1.12+): a team owner who installs the app lets the bot receive
        # every message of that team's channels, so "claim" replied in a case card's thread reaches it
        # without an @mention. RSC needs webApplicationInfo with the app's Entra id; Teams ignores
        # `resource` for RSC but rejects the manifest without one.
        "webApplicationInfo": {"id": app_id, "resource": RSC_RESOURCE},
        "authorization": {"permissions": {"resourceSpecific": list(RESOURCE_SPECIFIC)}},
    }


def build(
    out: Path,
    *,
    app_id: str,
    name: str = "Support Coordinator",
    developer: str = "Support Coordinator",
    website: str = "https://example.com",
) -> Path:
    """Write manifest.json, color.png and outline.png into `out` and zip them as `out/teams-app.zip`."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": (
            json.dumps(manifest(app_id=app_id, name=name, developer=developer, website=website), indent=2)
            + "\n"
        ).encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    package = out / "teams-app.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, content in files.items():
            (out / filename).write_bytes(content)
            archive.writestr(filename, content)
    return package


def _run(args: argparse.Namespace) -> int:
    if args.app_id is None:
        args.app_id = args.default_app_id() or PLACEHOLDER_APP_ID
    if args.website is None:
        args.website = args.default_website() or "https://example.com"
    if args.app_id == PLACEHOLDER_APP_ID:
        print(
            "warning: no MICROSOFT_APP_ID / --app-id: the package uses a placeholder bot id "
            "that Teams will reject; set it to your Azure bot's app id",
            file=sys.stderr,
        )
    package = build(
        Path(args.out), app_id=args.app_id, name=args.name, developer=args.developer, website=args.website
    )
    print(f"{package}: manifest.json (schema {MANIFEST_VERSION}), color.png, outline.png")
    return 0


def register(
    subparsers: Any,
    *,
    app_id: Callable[[], str | None] = lambda: None,
    website: Callable[[], str | None] = lambda: None,
) -> None:
    """Add `teams-package --out DIR` to the CLI. `app_id` and `website` give the defaults (MICROSOFT_APP_ID,
    PUBLIC_URL), asked only when the options are not given."""
    parser = subparsers.add_parser(
        "teams-package", help="build the Teams app package (manifest + icons, zipped)"
    )
    parser.add_argument(
        "--out", required=True, help="folder to write manifest.json, the icons and teams-app.zip"
    )
    parser.add_argument(
        "--app-id", default=None, help="the bot's Microsoft app id (GUID; default MICROSOFT_APP_ID)"
    )
    parser.add_argument(
        "--name", default="Support Coordinator", help="the app's name in Teams (30 characters)"
    )
    parser.add_argument("--developer", default="Support Coordinator", help="the publisher's name")
    parser.add_argument(
        "--website",
        default=None,
        help="https URL for the developer, privacy and terms links (default PUBLIC_URL)",
    )
    parser.set_defaults(func=_run, default_app_id=app_id, default_website=website)
