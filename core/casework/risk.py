"""Risk assessment: instruments are data (data/instruments/*.json), so a centre
can add its own; each assessment keeps its answers, their sources, the score,
the computed level and the professional's judgement. The judgement may raise
the level freely, and may lower it only with a reason.

An item may be a red flag (a recognised lethality marker such as strangulation):
a "yes" on it alone sets the computed level to the instrument's highest level.
"Unknown" adds no points, so an assessment with any unknown answer is
incomplete and says how many, rather than passing for a low score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.casework.cases import record
from core.infra import clock
from core.infra.config import PROJECT_ROOT
from core.model import Case, RiskAssessment, Staff
from core.rules import RuleError

DEFAULT_DIR = PROJECT_ROOT / "data" / "instruments"
# Every instrument uses (part of) this scale, lowest first.
LEVELS = ("standard", "elevated", "high")
ANSWERS = ("yes", "no", "unknown")
SOURCES = ("victim", "professional", "file")
SCORING_RULES = ("sum_of_weights_of_yes",)


class InstrumentError(ValueError):
    """An instrument file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Item:
    code: str
    weight: int
    text: dict[str, str]
    red_flag: bool = False

    def text_in(self, language: str) -> str:
        return self.text.get(language) or self.text.get("en") or next(iter(self.text.values()))


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: dict[str, str]
    items: tuple[Item, ...]
    thresholds: tuple[tuple[str, int], ...]  # (level, min score), ascending
    scoring: str

    @property
    def key(self) -> str:
        return f"{self.id}:{self.version}"

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.id

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    @property
    def top_level(self) -> str:
        """The level a red flag sets: the highest one the thresholds use."""
        return self.thresholds[-1][0]


@dataclass(frozen=True)
class Summary:
    """What a set of answers means under its instrument. Codes only: the faces
    turn them into words."""

    points: int
    level: str
    red_flags_hit: tuple[str, ...]  # codes of red-flag items answered "yes"
    unknown_count: int  # items answered "unknown", or not answered at all
    item_count: int

    @property
    def incomplete(self) -> bool:
        return self.unknown_count > 0


def _texts(value, what: str) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"en": value}
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        return dict(value)
    raise ValueError(f"{what} needs a text, or texts per language")


def parse_instrument(data: dict) -> Instrument:
    """Check one instrument; raise ValueError naming the first problem."""
    if not isinstance(data, dict):
        raise ValueError("the file must hold one JSON object")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 40:
        raise ValueError("id must be a short text")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError("version must be a positive whole number")
    scoring = data.get("scoring")
    if scoring not in SCORING_RULES:
        raise ValueError(f"scoring must be one of {', '.join(SCORING_RULES)}")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValueError("items must be a non-empty list")
    items: list[Item] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_items, 1):
        if not isinstance(raw, dict):
            raise ValueError(f"item {number} must be an object")
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f"item {number} needs a code")
        if code in seen:
            raise ValueError(f"item code {code!r} is used twice")
        seen.add(code)
        weight = raw.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            raise ValueError(f"item {code!r}: weight must be a positive whole number")
        red_flag = raw.get("red_flag", False)
        if not isinstance(red_flag, bool):
            raise ValueError(f"item {code!r}: red_flag must be true or false")
        text = _texts(raw.get("text"), f"item {code!r}")
        items.append(Item(code=code, weight=weight, text=text, red_flag=red_flag))
    raw_thresholds = data.get("thresholds")
    if not isinstance(raw_thresholds, list) or not raw_thresholds:
        raise ValueError("thresholds must be a non-empty list")
    thresholds: list[tuple[str, int]] = []
    for raw in raw_thresholds:
        level = raw.get("level") if isinstance(raw, dict) else None
        minimum = raw.get("min") if isinstance(raw, dict) else None
        if level not in LEVELS:
            raise ValueError(f"threshold level must be one of {', '.join(LEVELS)}")
        if not isinstance(minimum, int) or isinstance(minimum, bool):
            raise ValueError(f"threshold {level!r}: min must be a whole number")
        if thresholds and (
            minimum <= thresholds[-1][1] or LEVELS.index(level) <= LEVELS.index(thresholds[-1][0])
        ):
            raise ValueError("thresholds must go up: higher levels need higher scores")
        thresholds.append((level, minimum))
    if thresholds[0][1] != 0:
        raise ValueError("the first threshold must start at 0")
    title = _texts(data.get("title") or ident, "title")
    return Instrument(ident, version, title, tuple(items), tuple(thresholds), scoring)


def load_instruments(directory: Path = DEFAULT_DIR) -> dict[str, Instrument]:
    """Every instrument in `directory`, by "id:version"."""
    found: dict[str, Instrument] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            instrument = parse_instrument(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, AttributeError) as error:
            raise InstrumentError(f"{path.name}: {error}") from error
        if instrument.key in found:
            raise InstrumentError(f"{path.name}: {instrument.key} is defined twice")
        found[instrument.key] = instrument
    return found


