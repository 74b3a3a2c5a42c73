from __future__ import annotations

import pytest

from bot.knowledge.analysis import analyze, analyze_pairs, analyze_words, detect_language, fold


def test_fold_strips_polish_and_croatian_diacritics_and_case() -> None:
    assert fold("Płaciła KARTĄ, żółć") == "placila karta, zolc"
    assert fold("Đak čeka račun") == "dak ceka racun"


def test_fold_keeps_cyrillic_letters_and_folds_ukrainian_ge() -> None:
    assert fold("Їжак ЙОД ґанок") == "їжак йод ганок"


def test_fold_normalises_compatibility_forms() -> None:
    assert fold("ﬁle Ｆｕｌｌ") == "file full"


@pytest.mark.parametrize(
    ("text", "lang", "lemma"),
    [
        ("cards", "en", "card"),
        ("płaciła", "pl", "placic"),
        ("paragonu", "pl", "paragon"),
        ("računa", "hr", "racun"),
        ("platila", "hr", "platiti"),
        ("товару", "uk", "товар"),
    ],
)
def test_lemmatises_before_folding(text: str, lang: str, lemma: str) -> None:
    assert analyze_pairs(text, lang)[0][0] == lemma


def test_query_without_diacritics_shares_a_term_with_the_inflected_article_word() -> None:
    assert set(analyze("placila", "pl")) & set(analyze("płaciła", "pl"))


def test_stop_words_are_dropped_per_language() -> None:
    assert analyze("the card", "en") == ["card"]
    assert "sie" not in analyze("zepsuł się", "pl")
    assert "je" not in analyze("paket je stigao", "hr")


def test_phrase_analysis_keeps_function_words_that_tell_intents_apart() -> None:
    assert [lemma for lemma, _ in analyze_words("Why is the card still not here", "en")] == [
        "why",
        "be",
        "the",
        "card",
        "still",
        "not",
        "here",
    ]
    assert analyze_words("Zepsuł się", "pl")[1] == ("sie", "sie")


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("повернення без чека", "en", "uk"),
        ("zwrot bez paragonu klientka placila karta", None, "pl"),
        ("paczka nie dotarła", "en", "pl"),
        ("kupac čeka povrat", "en", "hr"),
        ("povrat robe bez racuna", None, "hr"),
        ("where is my parcel", "pl", "en"),
        ("ok", "hr", "hr"),
        ("", "uk", "uk"),
    ],
)
def test_detects_language_with_locale_only_a_hint(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint=hint) == expected


def test_detect_language_respects_candidates() -> None:
    assert detect_language("where is my parcel", candidates=("pl", "hr")) in ("pl", "hr")
