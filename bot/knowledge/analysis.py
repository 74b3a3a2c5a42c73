"""Text analysis shared by articles and queries: normalisation, folding, tokens, lemmas, language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import simplemma
from bm25s.stopwords import STOPWORDS_EN

from bot.i18n import languages

__all__ = [
    "LANGUAGES",
    "Analyzer",
    "analyze",
    "analyze_pairs",
    "analyze_words",
    "detect_language",
    "fold",
    "normalize",
    "stop_words",
    "tokenize",
]

LANGUAGES: tuple[str, ...] = languages.CODES

_SIMPLEMMA_CODE = {language.code: language.lemmatizer for language in languages.REGISTRY}

# Letters NFKD does not decompose into base + combining mark.
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "đ": "d",
        "ø": "o",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ґ": "г",  # Ukrainian ґ is often typed as г on keyboards without it
        "ё": "е",
        "’": "'",
        "ʼ": "'",
    }
)

# Cyrillic letters whose combining breve/diaeresis must survive folding (й, ї are letters, not accents).
_KEEP_COMBINED = {"й", "ї", "Й", "Ї"}

_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_UK_ONLY_RE = re.compile(f"[{languages.language('uk').letters}]")
_PL_ONLY_RE = re.compile(f"[{languages.language('pl').letters}]")
_HR_ONLY_RE = re.compile(f"[{languages.language('hr').letters}]")

# Short curated lists for pl/uk/hr (function words only); English comes from bm25s.
# Negations and question words are kept on purpose: "not received" and "why" carry intent.
_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(STOPWORDS_EN) - {"not", "no"},
    "pl": frozenset(
        [
            "a",
            "aby",
            "ale",
            "bo",
            "by",
            "być",
            "czy",
            "dla",
            "do",
            "gdy",
            "go",
            "i",
            "ich",
            "im",
            "iż",
            "ja",
            "je",
            "jej",
            "jest",
            "jestem",
            "już",
            "ją",
            "jak",
            "jako",
            "jego",
            "ma",
            "mam",
            "mi",
            "mnie",
            "mu",
            "my",
            "na",
            "nad",
            "nam",
            "nas",
            "o",
            "od",
            "oraz",
            "po",
            "pod",
            "przez",
            "przy",
            "się",
            "są",
            "ta",
            "tak",
            "te",
            "tego",
            "tej",
            "ten",
            "to",
            "tu",
            "tym",
            "u",
            "w",
            "we",
            "wy",
            "z",
            "za",
            "ze",
            "że",
            "żeby",
            "ci",
            "co",
        ]
    ),
    "uk": frozenset(
        [
            "а",
            "але",
            "би",
            "бо",
            "в",
            "вже",
            "від",
            "він",
            "вона",
            "вони",
            "все",
            "для",
            "до",
            "же",
            "з",
            "за",
            "и",
            "із",
            "й",
            "на",
            "над",
            "не",
            "ні",
            "по",
            "при",
            "про",
            "та",
            "так",
            "те",
            "ти",
            "то",
            "у",
            "це",
            "ця",
            "цей",
            "ці",
            "чи",
            "що",
            "я",
            "ми",
            "ви",
            "його",
            "її",
            "їх",
            "є",
            "був",
            "була",
            "було",
            "мені",
            "мене",
            "у",
            "нас",
            "вас",
            "йому",
        ]
    ),
    "hr": frozenset(
        [
            "a",
            "ali",
            "bi",
            "bih",
            "biti",
            "da",
            "do",
            "ga",
            "i",
            "ih",
            "iz",
            "je",
            "jer",
            "ju",
            "k",
            "kao",
            "ko",
            "li",
            "me",
            "mi",
            "na",
            "nad",
            "ne",
            "o",
            "od",
            "ona",
            "oni",
            "ono",
            "pa",
            "po",
            "pod",
            "pri",
            "s",
            "sa",
            "se",
            "si",
            "smo",
            "su",
            "ta",
            "taj",
            "te",
            "to",
            "u",
            "uz",
            "za",
            "što",
            "sam",
            "ste",
            "će",
            "ću",
        ]
    ),
}


def normalize(text: str) -> str:
    """NFKC and case folding: the form every comparison starts from."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if ch in _KEEP_COMBINED:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out).translate(_EXTRA_FOLDS)


def fold(text: str) -> str:
    """Case-fold and strip diacritics ("Płaciła" -> "placila", "đak" -> "dak"); Cyrillic stays Cyrillic.

    Ukrainian й and ї keep their marks (they are letters); ґ folds to г and ё to е.
    """
    return " ".join(_fold_word(w) for w in normalize(text).split(" "))


def tokenize(text: str) -> list[str]:
    """Words of `text` after NFKC and case folding, diacritics kept (the lemmatiser needs them)."""
    return _TOKEN_RE.findall(normalize(text).replace("’", "'").replace("ʼ", "'"))


def stop_words(lang: str) -> frozenset[str]:
    """Folded stop words for `lang` (empty for languages without a list)."""
    return _FOLDED_STOP_WORDS.get(lang, frozenset())


_FOLDED_STOP_WORDS = {lang: frozenset(_fold_word(w) for w in words) for lang, words in _STOP_WORDS.items()}


