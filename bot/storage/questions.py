"""Store queries for policy questions: what was asked, what the bot answered, and the feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update

from bot.models import PersonId
from bot.storage.base import Queries
from bot.storage.tables import QuestionRow


@dataclass(frozen=True, slots=True)
class QuestionStats:
    asked: int
    answered: int
    helpful: int
    not_helpful: int
    unanswered: tuple[tuple[str, str, int], ...]  # (text, lang, times asked), most asked first


class QuestionQueries(Queries):
    """Policy questions asked, what the bot answered, and the askers' feedback."""

    async def record_question(
        self,
        *,
        asker: PersonId,
        text: str,
        lang: str,
        article_id: str | None,
        score: float,
        now: datetime,
        suggested: bool = False,
    ) -> int:
        async with self._sessions.begin() as session:
            statement = (
                insert(QuestionRow)
                .values(
                    asker=asker,
                    text=text[:2000],
                    lang=lang,
                    article_id=article_id,
                    score=score,
                    at=now,
                    suggested=suggested,
                )
                .returning(QuestionRow.id)
            )
            return int((await session.execute(statement)).scalar_one())

    async def record_feedback(
        self, question_id: int, *, helpful: bool, asker: str | None = None
    ) -> str | None:
        """Store the asker's verdict (a later one replaces it); returns the question text, or None when
        the question is unknown or `asker` is given and did not ask it."""
        async with self._sessions.begin() as session:
            conditions = [QuestionRow.id == question_id]
            if asker is not None:
                conditions.append(QuestionRow.asker == asker)
            statement = (
                update(QuestionRow).where(*conditions).values(helpful=helpful).returning(QuestionRow.text)
            )
            return (await session.execute(statement)).scalar()

    async def record_pick(self, question_id: int, *, article_id: str) -> None:
        """The asker chose a suggested article: it counts as the question's answer."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(QuestionRow).where(QuestionRow.id == question_id).values(article_id=article_id)
            )

    async def question(self, question_id: int) -> tuple[str, str | None] | None:
        async with self._sessions() as session:
            row = await session.get(QuestionRow, question_id)
            return (row.text, row.article_id) if row else None

    async def question_asked(self, question_id: int) -> tuple[str, str | None, str, str] | None:
        """(text, answered article id, language, asker) of a question, or None when unknown."""
        async with self._sessions() as session:
            row = await session.get(QuestionRow, question_id)
            return (row.text, row.article_id, row.lang, row.asker) if row else None

    async def question_stats(self, start: datetime, end: datetime, *, top: int = 10) -> QuestionStats:
        window = and_(QuestionRow.at >= start, QuestionRow.at < end)
        async with self._sessions() as session:
            asked, answered, helpful, not_helpful = (
                await session.execute(
                    select(
                        func.count(),
                        func.count(QuestionRow.article_id),
                        func.count().filter(QuestionRow.helpful.is_(True)),
                        func.count().filter(QuestionRow.helpful.is_(False)),
                    ).where(window)
                )
            ).one()
            unanswered_query = (
                select(QuestionRow.text, QuestionRow.lang, func.count().label("n"))
                .where(window, QuestionRow.article_id.is_(None))
                .group_by(QuestionRow.text, QuestionRow.lang)
                .order_by(func.count().desc(), QuestionRow.text)
                .limit(top)
            )
            unanswered = tuple(
                (t, lang, int(n)) for t, lang, n in (await session.execute(unanswered_query)).all()
            )
        return QuestionStats(int(asked), int(answered), int(helpful), int(not_helpful), unanswered)
