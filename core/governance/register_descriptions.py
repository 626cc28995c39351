"""The words of the register of processing (GDPR art. 30) that code cannot
know: what each table is for, whose data it holds, which partner part shows
it, and what each column means. Everything else in the register comes from
the code itself (core.governance.register): the tables and columns, which
are encrypted, how long each kind of record is kept and who receives it.

A table or a column without an entry here fails
tests/core/governance/test_register.py, and so does an entry for a table or
column that no longer exists: describe a new one when you add it, then run
`.venv/bin/python -m core.governance.register --write`.

Plain language, for a data protection officer: what it is and why, not how."""

from __future__ import annotations

from dataclasses import dataclass, field

# Data subjects, named once.
VICTIM = "victims"
CHILD = "children"
HARM = "persons causing harm"
OTHER = "other family members"
REFERRER = "referring professionals"
STAFF = "staff"
PARTNER = "partner members"
PEOPLE = f"{VICTIM}, {CHILD}, {OTHER}, {HARM}"
NOBODY = "nobody (no personal data)"


@dataclass(frozen=True)
class Table:
    purpose: str
    subjects: str
    columns: dict[str, str]
    # The parts of a case file (core.casework.partners.PARTS) in which a
    # partner may receive this table's data, when its basis allows the part.
    partner_parts: tuple[str, ...] = ()
    # What every partner member of the file sees, whatever its basis: the
    # people's roles and names, how they are related, a child's age.
    partners_always: bool = False
    # How long, when the table does not follow its record's retention rule.
    retention: str | None = None
    notes: list[str] = field(default_factory=list)


# Columns that mean the same in every table that has them.
GENERIC = {
    "id": "the row's number",
    "centre_id": "the centre of the network it belongs to",
    "case_id": "the case file it belongs to",
    "intake_id": "the request it belongs to",
}

# Keyed hashes (HMAC under FJC_INDEX_KEY or FJC_AUDIT_KEY) and password
# hashes: the value cannot be read back from them.
HASHED = frozenset(
    {
        ("audit_events", "prev_hash"),
        ("audit_events", "hash"),
        ("login_throttles", "key"),
        ("key_canaries", "index_digest"),
        ("staff", "password_hash"),
        ("staff_recovery_codes", "code_key"),
        ("staff_sessions", "token_key"),
        ("intakes", "phone_index"),
        ("intakes", "email_index"),
        ("intakes", "return_code_key"),
        ("intakes", "submission_key"),
        ("mailbox_sessions", "token_key"),
        ("conversations", "token_key"),
        ("conversations", "return_code_key"),
        ("conversation_messages", "client_key"),
        ("access_items", "fingerprint"),
    }
)

_WHEN = "when it was written"
_BY = "the staff member who did it"

