"""Data-subject rights (/staff/rights, coordinators): the index of requests
and access requests (GDPR art. 15), from registration to the copy.

An access request lives in the centre that registered it: another centre's
id is not found. The review page shows every piece gathered with its
proposal; the copy (PDF and JSON) can be made only once a second coordinator
approved, and every copy made is audited with what it held."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from backoffice import access_copy
from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.rights import (
    FindForm,
    RecordsForm,
    RefuseForm,
    RegisterForm,
    items_form,
)
from backoffice.handlers import Done, change_view
from backoffice.rights_words import (
    ABOUT_LABELS,
    ACCESS_STATUS_LABELS,
    DECISION_LABELS,
    IDENTITY_CHECK_LABELS,
    REFUSAL_REASON_LABELS,
    WITHHOLD_REASON_LABELS,
    field_label,
    value_lines,
)
from core.governance.rights import access
from core.governance.rights.access_copy import Copy, make_copy
from core.governance.rights.gather import fingerprint
from core.identity.permissions import Permission, role_allows
from core.identity.staff import names_of
from core.model import AccessItem, AccessRequest, AccessStatus, Case
from core.rules import RuleError
from web.casefile.centre import centre_today
from web.db import db
from web.forms import show_rule_error

AUDIT_TARGET = access.AUDIT_TARGET


def access_message(field: str, code: str) -> str:
    """What a coordinator reads when an access rule says no."""
    if field == "subject_name":
        if code == "too_long":
            return _("Keep the name to %(max)d characters or fewer.", max=access.NAME_MAX)
        return _("Type the name of the person who asks.")
    if field == "received_on":
        return {
            "future": _("The day the request came in cannot be in the future."),
            "not_a_date": _("Type the day as a date, like 2026-12-01."),
        }.get(code, _("Type the day the request came in."))
    if field == "identity_check":
        return _("Choose how their identity was checked.")
    if field == "identity_note":
        if code == "too_long":
            return _("Keep the note to %(max)d characters or fewer.", max=access.NOTE_MAX)
        return _("Say how their identity was checked.")
    if field == "language":
        return _("Choose the language of the copy.")
    if field == "people" or field == "intakes":
        return {
            "missing": _("Choose at least one person or request."),
            "not_found": _("One of the records is not of this centre. Look them up again."),
            "two_in_one_file": _(
                "Choose one person per case file: two people of one file are two people."
            ),
            "of_another_person": _(
                "One of the requests is another person's (her safe-contact rules are on it). "
                "Leave it out, or choose that person if it is her who asks."
            ),
            "role_unknown": _(
                "One of the requests is in a case file, but you chose nobody in that file. "
                "Also choose this person in that file. Their role in the file decides "
                "what the copy may hold."
            ),
            "not_theirs": _(
                "One of the requests is in a case file where the person you chose is not "
                "the victim. The requests of a file are the victim's. Leave it out."
            ),
        }.get(code, _("Check the records you chose."))
    if field == "reason":
        return _("Choose why there is no copy.")
    if field.startswith("item_"):
        return _("Choose a reason to withhold it.")
    return {
        "same_coordinator": _(
            "A second coordinator must approve: not the one who registered the request "
            "or sent it for approval."
        ),
        "decided_items": _(
            "A second coordinator must approve: not one who changed a decision on the items."
        ),
        "not_allowed": _("Only a coordinator of this centre can do this."),
        "not_draft": _("The records of this request were already chosen."),
        "not_under_review": _("This request is no longer being reviewed."),
        "not_proposed": _("Review the items first, or it was already sent for approval."),
        "not_awaiting_approval": _("This request is not waiting for approval."),
        "not_approved": _("The copy can be given once a second coordinator approved it."),
        "closed": _("This request is already answered."),
        "not_found": _("One of the items is not of this request."),
    }.get(code, _("That did not go through."))


def _access_or_404(request_id: int) -> AccessRequest:
    found = access.request_in(db.session, g.centre.id, request_id)
    if found is None:
        abort(404)
    return found


def _detail_url(found: AccessRequest, anchor: str | None = None) -> str:
    return url_for("backoffice.access_request", request_id=found.id, _anchor=anchor)


def can_see_rights() -> bool:
    staff = g.get("staff")
    return staff is not None and role_allows(staff.role, Permission.DATA_SUBJECT_RIGHTS)


# --- The index ----------------------------------------------------------------


@bp.get("/rights")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_index():
    session = db.session
    waiting = access.open_requests(session, g.centre.id)
    answered = access.closed_requests(session, g.centre.id)
    if waiting or answered:
        # The list names the people who asked.
        record_read("rights.viewed", detail=f"access_requests={len(waiting) + len(answered)}")
    return render_template(
        "backoffice/rights/index.html",
        waiting=waiting,
        answered=answered,
        today=centre_today(),
        access_status_labels=ACCESS_STATUS_LABELS,
    )


# --- Registering --------------------------------------------------------------


@bp.route("/rights/access/new", methods=["GET", "POST"])
@requires(Permission.DATA_SUBJECT_RIGHTS)
def new_access_request():
    form = RegisterForm()
    if request.method == "POST" and form.validate():
        details = access.Registration(
            subject_name=form.subject_name.data,
            received_on=form.received_on.data,
            identity_check=form.identity_check.data,
            identity_note=form.identity_note.data,
            language=form.language.data,
        )
        try:
            found = access.register(db.session, g.centre.id, g.staff, details, centre_today())
        except RuleError as error:
            db.session.rollback()
            show_rule_error(form, error, access_message)
        else:
            db.session.commit()
            flash(_("The request is registered. Now choose the person's records."))
            return redirect(_detail_url(found), code=303)
    elif request.method == "GET":
        form = RegisterForm(formdata=None, received_on=centre_today().isoformat())
    status = 200 if request.method == "GET" else 400
    return render_template("backoffice/rights/access_new.html", form=form), status


# --- The request's page -------------------------------------------------------


@dataclass
class Row:
    item: AccessItem
    label: str
    about: str | None
    lines: list[str]
    # False: the value changed or is gone since it was gathered.
    current: bool


@dataclass
class Group:
    title: str
    rows: list[Row] = field(default_factory=list)


def _group_title(item: AccessItem, numbers: dict[int, str]) -> tuple[tuple[int, int], str]:
    """(the group's place: case files, then requests outside one, then the
    audit trail), and its heading."""
    if item.source == "audit_events":
        return (2, 0), _("Steps in the audit trail")
    if item.case_id is not None:
        number = numbers.get(item.case_id, str(item.case_id))
        return (0, item.case_id), _("Case file %(number)s", number=number)
    return (1, item.intake_id or 0), _("Request %(number)s", number=f"#{item.intake_id}")


def case_numbers(ids) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = db.session.execute(select(Case.id, Case.number).where(Case.id.in_(wanted)))
    return {case_id: number for case_id, number in rows}


def _groups(found: AccessRequest) -> list[Group]:
    pieces = access.current_pieces(db.session, found)
    numbers = case_numbers(item.case_id for item in found.items)
    groups: dict[tuple[int, int], Group] = {}
    for item in found.items:
        key, title = _group_title(item, numbers)
        piece = pieces.get((item.source, item.source_id, item.field))
        current = piece is not None and fingerprint(piece.value) == item.fingerprint
        row = Row(
            item=item,
            label=field_label(item.source, item.field),
            about=piece.about if piece is not None else None,
            lines=value_lines(item.source, item.field, piece.value)
            if current and piece is not None
            else [],
            current=current,
        )
        groups.setdefault(key, Group(title)).rows.append(row)
    return [groups[key] for key in sorted(groups)]


def _item_labels(found: AccessRequest) -> dict[int, str]:
    return {
        item.id: _(
            "Decision on item %(number)d: %(what)s",
            number=index,
            what=field_label(item.source, item.field),
        )
        for index, item in enumerate(found.items, start=1)
    }


def _records_form(look: str | None, form: RecordsForm | None = None) -> RecordsForm:
    if form is None:
        form = RecordsForm(formdata=None, look=look or "")
        form.prepare_for(g.centre.id)
    return form


def render_access(found: AccessRequest, *, status: int = 200, **forms):
    """The request's page, with a refused form when one is given."""
    look = (
        request.args.get("look") if "records_form" not in forms else forms["records_form"].look.data
    )
    context: dict = {
        "found": found,
        "page_refused": status != 200,
        "today": centre_today(),
        "staff_names": names_of(
            db.session,
            (
                found.registered_by_id,
                found.submitted_by_id,
                found.approved_by_id,
                found.released_by_id,
                found.refused_by_id,
            ),
        ),
        "access_status_labels": ACCESS_STATUS_LABELS,
        "identity_check_labels": IDENTITY_CHECK_LABELS,
        "refusal_reason_labels": REFUSAL_REASON_LABELS,
        "withhold_reason_labels": WITHHOLD_REASON_LABELS,
        "decision_labels": DECISION_LABELS,
        "about_labels": ABOUT_LABELS,
        "refuse_form": forms.get("refuse_form") or RefuseForm(formdata=None),
    }
    if found.status == AccessStatus.DRAFT:
        records_form = _records_form(look, forms.get("records_form"))
        context |= {
            "find_form": FindForm(request.args if look else None),
            "records_form": records_form,
            "looked": bool(look),
            "unknown": records_form.unknown,
        }
    else:
        groups = _groups(found)
        subject = access.subject_of(db.session, found)
        context |= {
            "groups": groups,
            "withheld_count": sum(1 for i in found.items if i.decision == "withhold"),
            "for_a_child": subject.child,
            "not_the_victim": any(not subject.is_victim_in(c) for c in subject.case_ids),
        }
        if found.status in access.UNDER_REVIEW:
            context["items_form"] = forms.get("items_form") or items_form(
                found.items, _item_labels(found), formdata=None
            )
    return render_template("backoffice/rights/access.html", **context), status


