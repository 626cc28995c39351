"""The audit trail in the reader's words: what happened, to what, and the
codes in its details ("track_2", "case_director") as the labels staff see
elsewhere. The stored event keeps its codes; only the page translates them.
An action without words here is shown as its code, so nothing is hidden."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext, lazy_pgettext, pgettext
from flask_babel import lazy_gettext as _l

from web.casefile.labels import (
    ACTION_OWNER_LABELS,
    ACTION_STATUS_LABELS,
    ATTEMPT_OUTCOME_LABELS,
    CASE_EVENT_LABELS,
    CHANNEL_LABELS,
    CLOSURE_REASON_LABELS,
    CONSULTATION_BASIS_LABELS,
    PARTNER_BASIS_LABELS,
    PARTNER_KIND_LABELS,
    PARTNER_PART_LABELS,
    PERSON_ROLE_LABELS,
    RELATION_SENTENCES,
    RISK_LEVEL_LABELS,
    ROLE_LABELS,
    TRIAGE_OUTCOME_LABELS,
)

ACTION_LABELS = {
    **CASE_EVENT_LABELS,
    "case.viewed": _l("Case file opened to read"),
    "case.person_viewed": _l("Details of a person read"),
    "case.safety_plan_viewed": _l("Safety plan read"),
    "intake.viewed": _l("Request read"),
    "intake.assigned": _l("Request assigned"),
    "intake.claimed": _l("Request taken"),
    "intake.contact_attempt": _l("Contact attempt recorded"),
    "intake.decided": _l("Triage decision"),
    "intake.linked": _l("Requests linked"),
    "intake.message_read": _l("Message marked as read"),
    "intake.message_unread": _l("Message marked as unread"),
    "intake.replied": _l("Reply to the mailbox"),
    "intake.code_given_again": _l("Return code given again after a lost answer"),
    "staff.login": _l("Signed in"),
    "staff.logout": _l("Signed out"),
    "staff.login_failed": _l("Sign-in failed"),
    "staff.login_refused": _l("Sign-in refused"),
    "staff.locked": _l("Account locked after failed sign-ins"),
    "staff.unlocked": _l("Account unlocked"),
    "staff.created": _l("Account created"),
    "staff.invited": _l("Colleague invited to the back office"),
    "staff.invite_accepted": _l("Invitation accepted"),
    "staff.activated": _l("Account activated"),
    "staff.deactivated": _l("Account deactivated"),
    "staff.password_changed": _l("Password changed"),
    "staff.second_factor_enabled": _l("Two-step sign-in set up"),
    "staff.second_factor_reset": _l("Two-step sign-in reset"),
    "staff.recovery_codes_renewed": _l("New recovery codes"),
    "staff.signed_out_everywhere": _l("Signed out on every device"),
    "audit.viewed": _l("Audit trail read"),
    "audit.keyed": _l("Audit trail keyed"),
    "audit.anchored": _l("Audit trail checked and anchored"),
    "stats.viewed": _l("Figures read"),
    "stats.exported": _l("Figures exported"),
    "network.viewed": _l("Network figures read"),
    "network.exported": _l("Network figures exported"),
    "keys.rotated": _l("Data keys rotated"),
    "retention.purged": _l("Expired data erased"),
    "backup.restored": _l("Backup restored"),
    "partner.invited": _l("Partner member invited"),
    "partner.created": _l("Partner member's account created"),
    "transfer.asked": _l("Another centre asked for a transfer"),
    # Talk now (issue 21): the switch, and what was done in a conversation.
    "talk.available": _l("Available for conversations"),
    "talk.unavailable": _l("Not available for conversations"),
    "talk.taken": _l("Conversation taken"),
    "talk.wrote": _l("Wrote in a conversation"),
    "talk.handed_over": _l("Conversation handed over"),
    "talk.interpreter": _l("Interpreter note in a conversation"),
    "talk.ended": _l("Conversation ended"),
    "talk.blocked": _l("Conversation ended and blocked"),
    "talk.viewed": _l("Conversation read"),
    # Retention and legal holds (issue 25, backoffice/views/retention.py).
    "retention.viewed": _l("Retention and legal holds read"),
    "retention.hold_placed": _l("Legal hold placed"),
    "retention.hold_lifted": _l("Legal hold lifted"),
    # Rectification, restriction, erasure requests (issue 25,
    # backoffice/views/rights_records.py; the case events are in
    # web.casefile.labels.CASE_EVENT_LABELS).
    "rights.restrictions_listed": _l("Restricted records listed"),
    "rights.record_viewed": _l("Record read to correct or restrict it"),
    "rights.erasure_request_viewed": _l("Erasure request read"),
    "intake.corrected": _l("Request corrected"),
    "intake.restricted": _l("Use of a request restricted"),
    "intake.restriction_lifted": _l("Restriction of a request lifted"),
    # Access requests (issue 25, backoffice/views/rights.py).
    "rights.viewed": _l("Data-subject requests listed"),
    "rights.access_viewed": _l("Access request read"),
    "rights.access_registered": _l("Access request registered"),
    "rights.access_gathered": _l("Access request: records chosen and data gathered"),
    "rights.access_items_changed": _l("Access request: decisions changed"),
    "rights.access_submitted": _l("Access request sent for approval"),
    "rights.access_sent_back": _l("Access request sent back to the review"),
    "rights.access_approved": _l("Access request approved by a second coordinator"),
    "rights.access_copy_made": _l("Copy of an access request made"),
    "rights.access_released": _l("Copy given to the person who asked"),
    "rights.access_refused": _l("Access request answered without a copy"),
}

TARGET_LABELS = {
    "intake": _l("Request"),
    "case": _l("Case file"),
    "staff": _l("Account"),
    "transfer": _l("Transfer"),
    # Talk now (issue 21).
    "conversation": _l("Conversation"),
    # Access requests (issue 25).
    "access_request": _l("Access request"),
}

# Codes that may appear in a detail, each with the words staff know it by.
_CODE_LABELS = {
    **TRIAGE_OUTCOME_LABELS,
    **ROLE_LABELS,
    **PERSON_ROLE_LABELS,
    **PARTNER_KIND_LABELS,
    **PARTNER_BASIS_LABELS,
    **CONSULTATION_BASIS_LABELS,
    **CLOSURE_REASON_LABELS,
    **CHANNEL_LABELS,
    **ATTEMPT_OUTCOME_LABELS,
}


def action_words(action: str) -> str | None:
    """The action in words, or None (the page then shows the code)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else None


