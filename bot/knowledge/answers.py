"""Policy questions: search the knowledge base, answer in the asker's language, record what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.i18n import language_of, languages, t
from bot.knowledge import KnowledgeBase, SearchResult
from bot.models import Actor
from bot.replies import Action, Button, Reply, Style
from bot.storage.store import Store

LANGUAGE_NAMES = {language.code: language.name for language in languages.REGISTRY}


def answer_reply(result: SearchResult, *, question_id: int) -> Reply:
    """An answer card, an "I'm not sure" with suggestions, or an honest "I don't know"; always escalatable."""
    lang = language_of(result.lang)
    qid = str(question_id)
    escalate = Button(Action.ESCALATE_QUESTION, t(lang, "button.escalate_this"), qid)
    if result.answer is not None:
        hit = result.answer
        context = (
            [t(lang, "answer.other_language", language=LANGUAGE_NAMES.get(hit.lang, hit.lang))]
            if (hit.lang != lang)
            else []
        )
        context.append(t(lang, "answer.helpful_question"))
        return Reply(
            title=hit.title,
            text=hit.short_answer,
            context=tuple(context),
            buttons=(
                Button(Action.SHOW_ARTICLE, t(lang, "button.show_article"), f"{hit.id}:{hit.lang}"),
                Button(Action.HELPFUL, t(lang, "button.helpful"), qid, Style.PRIMARY),
                Button(Action.NOT_HELPFUL, t(lang, "button.not_helpful"), qid),
                escalate,
            ),
        )
    if result.suggestions:
        return Reply(
            text=t(lang, "answer.unsure"),
            buttons=(
                *(
                    Button(Action.SHOW_ARTICLE, hit.title, f"{hit.id}:{hit.lang}")
                    for hit in result.suggestions[:3]
                ),
                escalate,
            ),
        )
    return Reply(text=t(lang, "answer.none"), buttons=(escalate,))


class Answers:
    def __init__(
        self, *, store: Store, knowledge: Callable[[], KnowledgeBase], clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.knowledge = knowledge
        self.clock = clock

    async def ask(self, actor: Actor, text: str) -> Reply:
        """Answer a policy question; the platform locale is only a hint for the question's language."""
        result = self.knowledge().search(text, lang_hint=actor.language)
        question_id = await self.store.record_question(
            asker=actor.id,
            text=text,
            lang=result.lang,
            article_id=result.answer.id if result.answer else None,
            score=result.candidates[0].score if result.candidates else 0.0,
            now=self.clock(),
            suggested=result.answer is None and bool(result.suggestions),
        )
        return answer_reply(result, question_id=question_id)

    async def feedback(self, actor: Actor, question_id: int, *, helpful: bool) -> Reply:
        await self.store.record_feedback(question_id, helpful=helpful)
        key = "answer.thanks_helpful" if helpful else "answer.thanks_not_helpful"
        buttons = (
            ()
            if helpful
            else (
                Button(Action.ESCALATE_QUESTION, t(actor.language, "button.escalate_this"), str(question_id)),
            )
        )
        return Reply(text=t(actor.language, key), buttons=buttons, ephemeral=True)

    def article(self, actor: Actor, value: str) -> Reply:
        """The whole article behind a `SHOW_ARTICLE` button value (`id:lang`)."""
        article_id, _, lang = value.partition(":")
        article = self.knowledge().article(article_id, lang or actor.language)
        if article is None:
            return Reply(text=t(actor.language, "answer.article_gone"), ephemeral=True)
        context = tuple(
            part
            for part in (
                t(article.lang, "answer.owner", owner=article.owner) if article.owner else "",
                t(article.lang, "answer.updated", date=str(article.updated)) if article.updated else "",
            )
            if part
        )
        return Reply(title=article.title, text=article.body, context=context, ephemeral=True)

    async def escalation_prefill(self, actor: Actor, question_id: int) -> tuple[str, str]:
        """Summary and details for an escalation started from a question: the question and the bot's answer."""
        found = await self.store.question(question_id)
        if found is None:
            return "", ""
        text, article_id = found
        details = t(actor.language, "escalate.from_question", question=text)
        if article_id:
            article = self.knowledge().article(article_id, actor.language)
            if article:
                details += "\n" + t(
                    actor.language, "escalate.bot_answered", title=article.title, answer=article.short_answer
                )
        return text[:150], details
