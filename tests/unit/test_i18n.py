"""Every user-facing string exists in en, pl, uk and hr, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONFIG, load_config
from bot.errors import BotError, NotAllowed
from bot.i18n import LANGUAGES, catalog, language_of, t
from bot.models import CaseStatus, EventKind, Priority
from bot.oncall.rota import Fallback
from bot.replies import Action, FormId
from bot.thread_commands import PHRASE_KEYS
from bot.thread_replies import DESTRUCTIVE

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    "age",
    "answer",
    "button",
    "case",
    "category",
    "confirm",
    "error",
    "escalate",
    "event",
    "form",
    "help",
    "invalid",
    "note",
    "notify",
    "oncall",
    "priority",
    "queue",
    "report",
    "csat",
    "digest",
    "home",
    "state",
    "undo",
)
KEY_LITERAL = re.compile(r"""["']((?:{})\.[a-z_]+(?:\.[a-z_]+)*)["']""".format("|".join(SECTIONS)))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py"), *ROOT.glob("playground/**/*.py")]:
        source = path.read_text(encoding="utf-8")
        keys |= set(KEY_LITERAL.findall(source))
    keys -= {a.value for a in Action} | {f.value for f in FormId}  # ids that look like keys
    keys |= {f"priority.{p.value}" for p in Priority}
    keys |= {f"event.{e.value}" for e in EventKind}
    keys |= {f"case.status.{s.value}" for s in (CaseStatus.OPEN, CaseStatus.CANCELLED)}
    keys |= {f"notify.fallback_{f.value}" for f in Fallback if f is not Fallback.NONE}
    keys |= {f"oncall.line_{f.value}" for f in Fallback if f is not Fallback.NONE}
    keys |= {f"oncall.{v}_done" for v in ("on", "off")}
    keys |= {f"category.{c}" for c in load_config(BUNDLED_CONFIG).categories}
    keys |= {cls.user_message for cls in _subclasses(BotError)}
    keys |= {
        f"error.not_allowed.{r}"
        for r in ("role", "not_assignee", "not_participant", "not_requester", "not_writer")
    }
    keys |= {f"confirm.{v.value}" for v in DESTRUCTIVE} | {f"confirm.done.{v.value}" for v in DESTRUCTIVE}
    keys |= {f"state.{s.value}" for s in CaseStatus} | {"state.supervisor_tier"}
    keys |= set(PHRASE_KEYS)
    return keys


def _subclasses(cls: type[BotError]) -> list[type[BotError]]:
    return [cls, *(s for sub in cls.__subclasses__() for s in _subclasses(sub))]


def test_code_uses_keys_that_exist() -> None:
    missing = sorted(keys_in_code() - set(catalog("en")))
    assert missing == []


@pytest.mark.parametrize("lang", [la for la in LANGUAGES if la != "en"])
def test_every_language_has_every_key_with_the_same_placeholders(lang: str) -> None:
    english, other = catalog("en"), catalog(lang)
    assert sorted(set(english) - set(other)) == []
    assert sorted(set(other) - set(english)) == []
    mismatched = [k for k in english if placeholders(english[k]) != placeholders(other[k])]
    assert mismatched == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_differ_from_english_where_words_are_translated(lang: str) -> None:
    assert t(lang, "answer.none") != t("en", "answer.none") or lang == "en"


def test_lookup_formats_falls_back_and_maps_locales() -> None:
    assert t("pl", "error.already_claimed", case="CS-7", name="Jan") == "Sprawę CS-7 przejął(-ęła) już Jan."
    assert t("de", "button.claim") == "Claim"
    assert t("en", "no.such.key", default="fallback") == "fallback"
    assert t("en", "notify.claimed") == "{name} claimed this case."
    assert [language_of(x) for x in ("pl-PL", "uk_UA", "hr", "en-GB", None, "de")] == [
        "pl",
        "uk",
        "hr",
        "en",
        "en",
        "en",
    ]


def test_not_allowed_message_depends_on_reason() -> None:
    assert NotAllowed("claim", reason="role").user_message == "error.not_allowed.role"


def test_every_registered_language_has_a_catalog_its_lemmatiser_and_locale() -> None:
    from babel import Locale
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    from bot.i18n.languages import REGISTRY

    problems = []
    for language in REGISTRY:
        if not (ROOT / "bot" / "i18n" / f"{language.code}.po").exists():
            problems.append(f"{language.code}: no bot/i18n/{language.code}.po")
        if not (ROOT / "knowledge_base" / language.code).is_dir():
            problems.append(f"{language.code}: no knowledge_base/{language.code}/")
        Locale.parse(language.locale)  # raises for a locale Babel does not know
        if language.lemmatizer not in SUPPORTED_LANGUAGES:
            problems.append(f"{language.code}: simplemma has no {language.lemmatizer!r}")
    assert problems == []


def test_every_catalog_has_every_chat_phrase_set() -> None:
    """The words people type to the bot (thread commands, DM commands) are data in each catalog."""
    from bot.dm import DmVerb
    from bot.thread_commands import PHRASE_KEYS, alternatives

    keys = [*PHRASE_KEYS, *(f"dm.{verb.value}" for verb in DmVerb)]
    missing = [f"{lang}: {key}" for lang in LANGUAGES for key in keys if not alternatives(lang, key)]
    assert missing == []