def target_words(target_type: str | None, target_id: int | None) -> str:
    if not target_type:
        return "–"
    label = TARGET_LABELS.get(target_type)
    return f"{label if label is not None else target_type} {target_id or ''}".strip()


def detail_words(detail: str | None) -> str:
    """The detail in words: each shape core writes (`audit.record(detail=…)`,
    `cases.record(audit_detail=…)`) as a phrase, its ids as numbers, its codes
    as labels; an unknown shape word by word, each code replaced."""
    if not detail:
        return ""
    for shape, words in _SHAPES:
        found = shape.fullmatch(detail)
        if found:
            return words(*found.groups())
    return " ".join(_word(token) for token in detail.split(" "))


def _word(token: str) -> str:
    key, sep, value = token.partition("=")
    if sep:
        return pgettext(
            "audit detail",
            "%(key)s: %(value)s",
            key=_label(_KEY_WORDS, key),
            value=_label(_CODE_LABELS, value),
        )
    return _label(_CODE_LABELS, token)


def _label(labels, code: str) -> str:
    label = labels.get(code)
    return str(label) if label is not None else code


def _ids(ids: str) -> str:
    return ", ".join(ids.split(","))


def _relation(relation: str, kind: str, person: str, other: str) -> str:
    sentence = RELATION_SENTENCES.get(kind)
    people = {
        "person": gettext("person %(person)s", person=person),
        "other": gettext("person %(person)s", person=other),
    }
    said = str(sentence) % people if sentence is not None else f"{kind} {person} {other}"
    return gettext("Relation %(relation)s: %(sentence)s", relation=relation, sentence=said)


def _consultation(consultation: str, basis: str, actions: str) -> str:
    basis_words = _label(CONSULTATION_BASIS_LABELS, basis)
    if actions == "none":
        return gettext(
            "Case consultation %(consultation)s: %(basis)s. No actions.",
            consultation=consultation,
            basis=basis_words,
        )
    return gettext(
        "Case consultation %(consultation)s: %(basis)s. Actions %(actions)s.",
        consultation=consultation,
        basis=basis_words,
        actions=_ids(actions),
    )


