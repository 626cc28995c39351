"""The centre file: checked with one-line reasons, synced by migrate, and the
municipality that routes a request to its centre."""

import json

import pytest
from sqlalchemy import select, update

from core.infra.config import PROJECT_ROOT
from core.model import Centre, Municipality
from core.network.centres import (
    LISTED_FOR,
    CentreFileError,
    CentreMissing,
    Route,
    centre_for,
    centre_route,
    default_centre,
    ensure_centres,
    listed_municipalities,
    load_centre_file,
    parse_network,
)
from web.db import db

EXAMPLE = PROJECT_ROOT / "data" / "centres-example.json"


def _centre(slug, *municipalities, **fields):
    return {"slug": slug, "name": f"FJC {slug}", "municipalities": list(municipalities), **fields}


def _problem(raw) -> str:
    with pytest.raises(CentreFileError) as refused:
        parse_network(raw)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_the_shipped_files_are_valid_and_one_municipality_has_one_centre():
    one = load_centre_file()
    assert [c.slug for c in one.centres] == ["mechelen"] and one.default_slug == "mechelen"
    assert len(one.centre("mechelen").municipalities) == 12
    three = load_centre_file(EXAMPLE)
    assert [c.slug for c in three.centres] == ["mechelen", "leuven", "antwerpen"]
    assert three.centre("leuven").opening_hours["wed"] == ["09:00-12:00"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"centres": []}, '"centres" must be a list'),
        (
            {"default_centre": "a", "centres": [_centre("a", "Lier"), _centre("b", "lier")]},
            'listed in "a" and "b"',
        ),
        ({"centres": [_centre("a", "Lier", "Lier")]}, '"Lier" is listed twice'),
        ({"centres": [_centre("a"), _centre("a")]}, 'two centres have the slug "a"'),
        ({"centres": [_centre("a"), _centre("b")]}, '"default_centre" must name'),
        ({"default_centre": "x", "centres": [_centre("a")]}, '"default_centre" must name'),
        ({"centres": [_centre("Bad Slug")]}, "centre 1: the slug must be"),
        ({"centres": [{"slug": "a", "municipalities": []}]}, 'centre "a": it needs a name'),
        ({"centres": [_centre("a", timezone="Mars/Olympus")]}, 'unknown time zone "Mars/Olympus"'),
        (
            {"centres": [_centre("a", opening_hours={"mon": ["17:00-09:00"]})]},
            '"17:00-09:00" on mon',
        ),
        ({"centres": [_centre("a", opening_hours={"monday": ["09:00-17:00"]})]}, "opening_hours"),
        ({"centres": [_centre("a", first_contact_target_hours=0)]}, "a whole number of hours"),
        ({"centres": [_centre("a", site_title="x" * 61)]}, "site_title"),
        ({"centres": [_centre("a")], "cross_centre_matching": "yes"}, "cross_centre_matching"),
    ],
)
def test_a_broken_centre_file_is_refused_with_one_line_that_says_why(raw, words):
    assert words in _problem(raw)


def test_the_file_name_comes_first_in_the_reason(tmp_path):
    broken = tmp_path / "centres.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CentreFileError, match=f"centre file {broken}: not valid JSON"):
        load_centre_file(broken)


def test_the_app_does_not_start_on_a_broken_centre_file(app_factory, tmp_path):
    from app import ConfigError

    broken = tmp_path / "centres.json"
    two = {"default_centre": "a", "centres": [_centre("a", "Lier"), _centre("b", "Lier")]}
    broken.write_text(json.dumps(two))
    with pytest.raises(ConfigError, match='the municipality "Lier" is listed in "a" and "b"'):
        app_factory(FJC_CENTRE_FILE=str(broken))


def test_a_request_goes_to_its_municipality_s_centre_else_to_the_default_one(app_factory):
    app = app_factory(FJC_CENTRE_FILE=str(EXAMPLE))
    with app.app_context():
        session = db.session
        by_name = {
            m.name: m.id for m in session.scalars(select(Municipality).where(Municipality.active))
        }
        assert centre_for(session, by_name["Herent"]).slug == "leuven"
        assert centre_for(session, by_name["Antwerpen"]).slug == "antwerpen"
        assert centre_for(session, by_name["Lier"]).slug == "mechelen"
        assert centre_for(session, None).slug == "mechelen"
        assert default_centre(session).slug == "mechelen"


def test_a_centre_that_left_the_file_keeps_its_rows_and_takes_no_requests(app_factory):
    app = app_factory(FJC_CENTRE_FILE=str(EXAMPLE))
    with app.app_context(), db.writing() as session:
        herent = session.scalar(
            select(Municipality).where(Municipality.name == "Herent", Municipality.active)
        )
        # The one-centre file again: Leuven is gone from it.
        ensure_centres(session, load_centre_file())
        leuven = session.scalar(select(Centre).where(Centre.slug == "leuven"))
        assert leuven is not None and not leuven.active
        assert not session.get(Municipality, herent.id).active
        # A request naming a municipality that left goes to the default centre.
        assert centre_for(session, herent.id).slug == "mechelen"


