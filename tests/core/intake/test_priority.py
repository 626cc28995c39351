from datetime import UTC, datetime, timedelta

import pytest

from core.intake import priority
from core.model import Intake, Referral

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TARGET = timedelta(hours=24)


def _intake(**fields) -> Intake:
    referral = fields.pop("referral", None)
    intake = Intake(**{"danger_now": False, "children_involved": None, "created_at": NOW, **fields})
    if referral is not None:
        intake.referral = Referral(**referral)
    return intake


def _codes(intake, **kwargs) -> list[str]:
    return [r.code for r in priority.reasons_now(intake, NOW, TARGET, **kwargs)]


def test_a_plain_request_has_no_priority_and_no_reason():
    assert priority.static_priority(_intake()) == 0
    assert _codes(_intake()) == []


def test_danger_now_outranks_everything_else_a_request_can_say():
    danger = _intake(danger_now=True)
    everything_else = _intake(
        children_involved="yes",
        referral={"urgency": "this_week", "risk_concerns": ["separation"]},
    )
    assert priority.static_priority(danger) > priority.static_priority(everything_else)
    assert _codes(danger) == ["danger_now"]


def test_danger_now_outranks_the_most_urgent_referral_waiting_longest():
    """A professional's "urgent today" with a choking, every other risk, children,
    an unread message and twice the target waited still comes after "danger now"."""
    danger = _intake(danger_now=True, created_at=NOW)
    referral = _intake(
        children_involved="yes",
        created_at=NOW - 3 * TARGET,
        referral={
            "urgency": "today",
            "risk_concerns": ["strangulation", "separation", "stalking", "escalation", "pregnancy"],
        },
    )

    def score(intake, unread=False):
        return sum(
            r.points for r in priority.reasons_now(intake, NOW, TARGET, unread_messages=unread)
        )

    assert score(danger) > score(referral, unread=True)


@pytest.mark.parametrize(("urgency", "points"), [("today", 80), ("this_week", 30), ("normal", 0)])
def test_a_professionals_urgency_counts(urgency, points):
    intake = _intake(referral={"urgency": urgency, "risk_concerns": []})
    assert priority.static_priority(intake) == points


def test_one_high_risk_factor_counts_once_and_others_are_capped():
    high = _intake(referral={"urgency": "normal", "risk_concerns": ["strangulation", "weapons"]})
    assert priority.static_priority(high) == priority.HIGH_RISK_FACTOR
    many = _intake(
        referral={
            "urgency": "normal",
            "risk_concerns": [
                "separation",
                "stalking",
                "pregnancy",
                "escalation",
                "substance_abuse",
            ],
        }
    )
    assert priority.static_priority(many) == priority.OTHER_RISK_MAX


def test_children_and_an_unread_message_raise_a_request():
    intake = _intake(children_involved="yes")
    assert priority.static_priority(intake) == priority.CHILDREN
    assert priority.static_priority(intake, unread_messages=True) == (
        priority.CHILDREN + priority.UNREAD_MESSAGE
    )
    assert _intake(children_involved="unknown").referral is None
    assert priority.static_priority(_intake(children_involved="unknown")) == 0


@pytest.mark.parametrize(
    ("hours", "code"), [(23, None), (24, "overdue"), (47, "overdue"), (48, "long_overdue")]
)
def test_waiting_past_the_target_raises_a_request(hours, code):
    waiting = priority.waiting_points(NOW - timedelta(hours=hours), NOW, TARGET)
    assert (waiting.code if waiting else None) == code


def test_waiting_stops_counting_once_the_person_was_contacted():
    intake = _intake()
    intake.created_at = NOW - timedelta(hours=50)
    assert _codes(intake) == ["long_overdue"]
    intake.first_contact_at = NOW - timedelta(hours=1)
    assert _codes(intake) == []


def test_reasons_are_listed_highest_first():
    intake = _intake(danger_now=True, children_involved="yes")
    intake.created_at = NOW - timedelta(hours=30)
    assert _codes(intake, unread_messages=True) == [
        "danger_now",
        "overdue",
        "unread_message",
        "children",
    ]
