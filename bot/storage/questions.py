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

    async def record_feedback(self, question_id: int, *, helpful: bool) -> str | None:
        """Store the asker's verdict; returns the question text (None if unknown)."""
        async with self._sessions.begin() as session:
            statement = (
                update(QuestionRow)
                .where(QuestionRow.id == question_id)
                .values(helpful=helpful)
                .returning(QuestionRow.text)
            )
            return (await session.execute(statement)).scalar()

    async def question(self, question_id: int) -> tuple[str, str | None] | None:
        async with self._sessions() as session:
            row = await session.get(QuestionRow, question_id)
            return (row.text, row.article_id) if row else None

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
