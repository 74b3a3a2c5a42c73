"""Thread-command figures on the dev corpus (tests/corpus/thread-commands), by language and by intent.

Three columns, measured in the same run:
- before: the recogniser at fac0d75 (bench/thread_corpus_baseline.py), called on each text with the
  `@` mentions removed and passed as ids (as the corpus README measured it);
- grammar: the new `bot.thread_commands.parse_thread` on the same texts;
- slack (with --slack): each message posted in a case thread through the real Slack handler (signed
  requests, fake Slack); null messages in each of the three states, destructive commands confirmed.

A null message "acts" when the recogniser returns a command (before, grammar) or when the bot changed
the case, prompted or marked it (slack). A command is "right" when its intent is recognised (and, on
Slack, carried out exactly, after Confirm where it must ask first).

    .venv/bin/python bench/thread_corpus.py [--slack]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thread_corpus_baseline import parse_thread as parse_before

from bot.config import BUNDLED_CONFIG, load_config
from bot.models import PersonId
from bot.thread_commands import parse_thread
from tests.corpus import INTENTS, LANGUAGES, Message, corpus
from tests.corpus.slack_player import miss, play_corpus, running_rig

Tally = dict[str, list[int]]  # row -> [hits, total]


def before(message: Message) -> str | None:
    text = message.text.replace("@supportbot", " ")
    people = tuple(PersonId(m.lower()) for m in re.findall(r"@([A-Z][a-z]+)", text))
    command = parse_before(re.sub(r"@[A-Z][a-z]+", " ", text), mentions=people)
    return command.verb.value if command else None


def grammar(message: Message) -> str | None:
    command = parse_thread(message.plain, mentions=message.people, addressed=message.addressed)
    return command.verb.value if command else None


def tally_recogniser(
    messages: list[Message], recognise: Callable[[Message], str | None]
) -> tuple[Tally, Tally]:
    nulls: Tally = defaultdict(lambda: [0, 0])
    commands: Tally = defaultdict(lambda: [0, 0])
    for message in messages:
        got = recognise(message)
        if message.intent is None:
            for row in (message.lang, "all"):
                nulls[row][0] += got is not None
                nulls[row][1] += 1
        else:
            for row in (message.lang, message.intent, "all"):
                commands[row][0] += got == message.intent
                commands[row][1] += 1
    return nulls, commands


async def tally_slack(messages: list[Message]) -> tuple[Tally, Tally]:
    nulls: Tally = defaultdict(lambda: [0, 0])
    commands: Tally = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        async with running_rig(load_config(BUNDLED_CONFIG), Path(tmp)) as rig:
            played = await play_corpus(rig, messages)
    acted: dict[str, bool] = {}
    for p in played:  # a null message acts if it acts in any of the three states
        if p.message.intent is None:
            acted[p.message.id] = acted.get(p.message.id, False) or miss(p) is not None
        else:
            for row in (p.message.lang, p.message.intent or "", "all"):
                commands[row][0] += miss(p) is None
                commands[row][1] += 1
    for message in messages:
        if message.intent is None:
            for row in (message.lang, "all"):
                nulls[row][0] += acted[message.id]
                nulls[row][1] += 1
    return nulls, commands


def cell(tally: Tally | None, row: str) -> str:
    if tally is None:
        return "-"
    hits, total = tally.get(row, [0, 0])
    return f"{hits}/{total}" if total else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--slack", action="store_true", help="also play every message through the Slack handler"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    messages = list(corpus())
    old_nulls, old_commands = tally_recogniser(messages, before)
    new_nulls, new_commands = tally_recogniser(messages, grammar)
    slack_nulls, slack_commands = asyncio.run(tally_slack(messages)) if args.slack else (None, None)
    print("Null messages that act or prompt (bar: 0)\n")
    print("| language | before | grammar | slack |\n|---|---:|---:|---:|")
    for row in (*LANGUAGES, "all"):
        print(f"| {row} | {cell(old_nulls, row)} | {cell(new_nulls, row)} | {cell(slack_nulls, row)} |")
    print("\nCommands recognised with the right intent (bar: all)\n")
    print("| language / intent | before | grammar | slack |\n|---|---:|---:|---:|")
    for row in (*LANGUAGES, *INTENTS, "all"):
        print(
            f"| {row} | {cell(old_commands, row)} | {cell(new_commands, row)} | {cell(slack_commands, row)} |"
        )


if __name__ == "__main__":
    main()
