"""The print view of a case file, for a case consultation: on paper, with only
what the reader may see. Staff who may open the file see all of it; a print
for a partner (`?partner=<id>`) shows what `core.casework.partners.may_see` allows now,
and says which parts are left out. Every print is audited and on the timeline."""

from __future__ import annotations

from flask import (
    abort,
    g,
    render_template,
    request,
)

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.records import case_or_404, partner_or_404
from core.casework import cases, partners
from core.identity.permissions import Permission
from core.infra import clock
from core.infra.ids import parse_id
from core.model import (
    Case,
    CasePartner,
)
from web.casefile.content import gather
from web.casefile.labels import (
    ACTION_STATUS_LABELS,
    CONSULTATION_BASIS_LABELS,
    PARTNER_PART_LABELS,
    RELATION_KIND_LABELS,
)
from web.db import db


@bp.get("/cases/<int:case_id>/print")
@requires(Permission.CASES)
def case_print(case_id: int):
    found = case_or_404(case_id)
    partner = _partner_asked(found)
    now = clock.now()
    withdrawn = (
        partner is not None
        and partner.consent_withdrawn_at is not None
        and now >= partner.consent_withdrawn_at
    )
    visible = set(partners.PARTS) if partner is None else partners.may_see(partner, now)
    _record_print(found, partner)
    # A print for a partner leaves out what is restricted (GDPR art. 18).
    content = (
        {} if withdrawn else gather(db.session, found, visible, for_partner=partner is not None)
    )
    return render_template(
        "backoffice/case_print.html",
        case=found,
        partner=partner,
        withdrawn=withdrawn,
        visible=visible,
        shown=[part for part in partners.PARTS if part in visible],
        left_out=[part for part in partners.PARTS if part not in visible],
        printed_at=now,
        part_labels=PARTNER_PART_LABELS,
        relation_labels=RELATION_KIND_LABELS,
        action_status_labels=ACTION_STATUS_LABELS,
        consultation_basis_labels=CONSULTATION_BASIS_LABELS,
        **content,
    )


def _partner_asked(found: Case) -> CasePartner | None:
    """The partner the print is for, from `?partner=<id>`; None for the team."""
    value = request.args.get("partner")
    if value is None:
        return None
    partner_id = parse_id(value)
    if partner_id is None:
        abort(404)
    return partner_or_404(found, partner_id)


def _record_print(found: Case, partner: CasePartner | None) -> None:
    """Audit trail and timeline, in a write transaction of its own (this is a GET).
    On the timeline a print without a partner is the team's; one for a partner
    says which kind (the audit trail keeps its id)."""
    with db.writing() as session:
        cases.record(
            session,
            session.get(Case, found.id),
            g.staff,
            "case.printed",
            None if partner is None else partner.kind,
            audit_detail="staff" if partner is None else f"partner {partner.id}",
        )
