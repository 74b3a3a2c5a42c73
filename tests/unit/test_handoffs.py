"""Hand-offs and the requester's own actions, on the desk: reassign within the region, accept, take back,
escalate up with a reason, cancel while unclaimed, and the DMs and card state that follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cases import sla
from bot.cases.desk import SupportDesk
from bot.dm import DmVerb, parse_dm, route_dm
from bot.errors import IllegalTransition, InvalidInput, NotAllowed
from bot.i18n import t
from bot.interactions import ACTIONS, FORMS, Next, interact
from bot.models import Actor, CaseId, CaseStatus, EventKind, Identity, PersonId, Platform
from bot.replies import Action, FormId
from bot.timers.worker import JobWorker
from tests.fakes.clock import FakeClock
from tests.fakes.recording_notifier import RecordingNotifier

FORM = {
    "summary": "Klient chce zwrotu za telewizor",
    "priority": "normal",
    "category": "refunds",
    "region": "PL",
}


def actor(desk: SupportDesk, user: str) -> Actor:
    return desk.directory.actor(Identity(Platform.SLACK, user))


async def claimed_case(desk: SupportDesk) -> CaseId:
    case = (await desk.escalate(actor(desk, "U0KASIA"), FORM, client_key="k")).case
    await desk.claim(actor(desk, "U0JAN"), case.id)
    return case.id


def test_every_action_and_case_form_has_a_row_in_the_interactions_table() -> None:
    assert set(ACTIONS) == set(Action)
    # The escalation form opens a case and the CSAT comment answers the requester: neither is a case form.
    assert set(FORMS) == set(FormId) - {FormId.ESCALATE, FormId.CSAT_COMMENT}
    assert ACTIONS[Action.ESCALATE_UP].next is Next.FORM  # escalate-up asks for a reason
    assert ACTIONS[Action.CANCEL].next is Next.CARD


async def test_reassign_offers_and_accepts_only_coordinators_of_the_cases_region(desk: SupportDesk) -> None:
    case_id = await claimed_case(desk)
    jan = actor(desk, "U0JAN")
    form = await desk.case_form(jan, case_id, "reassign")
    offered = {o.value for o in form.inputs[0].options}
    assert offered == {"ola", "ivana", "maria"}  # PL coordinators and the supervisor; not Olena (UA, UK)
    with pytest.raises(InvalidInput) as refused:
        await desk.reassign(jan, case_id, to=desk.directory.person(PersonId("olena")).id)
    assert refused.value.reason_key == "invalid.not_in_region"
    assert t("uk", refused.value.reason_key, **refused.value.params) == (
        "Olena Kovalenko не координує регіон PL; оберіть координатора цього регіону."
    )
    assert (await desk.case(case_id)).assignee == "jan"


async def test_the_new_assignee_gets_the_full_card_and_the_previous_one_may_take_it_back(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier
) -> None:
    case_id = await claimed_case(desk)
    await worker.run_once()
    jan, ola = actor(desk, "U0JAN"), actor(desk, "U0OLA")
    await desk.reassign(jan, case_id, to=ola.id)
    await worker.run_once()

    [card] = notifier.to_person("U0OLA")
    assert card.title == "CS-1 · Klient chce zwrotu za telewizor"
    assert card.text == t("pl", "notify.assigned_to_you", name="Jan Kowalski", case="CS-1")
    assert [b.action for b in card.buttons][:2] == [Action.ACCEPT, Action.RESOLVE]
    requester = notifier.to_person("U0KASIA")[-1]
    assert requester.text == t("pl", "notify.requester_reassigned", case="CS-1", name="Ola Wiśniewska")

    back = await desk.take_back(jan, case_id)
    assert back.assignee == "jan"
    assert (await desk.store.events_of(case_id))[-1].kind is EventKind.TAKEN_BACK


async def test_once_accepted_a_reassigned_case_cannot_be_taken_back(desk: SupportDesk) -> None:
    case_id = await claimed_case(desk)
    jan, ola = actor(desk, "U0JAN"), actor(desk, "U0OLA")
    await desk.reassign(jan, case_id, to=ola.id)
    with pytest.raises(NotAllowed):
        await desk.take_back(actor(desk, "U0IVANA"), case_id)
    await desk.accept(ola, case_id)
    with pytest.raises(IllegalTransition):
        await desk.take_back(jan, case_id)


async def test_escalate_up_needs_a_reason_and_records_it(desk: SupportDesk) -> None:
    case_id = await claimed_case(desk)
    jan = actor(desk, "U0JAN")
    with pytest.raises(InvalidInput) as missing:
        await desk.escalate_up(jan, case_id, note="  ")
    assert missing.value.reason_key == "invalid.reason_required"
    outcome = await interact(desk, jan, Action.ESCALATE_UP, str(case_id))
    assert outcome.form is not None and outcome.form.id is FormId.ESCALATE_UP
    await desk.escalate_up(jan, case_id, note="Klient grozi sądem")
    event = (await desk.store.events_of(case_id))[-1]
    assert (event.kind, event.note) == (EventKind.ESCALATED_UP, "Klient grozi sądem")
    card = await desk.card(case_id)
    assert Action.ESCALATE_UP not in [b.action for b in card.buttons]  # used once, gone


async def test_the_requester_cancels_only_while_unclaimed(desk: SupportDesk) -> None:
    case_id = await claimed_case(desk)
    kasia = actor(desk, "U0KASIA")
    with pytest.raises(IllegalTransition):
        await desk.cancel(kasia, case_id)
    other = (await desk.escalate(kasia, FORM, client_key="k2")).case
    view = desk.view_for(kasia, other)
    assert [b.action for b in view.buttons] == [Action.NOTE, Action.CANCEL]
    outcome = await interact(desk, kasia, Action.CANCEL, str(other.id))
    assert outcome.case is not None and outcome.case.status is CaseStatus.CANCELLED
    assert outcome.view is not None and outcome.view.buttons == ()


async def test_the_card_shows_its_sla_state_and_is_refreshed_when_the_target_passes(
    desk: SupportDesk, worker: JobWorker, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    case = (await desk.escalate(actor(desk, "U0KASIA"), FORM, client_key="k")).case
    await worker.run_once()
    posted = notifier.sent[0].reply
    assert t("pl", "case.sla.claim_left", left="10 min") in [f.value for f in posted.fields]
    due = sla.sla_of(desk.config, case)
    assert due is not None
    clock.set(due.due + timedelta(seconds=30))
    await worker.run_once()
    ref, refreshed = notifier.updates[-1]
    assert ref == (await desk.case(case.id)).card
    assert t("pl", "case.sla.claim_missed", late="30 s") in [f.value for f in refreshed.fields]


@pytest.mark.parametrize(
    ("text", "verb", "case", "note"),
    [
        ("reopen CS-3", DmVerb.REOPEN, 3, ""),
        ("Otwórz ponownie CS-3", DmVerb.REOPEN, 3, ""),
        ("otworz ponownie cs-3: klient wrócił", DmVerb.REOPEN, 3, "klient wrócił"),
        ("відкрити CS-3", DmVerb.REOPEN, 3, ""),
        ("ponovno otvori CS-3", DmVerb.REOPEN, 3, ""),
        ("anuluj #12", DmVerb.CANCEL, 12, ""),
        ("moje zgłoszenia", DmVerb.LIST, None, ""),
    ],
)
def test_dm_commands_in_four_languages(text: str, verb: DmVerb, case: int | None, note: str) -> None:
    command = parse_dm(text)
    assert command is not None
    assert (command.verb, command.case, command.note) == (verb, case, note)


@pytest.mark.parametrize(
    "text",
    [
        "can I reopen CS-3 tomorrow?",
        "czy klient może zwrócić towar bez paragonu?",
        "reopen",
        "CS-3",
        "open the box 3",
    ],
)
def test_other_dm_text_is_a_question(text: str) -> None:
    assert parse_dm(text) is None


async def test_reopen_typed_in_the_dm_reopens_the_requesters_case(desk: SupportDesk) -> None:
    case_id = await claimed_case(desk)
    await desk.resolve(actor(desk, "U0JAN"), case_id, note="Zwrot wydany")
    kasia = actor(desk, "U0KASIA")
    reply = await route_dm(desk, kasia, f"otwórz ponownie CS-{case_id}")
    assert (await desk.case(case_id)).status is CaseStatus.CLAIMED
    assert reply.title and reply.title.startswith(f"CS-{case_id}")
