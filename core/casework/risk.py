"""Risk assessment: instruments are data (data/instruments/*.json), so a centre
can add its own; each assessment keeps its answers, their sources, the score,
the computed level and the professional's judgement. The judgement may raise
the level freely, and may lower it only with a reason."""

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
        items.append(Item(code=code, weight=weight, text=_texts(raw.get("text"), f"item {code!r}")))
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


def score(instrument: Instrument, answers: dict[str, dict]) -> tuple[int, str]:
    """Sum the weights of the items answered "yes"; the level from the thresholds."""
    points = sum(
        item.weight
        for item in instrument.items
        if (answers.get(item.code) or {}).get("answer") == "yes"
    )
    return points, level_for(instrument, points)


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
    record(
        session,
        case,
        staff,
        "case.risk_assessed",
        final,
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
