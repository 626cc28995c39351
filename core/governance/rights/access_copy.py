"""What the copy of an approved access request holds (GDPR art. 15(1)): the
released pieces with their values as they are now, and what art. 15(1) asks
besides: the purposes, the categories of data, the recipients, how long the
data are kept and where they came from.

Only approved items go in, and only when their value is still the one that
was reviewed (its fingerprint): a value changed since the review, or gone,
is left out. A partner's name is such an item too: the list of recipients
names a partner only when its name was released, and gives its kind alone
otherwise. The copy has no words of its own; the back office writes it in
the person's language (PDF and JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance.rights.access import current_pieces, subject_of, summary_of
from core.governance.rights.gather import CATEGORIES, ORIGINS, RECIPIENTS, Found, fingerprint
from core.governance.rights.redaction import CHANGED
from core.model import AccessItem, AccessRequest, Case, CasePartner, Intake, ItemDecision

# Why the centre holds the data (the register of processing says the same).
PURPOSES = ("support", "safety", "case_coordination", "figures")
# The records whose retention the copy names.
REQUEST_RECORD = "request"
CASE_FILE_RECORD = "case_file"


@dataclass(frozen=True)
class Released:
    item: AccessItem
    found: Found

    @property
    def value(self) -> Any:
        return self.found.value


@dataclass(frozen=True)
class Recipient:
    """A partner organisation invited into one of the person's case files:
    its kind always, its name only when staff released it (a refuge's name
    says where she is)."""

    kind: str
    basis: str
    name: str | None


@dataclass(frozen=True)
class Retention:
    """One kind of record and how long it is kept after it is closed."""

    record: str  # REQUEST_RECORD or CASE_FILE_RECORD
    kind: str  # the request's door, the case file's track
    amount: int
    unit: str  # "days" or "years"


@dataclass(frozen=True)
class Copy:
    request: AccessRequest
    released: list[Released]
    # item id -> the reason it is not in the copy
    withheld: dict[int, str]
    categories: list[str]
    origins: list[str]
    purposes: tuple[str, ...]
    recipients: list[Recipient]
    retention: list[Retention]
    # How many partners' names the list of recipients gives.
    named: int = 0

    def summary(self) -> str:
        """For the audit trail: counts and item ids with reasons, no text."""
        return summary_of(len(self.released) + self.named, self.withheld)


def _ordered(codes: set[str], order: tuple[str, ...]) -> list[str]:
    return [code for code in order if code in codes]


def make_copy(session: Session, request: AccessRequest, settings: Mapping[str, Any]) -> Copy:
    """The copy as it stands now. `settings` is the configuration (the
    retention periods: FJC_RETENTION_DAYS[_<KIND>], FJC_CASE_RETENTION_YEARS[_<TRACK>])."""
    pieces = current_pieces(session, request)
    released: list[Released] = []
    withheld: dict[int, str] = {}
    for item in request.items:
        if item.decision != ItemDecision.RELEASE:
            withheld[item.id] = item.reason or "-"
            continue
        found = pieces.get((item.source, item.source_id, item.field))
        if found is None or fingerprint(found.value) != item.fingerprint:
            withheld[item.id] = CHANGED
            continue
        released.append(Released(item, found))
    subject = subject_of(session, request)
    # Released names go into the list of recipients, not among the data.
    names = {r.found.source_id for r in released if r.found.category == RECIPIENTS}
    released = [r for r in released if r.found.category != RECIPIENTS]
    return Copy(
        request=request,
        released=released,
        withheld=withheld,
        categories=_ordered({r.found.category for r in released}, CATEGORIES),
        origins=_ordered({r.found.origin for r in released}, ORIGINS),
        purposes=PURPOSES,
        recipients=_recipients(session, sorted(subject.case_ids), names),
        retention=_retention(session, subject.intake_ids, sorted(subject.case_ids), settings),
        named=len(names),
    )


def _recipients(session: Session, case_ids: list[int], named: set[int]) -> list[Recipient]:
    """Every partner of the files, by kind and basis; named only when its name
    was released (a partner added after the review goes by its kind)."""
    if not case_ids:
        return []
    seen: dict[tuple, Recipient] = {}
    for partner in session.scalars(
        select(CasePartner).where(CasePartner.case_id.in_(case_ids)).order_by(CasePartner.id)
    ):
        name = partner.organisation if partner.id in named else None
        seen.setdefault(
            (partner.kind, partner.basis, name), Recipient(partner.kind, partner.basis, name)
        )
    return list(seen.values())


def _retention(
    session: Session, intake_ids, case_ids: list[int], settings: Mapping[str, Any]
) -> list[Retention]:
    kinds = sorted(
        set(session.scalars(select(Intake.kind).where(Intake.id.in_(sorted(intake_ids)))))
    )
    tracks = sorted(set(session.scalars(select(Case.track).where(Case.id.in_(case_ids)))))
    general_days = int(settings["FJC_RETENTION_DAYS"])
    general_years = int(settings["FJC_CASE_RETENTION_YEARS"])
    rules = [
        Retention(
            REQUEST_RECORD,
            kind,
            int(settings.get(f"FJC_RETENTION_DAYS_{kind.upper()}") or general_days),
            "days",
        )
        for kind in kinds
    ]
    rules += [
        Retention(
            CASE_FILE_RECORD,
            track,
            int(settings.get(f"FJC_CASE_RETENTION_YEARS_{track.upper()}") or general_years),
            "years",
        )
        for track in tracks
    ]
    return rules
