"""Red flags and unknown answers: a recognised lethality marker sets the level to
the top on its own, and unknown answers are counted instead of passing for "no"."""

import json

import pytest

from core.casework import risk
from core.model import RiskAssessment

NOT_GIVEN = object()


def _instrument(red_flag=NOT_GIVEN, **changes) -> dict:
    first = {"code": "a", "text": "A", "weight": 1}
    if red_flag is not NOT_GIVEN:
        first["red_flag"] = red_flag
    data = {
        "id": "test",
        "version": 1,
        "title": "Test",
        "scoring": "sum_of_weights_of_yes",
        "items": [first, {"code": "b", "text": "B", "weight": 2}],
        "thresholds": [
            {"level": "standard", "min": 0},
            {"level": "elevated", "min": 2},
            {"level": "high", "min": 3},
        ],
    }
    data.update(changes)
    return data


def _strangulation_children_and_ten_unknown() -> dict[str, dict]:
    """The assessment of issue 16: two yes answers, everything else unknown."""
    answers = {
        item.code: {"answer": "unknown", "source": None} for item in risk.current("fjc-risk").items
    }
    answers["strangulation"] = {"answer": "yes", "source": "victim"}
    answers["children_present"] = {"answer": "yes", "source": "victim"}
    return answers


def test_an_item_without_red_flag_is_not_one():
    instrument = risk.parse_instrument(_instrument())
    assert [item.red_flag for item in instrument.items] == [False, False]


def test_an_item_marked_red_flag_is_one():
    instrument = risk.parse_instrument(_instrument(red_flag=True))
    assert [item.red_flag for item in instrument.items] == [True, False]
    assert not risk.parse_instrument(_instrument(red_flag=False)).items[0].red_flag


@pytest.mark.parametrize("value", ["yes", 1, 0, None, [], "true"])
def test_a_red_flag_that_is_not_true_or_false_is_refused_naming_the_file(tmp_path, value):
    (tmp_path / "ours.json").write_text(json.dumps(_instrument(red_flag=value)))
    with pytest.raises(
        risk.InstrumentError, match=r"^ours\.json: item 'a': red_flag must be true or false$"
    ):
        risk.load_instruments(tmp_path)


def test_a_red_flag_answered_yes_sets_the_top_level_alone():
    instrument = risk.parse_instrument(_instrument(red_flag=True))
    summary = risk.summarise(
        instrument,
        {"a": {"answer": "yes", "source": "victim"}, "b": {"answer": "no", "source": "victim"}},
    )
    assert (summary.points, summary.level, summary.red_flags_hit) == (1, "high", ("a",))
    assert risk.score(instrument, {"a": {"answer": "yes"}, "b": {"answer": "no"}}) == (1, "high")


def test_the_top_level_is_the_highest_the_thresholds_use():
    two_levels = _instrument(
        red_flag=True,
        thresholds=[{"level": "standard", "min": 0}, {"level": "elevated", "min": 3}],
    )
    instrument = risk.parse_instrument(two_levels)
    assert instrument.top_level == "elevated"
    assert risk.score(instrument, {"a": {"answer": "yes"}, "b": {"answer": "no"}}) == (
        1,
        "elevated",
    )


def test_a_red_flag_answered_no_or_unknown_changes_nothing():
    instrument = risk.parse_instrument(_instrument(red_flag=True))
    for answer in ("no", "unknown"):
        summary = risk.summarise(instrument, {"a": {"answer": answer}, "b": {"answer": "no"}})
        assert (summary.points, summary.level, summary.red_flags_hit) == (0, "standard", ())


def test_the_shipped_version_2_marks_strangulation_threats_and_weapons():
    found = risk.load_instruments()
    old, new = found["fjc-risk:1"], found["fjc-risk:2"]
    assert risk.current("fjc-risk", found) is new
    assert {item.code for item in new.items if item.red_flag} == {
        "strangulation",
        "threats_to_kill",
        "weapons",
    }
    assert not any(item.red_flag for item in old.items)
    assert [(i.code, i.weight, i.text) for i in new.items] == [
        (i.code, i.weight, i.text) for i in old.items
    ]
    assert (new.title, new.thresholds, new.scoring) == (old.title, old.thresholds, old.scoring)


def test_strangulation_and_children_with_ten_unknown_is_high_and_incomplete():
    instrument = risk.current("fjc-risk")
    summary = risk.summarise(instrument, _strangulation_children_and_ten_unknown())
    assert summary.points == 4
    assert summary.level == "high"
    assert summary.red_flags_hit == ("strangulation",)
    assert (summary.unknown_count, summary.item_count) == (10, 12)
    assert summary.incomplete


def test_the_same_answers_under_version_1_keep_their_old_meaning():
    old = risk.instruments()["fjc-risk:1"]
    summary = risk.summarise(old, _strangulation_children_and_ten_unknown())
    assert (summary.points, summary.level, summary.red_flags_hit) == (4, "standard", ())
    assert (summary.unknown_count, summary.item_count) == (10, 12)


def test_every_item_known_is_complete_and_a_missing_answer_counts_as_unknown():
    instrument = risk.parse_instrument(_instrument())
    known = risk.summarise(instrument, {"a": {"answer": "no"}, "b": {"answer": "yes"}})
    assert (known.unknown_count, known.incomplete) == (0, False)
    missing = risk.summarise(instrument, {"b": {"answer": "yes"}})
    assert (missing.unknown_count, missing.item_count, missing.incomplete) == (1, 2, True)


def test_a_stored_assessment_is_read_with_the_version_it_used():
    answers = _strangulation_children_and_ten_unknown()

    def stored(version: int) -> RiskAssessment:
        return RiskAssessment(
            instrument_id="fjc-risk",
            instrument_version=version,
            answers=answers,
            score=4,
            computed_level="standard",
        )

    assert risk.summary_of(stored(2)).red_flags_hit == ("strangulation",)
    assert risk.summary_of(stored(1)).red_flags_hit == ()
    assert risk.summary_of(stored(1)).unknown_count == 10


def test_a_stored_assessment_without_its_instrument_file_still_counts_unknowns():
    row = RiskAssessment(
        instrument_id="gone",
        instrument_version=1,
        answers={"x": {"answer": "unknown"}, "y": {"answer": "yes"}},
        score=3,
        computed_level="elevated",
    )
    summary = risk.summary_of(row, {})
    assert (summary.points, summary.level, summary.red_flags_hit) == (3, "elevated", ())
    assert (summary.unknown_count, summary.item_count, summary.incomplete) == (1, 2, True)
