"""Near-duplicate grouping of questions people asked, for "what does the knowledge base not answer" lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

from bot.knowledge.analysis import fold

# token_sort_ratio on folded text: "Can I return without a receipt?" and "Return without a receipt?"
# score 89, "where is my parcel" and "where is my refund" 78. token_set_ratio would not do: a one-word
# question is a subset of every longer one that contains the word and would score 100.
SIMILAR = 85.0


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Questions that ask the same thing: `text` is the most asked wording, `count` every asking."""

    text: str
    lang: str
    count: int
    variants: tuple[str, ...]


def _key(text: str) -> str:
    return str(utils.default_process(fold(text)))


def group_questions(asked: Iterable[tuple[str, str]], *, top: int = 10) -> list[QuestionGroup]:
    """Group `(text, lang)` askings whose folded wording is near-identical (same language only).

    Greedy and deterministic: distinct wordings are taken most asked first (then alphabetically), and
    each joins the first group whose leading wording is similar enough. Most asked groups first.
    """
    counts: dict[tuple[str, str], int] = {}
    for text, lang in asked:
        cleaned = " ".join(text.split())
        if cleaned:
            counts[(cleaned, lang)] = counts.get((cleaned, lang), 0) + 1
    groups: list[tuple[str, str, str, list[str], list[int]]] = []  # lead, lang, key, variants, counts
    for (text, lang), n in sorted(counts.items(), key=lambda item: (-item[1], item[0][0])):
        key = _key(text)
        for _lead, group_lang, lead_key, variants, tally in groups:
            if group_lang == lang and fuzz.token_sort_ratio(key, lead_key, processor=None) >= SIMILAR:
                variants.append(text)
                tally.append(n)
                break
        else:
            groups.append((text, lang, key, [text], [n]))
    result = [
        QuestionGroup(text=lead, lang=lang, count=sum(tally), variants=tuple(variants))
        for lead, lang, _, variants, tally in groups
    ]
    result.sort(key=lambda g: (-g.count, g.text))
    return result[:top]
