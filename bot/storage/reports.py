"""Store queries behind reports and CSAT: case histories of a period, chain pings, answers, questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from bot.models import AskedQuestion, CaseId, CsatAnswer, CsatScore, PersonId
from bot.storage.base import Queries
from bot.storage.tables import CsatRow, JobRow, ProcessedEventRow, QuestionRow

CLAIM_STEP, DONE = "claim_step", "done"  # bot.timers.worker.Kind.CLAIM_STEP and a finished job


def _to_csat(row: CsatRow) -> CsatAnswer:
    return CsatAnswer(CaseId(row.case_id), PersonId(row.person), CsatScore(row.score), row.at, row.comment)


class ReportQueries(Queries):
    """What reports read, and the CSAT answers they count."""

    async def chain_pings_between(self, start: datetime, end: datetime) -> list[tuple[int, int, datetime]]:
        """(case id, step, sent at) of every claim-chain step that ran in `[start, end)`."""
        query = select(JobRow.case_id, JobRow.step, JobRow.finished_at).where(
            JobRow.kind == CLAIM_STEP,
            JobRow.status == DONE,
            JobRow.finished_at >= start,
            JobRow.finished_at < end,
        )
        async with self._sessions() as session:
            rows = (await session.execute(query.order_by(JobRow.finished_at))).all()
        return [(int(case_id), int(step), at) for case_id, step, at in rows if case_id is not None and at]

    async def questions_between(self, start: datetime, end: datetime) -> list[AskedQuestion]:
        query = (
            select(QuestionRow).where(QuestionRow.at >= start, QuestionRow.at < end).order_by(QuestionRow.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).scalars().all()
        return [
            AskedQuestion(
                id=row.id,
                asker=PersonId(row.asker),
                text=row.text,
                lang=row.lang,
                at=row.at,
                article_id=row.article_id,
                suggested=row.suggested,
                helpful=row.helpful,
                case_id=CaseId(row.case_id) if row.case_id is not None else None,
            )
            for row in rows
        ]

    async def link_question(self, question_id: int, case_id: CaseId) -> None:
        """Remember that a case was escalated from this question (the first case wins)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(QuestionRow)
                .where(QuestionRow.id == question_id, QuestionRow.case_id.is_(None))
                .values(case_id=case_id)
            )

    async def record_csat(self, answer: CsatAnswer) -> bool:
        """Store the case's answer, replacing an earlier one; True when this is the first answer."""
        values = {
            "case_id": answer.case_id,
            "person": answer.person,
            "score": answer.score.value,
            "comment": answer.comment[:2000],
            "at": answer.at,
        }
        async with self._sessions.begin() as session:
            first = (
                await session.execute(
                    self._insert_ignoring(CsatRow)
                    .values(**values)
                    .on_conflict_do_nothing(index_elements=["case_id"])
                    .returning(CsatRow.case_id)
                )
            ).scalar() is not None
            if not first:
                changes = {k: v for k, v in values.items() if k != "comment" or answer.comment}
                await session.execute(
                    update(CsatRow).where(CsatRow.case_id == answer.case_id).values(**changes)
                )
            return first

    async def csat_of(self, case_id: CaseId) -> CsatAnswer | None:
        async with self._sessions() as session:
            row = await session.get(CsatRow, case_id)
            return _to_csat(row) if row else None

    async def csat_between(self, start: datetime, end: datetime) -> list[CsatAnswer]:
        query = select(CsatRow).where(CsatRow.at >= start, CsatRow.at < end).order_by(CsatRow.at)
        async with self._sessions() as session:
            return [_to_csat(row) for row in (await session.execute(query)).scalars()]

    async def was_delivered(self, key: str) -> bool:
        """Whether `first_delivery(key)` was recorded (a digest already sent, say)."""
        async with self._sessions() as session:
            return await session.get(ProcessedEventRow, key) is not None
