"""Policy questions: search the knowledge base, answer in the asker's language, record what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.i18n import language_of, languages, t
from bot.knowledge import KnowledgeBase, SearchHit, SearchResult
from bot.models import Actor, Case
from bot.replies import Action, Button, Reply, Style
from bot.storage.store import Store

# "in English" etc. in the asker's language (a phrase, so each language can inflect it).
IN_LANGUAGE = {code: f"language.in_{code}" for code in languages.CODES}


def _other_language_note(lang: str, article_lang: str) -> str:
    """ "This policy exists only in English", in the asker's language."""
    key = IN_LANGUAGE.get(article_lang)
    language = t(lang, key) if key else article_lang
    return t(lang, "answer.only_in", language=language)


def answer_reply(result: SearchResult, *, question_id: int) -> Reply:
    """An answer card, an "I'm not sure" with suggestions, or an honest "I don't know"; always escalatable."""
    lang = language_of(result.lang)
    qid = str(question_id)
    escalate = Button(Action.ESCALATE_QUESTION, t(lang, "button.escalate_this"), qid)
    if result.answer is not None:
        hit = result.answer
        context = [_other_language_note(lang, hit.lang)] if hit.lang != lang else []
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
            text=t(lang, "answer.did_you_mean"),
            buttons=(
                *(
                    Button(
                        Action.PICK_SUGGESTION,
                        t(lang, "button.did_you_mean", title=hit.title),
                        f"{qid}:{hit.id}:{hit.lang}",
                    )
                    for hit in result.suggestions[:3]
                ),
                Button(Action.ESCALATE_QUESTION, t(lang, "button.none_of_these"), qid),
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

    async def pick(self, actor: Actor, value: str) -> Reply:
        """A suggestion the asker chose (`question:id:lang`): it becomes the question's answer."""
        question, _, rest = value.partition(":")
        article_id, _, lang = rest.partition(":")
        article = self.knowledge().article(article_id, lang or actor.language)
        if not question.isdigit() or article is None:
            return Reply(text=t(actor.language, "answer.article_gone"), ephemeral=True)
        await self.store.record_pick(int(question), article_id=article.id)
        hit = SearchHit(article.id, article.lang, article.title, 1.0, article.short_answer)
        asker_lang = language_of(actor.language)
        result = SearchResult("", asker_lang, hit, (hit,), ())
        return answer_reply(result, question_id=int(question))

    async def feedback(self, actor: Actor, question_id: int, *, helpful: bool) -> Reply:
        """The asker's vote, one per question (a change of mind replaces it). Returns the answer as it now
        reads: the vote recorded in place of the two buttons, with one to change it; someone else's click
        records nothing and gets an ephemeral note."""
        if await self.store.record_feedback(question_id, helpful=helpful, asker=actor.id) is None:
            return Reply(text=t(actor.language, "answer.vote_not_yours"), ephemeral=True)
        return await self._rebuilt(question_id, lang=actor.language, helpful=helpful)

    async def escalated(self, question_id: int, case: Case, *, lang: str) -> Reply:
        """The answer after "Escalate this" made `case`: the case's number and link instead of the button."""
        return await self._rebuilt(question_id, lang=lang, case=case)

    async def _rebuilt(
        self, question_id: int, *, lang: str, helpful: bool | None = None, case: Case | None = None
    ) -> Reply:
        found = await self.store.question_asked(question_id)
        article = self.knowledge().article(found[1], found[2]) if found and found[1] else None
        qid = str(question_id)
        context: list[str] = []
        buttons: list[Button] = []
        if article is not None:
            buttons.append(
                Button(Action.SHOW_ARTICLE, t(lang, "button.show_article"), f"{article.id}:{article.lang}")
            )
        if helpful is not None:
            context.append(t(lang, "answer.voted_helpful" if helpful else "answer.voted_not_helpful"))
            change = Action.NOT_HELPFUL if helpful else Action.HELPFUL
            buttons.append(Button(change, t(lang, f"button.change_to_{change.name.lower()}"), qid))
        link: tuple[str, str] | None = None
        if case is not None:
            context.append(t(lang, "answer.escalated_as", case=case.ref))
            if case.card is not None and case.card.link:
                link = (t(lang, "case.open_thread", case=case.ref), case.card.link)
        else:
            buttons.append(Button(Action.ESCALATE_QUESTION, t(lang, "button.escalate_this"), qid))
        if article is None:
            return Reply(
                text=t(lang, "answer.none"), context=tuple(context), buttons=tuple(buttons), link=link
            )
        return Reply(
            title=article.title,
            text=article.short_answer,
            context=tuple(context),
            buttons=tuple(buttons),
            link=link,
        )

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