def test_a_centre_s_municipalities_are_kept_a_few_seconds_and_dropped_when_changed(
    app_factory, clock
):
    app = app_factory(FJC_CENTRE_FILE=str(EXAMPLE))
    with app.app_context(), db.writing() as session:
        mechelen = default_centre(session)
        first = listed_municipalities(session, mechelen.id)
        rows = session.scalars(
            select(Municipality)
            .where(Municipality.centre_id == mechelen.id, Municipality.active)
            .order_by(Municipality.position)
        ).all()
        assert first == [(m.id, m.name) for m in rows]
        leuven = session.scalar(select(Centre).where(Centre.slug == "leuven"))
        assert all(name != "Herent" for _id, name in first)
        assert "Herent" in [name for _id, name in listed_municipalities(session, leuven.id)]
        lier = next(m for m in rows if m.name == "Lier")
        lier.active = False
        session.flush()
        # Not yet committed: the list read is kept (another process's change
        # would not show either) ...
        assert listed_municipalities(session, mechelen.id) == first
    # ... and dropped with this process's commit.
    with app.app_context():
        shown = listed_municipalities(db.session, mechelen.id)
        assert "Lier" not in [name for _id, name in shown]
    # A change of another process (not seen here) shows within LISTED_FOR.
    with app.app_context(), db.writing() as session:
        session.execute(update(Municipality).where(Municipality.id == lier.id).values(active=True))
    with app.app_context():
        assert listed_municipalities(db.session, mechelen.id) == shown
        clock.advance(seconds=LISTED_FOR.total_seconds())
        assert listed_municipalities(db.session, mechelen.id) == first


def test_the_one_centre_of_an_older_release_becomes_the_default_centre(app_factory):
    app = app_factory()
    with app.app_context(), db.writing() as session:
        # A centre an earlier test of this database left named "default" (an
        # old-style centre file) would stand in the way of the one renamed here.
        for left in session.scalars(select(Centre).where(Centre.slug == "default")):
            left.slug = f"left-{left.id}"
        session.flush()
        centre = default_centre(session)
        centre.slug = "default"  # as the one-centre release named it
        session.flush()
        kept_id = centre.id
        ensure_centres(session, load_centre_file())
        assert default_centre(session).id == kept_id
        assert default_centre(session).slug == "mechelen"
        assert session.scalar(select(Centre).where(Centre.slug == "default")) is None


def test_the_old_one_centre_file_still_updates_the_one_centre(app_factory, tmp_path):
    app = app_factory()
    legacy = parse_network({"name": "Veilig Huis", "municipalities": ["Lier", "Zemst"]})
    with app.app_context(), db.writing() as session:
        kept = default_centre(session).id
        ensure_centres(session, legacy)
        assert default_centre(session).id == kept
        assert default_centre(session).name == "Veilig Huis"
        ensure_centres(session, load_centre_file())  # leave the suite's centre as it was


def test_the_route_of_a_new_request_is_the_centre_centre_for_chooses(app_factory):
    # centre_route is centre_for in one statement (the doors store with it):
    # the municipality's active centre, else the default one, else the first
    # active centre of a database that knows no default.
    app = app_factory(FJC_CENTRE_FILE=str(EXAMPLE))
    with app.app_context(), db.writing() as session:
        ids = [m.id for m in session.scalars(select(Municipality))]

        def agree():
            for municipality_id in [*ids, None, max(ids) + 1]:
                centre = centre_for(session, municipality_id)
                assert centre_route(session, municipality_id) == Route(centre.id, centre.slug)

        agree()
        leuven = session.scalar(select(Centre).where(Centre.slug == "leuven"))
        herent = session.scalar(select(Municipality).where(Municipality.name == "Herent"))
        assert centre_route(session, herent.id).slug == "leuven"
        # A centre that takes no requests, then a municipality that left the file.
        session.execute(update(Centre).where(Centre.id == leuven.id).values(active=False))
        session.expire_all()
        agree()
        assert centre_route(session, herent.id).slug == "mechelen"
        session.execute(update(Centre).values(active=True))
        session.execute(
            update(Municipality).where(Municipality.id == herent.id).values(active=False)
        )
        session.expire_all()
        agree()
        assert centre_route(session, herent.id).slug == "mechelen"
        # No default centre: the first active one.
        session.execute(update(Centre).values(is_default=False))
        session.expire_all()
        agree()
        first = min(c.id for c in session.scalars(select(Centre).where(Centre.active)))
        assert centre_route(session, None).id == first
        # No centre that takes requests, and none by default: none at all.
        session.execute(update(Centre).values(active=False))
        session.expire_all()
        with pytest.raises(CentreMissing):
            centre_route(session, None)
        with pytest.raises(CentreMissing):
            centre_for(session, None)
        session.rollback()
