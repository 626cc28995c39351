"""Server time per request through the WSGI app (no network), and the cost of
one argon2id password hash with the chosen parameters."""

from __future__ import annotations

import re

from bench.harness import bench_app, median_ms
from core.identity.passwords import PARAMETERS, hash_password

REPEAT = 200


def main() -> None:
    app = bench_app()
    client = app.test_client()
    page = client.get("/nl/contact").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    counter = iter(range(10**9))

    def submit():
        n = next(counter)
        response = client.post(
            "/nl/contact",
            data={"csrf_token": token, "submission_id": f"b{n}", "email": f"b{n}@example.be"},
        )
        # Post, redirect, get: the page with the code is the next GET.
        assert response.status_code == 303, response.status_code

    print(f"server time, median and p90 of {REPEAT} requests (ms)")
    for label, action in [
        ("GET /nl/", lambda: client.get("/nl/")),
        ("GET /nl/contact", lambda: client.get("/nl/contact")),
        ("POST /nl/contact", submit),
        ("GET /healthz", lambda: client.get("/healthz")),
    ]:
        median, p90 = median_ms(action, REPEAT)
        print(f"  {label:<20}{median:>8.2f}{p90:>8.2f}")
    median, p90 = median_ms(lambda: hash_password("a long enough passphrase"), 10)
    print(f"argon2id hash ({PARAMETERS}): median {median:.0f} ms, p90 {p90:.0f} ms")


if __name__ == "__main__":
    main()
