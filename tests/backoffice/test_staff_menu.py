"""The staff menu is rendered once per role (backoffice/base.html, web.fragments):
each member still sees their role's menu, their own name and the Talk now count."""

from tests.backoffice.helpers import staff_client


def _menu(client, path: str = "/staff/account") -> list[str]:
    page = client.get(path).page
    nav = next(el for el in page.iter("nav") if el.get("aria-label") == "Main")
    return [" ".join("".join(a.itertext()).split()) for a in nav.iter("a")]


def test_each_role_sees_its_own_menu_and_its_own_name(app, make_staff):
    coordinator = staff_client(app, make_staff("coordinator", name="Cora"))
    director = staff_client(app, make_staff("case_director", name="Dirk"))
    admin = staff_client(app, make_staff("admin", name="Ada"))
    other_coordinator = staff_client(app, make_staff("coordinator", name="Coen"))

    coordinators_menu = _menu(coordinator)
    assert coordinators_menu[-1] == "Cora"
    assert {"Requests", "Case files", "Talk now", "Data-subject rights"} <= set(coordinators_menu)
    directors_menu = _menu(director)
    assert directors_menu[-1] == "Dirk"
    assert "Data-subject rights" not in directors_menu
    assert "Case files" in directors_menu
    admins_menu = _menu(admin)
    assert admins_menu[-1] == "Ada"
    assert "Accounts" in admins_menu and "Requests" not in admins_menu
    # The second coordinator gets the first one's menu, with his own name.
    assert _menu(other_coordinator) == [*coordinators_menu[:-1], "Coen"]
    assert _menu(director) == directors_menu
