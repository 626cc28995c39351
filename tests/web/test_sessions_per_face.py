"""The portal and the back office have a cookie each: the quick exit ends the
person's session, never a staff member's in the same browser, and a portal
cookie cannot stand in for a staff one."""

from tests.conftest import TEST_PASSWORD


def _cookie(client, name):
    return client.get_cookie(name)


def test_the_quick_exit_leaves_a_staff_session_alone(app, client, make_staff):
    _, email = make_staff("coordinator")
    assert client.submit("/staff/login", {"email": email, "password": TEST_PASSWORD}).status_code
    client.get("/en/contact")  # the same browser opens a form on the portal
    assert _cookie(client, "fjc") is not None and _cookie(client, "fjc-staff") is not None
    exit_response = client.get("/exit")
    assert exit_response.status_code == 303
    assert _cookie(client, "fjc") is None
    assert client.get("/staff/").status_code == 200  # still signed in


def test_a_portal_cookie_is_no_staff_cookie(app, client, make_staff):
    _, email = make_staff("coordinator")
    client.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    staff_value = _cookie(client, "fjc-staff").value
    other = app.test_client()
    # The staff cookie's value sent under the portal's name, and the other way round.
    other.set_cookie("fjc", staff_value)
    with other.session_transaction("/en/") as portal_session:
        assert "staff_id" not in portal_session
    third = app.test_client()
    third.get("/en/contact")
    third.set_cookie("fjc-staff", _cookie(third, "fjc").value)
    assert third.get("/staff/").status_code == 302  # to the login: not signed in
