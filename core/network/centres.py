"""The centres of the network and the municipalities each one serves.

Both are data (data/centre.json, or the file in FJC_CENTRE_FILE), checked when
the app starts and loaded by `migrate`, so a centre changes its list without a
code change. A municipality belongs to exactly one centre: that is how a
request finds its centre. The file names a default centre for requests that
give no municipality, or one no centre serves.

Two shapes are read: a network ({"default_centre": slug, "centres": [...]}) and
the one-centre file of earlier releases (one centre's fields at the top).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Integer, Select, bindparam, event, literal, select, union_all
from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.config import PROJECT_ROOT
from core.model import Centre, Municipality, Staff, StaffCentre

DEFAULT_CENTRE_FILE = PROJECT_ROOT / "data" / "centre.json"
# Where the app keeps the centre file it read and checked at start (NetworkData).
NETWORK_EXTENSION = "fjc_network"
# The slug of the one centre of releases before the network.
LEGACY_SLUG = "default"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SLUG = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")


class CentreMissing(RuntimeError):
    pass


class CentreFileError(ValueError):
    """The centre file cannot be used; the message is one line that says why."""


@dataclass(frozen=True)
class CentreData:
    slug: str
    name: str
    municipalities: tuple[str, ...]
    timezone: str = "Europe/Brussels"
    site_title: str | None = None
    opening_hours: dict[str, list[str]] = field(default_factory=dict)
    first_contact_target_hours: int | None = None
    show_partner_reads: bool = False


@dataclass(frozen=True)
class NetworkData:
    centres: tuple[CentreData, ...]
    default_slug: str
    # Whether a new request is compared with the people of other centres
    # ("known at another centre"); an installation may switch it off.
    cross_centre_matching: bool = True
    # The one-centre file of earlier releases: it updates the database's one
    # centre, whatever its slug.
    legacy: bool = False

    def centre(self, slug: str) -> CentreData:
        return next(c for c in self.centres if c.slug == slug)


def load_centre_file(path: Path | str | None = None) -> NetworkData:
    """Read and check the centre file; CentreFileError names the first problem."""
    where = Path(path or DEFAULT_CENTRE_FILE)
    try:
        raw = json.loads(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CentreFileError(f"centre file {where}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise CentreFileError(f"centre file {where}: not valid JSON ({exc})") from None
    try:
        return parse_network(raw)
    except CentreFileError as exc:
        raise CentreFileError(f"centre file {where}: {exc}") from None


def parse_network(raw: Any) -> NetworkData:
    if not isinstance(raw, dict):
        raise CentreFileError("the file must hold one JSON object")
    legacy = False
    if "centres" in raw:
        entries = raw["centres"]
        if not isinstance(entries, list) or not entries:
            raise CentreFileError('"centres" must be a list of at least one centre')
        centres = tuple(_parse_centre(entry, number) for number, entry in enumerate(entries, 1))
        default = raw.get("default_centre", centres[0].slug if len(centres) == 1 else None)
    else:
        centres = (_parse_centre({"slug": LEGACY_SLUG, **raw}, 1),)
        default = centres[0].slug
        legacy = True
    slugs = [c.slug for c in centres]
    for slug in slugs:
        if slugs.count(slug) > 1:
            raise CentreFileError(f'two centres have the slug "{slug}"')
    if default not in slugs:
        raise CentreFileError('"default_centre" must name one of the centres by its slug')
    owner: dict[str, str] = {}
    for centre in centres:
        for name in centre.municipalities:
            key = name.casefold()
            if key in owner:
                where = (
                    "twice"
                    if owner[key] == centre.slug
                    else f'in "{owner[key]}" and "{centre.slug}"'
                )
                raise CentreFileError(f'the municipality "{name}" is listed {where}')
            owner[key] = centre.slug
    matching = raw.get("cross_centre_matching", True)
    if not isinstance(matching, bool):
        raise CentreFileError('"cross_centre_matching" must be true or false')
    return NetworkData(
        centres=centres, default_slug=default, cross_centre_matching=matching, legacy=legacy
    )


def _parse_centre(entry: Any, number: int) -> CentreData:
    if not isinstance(entry, dict):
        raise CentreFileError(f"centre {number} must be a JSON object")
    slug = entry.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise CentreFileError(
            f"centre {number}: the slug must be lower-case letters, digits or -,"
            " starting with a letter"
        )
    label = f'centre "{slug}"'
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CentreFileError(f"{label}: it needs a name")
    municipalities = entry.get("municipalities", [])
    if not isinstance(municipalities, list) or not all(
        isinstance(m, str) and m.strip() for m in municipalities
    ):
        raise CentreFileError(f"{label}: municipalities must be a list of names")
    zone = entry.get("timezone", "Europe/Brussels")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise CentreFileError(f'{label}: unknown time zone "{zone}"') from None
    site_title = entry.get("site_title")
    if site_title is not None and (
        not isinstance(site_title, str) or not 0 < len(site_title) <= 60
    ):
        raise CentreFileError(f"{label}: site_title must be a short text (at most 60 characters)")
    target = entry.get("first_contact_target_hours")
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int) or target < 1
    ):
        raise CentreFileError(
            f"{label}: first_contact_target_hours must be a whole number of hours"
        )
    reads = entry.get("show_partner_reads", False)
    if not isinstance(reads, bool):
        raise CentreFileError(f"{label}: show_partner_reads must be true or false")
    return CentreData(
        slug=slug,
        name=name.strip(),
        municipalities=tuple(m.strip() for m in municipalities),
        timezone=zone,
        site_title=site_title,
        opening_hours=_parse_hours(entry.get("opening_hours", {}), label),
        first_contact_target_hours=target,
        show_partner_reads=reads,
    )


def _parse_hours(raw: Any, label: str) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or any(day not in WEEKDAYS for day in raw):
        raise CentreFileError(f"{label}: opening_hours must map mon..sun to spans like 09:00-17:00")
    hours: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        spans = raw.get(day, [])
        if isinstance(spans, str):
            spans = [spans]
        for span in spans:
            found = _SPAN.match(span) if isinstance(span, str) else None
            if not found or span[:5] >= span[6:]:
                raise CentreFileError(f'{label}: "{span}" on {day} is not a span like 09:00-17:00')
        if spans:
            hours[day] = sorted(spans)
    return hours


def ensure_centres(session: Session, network: NetworkData | None = None) -> Centre:
    """Create or update every centre and its municipalities from the centre
    file; returns the default centre. A centre that left the file keeps its
    rows (requests point at it) but takes no new requests."""
    network = network if network is not None else load_centre_file()
    known = {c.slug: c for c in session.scalars(select(Centre))}
    serving = [c for c in known.values() if c.active]
    if network.legacy and len(serving) == 1:
        # The file of old names one centre, the database serves one: the same.
        known = {network.default_slug: serving[0]}
    _adopt_legacy_centre(known, network)
    for data in network.centres:
        centre = known.pop(data.slug, None)
        if centre is None:
            centre = Centre(slug=data.slug, name=data.name)
            session.add(centre)
        centre.name = data.name
        centre.timezone = data.timezone
        centre.site_title = data.site_title
        centre.opening_hours = data.opening_hours or None
        centre.first_contact_target_hours = data.first_contact_target_hours
        centre.show_partner_reads = data.show_partner_reads
        centre.is_default = data.slug == network.default_slug
        centre.active = True
        session.flush()
        _sync_municipalities(session, centre, list(data.municipalities))
    for gone in known.values():
        gone.active = False
        gone.is_default = False
        _sync_municipalities(session, gone, [])
    session.flush()
    return default_centre(session)


# The name earlier releases and the tests use; the network syncs every centre.
ensure_default_centre = ensure_centres


def _adopt_legacy_centre(known: dict[str, Centre], network: NetworkData) -> None:
    """An installation of the one-centre release has a centre named "default".
    When the file no longer names it, the file's default centre takes it over
    (the same rows, a real slug) instead of starting empty beside it."""
    if LEGACY_SLUG not in known or network.default_slug in known:
        return
    if any(c.slug == LEGACY_SLUG for c in network.centres):
        return
    legacy = known.pop(LEGACY_SLUG)
    legacy.slug = network.default_slug
    known[network.default_slug] = legacy


def _sync_municipalities(session: Session, centre: Centre, names: list[str]) -> None:
    existing = {
        m.name: m
        for m in session.scalars(select(Municipality).where(Municipality.centre_id == centre.id))
    }
    for position, name in enumerate(names):
        municipality = existing.pop(name, None)
        if municipality is None:
            municipality = Municipality(centre_id=centre.id, name=name)
            session.add(municipality)
        municipality.position = position
        municipality.active = True
    # Requests may point at a municipality that left the list: keep it, hide it.
    for municipality in existing.values():
        municipality.active = False
    session.flush()


def default_centre(session: Session) -> Centre:
    centre = session.scalar(select(Centre).where(Centre.is_default.is_(True)))
    if centre is None:
        # A database migrated before the network knew no default: its one centre.
        centre = session.scalar(select(Centre).where(Centre.active.is_(True)).order_by(Centre.id))
    if centre is None:
        raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
    return centre


def active_centres(session: Session) -> list[Centre]:
    return list(
        session.scalars(select(Centre).where(Centre.active.is_(True)).order_by(Centre.name))
    )


def centre_by_slug(session: Session, slug: str) -> Centre | None:
    return session.scalar(select(Centre).where(Centre.slug == slug))


def centre_for(session: Session, municipality_id: int | None) -> Centre:
    """The centre a request goes to: its municipality's, else the default one
    (the rule is route_statement's, which the doors store with)."""
    centre = session.get(Centre, centre_route(session, municipality_id).id)
    if centre is None:  # deleted between the two statements
        raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
    return centre


@dataclass(frozen=True)
class Route:
    """The centre a new request goes to: its id, and its slug (whose keys
    encrypt what is written, FJC_DATA_KEYS_<SLUG>)."""

    id: int
    slug: str


@lru_cache(maxsize=1)
def route_statement() -> Select:
    # Where a new request goes, as one statement of two columns: the
    # municipality's active centre, else the default centre, else (a
    # database migrated before the network knew a default) the first active.
    municipality_id = bindparam("route_municipality_id", type_=Integer)
    chosen = (
        select(Centre.id, Centre.slug, literal(0).label("choice"))
        .join(Municipality, Municipality.centre_id == Centre.id)
        .where(
            Municipality.id == municipality_id,
            Municipality.active.is_(True),
            Centre.active.is_(True),
        )
    )
    default = select(Centre.id, Centre.slug, literal(1)).where(Centre.is_default.is_(True))
    first_active = select(Centre.id, Centre.slug, literal(2)).where(Centre.active.is_(True))
    choices = union_all(chosen, default, first_active).subquery()
    return select(choices.c.id, choices.c.slug).order_by(choices.c.choice, choices.c.id).limit(1)


def centre_route(session: Session, municipality_id: int | None) -> Route:
    """The centre a new request goes to as its id and slug, in one statement
    and no object: what a door needs to store a request (route_statement,
    its parameter `route_municipality_id`)."""
    row = (
        session.connection()
        .execute(route_statement(), {"route_municipality_id": municipality_id})
        .first()
    )
    if row is None:
        raise CentreMissing("no centre in the database: run `flask --app wsgi migrate`")
    return Route(row.id, row.slug)


# Built once: the staff home page asks on every request.
@lru_cache(maxsize=1)
def _centre_municipalities() -> Select:
    return (
        select(Municipality)
        .where(
            Municipality.active.is_(True),
            Municipality.centre_id == bindparam("municipalities_centre_id", type_=Integer),
        )
        .order_by(Municipality.position)
    )


def active_municipalities(session: Session, centre: Centre | None = None) -> list[Municipality]:
    """One centre's municipalities in its own order, or, before the portal
    knows the centre, those of the whole network by name."""
    if centre is not None:
        return list(
            session.scalars(_centre_municipalities(), {"municipalities_centre_id": centre.id})
        )
    query = select(Municipality).where(Municipality.active.is_(True))
    return sorted(session.scalars(query), key=lambda m: m.name.casefold())


# How long a process shows the municipality list it read (MunicipalityOffer).
LISTED_FOR = timedelta(seconds=10)
# Database URL (and, for one centre's list, the centre's id) -> (when read,
# the (id, name) rows): names of places, nothing personal.
_LISTED: dict[str | tuple[str, int], tuple[datetime, list[tuple[int, str]]]] = {}
_MUNICIPALITIES_CHANGED = "fjc_municipalities_changed"


@event.listens_for(Session, "after_flush")
def _note_municipality_changes(session: Session, _context) -> None:
    if any(
        isinstance(row, Municipality) for row in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[_MUNICIPALITIES_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_the_listed_municipalities(session: Session) -> None:
    # After the commit: a list read before it, while the change was not yet
    # visible, is not kept afterwards.
    if session.info.pop(_MUNICIPALITIES_CHANGED, False):
        _LISTED.clear()


@lru_cache(maxsize=1)
def _centre_municipality_names() -> Select:
    return (
        select(Municipality.id, Municipality.name)
        .where(
            Municipality.active.is_(True),
            Municipality.centre_id == bindparam("listed_centre_id", type_=Integer),
        )
        .order_by(Municipality.position)
    )


def listed_municipalities(session: Session, centre_id: int) -> list[tuple[int, str]]:
    """One centre's active municipalities (id, name) in its own order, as the
    staff queue's filter offers them: kept per process for LISTED_FOR, as
    MunicipalityOffer keeps the network's (see there why), and dropped at once
    when this process changes a municipality. Only a filter's choices: a
    municipality chosen is a condition of the queue's statement, never looked
    up in this list."""
    key = (str(session.get_bind().engine.url), centre_id)
    at = clock.now()
    kept = _LISTED.get(key)
    if kept is not None and timedelta(0) <= at - kept[0] < LISTED_FOR:
        return kept[1]
    rows = session.execute(_centre_municipality_names(), {"listed_centre_id": centre_id})
    listed = [(row.id, row.name) for row in rows]
    _LISTED[key] = (at, listed)
    return listed


class MunicipalityOffer:
    """What the portal's "Where do you live?" offers before it knows the
    centre: every active municipality of the network, by name.

    `migrate` (another process, while the app runs) changes the list when
    the centre file changes, and no cheaper question tells a process that it
    did. So the list a form shows is kept per process for LISTED_FOR only
    (dropped at once when this process changes a municipality), and an
    answer is always checked against its one row in the database, which
    finding the request's centre then reads from the session: a
    municipality that left the file is refused even while a form still
    shows it, and a new one is offered within LISTED_FOR. Reading the list
    was the only database work of a form page (on PostgreSQL four round
    trips). A form sent with its answers never reads the list."""

    def __init__(self, session: Session):
        self._session = session
        self._listed: list[tuple[int, str]] | None = None
        # The rows an answer was checked against, held: the session keeps
        # them only while something does, and centre_for asks for the same
        # row next (from the session then, not the database).
        self._checked: dict[int, Municipality | None] = {}

    def listed(self) -> list[tuple[int, str]]:
        if self._listed is None:
            database = str(self._session.get_bind().engine.url)
            at = clock.now()
            kept = _LISTED.get(database)
            if kept is not None and timedelta(0) <= at - kept[0] < LISTED_FOR:
                self._listed = kept[1]
            else:
                rows = self._session.execute(
                    select(Municipality.id, Municipality.name).where(Municipality.active.is_(True))
                )
                self._listed = sorted(
                    ((row.id, row.name) for row in rows), key=lambda row: row[1].casefold()
                )
                _LISTED[database] = (at, self._listed)
        return self._listed

    def offers(self, municipality_id: int) -> bool:
        if self._listed is not None:
            return any(listed_id == municipality_id for listed_id, _name in self._listed)
        municipality = self._session.get(Municipality, municipality_id)
        self._checked[municipality_id] = municipality
        return municipality is not None and municipality.active


def centres_of(session: Session, staff: Staff) -> list[Centre]:
    """The centres a staff member works for: the home centre first."""
    others = select(StaffCentre.centre_id).where(StaffCentre.staff_id == staff.id)
    found = session.scalars(
        select(Centre).where((Centre.id == staff.centre_id) | Centre.id.in_(others))
    )
    return sorted(found, key=lambda c: (c.id != staff.centre_id, c.name.casefold()))


def is_member(session: Session, staff: Staff, centre_id: int) -> bool:
    if staff.centre_id == centre_id:
        return True
    return session.get(StaffCentre, (staff.id, centre_id)) is not None


def add_member(session: Session, staff: Staff, centre: Centre) -> bool:
    """Let a staff member work for one more centre; False when they already do."""
    if is_member(session, staff, centre.id):
        return False
    session.add(StaffCentre(staff_id=staff.id, centre_id=centre.id))
    session.flush()
    return True