@lru_cache(maxsize=262144)
def _lemma(token: str, lang: str) -> str:
    code = _SIMPLEMMA_CODE.get(lang)
    if code is None or token.isdigit():
        return token
    try:
        return str(simplemma.lemmatize(token, lang=code)).casefold()
    except ValueError:  # a language simplemma does not ship
        return token


@lru_cache(maxsize=262144)
def _analyze_token(token: str, lang: str) -> tuple[str, ...]:
    stops = stop_words(lang)
    folded = _fold_word(token)
    if folded in stops:
        return ()
    lemma = _fold_word(_lemma(token, lang))
    if lemma in stops:
        return ()
    return (lemma,) if lemma == folded else (lemma, folded)


def analyze_pairs(text: str, lang: str) -> list[tuple[str, str]]:
    """(folded lemma, folded word) for each non-stop word of `text` in `lang`, in order."""
    pairs: list[tuple[str, str]] = []
    for token in tokenize(text):
        analyzed = _analyze_token(token, lang)
        if analyzed:
            pairs.append((analyzed[0], analyzed[-1]))
    return pairs


@lru_cache(maxsize=262144)
def _analyze_word(token: str, lang: str) -> tuple[str, str]:
    return _fold_word(_lemma(token, lang)), _fold_word(token)


def analyze_words(text: str, lang: str) -> list[tuple[str, str]]:
    """(folded lemma, folded word) for every word of `text`, stop words included.

    Function words tell intents apart ("why", "still", "haven't", "not"): the phrase fields keep them.
    """
    return [_analyze_word(token, lang) for token in tokenize(text)]


def analyze(text: str, lang: str, *, surface: bool = True) -> list[str]:
    """Index terms for `text` in `lang`: lemmatised first, then folded, stop words removed.

    With `surface`, a word whose folded form differs from its folded lemma yields both, so a
    query typed without diacritics ("placila") still meets the article's "płaciła".
    """
    terms: list[str] = []
    for token in tokenize(text):
        analyzed = _analyze_token(token, lang)
        terms.extend(analyzed if surface else analyzed[:1])
    return terms


class Analyzer:
    """Per-language analysis with fixed options; instances are cheap and stateless."""

    __slots__ = ("surface",)

    def __init__(self, *, surface: bool = True) -> None:
        self.surface = surface

    def __call__(self, text: str, lang: str) -> list[str]:
        return analyze(text, lang, surface=self.surface)


def detect_language(
    text: str,
    *,
    hint: str | None = None,
    candidates: Sequence[str] = LANGUAGES,
) -> str:
    """Best guess at the language of a short chat message, among `candidates`.

    Rules, strongest first: Cyrillic script means Ukrainian (the only Cyrillic candidate);
    letters unique to Polish (ą ę ł ń ś ź ż ó) or Croatian (č đ ž) decide; otherwise simplemma's
    word-list detector votes, and the caller's locale `hint` wins whenever the evidence is weak
    (short messages, ties). Falls back to `hint`, then to the first candidate.
    """
    cands = tuple(candidates)
    if not cands:
        raise ValueError("no candidate languages")
    fallback = hint if hint in cands else cands[0]
    lowered = normalize(text)
    if not _TOKEN_RE.search(lowered):
        return fallback
    cyrillic = len(_CYRILLIC_RE.findall(lowered))
    letters = sum(ch.isalpha() for ch in lowered)
    if cyrillic and cyrillic * 2 >= letters:
        for lang in ("uk", "ru", "bg", "sr", "mk"):
            if lang in cands:
                return lang
        return fallback
    if "pl" in cands and _PL_ONLY_RE.search(lowered):
        return "pl"
    if "hr" in cands and _HR_ONLY_RE.search(lowered):
        return "hr"
    latin = tuple(c for c in cands if c not in ("uk", "ru", "bg", "mk"))
    if not latin:
        return fallback
    scores = _word_list_scores(lowered, latin)
    best = max(scores, key=lambda lang: (scores[lang], lang == fallback))
    words = len(tokenize(lowered))
    margin = scores[best] - scores.get(fallback, 0.0)
    needed = 1.01 if words == 1 else 0.5 if words == 2 else 0.25  # one word never overrides the hint
    if best != fallback and fallback in scores and margin < needed:
        return fallback
    if scores[best] == 0.0:
        return fallback
    return best


def _word_list_scores(text: str, langs: Sequence[str]) -> dict[str, float]:
    """Share of words each language's dictionary knows (simplemma), folded and unfolded."""
    tokens = tokenize(text)
    if not tokens:
        return dict.fromkeys(langs, 0.0)
    scores: dict[str, float] = {}
    for lang in langs:
        code = _SIMPLEMMA_CODE.get(lang, lang)
        try:
            known = sum(1 for t in tokens if _is_known(t, code))
        except ValueError:
            known = 0
        scores[lang] = known / len(tokens)
    return scores


@lru_cache(maxsize=65536)
def _is_known(token: str, code: str) -> bool:
    if token.isdigit():
        return False
    return bool(simplemma.is_known(token, lang=code)) or token in _STOP_WORDS.get(
        {v: k for k, v in _SIMPLEMMA_CODE.items()}.get(code, code), frozenset()
    )
