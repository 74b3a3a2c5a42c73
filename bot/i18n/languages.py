"""The one registry of the languages the bot speaks. Every list of languages in the project derives from it.

Adding a language is one `Language(...)` line here, its catalog `bot/i18n/<code>.po` (with the chat phrases),
and its articles under `knowledge_base/<code>/`; `tests/unit/test_i18n.py` checks the catalog is complete.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    """One language: how the bot names it, lemmatises it, recognises it and formats for it.

    `letters` are the letters that, among the registered languages, only this one uses (or, for a
    script of its own, the script's letters): a query containing one is in this language.
    """

    code: str  # ISO 639-1, the key everywhere (catalog file, article `lang`, config `language`)
    name: str  # the language's name in itself, shown to its speakers
    lemmatizer: str  # simplemma's code (Croatian is lemmatised as Serbo-Croatian, "hbs")
    locale: str  # Babel / platform locale for dates and numbers
    letters: str = ""


REGISTRY: tuple[Language, ...] = (
    Language("en", "English", lemmatizer="en", locale="en_GB"),
    Language("pl", "polski", lemmatizer="pl", locale="pl_PL", letters="ąęłńóśźż"),
    Language("uk", "українська", lemmatizer="uk", locale="uk_UA", letters="іїєґ"),
    Language("hr", "hrvatski", lemmatizer="hbs", locale="hr_HR", letters="čđž"),
)

CODES: tuple[str, ...] = tuple(language.code for language in REGISTRY)
DEFAULT = REGISTRY[0]
_BY_CODE = {language.code: language for language in REGISTRY}


def language(code: str) -> Language:
    """The registered language `code`, or the default (English) for any other code."""
    return _BY_CODE.get(code, DEFAULT)


def is_known(code: str) -> bool:
    return code in _BY_CODE
