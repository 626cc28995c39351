"""One request's page, and replying through the portal mailbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import abort, g, render_template, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import bindparam, select

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.intake import (
    AttemptForm,
    DecisionForm,
    ReplyForm,
    first_shown_assign_field,
    offered_channels,
)
from backoffice.handlers import Done, intake_change
from backoffice.records import RequestPage, request_page_or_404
from backoffice.talk_lines import ROUTE_LABELS, transcript
from backoffice.transfer_page import intake_part
from backoffice.views.queue import first_contact_target
from core.casework.cases import case_of, hidden_intakes
from core.governance.rights.restriction import intake_is_restricted
from core.identity.permissions import Permission, role_allows
from core.infra import clock
from core.intake import priority, triage
from core.intake.mailbox import add_staff_reply
from core.intake.safe_window import SafeTimes, channel_allowed, is_safe_now, next_safe_start
from core.intake.triage import OPEN_STATUSES, match_rows
from core.model import ContactAttempt, Intake, IntakeKind, IntakeStatus, Staff
from core.talk.conversations import conversation_of
from web.casefile.centre import working_centre
from web.db import db
from web.forms import Form

# The forms whose fields the page renders once (web.fragments) unless a
# refused POST sent the form back, with what was typed and its problems.
ONCE_RENDERED_FORMS = ("reply_form", "attempt_form", "decision_form")


class FirstShown:
    """A panel's form as the page first shows it, made only when its fields
    are rendered: they render inside `rendered_once`, which asks for them the
    first time per language (and ways offered) and copies them after. Until
    then it answers as a blank form does to the error summary: no problems.
    Its token is the page's `csrf_token()`, written by the template."""

    rule_errors: tuple[str, ...] = ()

    def __init__(self, make: Callable[[], Form]):
        self._make = make
        self._form: Form | None = None

    def __iter__(self) -> Iterator:
        # A blank form's fields carry no errors: nothing for the summary.
        return iter(())

    def __getattr__(self, name: str):
        if self._form is None:
            self._form = self._make()
        return getattr(self._form, name)


# The request's contact attempts, newest first: a statement built once, of
# the columns the page shows, run on the session's connection (no ORM objects).
_ATTEMPTS = (
    select(
        ContactAttempt.created_at,
        ContactAttempt.channel,
        ContactAttempt.outcome,
        ContactAttempt.outside_safe_time,
        ContactAttempt.channel_not_allowed,
        ContactAttempt.note,
    )
    .where(ContactAttempt.intake_id == bindparam("intake_id"))
    .order_by(ContactAttempt.created_at.desc(), ContactAttempt.id.desc())
)


def _first_shown_attempt(found: Intake) -> AttemptForm:
    form = AttemptForm.blank()
    form.prepare(found)
    return form


def _page_gettext() -> Callable[..., Markup]:
    """`_()` for the page's own part (intake.html sets it over Jinja's for
    its content block and the parts that block includes): what Jinja's
    newstyle gettext writes with autoescape, the translation as markup,
    always formatted, from the request's catalogue found once a page. Jinja's
    own goes through its alias, three context calls and the catalogue's
    look-up in flask-babel's context for every word (about 45 a page)."""
    ugettext = get_translations().ugettext

    def gettext(string: str, **variables) -> Markup:
        # A translation is markup to Jinja too; the variables are escaped by %.
        return Markup(ugettext(string)) % variables  # noqa: S704

    return gettext


