"""Partner members, their case files, and signing them in over HTTP (with the
second factor their face requires outside development)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.casework import partner_access, partners
from core.identity import accounts
from core.model import Case, CasePartner, Staff
from tests.backoffice.helpers import code_now, enrol
from tests.conftest import TEST_PASSWORD
from web.db import db


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    secret: str | None = None


def make_member(
    app,
    organisation: str,
    *,
    kind: str = "other",
    name: str = "Partner Member",
    second_factor_at: datetime | None = None,
) -> Member:
    email = f"member-{secrets.token_hex(3)}@partner.example"
    with app.app_context(), db.writing() as session:
        member = accounts.create_partner_member(
            session,
            email=email,
            name=name,
            organisation=organisation,
            kind=kind,
            password=TEST_PASSWORD,
        )
        member_id = member.id
    secret = enrol(app, member_id, second_factor_at) if second_factor_at else None
    return Member(member_id, email, secret)


def add_partner(
    app,
    case_id: int,
    director_id: int,
    *,
    kind: str,
    organisation: str,
    basis: str = "consent",
    scope=("safety_plan",),
    given_at=None,
) -> int:
    with app.app_context(), db.writing() as session:
        partner = partners.add_partner(
            session,
            session.get(Case, case_id),
            session.get(Staff, director_id),
            kind=kind,
            organisation=organisation,
            basis=basis,
            scope=list(scope) if basis == "consent" else None,
            consent_given_at=given_at,
        )
        return partner.id


def link(app, case_id: int, partner_id: int, member: Member, director_id: int) -> None:
    with app.app_context(), db.writing() as session:
        partner_access.add_member(
            session,
            session.get(Case, case_id),
            session.get(CasePartner, partner_id),
            session.get(Staff, member.id),
            session.get(Staff, director_id),
        )


def partner_client(app, member: Member, at: datetime):
    """A browser of its own, signed in as the member: password, then a code."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    step = client.submit(
        "/partner/login",
        {"email": member.email, "password": TEST_PASSWORD},
        form_page="/partner/login",
    )
    assert step.status_code == 302 and step.headers["Location"] == "/partner/login/code", step
    signed = client.submit("/partner/login/code", {"code": code_now(member.secret, at)})
    assert signed.status_code == 302 and signed.headers["Location"] == "/partner/", signed
    return client


@dataclass(frozen=True)
class PoliceAndSchool:
    """The two partners most tests need, each with one member: the police on
    a 458ter consultation (every part) and the school with consent for the
    safety plan only, given the day before."""

    police: int
    school: int
    inspector: Member
    teacher: Member


def police_and_school(app, case_id: int, director_id: int, now: datetime) -> PoliceAndSchool:
    police = add_partner(
        app,
        case_id,
        director_id,
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
    )
    school = add_partner(
        app,
        case_id,
        director_id,
        kind="school",
        organisation="De Klimop",
        scope=("safety_plan",),
        given_at=now - timedelta(days=1),
    )
    inspector = make_member(
        app, "PZ Mechelen", kind="police", name="Ines Inspector", second_factor_at=now
    )
    teacher = make_member(app, "De Klimop", kind="school", name="Tom Teacher", second_factor_at=now)
    link(app, case_id, police, inspector, director_id)
    link(app, case_id, school, teacher, director_id)
    return PoliceAndSchool(police, school, inspector, teacher)
