"""What the desk needs from the outside world, as Protocols each platform implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.models import MessageRef, Platform
from bot.replies import Reply


@dataclass(frozen=True, slots=True)
class ChannelTarget:
    platform: Platform
    channel: str


@dataclass(frozen=True, slots=True)
class ThreadTarget:
    """A reply in the thread of an earlier message (a case card)."""

    ref: MessageRef


@dataclass(frozen=True, slots=True)
class PersonTarget:
    """A direct message to one account."""

    platform: Platform
    user_id: str


Target = ChannelTarget | ThreadTarget | PersonTarget


def platform_of(target: Target) -> Platform:
    return target.ref.platform if isinstance(target, ThreadTarget) else target.platform


class DeliveryError(Exception):
    """A message could not be delivered. `retryable` (rate limit, 5xx, network) means try again later.

    `code` is a short, stable name of the reason (the platform's error code, `http_404`, `unreachable`)
    that metrics count failures by; the message says the rest.
    """

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
        code: str = "delivery_failed",
    ) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code


class Notifier(Protocol):
    """Sends and edits messages on one platform (or routes to the right one)."""

    async def post(self, target: Target, reply: Reply) -> MessageRef: ...

    async def update(self, ref: MessageRef, reply: Reply) -> None: ...

    async def find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        """The recent message in `target` whose Reply carried `marker`, if the platform can look it up
        (None when it is not there, or the platform cannot search its history)."""
        ...


class ByPlatform:
    """A Notifier that routes each call to the notifier of the target's platform."""

    def __init__(self, notifiers: dict[Platform, Notifier]) -> None:
        self._notifiers = notifiers

    def _for(self, platform: Platform) -> Notifier:
        notifier = self._notifiers.get(platform)
        if notifier is None:
            raise DeliveryError(f"{platform} is not configured", retryable=False, code="platform_off")
        return notifier

    def supports(self, platform: Platform) -> bool:
        return platform in self._notifiers

    def add(self, platform: Platform, notifier: Notifier) -> None:
        self._notifiers[platform] = notifier

    async def post(self, target: Target, reply: Reply) -> MessageRef:
        return await self._for(platform_of(target)).post(target, reply)

    async def update(self, ref: MessageRef, reply: Reply) -> None:
        await self._for(ref.platform).update(ref, reply)

    async def find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        return await self._for(target.platform).find(target, marker)
