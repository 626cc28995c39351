"""Risk instruments as data, scoring, the professional's judgement, the history."""

import json

import pytest

from core.casework import risk
from core.model import CaseEvent, RiskAssessment, Staff
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db


def _instrument(**changes) -> dict:
    data = {
        "id": "test",
        "version": 1,
        "title": "Test",
        "scoring": "sum_of_weights_of_yes",
        "items": [
            {"code": "a", "text": "A", "weight": 3},
            {"code": "b", "text": "B", "weight": 2},
            {"code": "c", "text": "C", "weight": 1},
        ],
        "thresholds": [
            {"level": "standard", "min": 0},
            {"level": "elevated", "min": 2},
            {"level": "high", "min": 5},
        ],
    }
    data.update(changes)
    return data


def _answers(yes=(), **overrides):
    answers = {
        code: {"answer": "yes" if code in yes else "no", "source": "victim"}
        for code in ("a", "b", "c")
    }
    answers.update(overrides)
    return answers


def test_the_shipped_instrument_loads_in_three_languages():
    found = risk.load_instruments()
    # Version 2 adds red flags (tests/core/casework/test_risk_red_flags.py); the
    # stored version 1 assessments keep theirs.
    assert set(found) == {"fjc-risk:1", "fjc-risk:2"}
    instrument = found["fjc-risk:2"]
    assert risk.current("fjc-risk", found) is instrument
    assert 10 <= len(instrument.items) <= 14
    assert all(set(item.text) == {"en", "nl", "fr"} for item in instrument.items)
    assert {"strangulation", "threats_to_kill", "weapons", "separation"} <= {
        i.code for i in instrument.items
    }
    assert [level for level, _ in instrument.thresholds] == list(risk.LEVELS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": [{"code": "a", "text": "A", "weight": 1}] * 2}, "used twice"),
        ({"items": [{"code": "a", "text": "A", "weight": 0}]}, "weight"),
        ({"items": [{"code": "a", "text": "A", "weight": 1.5}]}, "weight"),
        (
            {"thresholds": [{"level": "standard", "min": 0}, {"level": "high", "min": 0}]},
            "go up",
        ),
        (
            {"thresholds": [{"level": "high", "min": 0}, {"level": "elevated", "min": 3}]},
            "go up",
        ),
        ({"thresholds": [{"level": "severe", "min": 0}]}, "level"),
        ({"scoring": "average"}, "scoring"),
    ],
)
def test_a_broken_instrument_file_is_refused_naming_the_file(tmp_path, changes, message):
    (tmp_path / "ours.json").write_text(json.dumps(_instrument(**changes)))
    with pytest.raises(risk.InstrumentError, match=rf"^ours\.json: .*{message}"):
        risk.load_instruments(tmp_path)


def test_a_file_that_is_not_json_is_refused_naming_the_file(tmp_path):
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(risk.InstrumentError, match=r"^broken\.json"):
        risk.load_instruments(tmp_path)


def test_a_centre_adds_its_own_instrument_next_to_ours(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_instrument()))
    (tmp_path / "b.json").write_text(json.dumps(_instrument(version=2)))
    found = risk.load_instruments(tmp_path)
    assert set(found) == {"test:1", "test:2"}
    assert risk.current("test", found).version == 2


@pytest.mark.parametrize(
    ("yes", "expected"),
    [
        ((), (0, "standard")),
        (("c",), (1, "standard")),
        (("b",), (2, "elevated")),
        (("a",), (3, "elevated")),
        (("a", "c"), (4, "elevated")),
        (("a", "b"), (5, "high")),
        (("a", "b", "c"), (6, "high")),
    ],
)
def test_scoring_at_the_threshold_edges(yes, expected):
    instrument = risk.parse_instrument(_instrument())
    assert risk.score(instrument, _answers(yes)) == expected


def test_unknown_does_not_count():
    instrument = risk.parse_instrument(_instrument())
    answers = _answers(a={"answer": "unknown", "source": None})
    assert risk.score(instrument, answers) == (0, "standard")


def test_the_judgement_may_raise_freely_but_lowering_needs_a_reason():
    assert risk.final_level("standard", "high", None) == "high"
    assert risk.final_level("elevated", "elevated", None) == "elevated"
    assert risk.final_level("elevated", None, None) == "elevated"
    with pytest.raises(ValueError):
        risk.final_level("high", "elevated", None)
    with pytest.raises(ValueError):
        risk.final_level("high", "standard", "   ")
    assert risk.final_level("high", "standard", "Moved abroad, no contact.") == "standard"
    with pytest.raises(ValueError):
        risk.final_level("standard", "extreme", None)


def test_answers_need_a_source_unless_unknown():
    instrument = risk.parse_instrument(_instrument())
    with pytest.raises(RuleError) as missing:
        risk.check_answers(instrument, _answers(b={"answer": "yes", "source": ""}))
    assert missing.value.problems == {"b.source": "missing"}
    with pytest.raises(RuleError) as unanswered:
        risk.check_answers(instrument, {"a": {"answer": "yes", "source": "file"}})
    assert unanswered.value.problems == {"b.answer": "missing", "c.answer": "missing"}
    clean = risk.check_answers(instrument, _answers(c={"answer": "unknown", "source": ""}))
    assert clean["c"] == {"answer": "unknown", "source": None}


def test_reassessments_are_kept_newest_first(app, make_staff, clock):
    staff_id, _ = make_staff("case_director", name="Ann")
    instrument = risk.parse_instrument(_instrument())
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        case = case_from_request(session, staff)
        first = risk.assess(session, case, staff, instrument, _answers(("b",)), "high", None)
        clock.advance(days=14)
        with pytest.raises(RuleError):
            risk.assess(session, case, staff, instrument, _answers(("a", "b")), "standard", "")
        second = risk.assess(
            session, case, staff, instrument, _answers(("a", "b")), "elevated", "Now in a shelter."
        )
        case_id = case.id
    with app.app_context():
        session = db.session
        history = risk.history(session, session.get(type(case), case_id))
        assert [a.id for a in history] == [second.id, first.id]
        newest, oldest = history
        assert (oldest.score, oldest.computed_level, oldest.final_level) == (2, "elevated", "high")
        assert oldest.judgement_reason is None
        assert (newest.score, newest.computed_level, newest.judged_level) == (5, "high", "elevated")
        assert (newest.final_level, newest.judgement_reason) == ("elevated", "Now in a shelter.")
        assert newest.answers["a"] == {"answer": "yes", "source": "victim"}
        assert session.query(RiskAssessment).count() == 2
        events = session.query(CaseEvent).filter_by(action="case.risk_assessed").all()
        assert sorted(e.detail for e in events) == ["elevated", "high"]
