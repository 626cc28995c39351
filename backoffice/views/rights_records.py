"""A data subject's rights on one record (GDPR art. 16, 18) and erasure on
request (art. 17), for coordinators, under /staff/rights.

- /staff/rights/records: the restrictions in force; a record's own page
  (a person in a case file, a request) corrects a field with a reason,
  shows the history of earlier values, restricts the record's use and lifts
  the restriction.
- /staff/rights/erasure: the erasure requests; one request's page erases
  the case file (the purge's own code) or refuses on a legal ground.

Every page that shows personal data is recorded as a read; every change is
recorded by the kernel (core.governance.rights)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.rights_records import (
    FIELD_LABELS,
    GROUND_LABELS,
    CorrectionForm,
    EraseForm,
    ErasureRequestForm,
    LiftForm,
    MunicipalityForm,
    RefuseForm,
    RestrictForm,
)
from backoffice.handlers import Done, change_view
from backoffice.records import case_or_404, intake_or_404
from core.casework.cases import case_of
from core.casework.people import person_in
from core.governance.rights import erasure_requests, rectification, restriction
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.model import Case, CasePerson, ErasureRequest, Intake
from core.rules import WHOLE, RuleError
from web.casefile.centre import centre_today
from web.db import db
from web.forms import Form, show_rule_error

# --- Loading what a URL names -------------------------------------------------


def person_or_404(person_id: int) -> CasePerson:
    """A person in a case file of the member's centre; any other is not found."""
    person = db.session.get(CasePerson, person_id)
    if person is None:
        abort(404)
    case = case_or_404(person.case_id)
    found = person_in(case, person.id)
    if found is None:
        abort(404)
    return found


def erasure_request_or_404(erasure_id: int) -> ErasureRequest:
    request = db.session.get(ErasureRequest, erasure_id)
    if request is None:
        abort(404)
    case_or_404(request.case_id)
    return request


# A change to a record (no refusal for a closed file: a person's rights hold
# while the file is closed too).
def person_change(**options):
    return change_view(person_or_404, "person_id", **options)


def intake_change(**options):
    return change_view(intake_or_404, "intake_id", **options)


def erasure_change(**options):
    return change_view(erasure_request_or_404, "erasure_id", **options)


# --- What staff read when a rule says no --------------------------------------


def _message(field: str, code: str) -> str:
    if code == "too_long":
        if field == "value":
            return _("Please keep this under %(max)d characters.", max=rectification.SHORT_MAX)
        return _("Please keep this under %(max)d characters.", max=rectification.REASON_MAX)
    if code == "too_old":
        return _(
            "Check the year: a child in the file is born in %(year)d or later.",
            year=centre_today().year - rectification.OLDEST_CHILD_AGE,
        )
    return {
        ("reason", "missing"): _("Write why. The person may ask to see it."),
        ("field", "missing"): _("Choose what is wrong."),
        ("field", "on_her_request"): _(
            "Her phone and e-mail are kept with her request. Correct them there."
        ),
        ("field", "child_only"): _("A year of birth is kept for a child only."),
        ("value", "unchanged"): _("This is the value we hold now. Type the right value."),
        ("value", "not_an_email"): _("Write the e-mail address like name@example.be."),
        ("value", "not_a_phone"): _(
            "Type a phone number we can call, like 0470 12 34 56 or +31 6 12345678."
        ),
        ("value", "not_a_year"): _("Write the year of birth in four digits, like 2018."),
        ("value", "future"): _("The year of birth cannot be in the future."),
        ("value", "not_a_municipality"): _("Choose a municipality from the list."),
        (WHOLE, "erased"): _("This record is erased. There is nothing left to change."),
        (WHOLE, "already_restricted"): _("Its use is already restricted."),
        (WHOLE, "not_restricted"): _("Its use is not restricted."),
        ("case_number", "missing"): _("Write the number of the case file, like 2026-0042."),
        ("case_number", "unknown"): _("This centre has no case file with this number."),
        ("case_number", "erased"): _("This case file is already erased."),
        ("case_number", "already_open"): _(
            "An erasure request for this case file is already waiting for a decision."
        ),
        ("received_on", "missing"): _("Give the date the request reached us."),
        ("received_on", "invalid"): _("Write the date like 2026-05-03."),
        ("received_on", "future"): _("The date cannot be in the future."),
        ("ground", "missing"): _("Choose the legal ground for keeping the file."),
        (WHOLE, "decided"): _("This request was already decided."),
        (WHOLE, "case_open"): _("The case file is still open. Close it first, then erase it."),
        (WHOLE, "held"): _(
            "A legal hold keeps this case file. Lift the hold first, "
            "or refuse the request on its legal ground."
        ),
    }.get((field, code), _("Check this field."))


