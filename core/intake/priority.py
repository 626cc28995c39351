"""Who is helped first: the queue's priority, from plain rules.

A request's priority is the sum of the points of the rules that apply, and the
queue shows those rules as the reason. Most rules depend on what the request
says, so their sum is stored on the request (Intake.priority) when it arrives
or changes; waiting time depends on the clock, so it is added when the queue
is read (see waiting_points and waiting_points_since). Ties go to the oldest.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, case

from core.model import Intake, IntakeKind

# The points per rule. Danger now always comes first: its points exceed every
# other rule together (see OTHER_RULES_MAX). A professional's "today" comes
# next; a high-risk factor outweighs children or time waiting alone.
DANGER_NOW = 1000
URGENT_TODAY = 80
URGENT_THIS_WEEK = 30
HIGH_RISK_FACTOR = 40
OTHER_RISK_FACTOR = 10
OTHER_RISK_MAX = 30
CHILDREN = 20
UNREAD_MESSAGE = 25
OVERDUE = 30
LONG_OVERDUE = 60
# A young person asking for help themselves: before an adult's ordinary
# request, as early as a professional's "this week". One who is not safe right
# now says so with "danger now", which ranks first for everyone.
YOUNG_PERSON = 30

# The most all other rules can add up to: a request without "danger now"
# never outranks one with it, however urgent, risky or overdue it is.
OTHER_RULES_MAX = URGENT_TODAY + HIGH_RISK_FACTOR + OTHER_RISK_MAX + CHILDREN + UNREAD_MESSAGE
OTHER_RULES_MAX += LONG_OVERDUE + YOUNG_PERSON
assert DANGER_NOW > OTHER_RULES_MAX

# Factors that, in the risk literature, go with lethal violence.
HIGH_RISK_FACTORS = frozenset({"strangulation", "threats_to_kill", "weapons"})


@dataclass(frozen=True)
class Reason:
    code: str
    points: int


class ReferralFacts(Protocol):
    @property
    def urgency(self) -> str: ...
    @property
    def risk_concerns(self) -> Collection[str] | None: ...


class RequestFacts(Protocol):
    """What the rules read of a request: an Intake, or the queue's lighter
    row of it (core.intake.queue.QueueItem)."""

    @property
    def danger_now(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def children_involved(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def first_contact_at(self) -> datetime | None: ...
    @property
    def referral(self) -> ReferralFacts | None: ...


def static_reasons(intake: RequestFacts, *, unread_messages: bool = False) -> list[Reason]:
    """The rules that depend on what the request says, not on the clock."""
    reasons: list[Reason] = []
    if intake.danger_now:
        reasons.append(Reason("danger_now", DANGER_NOW))
    referral = intake.referral
    if referral is not None:
        if referral.urgency == "today":
            reasons.append(Reason("urgent_today", URGENT_TODAY))
        elif referral.urgency == "this_week":
            reasons.append(Reason("urgent_this_week", URGENT_THIS_WEEK))
        concerns = set(referral.risk_concerns or ())
        if concerns & HIGH_RISK_FACTORS:
            reasons.append(Reason("high_risk_factor", HIGH_RISK_FACTOR))
        others = len(concerns - HIGH_RISK_FACTORS)
        if others:
            reasons.append(Reason("risk_factors", min(others * OTHER_RISK_FACTOR, OTHER_RISK_MAX)))
    if intake.kind == IntakeKind.YOUNG:
        reasons.append(Reason("young_person", YOUNG_PERSON))
    if intake.children_involved == "yes":
        reasons.append(Reason("children", CHILDREN))
    if unread_messages:
        reasons.append(Reason("unread_message", UNREAD_MESSAGE))
    return reasons


def static_priority(intake: RequestFacts, *, unread_messages: bool = False) -> int:
    return sum(r.points for r in static_reasons(intake, unread_messages=unread_messages))


def waiting_points(created_at: datetime, now: datetime, target: timedelta) -> Reason | None:
    """Overdue for first contact: past the target, and again past twice the target."""
    waited = now - created_at
    if waited >= 2 * target:
        return Reason("long_overdue", LONG_OVERDUE)
    if waited >= target:
        return Reason("overdue", OVERDUE)
    return None


def waiting_points_since(overdue_since, long_overdue_since):
    """waiting_points as an SQL expression, so the database can sort by it,
    from the two moments a request becomes overdue (now - target) and long
    overdue (now - 2 x target): values, or bound parameters, so that a
    statement built once (core.intake.queue) serves every `now`."""
    waiting = Intake.first_contact_at.is_(None)
    return case(
        (and_(waiting, Intake.created_at <= long_overdue_since), LONG_OVERDUE),
        (and_(waiting, Intake.created_at <= overdue_since), OVERDUE),
        else_=0,
    )


def reasons_now(
    intake: RequestFacts, now: datetime, target: timedelta, *, unread_messages: bool = False
) -> list[Reason]:
    """Every rule that applies at `now`, highest first: what the queue shows."""
    reasons = static_reasons(intake, unread_messages=unread_messages)
    if intake.first_contact_at is None:
        waiting = waiting_points(intake.created_at, now, target)
        if waiting is not None:
            reasons.append(waiting)
    return sorted(reasons, key=lambda r: r.points, reverse=True)
