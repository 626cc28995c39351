"""The glossary gate: every catalogue names each key thing with the glossary's word.

translations/GLOSSARY.md has one section per term: a pattern for the English
msgids it covers and a table with, per language, the stems a msgstr must
contain (any one) and must not contain (none). A word that means something
else ("history" for the person's story, a bank transfer for a referral) or a
second word for the same thing then fails here, in every catalogue.
"""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.infra.config import DEFAULT_LANGUAGES, PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
GLOSSARY = TRANSLATIONS / "GLOSSARY.md"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PATTERN_LINE = re.compile(r"^Applies to msgids matching: `(?P<pattern>[^`]+)`\s*$")
COLUMNS = ["lang", "words", "must contain", "must not contain"]


def _stems(cell: str) -> list[str]:
    cell = cell.strip()
    if cell in ("", "—", "-"):
        return []
    return [stem.strip().casefold() for stem in cell.split(" / ") if stem.strip()]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@cache
def glossary() -> dict[str, dict]:
    """{term: {"pattern": compiled, "languages": {lang: (must, must_not)}}}."""
    terms: dict[str, dict] = {}
    term = None
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            term = line[3:].strip()
            terms[term] = {"pattern": None, "languages": {}}
            continue
        if term is None:
            continue
        found = PATTERN_LINE.match(line)
        if found:
            terms[term]["pattern"] = re.compile(found["pattern"], re.IGNORECASE)
        elif line.startswith("|"):
            cells = _cells(line)
            if [cell.casefold() for cell in cells] == COLUMNS or set(line) <= set("|- "):
                continue
            assert len(cells) == len(COLUMNS), f"{term}: a row needs 4 cells: {line}"
            lang, _, must, must_not = cells
            terms[term]["languages"][lang] = (_stems(must), _stems(must_not))
    return terms


@cache
def catalogue(language: str):
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle)


def _pairs(language: str):
    """(English msgid, translated text) for every translated string."""
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            if text:
                yield ids[0], text


def violations(language: str) -> list[str]:
    wrong = []
    for term, entry in glossary().items():
        must, must_not = entry["languages"].get(language, ([], []))
        for msgid, text in _pairs(language):
            if not entry["pattern"].search(msgid):
                continue
            folded = text.casefold()
            if must and not any(stem in folded for stem in must):
                wrong.append(f"{term}: needs {' / '.join(must)}: {msgid!r} -> {text!r}")
            for stem in must_not:
                if stem in folded:
                    wrong.append(f"{term}: must not say {stem!r}: {msgid!r} -> {text!r}")
    return wrong


def test_the_glossary_is_readable_and_a_draft():
    terms = glossary()
    assert {"return code", "case consultation", "referral", "story", "history"} <= set(terms)
    assert {"the centre's name", "mailbox", "safe word"} <= set(terms)
    for term, entry in terms.items():
        assert entry["pattern"] is not None, f"{term}: no 'Applies to msgids matching' line"
        assert entry["languages"], f"{term}: no table"
    assert "Status: DRAFT" in GLOSSARY.read_text(encoding="utf-8")


@pytest.mark.parametrize("term", ["return code", "referral", "story", "history", "mailbox"])
def test_every_portal_language_has_a_word_for_the_key_terms(term):
    languages = glossary()[term]["languages"]
    missing = [lang for lang in DEFAULT_LANGUAGES if not languages.get(lang, ([], []))[0]]
    assert missing == []


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_the_catalogue_uses_the_glossary_words(language):
    assert violations(language) == []


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_the_person_s_story_is_never_the_browser_s_history(language):
    """Said on its own, as the first thing the gate must keep: the delete page
    ("we delete your story") must not read as "we erased your browser history"."""
    _, history_words = glossary()["story"]["languages"][language]
    assert history_words, f"{language}: the glossary names no 'history' word to avoid"
    for msgid, text in _pairs(language):
        if re.search(r"\byour story\b", msgid, re.IGNORECASE):
            assert not any(word in text.casefold() for word in history_words), (msgid, text)


def _header(path: Path) -> str:
    comment = path.read_text(encoding="utf-8").split("\nmsgid", 1)[0]
    return " ".join(line.lstrip("#").strip() for line in comment.splitlines())


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_still_says_it_is_a_draft(path):
    """Nobody reviewed the translations: a header must never claim otherwise."""
    header = re.sub(r"\s+", " ", _header(path))
    if path.parts[-3] == "en":
        assert "Review status: source language" in header, path
    else:
        assert "Review status: DRAFT" in header, path
        assert "not yet reviewed by a native speaker" in header, path


def _labels(client, path: str) -> list[str]:
    return [" ".join(label.itertext()).strip() for label in client.get(path).page.iter("label")]


@pytest.mark.parametrize(
    ("lang", "door_1", "door_3"),
    [
        ("en", "The team may call me", "The team may call the client"),
        ("nl", "Het team mag mij bellen", "Het team mag de cliënt bellen"),
        (
            "fa",
            "تیم می\u200cتواند با من تماس بگیرد",
            "تیم می\u200cتواند با مراجعه\u200cکننده تماس بگیرد",
        ),
    ],
)
def test_a_permission_names_the_team_and_who_it_reaches_on_each_door(client, lang, door_1, door_3):
    """Door 1: the person herself ("me"); door 3: a professional ticks for the client."""
    contact, referral = _labels(client, f"/{lang}/contact"), _labels(client, f"/{lang}/referral")
    assert door_1 in contact and door_3 not in contact
    assert door_3 in referral and door_1 not in referral
