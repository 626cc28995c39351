"""Fixtures of the back-office tests."""

import pytest

from core.infra import crypto


@pytest.fixture
def decrypted(app, monkeypatch):
    """Every token the key ring opens while the test runs, in order."""
    ring = crypto.keyring()
    opened: list[str] = []
    real = ring.decrypt

    def counting(token: str) -> str:
        opened.append(token)
        return real(token)

    monkeypatch.setattr(ring, "decrypt", counting)
    return opened