# --- The list -----------------------------------------------------------------


@bp.get("/rights/records")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_records():
    session = db.session
    found = restriction.in_force(session, g.centre.id)
    record_read("rights.restrictions_listed", detail=f"count {len(found)}")
    return render_template(
        "backoffice/rights/records.html",
        restrictions=found,
        staff_names=names_of(session, (f.restriction.restricted_by_id for f in found)),
    )


# --- A person in a case file ----------------------------------------------------


def _person_page(person: CasePerson, forms: dict | None = None):
    forms = forms or {}
    session = db.session
    correction_form = forms.get("correct") or CorrectionForm.blank()
    correction_form.prepare(person)
    history = rectification.person_history(session, person)
    restrictions = restriction.person_restrictions(session, person)
    fields = rectification.person_fields(person)
    return render_template(
        "backoffice/rights/records_person.html",
        person=person,
        case=person.case,
        fields=fields,
        current={f: rectification.person_value(person, f) for f in rectification.PERSON_FIELDS},
        # Her phone and e-mail are her request's (core.governance.rights.rectification).
        her_request=person.contact_intake if "phone" not in fields else None,
        history=history,
        restrictions=restrictions,
        own_restriction=restriction.in_force_on_person(session, person),
        restricted=restriction.person_is_restricted(session, person),
        staff_names=_names(history, restrictions),
        correction_form=correction_form,
        restrict_form=forms.get("restrict") or RestrictForm.blank(),
        lift_form=forms.get("lift") or LiftForm.blank(),
        field_labels=FIELD_LABELS,
    )


def _names(history, restrictions) -> dict[int, str]:
    ids = [h.staff_id for h in history]
    for row in restrictions:
        ids += [row.restricted_by_id, row.lifted_by_id]
    return names_of(db.session, ids)


def _person_again(key: str):
    def again(person: CasePerson, form: Form, **_ids):
        return _person_page(person, {key: form})

    return again


def _to_person(person: CasePerson, message: str) -> Done:
    return Done(message, url_for("backoffice.rights_person", person_id=person.id))


@bp.get("/rights/records/people/<int:person_id>")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_person(person_id: int):
    person = person_or_404(person_id)
    record_read(
        "rights.record_viewed",
        target_type="case",
        target_id=person.case_id,
        detail=f"person {person.id}",
    )
    return _person_page(person)


@bp.post("/rights/records/people/<int:person_id>/correct")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@person_change(form=CorrectionForm, page=_person_again("correct"), messages=_message)
def correct_person(person: CasePerson, form: CorrectionForm) -> Done:
    rectification.correct_person(
        db.session,
        person,
        g.staff,
        form.field.data or "",
        form.value.data,
        form.reason.data,
        centre_today().year,
    )
    return _to_person(person, _("The correction is saved. The old value is kept in the history."))


@bp.post("/rights/records/people/<int:person_id>/restrict")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@person_change(form=RestrictForm, page=_person_again("restrict"), messages=_message)
def restrict_person(person: CasePerson, form: RestrictForm) -> Done:
    restriction.restrict_person(db.session, person, g.staff, form.reason.data)
    return _to_person(person, _("Its use is restricted. The data stay stored."))