# The words of a key in a detail "key=value" (the CLI's counts, an
# invitation's role, a transfer's centres).
_KEY_WORDS = {
    "role": lazy_pgettext("audit detail", "role"),
    "organisation": lazy_pgettext("audit detail", "partner organisation"),
    "rows": lazy_pgettext("audit detail", "rows"),
    "events": lazy_pgettext("audit detail", "events"),
    "event": lazy_pgettext("audit detail", "event"),
    "made": lazy_pgettext("audit detail", "made"),
    "page": lazy_pgettext("audit detail", "page"),
    "transfer": lazy_pgettext("audit detail", "transfer"),
    "intake": lazy_pgettext("audit detail", "request"),
    "case": lazy_pgettext("audit detail", "case file"),
    "from": lazy_pgettext("audit detail", "from"),
    "to": lazy_pgettext("audit detail", "to"),
    "rotated": lazy_pgettext("audit detail", "values encrypted again"),
    "current": lazy_pgettext("audit detail", "values already under the newest key"),
    "keys": lazy_pgettext("audit detail", "keys"),
    "intakes": lazy_pgettext("audit detail", "requests"),
    "cases": lazy_pgettext("audit detail", "case files"),
    "feedback": lazy_pgettext("audit detail", "feedback answers"),
    # What the purge left alone because of a legal hold (issue 25).
    "held_intakes": lazy_pgettext("audit detail", "requests kept by a legal hold"),
    "held_cases": lazy_pgettext("audit detail", "case files kept by a legal hold"),
}

