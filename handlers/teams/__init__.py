"""Microsoft Teams: `mount(app, services)` adds `POST /api/messages` (see app.py); `unseen_channels` serves `config check`.

Every botbuilder import lives in this folder, so moving to the Microsoft 365 Agents SDK touches only it.
The SDK is imported on first use, so `supportbot teams-package` and `config check` start without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.teams.keys import unseen_channels

if TYPE_CHECKING:
    from aiohttp import web

    from handlers.services import Services

__all__ = ["mount", "unseen_channels"]


def mount(app: web.Application, services: Services) -> Services:
    """Mount the Teams endpoint and register the Teams notifier (see handlers.teams.app.mount)."""
    from handlers.teams.app import mount as mount_teams

    mount_teams(app, services)
    return services
