"""Translation gates: the template matches the code, catalogues are complete."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[str]:
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }


def test_messages_pot_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    committed = _ids(_read(TRANSLATIONS / "messages.pot"))
    extracted = _ids(_read(fresh))
    assert extracted - committed == set(), "new strings: run `make translations`"
    assert committed - extracted == set(), "removed strings: run `make translations`"


def test_there_are_catalogues_for_dutch_french_and_english():
    assert {path.parts[-3] for path in CATALOGUES} >= {"nl", "fr", "en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_is_complete_without_fuzzy_entries(path):
    catalog = _read(path)
    assert _ids(catalog) == _ids(_read(TRANSLATIONS / "messages.pot"))
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_placeholders_match_between_msgid_and_msgstr(path):
    for message in _read(path):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = {frozenset(PLACEHOLDER.findall(text)) for text in ids}
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert frozenset(PLACEHOLDER.findall(text)) in expected, (message.id, text)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_says_whether_a_native_speaker_reviewed_it(path):
    header = path.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert re.search(r"^# Review status: ", header, re.MULTILINE), path


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_WORDS = 19  # plain language (A2-B1): every sentence under 20 words


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sentences_are_short_in_plain_language(language):
    path = (
        TRANSLATIONS / "messages.pot"
        if language == "en"
        else TRANSLATIONS / "nl/LC_MESSAGES/messages.po"
    )
    long_ones = []
    for message in _read(path):
        if not message.id:
            continue
        texts = message.id if language == "en" else message.string
        for text in texts if isinstance(texts, tuple) else (texts,):
            for sentence in SENTENCE_END.split(text):
                if len(sentence.split()) > MAX_WORDS:
                    long_ones.append(sentence)
    assert long_ones == []
