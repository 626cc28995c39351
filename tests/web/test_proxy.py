"""FJC_PROXY_COUNT: X-Forwarded-* is believed only from the configured number
of proxies, so a client cannot name a new address to get fresh rate limits."""

import pytest
from flask import request

from core.infra.config import ConfigError, load_config
from tests.pages import form_values


def _submit_question(client, forwarded_for: str) -> int:
    page = client.get("/en/question")
    values = form_values(page.page, action="/en/question") | {"question": "Proxy test"}
    response = client.post(
        "/en/question",
        data=values,
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True).test_client()
    # Ten addresses named by the client, one real address: one counter.
    statuses = [_submit_question(client, f"10.0.0.{n}") for n in range(11)]
    assert statuses == [200] * 10 + [429]


def test_one_trusted_proxy_keys_limits_by_the_forwarded_address(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, FJC_PROXY_COUNT=1).test_client()
    assert [_submit_question(client, f"10.0.1.{n}") for n in range(11)] == [200] * 11
    statuses = [_submit_question(client, "10.0.2.1") for _ in range(11)]
    assert statuses == [200] * 10 + [429]


@pytest.mark.parametrize(("proxies", "scheme"), [(0, "http"), (1, "https")])
def test_the_scheme_comes_from_a_trusted_proxy_only(app_factory, proxies, scheme):
    app = app_factory(FJC_PROXY_COUNT=proxies)
    seen = []
    app.before_request(lambda: seen.append(request.scheme) and None)
    app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert seen == [scheme]


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_proxy_count_must_be_a_whole_number(value):
    with pytest.raises(ConfigError, match="FJC_PROXY_COUNT"):
        load_config({"FJC_ENV": "test", "FJC_PROXY_COUNT": value}, {"SECRET_KEY": "x"})