@bp.post("/rights/records/people/<int:person_id>/lift")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@person_change(form=LiftForm, page=_person_again("lift"), messages=_message)
def lift_person_restriction(person: CasePerson, form: LiftForm) -> Done:
    restriction.lift_person(db.session, person, g.staff, form.reason.data)
    return _to_person(person, _("The restriction is lifted."))


# --- A request --------------------------------------------------------------------


def _intake_page(intake: Intake, forms: dict | None = None):
    forms = forms or {}
    session = db.session
    correction_form = forms.get("correct") or CorrectionForm.blank()
    correction_form.prepare(intake)
    municipality_form = forms.get("municipality") or MunicipalityForm.blank(
        value=str(intake.municipality_id or "")
    )
    municipality_form.prepare(intake)
    history = rectification.intake_history(session, intake)
    restrictions = restriction.intake_restrictions(session, intake)
    return render_template(
        "backoffice/rights/records_intake.html",
        intake=intake,
        case=case_of(session, intake),
        current={
            f: rectification.intake_value(session, intake, f) for f in rectification.INTAKE_FIELDS
        },
        history=history,
        restrictions=restrictions,
        own_restriction=restriction.in_force_on_intake(session, intake),
        restricted=restriction.intake_is_restricted(session, intake),
        staff_names=_names(history, restrictions),
        correction_form=correction_form,
        municipality_form=municipality_form,
        restrict_form=forms.get("restrict") or RestrictForm.blank(),
        lift_form=forms.get("lift") or LiftForm.blank(),
        field_labels=FIELD_LABELS,
    )


def _intake_again(key: str):
    def again(intake: Intake, form: Form, **_ids):
        return _intake_page(intake, {key: form})

    return again


def _to_intake(intake: Intake, message: str) -> Done:
    return Done(message, url_for("backoffice.rights_intake", intake_id=intake.id))


@bp.get("/rights/records/intakes/<int:intake_id>")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_intake(intake_id: int):
    intake = intake_or_404(intake_id)
    record_read("rights.record_viewed", target_type="intake", target_id=intake.id)
    return _intake_page(intake)


@bp.post("/rights/records/intakes/<int:intake_id>/correct")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@intake_change(form=CorrectionForm, page=_intake_again("correct"), messages=_message)
def correct_intake(intake: Intake, form: CorrectionForm) -> Done:
    rectification.correct_intake(
        db.session, intake, g.staff, form.field.data or "", form.value.data, form.reason.data
    )
    return _to_intake(intake, _("The correction is saved. The old value is kept in the history."))


@bp.post("/rights/records/intakes/<int:intake_id>/municipality")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@intake_change(form=MunicipalityForm, page=_intake_again("municipality"), messages=_message)
def correct_intake_municipality(intake: Intake, form: MunicipalityForm) -> Done:
    rectification.correct_intake(
        db.session, intake, g.staff, "municipality", form.value.data, form.reason.data
    )
    return _to_intake(intake, _("The correction is saved. The old value is kept in the history."))


@bp.post("/rights/records/intakes/<int:intake_id>/restrict")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@intake_change(form=RestrictForm, page=_intake_again("restrict"), messages=_message)
def restrict_intake(intake: Intake, form: RestrictForm) -> Done:
    restriction.restrict_intake(db.session, intake, g.staff, form.reason.data)
    return _to_intake(intake, _("Its use is restricted. The data stay stored."))


@bp.post("/rights/records/intakes/<int:intake_id>/lift")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@intake_change(form=LiftForm, page=_intake_again("lift"), messages=_message)
def lift_intake_restriction(intake: Intake, form: LiftForm) -> Done:
    restriction.lift_intake(db.session, intake, g.staff, form.reason.data)
    return _to_intake(intake, _("The restriction is lifted."))


