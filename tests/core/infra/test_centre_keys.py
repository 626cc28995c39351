"""Keys per centre in the key ring and the configuration: a value written for
a centre opens only with that centre's keys; a centre without keys of its own
uses FJC_DATA_KEYS; reading never depends on the centre being written for."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from core.infra.config import ConfigError, centre_keys_variable, load_config
from core.infra.crypto import KeyRing, encrypting_centre, encrypting_for

INSTALLATION = Fernet.generate_key().decode("ascii")
LEUVEN = Fernet.generate_key().decode("ascii")
MECHELEN = Fernet.generate_key().decode("ascii")


def _ring(centre_keys=None, data_keys=(INSTALLATION,)) -> KeyRing:
    return KeyRing(list(data_keys), b"index", [b"audit"], centre_keys)


def _opens(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_a_value_written_for_leuven_cannot_be_read_with_only_mechelen_s_keys():
    network = _ring({"leuven": [LEUVEN], "mechelen": [MECHELEN]})
    with encrypting_for("leuven"):
        token = network.encrypt("her story")
    assert _opens(LEUVEN, token)
    assert not _opens(MECHELEN, token)
    assert not _opens(INSTALLATION, token)
    # An installation (or a stolen copy of the keys) without leuven's keys.
    without_leuven = _ring({"mechelen": [MECHELEN]})
    with pytest.raises(InvalidToken):
        without_leuven.decrypt(token)
    with encrypting_for("mechelen"), pytest.raises(InvalidToken):
        without_leuven.decrypt(token)


def test_a_centre_without_keys_of_its_own_falls_back_to_the_installation_keys():
    network = _ring({"leuven": [LEUVEN]})
    with encrypting_for("antwerpen"):
        token = network.encrypt("her story")
    assert _opens(INSTALLATION, token)
    assert not _opens(LEUVEN, token)
    assert network.keys_for("antwerpen") == [INSTALLATION]
    assert network.keys_for("leuven") == [LEUVEN]


def test_reading_does_not_depend_on_the_centre_being_written_for():
    network = _ring({"leuven": [LEUVEN], "mechelen": [MECHELEN]})
    with encrypting_for("leuven"):
        leuven_token = network.encrypt("from leuven")
    installation_token = network.encrypt("from the portal")
    for context in (None, "leuven", "mechelen", "antwerpen"):
        with encrypting_for(context):
            assert network.decrypt(leuven_token) == "from leuven"
            assert network.decrypt(installation_token) == "from the portal"


def test_without_centre_keys_the_ring_is_the_one_of_fjc_data_keys():
    old = Fernet.generate_key().decode("ascii")
    ring = _ring(data_keys=(INSTALLATION, old))
    with encrypting_for("leuven"):
        token = ring.encrypt("x")
    assert _opens(INSTALLATION, token)
    assert ring.decrypt(Fernet(old.encode()).encrypt(b"older").decode()) == "older"


def test_the_context_is_reset_after_the_block_even_on_an_error():
    with pytest.raises(RuntimeError), encrypting_for("leuven"):
        assert encrypting_centre() == "leuven"
        raise RuntimeError
    assert encrypting_centre() is None


def test_a_centre_s_newest_key_writes_and_its_older_keys_still_read():
    older = Fernet.generate_key().decode("ascii")
    ring = _ring({"leuven": [LEUVEN, older]})
    written_before = Fernet(older.encode()).encrypt(b"before").decode()
    assert ring.decrypt(written_before) == "before"
    rotated = ring.rotating_ring("leuven").rotate(written_before.encode()).decode()
    assert _opens(LEUVEN, rotated)


def _env(**extra):
    return {
        "FJC_ENV": "development",
        "FJC_SECRET_KEY": "s",
        "FJC_DATA_KEYS": INSTALLATION,
        # What production needs besides, so its own rules are what is tested.
        "FJC_INDEX_KEY": "index-key",
        "FJC_AUDIT_KEY": "an-audit-key-of-at-least-32-characters",
        "FJC_DATABASE_URL": "sqlite:///fjc.sqlite3",
        "FJC_PUBLIC_URL": "https://fjc.example",
        **extra,
    }


def test_fjc_data_keys_of_a_slug_are_read_into_the_config(tmp_path):
    config = load_config(
        _env(FJC_DATA_KEYS_LEUVEN=f"{LEUVEN}, {MECHELEN}", FJC_DATA_KEYS_SINT_NIKLAAS=MECHELEN),
        {"INSTANCE_DIR": tmp_path},
    )
    assert config["FJC_CENTRE_DATA_KEYS"] == {
        "leuven": [LEUVEN, MECHELEN],
        "sint-niklaas": [MECHELEN],
    }
    assert centre_keys_variable("sint-niklaas") == "FJC_DATA_KEYS_SINT_NIKLAAS"
    assert load_config(_env(), {"INSTANCE_DIR": tmp_path})["FJC_CENTRE_DATA_KEYS"] == {}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FJC_DATA_KEYS_LEUVEN", "not-a-key", "FJC_DATA_KEYS_LEUVEN holds a value that is not"),
        ("FJC_DATA_KEYS_LEUVEN", " , ", "FJC_DATA_KEYS_LEUVEN is empty"),
        ("FJC_DATA_KEYS_Leuven", LEUVEN, "FJC_DATA_KEYS_Leuven names no centre slug"),
        ("FJC_DATA_KEYS_", LEUVEN, "FJC_DATA_KEYS_ names no centre slug"),
    ],
    ids=["not-a-key", "empty", "not-upper-case", "no-slug"],
)
def test_a_centre_key_that_cannot_be_used_stops_the_start_in_one_line(
    tmp_path, name, value, message
):
    for environment in ("development", "production"):
        env = _env(**{name: value}, FJC_ENV=environment)
        with pytest.raises(ConfigError) as refused:
            load_config(env, {"INSTANCE_DIR": tmp_path, "FJC_ENV": environment})
        assert message in str(refused.value)
        assert "\n" not in str(refused.value)


def test_centre_keys_given_by_a_test_are_checked_too(tmp_path):
    with pytest.raises(ConfigError, match="FJC_DATA_KEYS_LEUVEN holds a value"):
        load_config(_env(), {"INSTANCE_DIR": tmp_path, "FJC_CENTRE_DATA_KEYS": {"leuven": ["x"]}})
