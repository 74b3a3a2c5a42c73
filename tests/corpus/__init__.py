"""The thread-command development corpus (tests/corpus/thread-commands, CC0) as test values.

Mentions are written `@FirstName`; `@supportbot` is the bot. `plain` is what a platform handler gives
the grammar (the bot's mention removed, other people as `@U0NAME` words), `slack` is the message as
Slack sends it (`<@U0TOM>`), and `people` the person ids mentioned, in order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.i18n.languages import CODES
from bot.models import PersonId

PATH = Path(__file__).parent / "thread-commands" / "messages.jsonl"
BOT = "@supportbot"
_MENTION = re.compile(r"@([A-Z][a-z]+)")
# Region (and coordinators' channel) of each language, as in bot/demo_config.yml.
REGION = {"en": "UK", "pl": "PL", "uk": "UA", "hr": "HR"}
CHANNEL = {"en": "C0UKCOORD", "pl": "C0PLCOORD", "uk": "C0UACOORD", "hr": "C0HRCOORD"}
COORDINATORS = {
    "UK": ("tom", "olena"),
    "PL": ("jan", "ola", "ivana"),
    "UA": ("olena", "taras", "jan"),
    "HR": ("ivana", "ola"),
}
LANGUAGES = CODES
INTENTS = ("claim", "resolve", "release", "reassign", "escalate_up", "note", "reopen")


def slack_id(person: str) -> str:
    return f"U0{person.upper()}"


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    text: str
    lang: str
    intent: str | None
    why: str

    @property
    def addressed(self) -> bool:
        return BOT in self.text

    @property
    def people(self) -> tuple[PersonId, ...]:
        return tuple(PersonId(m.lower()) for m in _MENTION.findall(self.text.replace(BOT, "")))

    @property
    def plain(self) -> str:
        without_bot = self.text.replace(BOT, " ").strip()
        return _MENTION.sub(lambda m: "@" + slack_id(m.group(1)), without_bot)

    def slack(self, bot_user: str) -> str:
        with_others = _MENTION.sub(lambda m: f"<@{slack_id(m.group(1))}>", self.text.replace(BOT, "\0"))
        return with_others.replace("\0", f"<@{bot_user}>")

    @property
    def region(self) -> str:
        return REGION[self.lang]

    def writer(self) -> str:
        """A coordinator of the region who is not the person the message mentions."""
        mentioned = set(self.people)
        return next(p for p in COORDINATORS[self.region] if p not in mentioned)


@cache
def corpus() -> tuple[Message, ...]:
    messages = []
    counts: dict[tuple[str, str], int] = {}
    for line in PATH.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        key = (data["lang"], data["intent"] or "null")
        counts[key] = counts.get(key, 0) + 1
        messages.append(
            Message(
                f"{key[0]}-{key[1]}-{counts[key]}", data["text"], data["lang"], data["intent"], data["why"]
            )
        )
    return tuple(messages)