_ID = r"(\d+)"
_CODE = r"([a-z0-9_]+)"
# Each detail core writes, by its shape (grep core/ for detail= and
# audit_detail=), most specific first.
_SHAPES: list[tuple[re.Pattern[str], Callable[..., str]]] = [
    (re.compile(shape), words)
    for shape, words in [
        # Signing in: how, and why it failed or was refused.
        ("totp", lambda: gettext("With a code from an authenticator app")),
        ("recovery_code", lambda: gettext("With a recovery code")),
        ("password", lambda: gettext("Wrong password")),
        ("code", lambda: gettext("Wrong code for two-step sign-in")),
        ("locked", lambda: gettext("The account is locked")),
        ("waiting", lambda: gettext("Too soon after a failed attempt")),
        ("too many failed attempts", lambda: gettext("Too many failed attempts")),
        ("operator", lambda: gettext("By the operator, on the server")),
        # Requests.
        ("released", lambda: gettext("No longer assigned to anyone")),
        (f"to staff {_ID}", lambda staff: gettext("To account %(staff)s", staff=staff)),
        (
            f"attempt {_ID} outside the rules",
            lambda attempt: gettext(
                "Contact attempt %(attempt)s, outside the rules for contact", attempt=attempt
            ),
        ),
        (f"attempt {_ID}", lambda attempt: gettext("Contact attempt %(attempt)s", attempt=attempt)),
        (f"message {_ID}", lambda message: gettext("Message %(message)s", message=message)),
        (f"intake {_ID}", lambda intake: gettext("Request %(intake)s", intake=intake)),
        (f"from intake {_ID}", lambda intake: gettext("From request %(intake)s", intake=intake)),
        # Talk now (issue 21): a line written, the lines a member read, the
        # interpreter note.
        (f"line {_ID}", lambda line: gettext("Line %(line)s", line=line)),
        (
            f"lines {_ID}-{_ID}",
            lambda first, last: gettext("Lines %(first)s to %(last)s", first=first, last=last),
        ),
        ("needed", lambda: gettext("An interpreter is needed")),
        ("not needed", lambda: gettext("No interpreter needed")),
        # Case files: people, actions, partners, consultations.
        (f"staff {_ID}", lambda staff: gettext("Account %(staff)s", staff=staff)),
        (
            f"person {_ID} intake {_ID}",
            lambda person, intake: gettext(
                "Person %(person)s, request %(intake)s", person=person, intake=intake
            ),
        ),
        (
            f"person {_ID} voice {_ID}",
            lambda person, voice: gettext(
                "Person %(person)s, child heard (record %(voice)s)", person=person, voice=voice
            ),
        ),
        (
            f"person {_ID} {_CODE}",
            lambda person, role: gettext(
                "Person %(person)s: %(role)s",
                person=person,
                role=_label(PERSON_ROLE_LABELS, role),
            ),
        ),
        (f"person {_ID}", lambda person: gettext("Person %(person)s", person=person)),
        (
            f"safety plan {_ID} person {_ID}",
            lambda plan, person: gettext(
                "Safety plan %(plan)s, person %(person)s", plan=plan, person=person
            ),
        ),
        (f"relation {_ID} {_CODE} person {_ID} other {_ID}", _relation),
        (
            f"action {_ID} (staff|partner)",
            lambda action, owner: gettext(
                "Action %(action)s, for %(owner)s",
                action=action,
                owner=_label(ACTION_OWNER_LABELS, owner),
            ),
        ),
        (
            f"action {_ID} {_CODE} {_CODE}",
            lambda action, before, after: gettext(
                "Action %(action)s: %(before)s → %(after)s",
                action=action,
                before=_label(ACTION_STATUS_LABELS, before),
                after=_label(ACTION_STATUS_LABELS, after),
            ),
        ),
        (f"action {_ID}", lambda action: gettext("Action %(action)s", action=action)),
        ("note", lambda: gettext("A note")),
        (
            f"planned {_ID} {_CODE}",
            lambda planned, basis: gettext(
                "Planned case consultation %(planned)s: %(basis)s",
                planned=planned,
                basis=_label(CONSULTATION_BASIS_LABELS, basis),
            ),
        ),
        (
            f"planned {_ID}",
            lambda planned: gettext("Planned case consultation %(planned)s", planned=planned),
        ),
        (f"consultation {_ID} {_CODE} actions ([0-9,]+|none)", _consultation),
        (
            f"partner {_ID} member {_ID}",
            lambda partner, member: gettext(
                "Partner %(partner)s, account %(member)s", partner=partner, member=member
            ),
        ),
        (
            r"partner ([0-9,]+) parts ([a-z_,]*)",
            lambda partners, parts: gettext(
                "Partner %(partner)s, parts: %(parts)s",
                partner=_ids(partners),
                parts=", ".join(_label(PARTNER_PART_LABELS, p) for p in parts.split(",") if p)
                or "–",
            ),
        ),
        (
            f"partner {_ID} {_CODE} {_CODE}",
            lambda partner, kind, basis: gettext(
                "Partner %(partner)s: %(kind)s, %(basis)s",
                partner=partner,
                kind=_label(PARTNER_KIND_LABELS, kind),
                basis=_label(PARTNER_BASIS_LABELS, basis),
            ),
        ),
        (
            f"partner {_ID} {_CODE}",
            lambda partner, kind: gettext(
                "Partner %(partner)s: %(kind)s",
                partner=partner,
                kind=_label(PARTNER_KIND_LABELS, kind),
            ),
        ),
        (f"partner {_ID}", lambda partner: gettext("Partner %(partner)s", partner=partner)),
        # Legal holds (issue 25, core.governance.retention_holds).
        (
            rf"hold {_ID} review (\d{{4}}-\d{{2}}-\d{{2}})",
            lambda hold, review: gettext(
                "Legal hold %(hold)s, to look at again on %(date)s", hold=hold, date=review
            ),
        ),
        (f"hold {_ID}", lambda hold: gettext("Legal hold %(hold)s", hold=hold)),
        # Rectification, restriction, erasure requests (issue 25,
        # core.governance.rights): ids and field or ground codes only.
        (
            f"person {_ID} field {_CODE} correction {_ID}",
            lambda person, field, correction: gettext(
                "Person %(person)s: %(field)s corrected (correction %(correction)s)",
                person=person,
                field=field,
                correction=correction,
            ),
        ),
        (
            f"field {_CODE} correction {_ID}",
            lambda field, correction: gettext(
                "%(field)s corrected (correction %(correction)s)",
                field=field,
                correction=correction,
            ),
        ),
        (
            f"person {_ID} restriction {_ID}",
            lambda person, restriction: gettext(
                "Person %(person)s, restriction %(restriction)s",
                person=person,
                restriction=restriction,
            ),
        ),
        (
            f"restriction {_ID}",
            lambda restriction: gettext("Restriction %(restriction)s", restriction=restriction),
        ),
        (
            f"erasure request {_ID} ground {_CODE}",
            lambda request, ground: gettext(
                "Erasure request %(request)s, legal ground: %(ground)s",
                request=request,
                ground=ground,
            ),
        ),
        (
            f"erasure request {_ID}",
            lambda request: gettext("Erasure request %(request)s", request=request),
        ),
        # A risk assessment: the instrument (its id and version) and the level.
        (
            r"(\S+) (standard|elevated|high)",
            lambda instrument, level: gettext(
                "Instrument %(instrument)s: %(level)s",
                instrument=instrument,
                level=_label(RISK_LEVEL_LABELS, level),
            ),
        ),
    ]
]