@bp.get("/rights/access/<int:request_id>")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def access_request(request_id: int):
    found = _access_or_404(request_id)
    # The page shows the person's data (the review) or the records to choose.
    record_read("rights.access_viewed", target_type=AUDIT_TARGET, target_id=found.id)
    return render_access(found)


def _refused_page(name: str):
    return lambda found, form: render_access(found, status=400, **{name: form})


@bp.post("/rights/access/<int:request_id>/records")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@change_view(
    _access_or_404,
    "request_id",
    form=RecordsForm,
    page=_refused_page("records_form"),
    messages=access_message,
)
def choose_access_records(found: AccessRequest, form: RecordsForm) -> Done:
    count = access.choose_records(
        db.session, found, g.staff, form.chosen("people"), form.chosen("intakes")
    )
    return Done(
        _("%(count)d pieces were found. Review what to give and what to withhold.", count=count),
        _detail_url(found, "review"),
    )


def _items_form():
    found = _access_or_404(request.view_args["request_id"])
    return items_form(found.items, _item_labels(found))


@bp.post("/rights/access/<int:request_id>/items")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@change_view(
    _access_or_404,
    "request_id",
    form=_items_form,
    page=_refused_page("items_form"),
    messages=access_message,
)
def decide_access_items(found: AccessRequest, form) -> Done:
    sent_back = found.status == AccessStatus.AWAITING_APPROVAL
    changed = access.decide(db.session, found, g.staff, form.decisions())
    if not changed:
        return Done(_("Nothing changed."), _detail_url(found, "review"))
    if sent_back:
        message = _("The decisions are saved. Send it for approval again.")
    else:
        message = _("The decisions are saved.")
    return Done(message, _detail_url(found, "review"))