@cache
def instruments() -> dict[str, Instrument]:
    return load_instruments(DEFAULT_DIR)


def current(instrument_id: str, available: dict[str, Instrument] | None = None) -> Instrument:
    """The newest version of an instrument: new assessments use it."""
    available = instruments() if available is None else available
    versions = [i for i in available.values() if i.id == instrument_id]
    if not versions:
        raise InstrumentError(f"no instrument {instrument_id!r}")
    return max(versions, key=lambda i: i.version)


def level_for(instrument: Instrument, points: int) -> str:
    level = instrument.thresholds[0][0]
    for name, minimum in instrument.thresholds:
        if points >= minimum:
            level = name
    return level


def summarise(instrument: Instrument, answers: dict[str, dict]) -> Summary:
    """Sum the weights of the items answered "yes"; the level from the thresholds,
    raised to the top level by any red flag answered "yes". An item without a
    yes or no counts as not known."""
    given = {item.code: (answers.get(item.code) or {}).get("answer") for item in instrument.items}
    yes = [item for item in instrument.items if given[item.code] == "yes"]
    points = sum(item.weight for item in yes)
    red_flags = tuple(item.code for item in yes if item.red_flag)
    level = instrument.top_level if red_flags else level_for(instrument, points)
    return Summary(
        points=points,
        level=level,
        red_flags_hit=red_flags,
        unknown_count=sum(answer not in ("yes", "no") for answer in given.values()),
        item_count=len(instrument.items),
    )


def score(instrument: Instrument, answers: dict[str, dict]) -> tuple[int, str]:
    """The points and the computed level (red flags included)."""
    summary = summarise(instrument, answers)
    return summary.points, summary.level


def summary_of(
    assessment: RiskAssessment, available: dict[str, Instrument] | None = None
) -> Summary:
    """A stored assessment read again with the instrument version it used, for
    what its row does not store (red flags hit, unknown answers). The stored
    score and levels stay the record. Without that instrument file the summary
    comes from the row alone: no red flags can be named."""
    available = instruments() if available is None else available
    used = available.get(f"{assessment.instrument_id}:{assessment.instrument_version}")
    if used is not None:
        return summarise(used, assessment.answers or {})
    answers = (assessment.answers or {}).values()
    return Summary(
        points=assessment.score,
        level=assessment.computed_level,
        red_flags_hit=(),
        unknown_count=sum((a or {}).get("answer") not in ("yes", "no") for a in answers),
        item_count=len(assessment.answers or {}),
    )


def final_level(computed: str, judged: str | None, reason: str | None) -> str:
    """The professional's judgement counts: higher needs no reason, lower does."""
    if judged is None or judged == computed:
        return computed
    if judged not in LEVELS or computed not in LEVELS:
        raise RuleError("judged_level", "unknown")
    if LEVELS.index(judged) < LEVELS.index(computed) and not (reason or "").strip():
        raise RuleError("reason", "missing")
    return judged


def check_answers(instrument: Instrument, answers: dict[str, dict]) -> dict[str, dict]:
    """Every item answered; yes and no name their source ("unknown" may not).
    A problem is named per item: "<code>.answer" or "<code>.source"."""
    clean: dict[str, dict] = {}
    problems: dict[str, str] = {}
    for item in instrument.items:
        given = answers.get(item.code) or {}
        answer, source = given.get("answer"), given.get("source") or None
        if answer not in ANSWERS:
            problems[f"{item.code}.answer"] = "missing"
        if source is not None and source not in SOURCES:
            problems[f"{item.code}.source"] = "unknown"
        elif answer in ANSWERS and answer != "unknown" and source is None:
            problems[f"{item.code}.source"] = "missing"
        clean[item.code] = {"answer": answer, "source": source}
    if problems:
        raise RuleError(problems)
    return clean


def assess(
    session: Session,
    case: Case,
    staff: Staff,
    instrument: Instrument,
    answers: dict[str, dict],
    judged_level: str | None,
    reason: str | None,
) -> RiskAssessment:
    """Store one assessment; earlier ones stay as the history."""
    clean = check_answers(instrument, answers)
    points, computed = score(instrument, clean)
    reason = (reason or "").strip() or None
    final = final_level(computed, judged_level, reason)
    assessment = RiskAssessment(
        case_id=case.id,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        answers=clean,
        score=points,
        computed_level=computed,
        judged_level=judged_level or computed,
        final_level=final,
        judgement_reason=reason,
        staff_id=staff.id,
        created_at=clock.now(),
    )
    session.add(assessment)
    # The timeline says an incomplete level is incomplete, as every view does.
    incomplete = summarise(instrument, clean).incomplete
    record(
        session,
        case,
        staff,
        "case.risk_assessed",
        f"{final}, incomplete" if incomplete else final,
        audit_detail=f"{instrument.key} {final}",
    )
    session.flush()
    return assessment


def history(session: Session, case: Case) -> list[RiskAssessment]:
    """All assessments of a case, newest first."""
    return list(
        session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.created_at.desc(), RiskAssessment.id.desc())
        )
    )
