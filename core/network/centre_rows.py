"""Which centre every row belongs to: one mapping, read by key rotation, the
re-keying of a transfer (core.network.rekey), export-centre and erase-centre.

A row belongs to a centre through its own centre_id, or through the row it
hangs from: a message through its request, an action through its case file,
a session through its account. A table added later must be placed here (in
LEADS_TO_CENTRE or INSTALLATION_TABLES): tests/core/network/test_centre_rows.py
fails until it is, so no table's rows are forgotten by an erase.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, ColumnElement, Select, Table, or_, select

from core.model import Base

CENTRE_COLUMN = "centre_id"

# table -> the column that leads to its centre: centre_id itself, or the
# foreign key to the row whose centre it shares.
LEADS_TO_CENTRE: dict[str, str] = {
    # A row of its own centre.
    "municipalities": CENTRE_COLUMN,
    "staff": CENTRE_COLUMN,  # the home centre
    "staff_centres": CENTRE_COLUMN,  # a membership of this centre
    "partner_organisations": CENTRE_COLUMN,
    "feedback": CENTRE_COLUMN,
    "intakes": CENTRE_COLUMN,
    "cases": CENTRE_COLUMN,
    "centre_transfers": CENTRE_COLUMN,  # the sending centre (to_centre_id: ADR 0033)
    "key_canaries": CENTRE_COLUMN,  # None: the installation's own canary
    "audit_events": CENTRE_COLUMN,  # a plain number: the trail outlives the centre
    # An account's.
    "staff_sessions": "staff_id",
    "staff_recovery_codes": "staff_id",
    # A request's.
    "referrals": "intake_id",
    "messages": "intake_id",
    "contact_attempts": "intake_id",
    "contact_rules_changes": "intake_id",
    "triage_decisions": "intake_id",
    "intake_status_changes": "intake_id",
    "intake_links": "intake_id",
    "mailbox_sessions": "intake_id",
    # A case file's.
    "case_intakes": "case_id",
    "case_people": "case_id",
    "case_members": "case_id",
    "case_events": "case_id",
    "risk_assessments": "case_id",
    "case_partners": "case_id",
    "case_relations": "case_id",
    "safety_plans": "case_id",
    "child_voices": "case_id",
    "case_consultations": "case_id",
    # Actions carry their file's centre as well (the overdue list's index).
    "case_actions": CENTRE_COLUMN,
    "planned_consultations": "case_id",
    "case_partner_members": "case_partner_id",
    "consultation_contributions": "planned_id",
    # Access requests (issue 25, GDPR art. 15) and the items of their copies.
    "access_requests": CENTRE_COLUMN,
    "access_items": "request_id",
    # Retention (issue 25): legal holds go with their record; the purge's
    # traces are the centre's own.
    "case_holds": "case_id",
    "intake_holds": "intake_id",
    "purge_traces": CENTRE_COLUMN,
    # Rectification, restriction, erasure requests (issue 25, GDPR art. 16-18):
    # each goes with the record it is about.
    "person_corrections": "person_id",
    "intake_corrections": "intake_id",
    "person_restrictions": "person_id",
    "intake_restrictions": "intake_id",
    "erasure_requests": "case_id",
    # Talk now (issue 21): a conversation is its centre's, also before it
    # becomes a request (and a transfer of that request takes it along:
    # core.casework.transfers); its lines go with it; a member's switch is
    # per centre.
    "conversations": CENTRE_COLUMN,
    "conversation_messages": "conversation_id",
    "talk_availability": CENTRE_COLUMN,
}
# Rows of the installation, of no centre: the centres themselves, the sign-in
# throttle (keyed hashes of e-mail addresses, which expire on their own) and
# the health check's one row.
INSTALLATION_TABLES = frozenset({"centres", "login_throttles", "health_writes"})
# Kept when a centre is erased: audit events carry ids and codes only, and the
# trail must stay whole (its chain covers every event).
KEPT_ON_ERASE = frozenset({"audit_events"})


def unplaced_tables(tables: Iterable[Table] | None = None) -> list[str]:
    """Tables neither mapping knows (a new model must be placed here)."""
    tables = Base.metadata.sorted_tables if tables is None else tables
    placed = set(LEADS_TO_CENTRE) | INSTALLATION_TABLES
    return [t.name for t in tables if t.name not in placed]


def centre_tables() -> list[Table]:
    """The tables whose rows belong to a centre, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name in LEADS_TO_CENTRE]


def _lead(model_table: Table) -> Column:
    return model_table.c[LEADS_TO_CENTRE[model_table.name]]


def _parent(lead: Column) -> Column:
    """The column of the parent row the lead points at (its id)."""
    return next(iter(lead.foreign_keys)).column


def centre_of(model_table: Table, via: ColumnElement | None = None) -> ColumnElement:
    """SQL for the centre id of each row of `model_table` (a correlated
    subquery for a row that hangs from another). `via`: the lead column as
    the caller selects it, when that is not model_table's own (a raw view)."""
    lead = _lead(model_table)
    here = lead if via is None else via
    if lead.name == CENTRE_COLUMN:
        return here
    parent = _parent(lead)
    return select(centre_of(parent.table)).where(parent == here).scalar_subquery()


def of_centre(model_table: Table, centre_id: int) -> ColumnElement[bool]:
    """SQL: the row belongs to the centre (through indexed ids, not per row)."""
    lead = _lead(model_table)
    if lead.name == CENTRE_COLUMN:
        return lead == centre_id
    parent = _parent(lead)
    return lead.in_(select(parent).where(of_centre(parent.table, centre_id)))


def outside_centre(model_table: Table, centre_id: int) -> ColumnElement[bool]:
    """SQL: the row belongs to another centre, or to none."""
    lead = _lead(model_table)
    if lead.name == CENTRE_COLUMN:
        return or_(lead.is_(None), lead != centre_id)
    parent = _parent(lead)
    return or_(
        lead.is_(None), lead.not_in(select(parent).where(of_centre(parent.table, centre_id)))
    )


def rows_of(model_table: Table, centre_id: int) -> Select:
    """Every row of the table that belongs to the centre."""
    return select(model_table).where(of_centre(model_table, centre_id))


def descends_from(
    model_table: Table, ancestor: Table, ancestor_ids: Iterable[int] | Select
) -> ColumnElement[bool] | None:
    """SQL: the row hangs (directly or further down) from one of the ancestor's
    rows; None when rows of this table never hang from that table."""
    name = LEADS_TO_CENTRE.get(model_table.name)
    if name is None or name == CENTRE_COLUMN:
        return None
    lead = model_table.c[name]
    parent = _parent(lead)
    if parent.table is ancestor:
        return lead.in_(ancestor_ids)
    inner = descends_from(parent.table, ancestor, ancestor_ids)
    return None if inner is None else lead.in_(select(parent).where(inner))
