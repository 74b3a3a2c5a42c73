"""A Notifier that records what the desk sent, for unit tests of the desk and its jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from bot.models import MessageRef, Platform
from bot.ports import ChannelTarget, DeliveryError, Target, ThreadTarget
from bot.replies import Reply


@dataclass
class Sent:
    target: Target
    reply: Reply
    ref: MessageRef


@dataclass
class RecordingNotifier:
    sent: list[Sent] = field(default_factory=list)
    updates: list[tuple[MessageRef, Reply]] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    lookups: int = 0
    _ids: count[int] = field(default_factory=lambda: count(1))

    async def post(self, target: Target, reply: Reply) -> MessageRef:
        if self.fail_next:
            raise self.fail_next.pop(0)
        n = next(self._ids)
        platform = target.ref.platform if isinstance(target, ThreadTarget) else target.platform
        ref = MessageRef(platform, f'{{"n": {n}}}', key=f"msg-{n}")
        self.sent.append(Sent(target, reply, ref))
        return ref

    async def update(self, ref: MessageRef, reply: Reply) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.updates.append((ref, reply))

    async def find(self, target: ChannelTarget, marker: str) -> MessageRef | None:
        self.lookups += 1
        found = [s.ref for s in self.sent if s.target == target and s.reply.marker == marker]
        return found[0] if found else None

    def in_thread(self, card: MessageRef) -> list[Reply]:
        return [s.reply for s in self.sent if isinstance(s.target, ThreadTarget) and s.target.ref == card]

    def to_person(self, user_id: str) -> list[Reply]:
        return [s.reply for s in self.sent if getattr(s.target, "user_id", None) == user_id]

    @staticmethod
    def platform() -> Platform:
        return Platform.SLACK
