"""CSAT: after a resolution the requester is asked "Did this solve it?" (yes, partly, no, and a comment).

One answer per case, which the requester may change at any time; only the requester may answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.directory import Directory
from bot.errors import CaseNotFound, NotAllowed
from bot.i18n import t
from bot.models import Actor, Case, CaseId, CsatAnswer, CsatScore, case_ref
from bot.replies import Action, Button, Form, FormId, Input, InputKind, Option, Reply, Style
from bot.storage.store import Store

SCORES = {Action.CSAT_YES: CsatScore.YES, Action.CSAT_PARTLY: CsatScore.PARTLY, Action.CSAT_NO: CsatScore.NO}


def score_label(score: CsatScore, lang: str) -> str:
    return t(lang, f"csat.{score.value}")


def csat_question(case: Case, lang: str) -> Reply:
    """The question sent to the requester, as its own message beside the "resolved" notice."""
    value = str(case.id)
    return Reply(
        text=t(lang, "csat.question", case=case.ref),
        context=(case.summary,),
        buttons=(
            Button(Action.CSAT_YES, t(lang, "csat.yes"), value, Style.PRIMARY),
            Button(Action.CSAT_PARTLY, t(lang, "csat.partly"), value),
            Button(Action.CSAT_NO, t(lang, "csat.no"), value),
            Button(Action.CSAT_COMMENT, t(lang, "csat.comment"), value),
        ),
    )


def csat_history_line(answer: CsatAnswer, lang: str) -> str:
    line = t(lang, "csat.history", score=score_label(answer.score, lang))
    return f"{line}: {answer.comment}" if answer.comment else line


class Satisfaction:
    def __init__(self, *, store: Store, directory: Directory, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.directory = directory
        self.clock = clock

    async def _requested(self, actor: Actor, case_id: CaseId) -> Case:
        case = await self.store.case(case_id)
        if case is None:
            raise CaseNotFound(case_ref(case_id))
        if case.requester != actor.id:
            raise NotAllowed("csat", reason="not_requester")
        return case

    async def answer(self, actor: Actor, case_id: CaseId, score: CsatScore, *, comment: str = "") -> Reply:
        """Record (or change) the requester's answer; a repeated click changes nothing."""
        case = await self._requested(actor, case_id)
        await self.store.record_csat(
            CsatAnswer(case.id, actor.id, score, self.clock(), comment=comment.strip())
        )
        return Reply(
            text=t(actor.language, "csat.thanks", case=case.ref, score=score_label(score, actor.language)),
            ephemeral=True,
        )

    async def comment_form(self, actor: Actor, case_id: CaseId) -> Form:
        case = await self._requested(actor, case_id)
        lang = actor.language
        current = await self.store.csat_of(case.id)
        options = tuple(Option(s.value, score_label(s, lang)) for s in CsatScore)
        return Form(
            id=FormId.CSAT_COMMENT,
            title=t(lang, "csat.comment"),
            submit=t(lang, "csat.comment"),
            cancel=t(lang, "form.cancel"),
            intro=t(lang, "csat.question", case=case.ref),
            inputs=(
                Input(
                    "score",
                    t(lang, "csat.question", case=case.ref),
                    InputKind.SELECT,
                    initial=current.score.value if current else CsatScore.YES.value,
                    options=options,
                ),
                Input(
                    "comment",
                    t(lang, "csat.comment_label"),
                    InputKind.MULTILINE,
                    required=False,
                    initial=current.comment if current else "",
                    max_length=2000,
                ),
            ),
            context={"case": str(case.id)},
        )

    async def submit_comment(self, actor: Actor, case_id: CaseId, values: dict[str, str]) -> Reply:
        raw = values.get("score", "")
        score = CsatScore(raw) if raw in CsatScore.__members__.values() else CsatScore.YES
        return await self.answer(actor, case_id, score, comment=values.get("comment", ""))