# --- Erasure requests -----------------------------------------------------------


def _erasure_list(form: ErasureRequestForm | None = None):
    session = db.session
    found = erasure_requests.requests_of(session, g.centre.id)
    if form is None:
        form = ErasureRequestForm(formdata=None, received_on=centre_today().isoformat())
    form.received_on.render_kw = {"max": centre_today().isoformat()}
    return render_template(
        "backoffice/rights/erasure.html",
        requests=found,
        form=form,
        ground_labels=GROUND_LABELS,
    )


@bp.get("/rights/erasure")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_erasure():
    # Case numbers and dates only: nothing of a person is on the list.
    return _erasure_list()


@bp.post("/rights/erasure")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def register_erasure_request():
    form = ErasureRequestForm()
    if not form.validate():
        return _erasure_list(form)
    try:
        request = erasure_requests.register(
            db.session,
            g.centre.id,
            g.staff,
            case_number=form.case_number.data,
            received_on=form.received_on.data,
            note=form.note.data,
            today=centre_today(),
        )
    except RuleError as error:
        db.session.rollback()
        show_rule_error(form, error, _message)
        return _erasure_list(form)
    db.session.commit()
    flash(_("The erasure request is registered. Decide on it below."))
    return redirect(url_for("backoffice.rights_erasure_request", erasure_id=request.id), code=303)


def _erasure_page(request: ErasureRequest, forms: dict | None = None):
    forms = forms or {}
    session = db.session
    case = session.get(Case, request.case_id)
    return render_template(
        "backoffice/rights/erasure_request.html",
        request=request,
        case=case,
        staff_names=names_of(session, (request.registered_by_id, request.decided_by_id)),
        erase_form=forms.get("erase") or EraseForm.blank(),
        refuse_form=forms.get("refuse") or RefuseForm.blank(),
        ground_labels=GROUND_LABELS,
    )


def _erasure_again(key: str):
    def again(request: ErasureRequest, form: Form, **_ids):
        return _erasure_page(request, {key: form})

    return again


@bp.get("/rights/erasure/<int:erasure_id>")
@requires(Permission.DATA_SUBJECT_RIGHTS)
def rights_erasure_request(erasure_id: int):
    request = erasure_request_or_404(erasure_id)
    record_read(
        "rights.erasure_request_viewed",
        target_type="case",
        target_id=request.case_id,
        detail=f"erasure request {request.id}",
    )
    return _erasure_page(request)


@bp.post("/rights/erasure/<int:erasure_id>/erase")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@erasure_change(form=EraseForm, page=_erasure_again("erase"), messages=_message)
def erase_on_request(request: ErasureRequest, _form: EraseForm) -> Done:
    erasure_requests.erase(db.session, request, g.staff)
    return Done(
        _("The case file is erased. Its number and dates stay, with this decision."),
        url_for("backoffice.rights_erasure_request", erasure_id=request.id),
    )


@bp.post("/rights/erasure/<int:erasure_id>/refuse")
@requires(Permission.DATA_SUBJECT_RIGHTS)
@erasure_change(form=RefuseForm, page=_erasure_again("refuse"), messages=_message)
def refuse_erasure(request: ErasureRequest, form: RefuseForm) -> Done:
    erasure_requests.refuse(
        db.session, request, g.staff, ground=form.ground.data, note=form.note.data
    )
    return Done(
        _("The refusal is recorded, with its legal ground. Tell the person, and why."),
        url_for("backoffice.rights_erasure_request", erasure_id=request.id),
    )


# --- What other pages show of a record's restriction --------------------------


def _is_restricted(person: CasePerson | None, intake: Intake | None) -> bool:
    if person is not None:
        return restriction.person_is_restricted(db.session, person)
    if intake is not None:
        return restriction.intake_is_restricted(db.session, intake)
    return False


@bp.context_processor
def _rights_words() -> dict:
    return {"rights_is_restricted": _is_restricted}
