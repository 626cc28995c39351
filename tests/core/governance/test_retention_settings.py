"""Retention per kind of request and per track of case file: a setting of its
own (FJC_RETENTION_DAYS_<KIND>, FJC_CASE_RETENTION_YEARS_<TRACK>) applies to
that kind or track only, the general one to the rest; a bad value or a name
that matches no kind stops the start with one line."""

from datetime import UTC, datetime, timedelta

import pytest

from core.casework.cases import CASE_TRACKS
from core.governance.retention import RULES, case_retention, intake_retention, settings_in_use
from core.infra.config import (
    CASE_RETENTION_TRACKS,
    RETENTION_KINDS,
    ConfigError,
    load_config,
)
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Case, CaseStatus, Intake, IntakeKind, IntakeStatus, Staff, TriageOutcome
from tests.factories import case_from_request
from web.db import db

NOW = datetime(2034, 2, 1, 12, 0, tzinfo=UTC)
SECRET = {"FJC_SECRET_KEY": "x" * 40}


def _load(tmp_path, **env):
    return load_config({**SECRET, **env}, {"INSTANCE_DIR": tmp_path})


def test_the_kinds_and_tracks_are_those_of_the_model():
    assert set(RETENTION_KINDS) == {kind.value for kind in IntakeKind}
    assert set(CASE_RETENTION_TRACKS) == {track.value for track in CASE_TRACKS}


def test_unset_settings_fall_back_to_the_general_ones(tmp_path):
    config = _load(tmp_path, FJC_RETENTION_DAYS="200")
    assert config["FJC_RETENTION_DAYS_YOUNG"] is None
    assert intake_retention(config, "young") == ("FJC_RETENTION_DAYS", 200)
    assert case_retention(config, "track_3") == ("FJC_CASE_RETENTION_YEARS", 5)


def test_a_kind_or_track_of_its_own_applies_to_it_alone(tmp_path):
    config = _load(tmp_path, FJC_RETENTION_DAYS_YOUNG="30", FJC_CASE_RETENTION_YEARS_TRACK_3=" 10 ")
    assert intake_retention(config, "young") == ("FJC_RETENTION_DAYS_YOUNG", 30)
    assert intake_retention(config, "contact") == ("FJC_RETENTION_DAYS", 365)
    assert case_retention(config, "track_3") == ("FJC_CASE_RETENTION_YEARS_TRACK_3", 10)
    assert case_retention(config, "track_2") == ("FJC_CASE_RETENTION_YEARS", 5)
    intakes, cases, feedback, access_requests = RULES
    assert settings_in_use(config, intakes) == [
        ("FJC_RETENTION_DAYS", 365),
        ("FJC_RETENTION_DAYS_YOUNG", 30),
    ]
    assert settings_in_use(config, cases) == [
        ("FJC_CASE_RETENTION_YEARS", 5),
        ("FJC_CASE_RETENTION_YEARS_TRACK_3", 10),
    ]
    assert settings_in_use(config, feedback) == [("FJC_FEEDBACK_RETENTION_MONTHS", 60)]
    assert settings_in_use(config, access_requests) == [("FJC_ACCESS_REQUEST_RETENTION_DAYS", 1095)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FJC_RETENTION_DAYS_YOUNG", "0"),
        ("FJC_RETENTION_DAYS_CONTACT", "thirty"),
        ("FJC_RETENTION_DAYS_CONVERSATION", "-1"),
        ("FJC_CASE_RETENTION_YEARS_TRACK_2", "1.5"),
        # A typo, or a track that has no case file: refused, not ignored.
        ("FJC_RETENTION_DAYS_REFERAL", "30"),
        ("FJC_RETENTION_DAYS_TRACK_1", "30"),
        ("FJC_CASE_RETENTION_YEARS_TRACK_1", "2"),
    ],
)
def test_a_bad_setting_stops_the_start_with_one_line(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name) as refused:
        _load(tmp_path, **{name: value})
    assert "\n" not in str(refused.value)


def _request(app, kind: IntakeKind, closed_days_ago: int) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(kind=kind, language="nl", contact=SafeContact(name="Sam", may_call=False)),
        )
        intake.status = IntakeStatus.CLOSED
        intake.closed_at = NOW - timedelta(days=closed_days_ago)
        return intake.id


def _case(app, staff_id: int, track: TriageOutcome, closed_days_ago: int) -> int:
    with app.app_context(), db.writing() as session:
        case = case_from_request(session, session.get(Staff, staff_id), track)
        case.status = CaseStatus.CLOSED
        case.closed_at = NOW - timedelta(days=closed_days_ago)
        return case.id


def test_the_purge_applies_each_kinds_and_tracks_own_period(app_factory, make_staff):
    from core.governance.retention import purge

    app = app_factory(FJC_RETENTION_DAYS_YOUNG=30, FJC_CASE_RETENTION_YEARS_TRACK_3=1)
    staff_id, _ = make_staff("coordinator")
    young = _request(app, IntakeKind.YOUNG, 40)
    contact = _request(app, IntakeKind.CONTACT, 40)
    contact_old = _request(app, IntakeKind.CONTACT, 400)
    track_3 = _case(app, staff_id, TriageOutcome.TRACK_3, 400)
    track_2 = _case(app, staff_id, TriageOutcome.TRACK_2, 400)

    with app.app_context():
        report = purge(db.writing, app.config, now=NOW)
        assert report.erased == {"intakes": 2, "cases": 1, "feedback": 0, "access_requests": 0}
        statuses = {i: db.session.get(Intake, i).status for i in (young, contact, contact_old)}
        assert statuses == {
            young: IntakeStatus.ERASED,
            contact: IntakeStatus.CLOSED,
            contact_old: IntakeStatus.ERASED,
        }
        assert db.session.get(Case, track_3).erased_at == NOW
        assert db.session.get(Case, track_2).erased_at is None
