"""The survivor's voice: after a triage decision, and again after her case
file is closed, the person's mailbox invites her to say how the service was.
She sees the invitation only when she comes back herself; nothing is sent.

What she answers is stored without any link to her (core.model.Feedback):
the centre's month, the moment, the door, the track and the answers. The
request only remembers that this moment is done (answered or declined), so
she is not asked twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.casework.cases import case_of
from core.infra import clock
from core.model import Case, CaseStatus, Centre, Feedback, Intake, IntakeStatus
from core.network.centre_keys import encrypting_for_centre
from core.rules import RuleError

AFTER_TRIAGE = "after_triage"
AFTER_CLOSURE = "after_closure"
NO_ANSWER = "no_answer"
# Each question and the answers it offers, in order; every question also
# offers "I prefer not to answer" (NO_ANSWER), which is stored as such.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "felt_safe": ("yes", "partly", "no"),
    "told_again": ("no", "once", "several_times"),
    "listened_to": ("yes", "partly", "no"),
    "got_help": ("yes", "partly", "no"),
    "tell_a_friend": ("yes", "maybe", "no"),
}
FREE_TEXT_MAX = 2000


def _moment_column(moment: str) -> str:
    return f"feedback_{moment}"


def pending_moment(session: Session, intake: Intake) -> str | None:
    """The moment she may give feedback on now, if any: after her case file
    closed (first, as it is the later one), else after the triage decision."""
    if intake.status == IntakeStatus.ERASED:
        return None
    case = case_of(session, intake)
    if case is not None and case.status == CaseStatus.CLOSED and not intake.feedback_after_closure:
        return AFTER_CLOSURE
    if intake.decided_at is not None and not intake.feedback_after_triage:
        return AFTER_TRIAGE
    return None


@dataclass(frozen=True)
class Answers:
    felt_safe: str | None = None
    told_again: str | None = None
    listened_to: str | None = None
    got_help: str | None = None
    tell_a_friend: str | None = None
    free_text: str | None = None


def _check(answers: Answers) -> dict:
    problems: dict[str, str] = {}
    values: dict = {}
    for question, offered in QUESTIONS.items():
        value = getattr(answers, question) or None
        if value is not None and value not in (*offered, NO_ANSWER):
            problems[question] = "unknown"
        values[question] = value
    text = (answers.free_text or "").strip() or None
    if text and len(text) > FREE_TEXT_MAX:
        problems["free_text"] = "too_long"
    if problems:
        raise RuleError(problems)
    values["free_text"] = text
    return values


def _month(session: Session, intake: Intake, now: datetime) -> str:
    centre = session.get(Centre, intake.centre_id)
    zone = ZoneInfo(centre.timezone if centre else "Europe/Brussels")
    return now.astimezone(zone).strftime("%Y-%m")


def _track(session: Session, intake: Intake) -> str | None:
    case: Case | None = case_of(session, intake)
    return case.track if case is not None else intake.outcome


def _done(intake: Intake, moment: str) -> None:
    setattr(intake, _moment_column(moment), True)
    # After her file closed, asking about the first step as well would be
    # asking twice: the later moment answers for both.
    if moment == AFTER_CLOSURE:
        intake.feedback_after_triage = True


def give(session: Session, intake: Intake, moment: str, answers: Answers) -> Feedback | None:
    """Store her answers unlinked, and mark the moment done on her request.
    A form sent with nothing in it is a "no, thank you": no row is stored."""
    if moment != pending_moment(session, intake):
        raise RuleError("moment", "not_open")
    values = _check(answers)
    if not any(values.values()):
        decline(session, intake, moment)
        return None
    feedback = Feedback(
        centre_id=intake.centre_id,
        month=_month(session, intake, clock.now()),
        moment=moment,
        door=intake.kind,
        track=_track(session, intake),
        **values,
    )
    # Given in the portal, which has no centre of its own: the request's.
    with encrypting_for_centre(session, intake.centre_id):
        session.add(feedback)
        _done(intake, moment)
        session.flush()
    return feedback


def decline(session: Session, intake: Intake, moment: str) -> None:
    """ "No, thank you": the moment is done, and nothing is stored about it."""
    if moment != pending_moment(session, intake):
        raise RuleError("moment", "not_open")
    _done(intake, moment)
    session.flush()
