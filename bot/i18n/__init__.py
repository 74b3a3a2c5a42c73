"""User-facing strings: one lookup over the gettext catalogs of the registered languages, read with Babel.

Message ids are stable keys (`case.claimed_by`); translations use `str.format` fields (`{name}`).
A key missing in a language falls back to English, and a test makes sure none is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from bot.errors import BotError, InvalidInput
from bot.i18n.languages import CODES, DEFAULT

LANGUAGES: tuple[str, ...] = CODES
DEFAULT_LANGUAGE = DEFAULT.code
_HERE = Path(__file__).parent


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The messages of one language, as {key: text}; empty for a language we do not ship."""
    path = _HERE / f"{lang}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def language_of(locale: str | None) -> str:
    """`pl-PL`, `pl_PL`, `uk` -> a shipped language; anything else -> English."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def t(lang: str, key: str, /, *, default: str | None = None, **params: Any) -> str:
    """The text of `key` in `lang` (English when missing there, else `default`, else the key), with `params`.

    A parameter the text does not use is ignored; one it uses but is not given shows as `{name}`.
    """
    text = catalog(language_of(lang)).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return default if default is not None else key
    return text.format_map(_Params(params)) if "{" in text else text


class _Params(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def describe(error: BotError, lang: str) -> str:
    """What to tell the person whose action raised `error`: its most specific message in `lang`."""
    key = error.reason_key if isinstance(error, InvalidInput) else error.user_message
    params = dict(error.params)
    if "status" in params:  # a case status is a word in the sentence: "… the case is already resolved"
        params["status"] = t(lang, f"state.{params['status']}", default=str(params["status"]))
    return t(lang, key, **params)
