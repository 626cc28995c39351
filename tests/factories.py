"""Records the tests build again and again: a request decided for a track, and
the case file opened from it, as staff would make them."""

from core.casework import cases
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Case, Intake, IntakeKind, Staff, TriageOutcome


def decided_request(session, staff: Staff, track=TriageOutcome.TRACK_2, **contact) -> Intake:
    """A contact request from "Sam" who may be called, decided for `track`."""
    intake, _ = submit(
        session,
        Submission(
            kind=IntakeKind.CONTACT,
            language="nl",
            contact=SafeContact(
                **{"name": "Sam", "phone": "0470 12 34 56", "may_call": True, **contact}
            ),
            story="Mijn verhaal.",
        ),
    )
    triage.decide(session, intake, staff, outcome=track)
    return intake


def case_from_request(session, staff: Staff, track=TriageOutcome.TRACK_2) -> Case:
    """A case file opened by `staff` from one decided request."""
    intake = decided_request(session, staff, track)
    return cases.open_case(session, [intake], staff, track=track)