TABLES: dict[str, Table] = {
    # --- The installation and the centres ------------------------------------
    "centres": Table(
        purpose="The centres of the network, from the centre file: their names, opening hours "
        "and settings.",
        subjects=NOBODY,
        columns={
            "slug": "the centre's short name in settings and URLs",
            "name": "the centre's name",
            "timezone": "the centre's time zone",
            "show_partner_reads": "whether a person's mailbox says which partners read her file",
            "created_at": "when the centre was added",
            "site_title": "the neutral browser-tab title of the portal",
            "opening_hours": "when the team is there",
            "first_contact_target_hours": "the centre's target for a first contact",
            "is_default": "whether requests without a known municipality go here",
            "active": "whether the centre takes requests",
        },
    ),
    "municipalities": Table(
        purpose="The municipalities each centre serves, to route a request.",
        subjects=NOBODY,
        columns={
            "name": "the municipality's name",
            "position": "its place in the list",
            "active": "whether it is served now",
        },
    ),
    "health_writes": Table(
        purpose="One row the health check rewrites, to see that the database takes writes.",
        subjects=NOBODY,
        columns={"written_at": "the last health check"},
        retention="one row, rewritten",
    ),
    "key_canaries": Table(
        purpose="A known text under the data keys, to check at start-up that the keys are right.",
        subjects=NOBODY,
        columns={
            "sealed": "the known text, encrypted",
            "index_digest": "the known text under the index key",
            "created_at": "when it was written",
        },
        retention="kept; rotated with the keys",
    ),
    "login_throttles": Table(
        purpose="Failed sign-ins per e-mail address, to slow down password guessing.",
        subjects=STAFF,
        columns={
            "key": "the e-mail address as a keyed hash",
            "failures": "how many failures in the window",
            "window_start": "when the window started",
            "last_failure_at": "the last failure",
            "locked_at": "when the account was locked",
        },
        retention="expires by itself within the hour",
    ),
    "audit_events": Table(
        purpose="The audit trail: who read or changed what, and when. Append-only and chained, "
        "so a changed or deleted row is found.",
        subjects=f"{STAFF} (who acted); the records named only by number",
        columns={
            "created_at": "when it happened",
            "actor_id": "the account that acted",
            "action": "what happened, as a code",
            "target_type": "the kind of record it was about",
            "target_id": "the number of that record",
            "detail": "numbers and codes only, never a name or a text",
            "prev_hash": "the previous event's keyed hash (the chain)",
            "hash": "this event's keyed hash",
        },
        retention="kept; not purged automatically yet",
    ),
    # --- Accounts ---------------------------------------------------------------
    "staff": Table(
        purpose="The accounts of the team and of partner members, to sign in and to say who "
        "did what.",
        subjects=f"{STAFF}, {PARTNER}",
        columns={
            "email": "work e-mail address, to sign in",
            "name": "name",
            "role": "what the account may do",
            "password_hash": "the password as an argon2id hash",
            "is_active": "whether the account may sign in",
            "session_version": "ends every session when bumped",
            "created_at": "when the account was made",
            "last_login_at": "the last sign-in",
            "totp_secret": "the two-step sign-in secret",
            "totp_confirmed_at": "when two-step sign-in was set up",
            "totp_last_step": "the last code used, so each code works once",
            "language": "the language chosen for the back office",
            "organisation_id": "a partner member's organisation",
        },
        retention="kept while the account exists; not purged automatically yet",
    ),
    "staff_centres": Table(
        purpose="The other centres a staff member works for.",
        subjects=STAFF,
        columns={"staff_id": "the account", "added_at": "since when"},
    ),
    "staff_sessions": Table(
        purpose="Signed-in sessions, so signing out ends them on the server.",
        subjects=f"{STAFF}, {PARTNER}",
        columns={
            "staff_id": "the account",
            "token_key": "the session's random token as a keyed hash",
            "created_at": "when the session started",
            "ended_at": "when it ended",
        },
    ),
    "staff_recovery_codes": Table(
        purpose="One-time codes for a lost authenticator.",
        subjects=f"{STAFF}, {PARTNER}",
        columns={"staff_id": "the account", "code_key": "the code as a keyed hash"},
    ),
    "partner_organisations": Table(
        purpose="The partner organisations of a centre (police zone, CAW, school, ...).",
        subjects=NOBODY,
        columns={
            "kind": "what kind of organisation",
            "name": "its name (an organisation's, not a person's)",
            "created_at": "when it was added",
        },
    ),
    "talk_availability": Table(
        purpose="Whether a staff member is available for live conversations.",
        subjects=STAFF,
        columns={
            "staff_id": "the account",
            "available": "the switch",
            "changed_at": "when it was switched",
            "seen_at": "the last time their talk page was open",
        },
    ),
    # --- A request ------------------------------------------------------------------
    "intakes": Table(
        purpose="A request that reached the centre through the portal: to contact the person "
        "safely, triage it and count it in the figures.",
        subjects=f"{VICTIM}, {CHILD} (the young people's door), people asking a question",
        partner_parts=("contact_details", "story"),
        columns={
            "kind": "which door: contact, question, referral, young, conversation",
            "status": "where it is in the team's work",
            "priority": "how urgent, from fixed rules",
            "language": "the language of the form",
            "name": "the name to use",
            "phone": "phone number",
            "email": "e-mail address",
            "may_call": "may we call",
            "may_text": "may we send a text",
            "may_voicemail": "may we leave a voicemail",
            "phone_say_who": "may we say who we are on the phone",
            "email_say_who": "may we say who we are in an e-mail",
            "safe_days": "safe days to contact, as codes",
            "safe_times": "safe times of day, as codes",
            "safe_word": "a word to check it is her",
            "contact_language": "the language to contact her in",
            "interpreter_needed": "whether an interpreter is needed",
            "trusted_adult": "a young person's trusted adult and how to reach them",
            "age_range": "a young person's age range (never a birth date)",
            "municipality_id": "where the person lives",
            "children_involved": "whether children are involved",
            "danger_now": "whether she is in danger now",
            "callback_at": "a call-back she booked",
            "story": "what she wants to tell us, in her words",
            "phone_index": "the phone number as a keyed hash, to find earlier requests",
            "email_index": "the e-mail address as a keyed hash, to find earlier requests",
            "return_code_key": "the return code as a keyed hash (the code is never stored)",
            "submission_key": "the form's one-time id as a keyed hash",
            "created_at": "when it was sent",
            "first_contact_at": "when the team first reached her",
            "closed_at": "when it was closed",
            "erased_at": "when its personal data were erased",
            "assigned_to_id": "who handles it",
            "claimed_at": "when someone took it",
            "decided_at": "when the track was decided",
            "outcome": "the triage outcome",
            "feedback_after_triage": "whether she was asked for feedback after triage",
            "feedback_after_closure": "whether she was asked for feedback after closing",
        },
    ),
    "referrals": Table(
        purpose="What a professional adds when they refer someone.",
        subjects=f"{REFERRER}; {VICTIM} (the risk they describe)",
        # The referrer's name and ways of contact, when she is reached through them.
        partner_parts=("contact_details",),
        columns={
            "organisation": "the referrer's organisation",
            "role": "the referrer's role",
            "name": "the referrer's name",
            "phone": "the referrer's phone",
            "email": "the referrer's e-mail",
            "contact_via_referrer": "whether to reach the client through the referrer",
            "client_consent": "whether the client knows and agrees",
            "legal_basis": "the basis without consent (danger, case consultation)",
            "basis_note": "why, in words",
            "risk_concerns": "risk factors, as codes",
            "risk_text": "the risk, in words",
            "urgency": "how urgent",
        },
    ),
    "messages": Table(
        purpose="The portal mailbox between the person and the team.",
        subjects=f"{VICTIM}; {STAFF} (authors)",
        partner_parts=("story",),
        columns={
            "direction": "from her or from the team",
            "body": "the message",
            "author_id": "the staff member who wrote it",
            "created_at": _WHEN,
            "read_at": "when it was read",
        },
    ),
    "mailbox_sessions": Table(
        purpose="An opened mailbox, so closing and the quick exit end it on the server.",
        subjects=VICTIM,
        columns={
            "token_key": "the random token as a keyed hash",
            "opened_at": "when it was opened",
            "last_used_at": "when it was last used",
            "closed_at": "when it ended",
        },
    ),
    "contact_attempts": Table(
        purpose="Each try to reach the person, and whether it kept her rules.",
        subjects=f"{VICTIM}; {STAFF}",
        columns={
            "staff_id": _BY,
            "channel": "how",
            "outcome": "with what result",
            "note": "a note",
            "outside_safe_time": "whether it was outside her safe times",
            "channel_not_allowed": "whether it used a way she did not allow",
            "created_at": _WHEN,
        },
    ),
    "contact_rules_changes": Table(
        purpose="Her earlier safe-contact rules, when staff changed them.",
        subjects=VICTIM,
        columns={
            "staff_id": _BY,
            "previous": "the rules before the change",
            "created_at": _WHEN,
        },
    ),
    "triage_decisions": Table(
        purpose="Each triage decision: which track, or where she was referred.",
        subjects=f"{VICTIM}; {STAFF}",
        columns={
            "staff_id": _BY,
            "outcome": "the decision",
            "referred_to": "the service she was referred to",
            "referred_on": "the day of a referral to the VK",
            "note": "a note",
            "created_at": _WHEN,
        },
    ),
    "intake_status_changes": Table(
        purpose="Every status change with its time, for the waiting-time figures.",
        subjects=NOBODY,
        columns={
            "from_status": "the status before",
            "to_status": "the status after",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "intake_links": Table(
        purpose="Two requests of the same person, linked by staff.",
        subjects=VICTIM,
        columns={
            "linked_intake_id": "the other request",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "intake_corrections": Table(
        purpose="Rectification (art. 16): the value a field of a request held before a "
        "coordinator corrected it on the person's request, with who, why and when.",
        subjects=VICTIM,
        columns={
            "field": "which field",
            "old_value": "the value before the correction",
            "reason": "why it was corrected",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "intake_restrictions": Table(
        purpose="Restriction (art. 18): a request stored but not used (not matched, counted or "
        "shown to partners) until the restriction is lifted.",
        subjects=VICTIM,
        columns={
            "reason": "why its use is restricted",
            "restricted_by_id": "who restricted it",
            "restricted_at": "since when",
            "lifted_at": "when it was lifted",
            "lifted_by_id": "who lifted it",
            "lift_reason": "why it was lifted",
        },
    ),
    "intake_holds": Table(
        purpose="A legal hold that keeps a request out of the purge, with a reason and a "
        "review date.",
        subjects=f"{STAFF} (who placed it); the request by number",
        columns={
            "reason": "why it is held",
            "review_on": "when to look at it again",
            "placed_by_id": "who placed it",
            "placed_at": "when",
            "lifted_by_id": "who lifted it",
            "lifted_at": "when it was lifted",
        },
    ),
    "conversations": Table(
        purpose="Talk now: a live conversation with the team, anonymous while it runs.",
        subjects=f"{VICTIM}; {STAFF}",
        retention="with the request it became: erasing the request erases its lines, and "
        "the row keeps only its times, for the figures",
        columns={
            "kind": "live, a message left, or a call-back booked",
            "status": "waiting, active or ended",
            "language": "the language she writes in",
            "token_key": "her browser's random token as a keyed hash",
            "return_code_key": "the return code as a keyed hash",
            "created_at": "when it started",
            "taken_at": "when a staff member took it",
            "ended_at": "when it ended",
            "end_reason": "how it ended",
            "staff_id": "who holds it",
            "person_seen_at": "her page's last sign of life",
            "interpreter_needed": "whether an interpreter is needed",
            "in_mailbox": "whether she reads it again in her mailbox",
            "intake_id": "the request it became",
            "last_seq": "the number of its newest line",
        },
    ),
    "conversation_messages": Table(
        purpose="The lines of a conversation.",
        subjects=f"{VICTIM}; {STAFF}",
        retention="erased with the request its conversation became",
        columns={
            "conversation_id": "the conversation",
            "seq": "its place in the conversation",
            "sender": "her, staff or the system",
            "author_id": "the staff member who wrote it",
            "body": "what was written",
            "phrase": "a safe phrase staff sent, as a code",
            "event": "what happened (taken, ended), as a code",
            "client_key": "the sender's one-time message id as a keyed hash",
            "created_at": _WHEN,
        },
    ),
    # --- A case file ------------------------------------------------------------------
    "cases": Table(
        purpose="The joint case file that the team and partners work from.",
        subjects=PEOPLE,
        columns={
            "year": "the year of its number",
            "sequence": "the sequence of its number",
            "number": "the number people say (2026-0042)",
            "track": "track 2 or 3",
            "status": "open or closed",
            "director_id": "the case director",
            "opened_at": "when it was opened",
            "closed_at": "when it was closed",
            "closure_reason": "why it was closed, as a code",
            "closure_note": "a note on closing",
            "erased_at": "when its personal content was erased",
        },
    ),
    "case_intakes": Table(
        purpose="The requests a case file was opened from.",
        subjects=NOBODY,
        columns={},
    ),
    "case_people": Table(
        purpose="The people in a case file: who they are in the family, and how to reach them "
        "safely.",
        subjects=PEOPLE,
        partner_parts=("contact_details",),
        partners_always=True,
        columns={
            "role": "victim, child, other adult or person causing harm",
            "name": "name",
            "phone": "phone number",
            "email": "e-mail address",
            "contact_safety": "how to contact this person safely",
            "contact_intake_id": "the request whose contact rules are hers",
            "no_direct_contact": "whether staff must not contact this person directly",
            "birth_year": "a child's year of birth",
            "school_contacts": "a child's school or care contacts",
            "notes": "notes",
        },
    ),
    "case_members": Table(
        purpose="Colleagues invited into a case file.",
        subjects=STAFF,
        columns={"staff_id": "the colleague", "added_by_id": _BY, "added_at": "since when"},
    ),
    "case_events": Table(
        purpose="The case file's timeline: what happened, when, by whom.",
        subjects=f"{STAFF}; the people by role only",
        columns={
            "staff_id": _BY,
            "action": "what happened, as a code",
            "detail": "a short detail (codes, or a partner's note)",
            "created_at": _WHEN,
        },
    ),
    "case_relations": Table(
        purpose="How the people in a case file are related.",
        subjects=PEOPLE,
        partners_always=True,
        columns={
            "person_id": "one person",
            "other_person_id": "the other person",
            "kind": "how they are related",
            "created_at": _WHEN,
        },
    ),
    "risk_assessments": Table(
        purpose="Risk assessments with a validated instrument, with the professional's judgement.",
        subjects=f"{VICTIM}, {HARM}",
        partner_parts=("risk_assessment",),
        columns={
            "instrument_id": "which instrument",
            "instrument_version": "which version",
            "answers": "the answers, with who gave each",
            "score": "the score",
            "computed_level": "the level the score gives",
            "judged_level": "the level the professional judged",
            "final_level": "the level that counts",
            "judgement_reason": "why the professional judged otherwise",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "safety_plans": Table(
        purpose="Each version of a person's safety plan.",
        subjects=f"{VICTIM}, {CHILD}",
        partner_parts=("safety_plan",),
        columns={
            "person_id": "whose plan",
            "content": "the plan, section by section",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "child_voices": Table(
        purpose="What a child says and wishes, in their words.",
        subjects=CHILD,
        partner_parts=("story",),
        columns={
            "person_id": "the child",
            "heard_on": "the day they were heard",
            "heard_by": "who heard them",
            "said": "what they said",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "case_partners": Table(
        purpose="The organisations involved in a case file, and their basis for sharing "
        "(consent for named parts, or a case consultation under art. 458ter Sw.).",
        subjects=f"{PARTNER} (contacts); {VICTIM} (her consent)",
        columns={
            "kind": "what kind of organisation",
            "organisation": "the organisation",
            "contact_name": "the contact person",
            "contact_details": "how to reach them",
            "basis": "consent or case consultation",
            "consent_scope": "the parts she agreed may be shared",
            "consent_given_at": "when consent was given",
            "consent_withdrawn_at": "when it was withdrawn",
            "added_by_id": _BY,
            "added_at": "when it was added",
            "organisation_id": "the partner organisation whose members work on it",
            "transfer_review": "whether its basis is checked again after a transfer",
        },
    ),
    "case_partner_members": Table(
        purpose="The partner members who work on a case file for a partner.",
        subjects=PARTNER,
        columns={
            "case_partner_id": "the partner",
            "staff_id": "the member",
            "added_by_id": _BY,
            "added_at": "since when",
        },
    ),
    "case_actions": Table(
        purpose="The action plan: what, who, by when, and how far.",
        subjects=f"{STAFF}, {PARTNER}",
        partner_parts=("action_plan",),
        columns={
            "title": "what is to be done",
            "owner_staff_id": "the staff member who does it",
            "owner_partner_id": "the partner who does it",
            "due_on": "by when",
            "status": "how far it is",
            "consultation_id": "the consultation it came from",
            "created_by_id": _BY,
            "created_at": _WHEN,
            "done_at": "when it was done",
            "report": "the partner's short report",
            "reported_by_id": "who reported",
            "reported_at": "when",
        },
    ),
    "case_consultations": Table(
        purpose="A case consultation: who took part, on what basis, what was decided.",
        subjects=f"{PARTNER}, {STAFF}; {PEOPLE} (in the notes)",
        partner_parts=("action_plan",),
        columns={
            "held_on": "the day",
            "legal_basis": "art. 458ter or consent",
            "participants": "who took part, for which organisation",
            "decisions": "what was decided",
            "notes": "notes",
            "created_by_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "planned_consultations": Table(
        purpose="A case consultation still to come.",
        subjects=STAFF,
        partner_parts=("action_plan",),
        columns={
            "planned_on": "the day",
            "legal_basis": "art. 458ter or consent",
            "created_by_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "consultation_contributions": Table(
        purpose="A partner member's answer to a planned consultation.",
        subjects=PARTNER,
        columns={
            "planned_id": "the planned consultation",
            "case_partner_id": "the partner",
            "staff_id": "the member",
            "attending": "whether they attend",
            "contribution": "what they bring",
            "updated_at": "when they answered",
        },
    ),
    "person_corrections": Table(
        purpose="Rectification (art. 16): the value a person's field held before a "
        "coordinator corrected it on the person's request, with who, why and when.",
        subjects=PEOPLE,
        columns={
            "person_id": "the person",
            "field": "which field",
            "old_value": "the value before the correction",
            "reason": "why it was corrected",
            "staff_id": _BY,
            "created_at": _WHEN,
        },
    ),
    "person_restrictions": Table(
        purpose="Restriction (art. 18): a person's data stored but not used (not matched, "
        "counted or shown to partners) until the restriction is lifted.",
        subjects=PEOPLE,
        columns={
            "person_id": "the person",
            "reason": "why its use is restricted",
            "restricted_by_id": "who restricted it",
            "restricted_at": "since when",
            "lifted_at": "when it was lifted",
            "lifted_by_id": "who lifted it",
            "lift_reason": "why it was lifted",
        },
    ),
    "erasure_requests": Table(
        purpose="Erasure on request (art. 17): what a person asked for a case file, and what "
        "was done: erased, or refused on a legal ground of art. 17(3).",
        subjects=PEOPLE,
        columns={
            "received_on": "when the request reached us",
            "request_note": "what was asked and how identity was checked",
            "registered_by_id": "who registered it",
            "registered_at": "when",
            "status": "open, erased or refused",
            "decided_by_id": "who decided",
            "decided_at": "when",
            "refusal_ground": "the legal ground of a refusal, as a code",
            "decision_note": "why, in words",
        },
        notes=["After the file is erased, the row keeps its dates, outcome and ground only."],
    ),
    "case_holds": Table(
        purpose="A legal hold that keeps a case file out of the purge, with a reason and a "
        "review date.",
        subjects=f"{STAFF} (who placed it); the file by number",
        columns={
            "reason": "why it is held",
            "review_on": "when to look at it again",
            "placed_by_id": "who placed it",
            "placed_at": "when",
            "lifted_by_id": "who lifted it",
            "lifted_at": "when it was lifted",
        },
    ),
    # --- The centre's other records -----------------------------------------------
    "centre_transfers": Table(
        purpose="A request or case file moving to another centre of the network.",
        subjects=f"{STAFF}; the record by number",
        columns={
            "to_centre_id": "the centre it goes to",
            "status": "pending, accepted, declined or asked",
            "reason": "why it goes there",
            "requested_by_id": "who sent or asked",
            "requested_at": "when",
            "decided_by_id": "who answered",
            "decided_at": "when",
            "decline_reason": "why it was declined",
        },
        retention="kept as the sending centre's trace",
    ),
    "feedback": Table(
        purpose="Anonymous feedback on the service (the survivor's voice), linked to no "
        "request, file or person.",
        subjects=f"{VICTIM} (anonymous)",
        columns={
            "month": "the month it was given (never the day)",
            "moment": "after triage or after closing",
            "door": "which door",
            "track": "which track",
            "felt_safe": "an answer code",
            "told_again": "an answer code",
            "listened_to": "an answer code",
            "got_help": "an answer code",
            "tell_a_friend": "an answer code",
            "free_text": "what she wrote",
        },
    ),
    "purge_traces": Table(
        purpose="What each purge erased, counted by month and kind: nothing that leads back "
        "to a person.",
        subjects=NOBODY,
        columns={
            "month": "the month of the purge",
            "record": "the kind of record",
            "category": "a request's door or a file's track",
            "erased": "how many",
        },
        retention="kept",
    ),
    "access_requests": Table(
        purpose="Access requests (art. 15): a named person asks for a copy of what we hold, "
        "with the identity check, the deadline and the four-eyes approval.",
        subjects=f"{PEOPLE} (who asked); {STAFF}",
        columns={
            "status": "where it is",
            "subject_name": "the name the person gave; emptied once their records are erased",
            "subject_rows": "the records found to be theirs",
            "causes_harm": "whether the person asking is a person causing harm",
            "received_on": "when it reached us",
            "deadline_on": "one month later",
            "identity_check": "how identity was checked, as a code",
            "identity_note": "how identity was checked, in words",
            "language": "the language of the copy",
            "registered_by_id": "who registered it",
            "registered_at": "when",
            "gathered_at": "when the items were gathered",
            "submitted_by_id": "who sent it for approval",
            "submitted_at": "when",
            "approved_by_id": "the second coordinator who approved",
            "approved_at": "when",
            "released_by_id": "who gave the copy",
            "released_at": "when",
            "refused_by_id": "who refused",
            "refused_at": "when",
            "refusal_reason": "why, as a code",
        },
        retention="by its retention rule (above); its name, identity note and chosen rows go "
        "earlier, once the records it gathered are all erased",
    ),
    "access_items": Table(
        purpose="One piece of data an access copy may hold, with the proposal and the "
        "decision to release or withhold it, and why. It names the data, never holds it.",
        subjects=f"{PEOPLE} (by reference); {STAFF}",
        columns={
            "request_id": "the access request",
            "source": "the table the data live in",
            "source_id": "the row",
            "field": "the field",
            "category": "the category of data",
            "origin": "where the data came from",
            "proposed": "release or withhold, proposed",
            "proposed_reason": "why withhold, as a code",
            "decision": "release or withhold, decided",
            "reason": "why, as a code",
            "decided_by_id": "who changed the proposal",
            "decided_at": "when",
            "fingerprint": "the value reviewed, as a keyed hash",
        },
        retention="kept with its access request; erased with the record it points at",
    ),
}