def render_intake(found: Intake, read: RequestPage | None = None, **forms):
    """The request's page, with any form that came back with an error (the
    others as the page first shows them). `read`: the request with its case
    file, restriction, hold, transfer and whether it has contact attempts,
    when the route loaded them together (a page sent back after a POST reads
    them here and asks for a hold, a transfer and the attempts as it renders)."""
    session = db.session
    if read is None:
        read = RequestPage(found, case_of(session, found), intake_is_restricted(session, found))
    # A restricted request finds no match (core.intake.triage.matches).
    found_matches = (
        [] if read.restricted else match_rows(session, found, hidden=hidden_intakes(g.staff))
    )
    centre = working_centre()
    safe = SafeTimes.from_codes(found.safe_days, found.safe_times)
    now = clock.now()
    is_open = found.status in OPEN_STATUSES
    # The assign list is shown only on an open request, to those who assign
    # (the template asks the same): only then are the staff read. As first
    # shown it is written without the form; one sent back goes through it.
    assign_form = forms.get("assign_form")
    assign_field = None
    if assign_form is not None:
        assign_form.prepare(found)
    elif is_open and role_allows(g.staff.role, Permission.ASSIGN):
        assign_field = first_shown_assign_field(found)
    attempt_form = forms.get("attempt_form")
    if attempt_form is not None:
        attempt_form.prepare(found)
        channels = attempt_form.channel.choices
    else:
        channels = offered_channels(found)
        attempt_form = FirstShown(lambda: _first_shown_attempt(found))
    reasons = priority.reasons_now(
        found, now, first_contact_target(), unread_messages=triage.has_unread(found)
    )
    # Talk now (issue 21): the conversation it came from, with what was written.
    conversation = (
        conversation_of(session, found)
        if found.kind == IntakeKind.CONVERSATION and found.status != IntakeStatus.ERASED
        else None
    )
    return render_template(
        "backoffice/intake.html",
        page_gettext=_page_gettext(),
        intake=found,
        # The panels as first shown, not sent back with what someone typed:
        # their fields' markup is the same on every page (web.fragments).
        fresh_forms={name for name in ONCE_RENDERED_FORMS if name not in forms},
        attempt_channels=tuple(code for code, _label in channels),
        reply_form=forms.get("reply_form") or FirstShown(ReplyForm.blank),
        attempt_form=attempt_form,
        decision_form=forms.get("decision_form") or FirstShown(DecisionForm.blank),
        assign_form=assign_form,
        assign_field=assign_field,
        reasons=reasons,
        # Before anyone reaches out: which offered ways break her rules now.
        not_allowed=[
            channel
            for channel in triage.available_channels(found)
            if not channel_allowed(found, channel)
        ],
        holder=session.get(Staff, found.assigned_to_id) if found.assigned_to_id else None,
        safe_now=is_safe_now(safe, now, centre.timezone),
        next_safe=next_safe_start(safe, now, centre.timezone),
        any_time=safe.any_time,
        centre_timezone=centre.timezone,
        # A match in a file this member may not open is not theirs to see.
        matches=found_matches,
        # Read only when the request's own statement found one (most open
        # requests have none yet), or when it was not asked.
        attempts=(
            session.connection().execute(_ATTEMPTS, {"intake_id": found.id}).all()
            if read.attempted is not False
            else []
        ),
        # Only a listed match can be linked or shown as linked.
        linked={other.id for other in found_matches if other.linked},
        is_open=is_open,
        case=read.case,
        rights_restricted=read.restricted,
        conversation=conversation,
        conversation_lines=(
            transcript(session, conversation, reader_id=g.staff.id) if conversation else []
        ),
        route_labels=ROUTE_LABELS,
        hold_in_force=read.held,
        # The other centres: known there, sending it there (coordinators).
        **intake_part(
            found,
            forms,
            restricted=read.restricted,
            waiting=read.transfer_waiting,
            others=read.others_active,
        ),
    )


@bp.get("/intakes/<int:intake_id>")
@requires(Permission.VIEW_INTAKES)
def intake(intake_id: int):
    read = request_page_or_404(intake_id)
    # Reading a request is recorded: who looked at which file, and when.
    record_read("intake.viewed", target_type="intake", target_id=read.intake.id)
    return render_intake(read.intake, read)


def _not_erased(found: Intake):
    """A request its requester deleted has no mailbox any more."""
    if found.status == IntakeStatus.ERASED:
        abort(404)


@bp.post("/intakes/<int:intake_id>/reply")
@requires(Permission.REPLY_TO_REQUESTER)
@intake_change(
    form=ReplyForm,
    page=lambda found, form: render_intake(found, reply_form=form),
    guard=_not_erased,
)
def reply(found: Intake, form: ReplyForm) -> Done:
    add_staff_reply(db.session, found, g.staff, form.body.data.strip())
    return Done(
        _("Your reply is in the portal mailbox. The person reads it with their code."),
        url_for("backoffice.intake", intake_id=found.id),
    )