def _step():
    """A step without fields (send, send back, approve): refused, the request's
    page says why."""
    return change_view(_access_or_404, "request_id", messages=access_message, back=_detail_url)


@bp.post("/rights/access/<int:request_id>/submit")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@_step()
def submit_access_request(found: AccessRequest, _form) -> Done:
    access.submit(db.session, found, g.staff)
    return Done(_("Sent for approval. Another coordinator approves it."), _detail_url(found))


@bp.post("/rights/access/<int:request_id>/send-back")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@_step()
def send_back_access_request(found: AccessRequest, _form) -> Done:
    access.send_back(db.session, found, g.staff)
    return Done(
        _("Sent back to the review. Change what is needed, then send it for approval again."),
        _detail_url(found),
    )


@bp.post("/rights/access/<int:request_id>/approve")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@_step()
def approve_access_request(found: AccessRequest, _form) -> Done:
    access.approve(db.session, found, g.staff)
    return Done(_("Approved. The copy can be made now."), _detail_url(found))


def _copy_of(found: AccessRequest) -> Copy:
    return make_copy(db.session, found, current_app.config)


@bp.post("/rights/access/<int:request_id>/release")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@_step()
def release_access_copy(found: AccessRequest, _form) -> Done:
    access.mark_released(db.session, found, g.staff, _copy_of(found).summary())
    return Done(
        _("Noted: the copy was given to the person. The request is answered."), _detail_url(found)
    )


@bp.post("/rights/access/<int:request_id>/refuse")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@change_view(
    _access_or_404,
    "request_id",
    form=RefuseForm,
    page=_refused_page("refuse_form"),
    messages=access_message,
)
def refuse_access_request(found: AccessRequest, form: RefuseForm) -> Done:
    access.refuse(db.session, found, g.staff, form.reason.data)
    return Done(_("The request is answered without a copy."), _detail_url(found))


# --- The copy -----------------------------------------------------------------


def _copy_document(found: AccessRequest) -> tuple[dict, Copy] | None:
    """The copy in the person's language, audited; None before approval."""
    if found.status not in (AccessStatus.APPROVED, AccessStatus.RELEASED):
        return None
    made = _copy_of(found)
    numbers = case_numbers(r.found.case_id for r in made.released)
    with force_locale(found.language):
        document = access_copy.document(made, g.centre, numbers)
    return document, made


def _not_yet(found: AccessRequest):
    flash(_("The copy can be made once a second coordinator has approved the request."))
    return redirect(_detail_url(found), code=303)


def _download(body: bytes, mimetype: str, filename: str):
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/rights/access/<int:request_id>/copy.pdf")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def access_copy_pdf(request_id: int):
    found = _access_or_404(request_id)
    made = _copy_document(found)
    if made is None:
        return _not_yet(found)
    document, copy = made
    with force_locale(found.language):
        body = access_copy.pdf(document)
    record_read(
        "rights.access_copy_made",
        target_type=AUDIT_TARGET,
        target_id=found.id,
        detail=f"format=pdf {copy.summary()}",
    )
    return _download(body, "application/pdf", f"access-copy-{found.id}.pdf")


@bp.get("/rights/access/<int:request_id>/copy.json")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def access_copy_json(request_id: int):
    found = _access_or_404(request_id)
    made = _copy_document(found)
    if made is None:
        return _not_yet(found)
    document, copy = made
    record_read(
        "rights.access_copy_made",
        target_type=AUDIT_TARGET,
        target_id=found.id,
        detail=f"format=json {copy.summary()}",
    )
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return _download(body, "application/json", f"access-copy-{found.id}.json")
