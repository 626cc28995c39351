"""Translation gates: the template matches the code, catalogues are complete.

Two sets of strings: the portal's (what babel-portal.cfg extracts: portal/ and
the shared kernel) must be translated in every portal language; all strings,
the back office's included, only in the staff languages (nl, fr, en).
"""

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from core.infra.config import DEFAULT_LANGUAGES, PROJECT_ROOT
from web.i18n import RTL_LANGUAGES, STAFF_LANGUAGES

TRANSLATIONS = PROJECT_ROOT / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _ids(catalog) -> set[str]:
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }


def extract(mapping: str, output: Path) -> Path:
    """The same extraction as `make translations`, into `output`."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            mapping,
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(output),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return output


@pytest.fixture(scope="module")
def portal_ids(tmp_path_factory) -> set[str]:
    """The msgids a portal visitor can see."""
    pot = extract("babel-portal.cfg", tmp_path_factory.mktemp("pot") / "portal.pot")
    return _ids(_read(pot))


def _untranslated(catalog, wanted: set[str]) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if key in wanted and not all(strings):
            missing.append(key)
    return missing


def test_messages_pot_is_up_to_date_with_the_code(tmp_path):
    fresh = extract("babel.cfg", tmp_path / "messages.pot")
    committed = _ids(_read(TRANSLATIONS / "messages.pot"))
    extracted = _ids(_read(fresh))
    assert extracted - committed == set(), "new strings: run `make translations`"
    assert committed - extracted == set(), "removed strings: run `make translations`"


def test_the_portal_strings_are_a_part_of_all_strings(portal_ids):
    assert portal_ids and portal_ids <= _ids(_read(TRANSLATIONS / "messages.pot"))


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_there_is_a_catalogue_for_every_portal_language(language):
    assert _catalogue_path(language).exists(), f"no catalogue for {language}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_has_the_msgids_of_the_template_and_nothing_fuzzy(path):
    catalog = _read(path)
    assert _ids(catalog) == _ids(_read(TRANSLATIONS / "messages.pot")), "run `make translations`"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_every_portal_string_is_translated(language, portal_ids):
    path = _catalogue_path(language)
    if not path.exists():
        pytest.fail(f"no catalogue for {language}")
    assert _untranslated(_read(path), portal_ids) == []


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_a_staff_language_translates_every_string(language):
    catalog = _read(_catalogue_path(language))
    assert _untranslated(catalog, _ids(catalog)) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_placeholders_match_between_msgid_and_msgstr(path):
    for message in _read(path):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            # A plural form may leave the number out ("twice"), never add one.
            allowed = set().union(*(PLACEHOLDER.findall(text) for text in message.id))
            for text in message.string:
                assert set(PLACEHOLDER.findall(text)) <= allowed, (message.id, text)
        elif message.string:
            expected = set(PLACEHOLDER.findall(message.id))
            assert set(PLACEHOLDER.findall(message.string)) == expected, (
                message.id,
                message.string,
            )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_plural_forms_follow_the_language(path):
    """The header's rule picks the same form as CLDR's for every count."""
    language = path.parts[-3]
    catalog = _read(path)
    expected = get_plural(language)
    assert catalog.num_plurals == expected.num_plurals, catalog.plural_forms
    ours, cldr = gettext.c2py(catalog.plural_expr), gettext.c2py(expected.plural_expr)
    assert [ours(n) for n in range(1200)] == [cldr(n) for n in range(1200)]
    for message in catalog:
        if isinstance(message.id, tuple) and any(message.string):
            assert len(message.string) == expected.num_plurals, message.id


NUMBER_GROUPS = re.compile(r"\d+(?: \d+)+")
ISOLATED = re.compile("\u2066[^\u2069]*\u2069")  # LRI ... PDI


@pytest.mark.parametrize("language", sorted(RTL_LANGUAGES))
def test_numbers_in_groups_stay_left_to_right_in_right_to_left_languages(language):
    """Without an isolate, "1234 5678" in Arabic text shows as "5678 1234".

    Fix a catalogue with U+2066 ... U+2069 around the number.
    """
    path = _catalogue_path(language)
    if not path.exists():
        pytest.fail(f"no catalogue for {language}")
    reversed_ = []
    for message in _read(path):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if message.id and NUMBER_GROUPS.search(ISOLATED.sub("", text or "")):
                reversed_.append(text)
    assert reversed_ == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_says_whether_a_native_speaker_reviewed_it(path):
    header = path.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert re.search(r"^# Review status: ", header, re.MULTILINE), path


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_WORDS = 19  # plain language (A2-B1): every sentence under 20 words


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sentences_are_short_in_plain_language(language):
    path = TRANSLATIONS / "messages.pot" if language == "en" else _catalogue_path(language)
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
