"""The copy of an approved access request, written in the person's language:
a document (a dict: the machine-readable JSON, art. 20's spirit too) and
the same document as a PDF for printing (fpdf2).

The kernel decides what goes in (core.governance.rights.access_copy); this
module only writes it down. It runs inside flask_babel.force_locale(the
copy's language), so every word and date is the person's, whatever the
staff member's language is.

The PDF embeds DejaVu Sans from the system when it is there, so every
language's letters print; without it the PDF falls back to a core font, and
letters it cannot show become "?"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from fpdf import FPDF

from backoffice.rights_words import (
    CATEGORY_LABELS,
    ORIGIN_LABELS,
    PURPOSE_LABELS,
    RETENTION_RECORD_LABELS,
    field_label,
    recipient_words,
    value_lines,
)
from core.governance.rights.access_copy import Copy, Released
from core.infra import clock
from core.model import Centre
from web.casefile.centre import centre_today
from web.casefile.labels import KIND_LABELS, TRIAGE_OUTCOME_LABELS
from web.i18n import format_date

FORMAT = "fjc-access-copy/1"
FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The Belgian supervisory authority (art. 15(1)(f)).
AUTHORITY = (
    "Gegevensbeschermingsautoriteit / Autorité de protection des données, "
    "www.dataprotectionauthority.be"
)


@dataclass(frozen=True)
class Section:
    # Its place: case files, then requests outside one, then our records' steps.
    place: tuple[int, int]
    title: str
    entries: list[Released]


def _sections(copy: Copy, case_numbers: dict[int, str]) -> list[Section]:
    """The released pieces by where they are: each case file, each request
    outside a file, then the steps in our records."""
    groups: dict[tuple[int, int], Section] = {}
    for entry in copy.released:
        found = entry.found
        if found.source == "audit_events":
            place, title = (2, 0), _("What the team did with your records")
        elif found.case_id is not None:
            number = case_numbers.get(found.case_id, str(found.case_id))
            place, title = (0, found.case_id), _("Case file %(number)s", number=number)
        else:
            place = (1, found.intake_id or 0)
            title = _("Your request %(number)s", number=f"#{found.intake_id}")
        groups.setdefault(place, Section(place, title, [])).entries.append(entry)
    return [groups[place] for place in sorted(groups)]


def _retention_words(record: str, kind: str, amount: int, unit: str) -> str:
    what = str(RETENTION_RECORD_LABELS.get(record, record))
    labels = KIND_LABELS if record == "request" else TRIAGE_OUTCOME_LABELS
    kind_words = str(labels.get(kind, kind))
    if unit == "years":
        period = _("%(amount)d years after it is closed", amount=amount)
    else:
        period = _("%(amount)d days after it is closed", amount=amount)
    return f"{what} ({kind_words}): {period}"


def document(copy: Copy, centre: Centre, case_numbers: dict[int, str]) -> dict[str, Any]:
    """The copy as a dict, in the current locale: codes for machines, words
    for people, side by side."""
    request = copy.request
    language = request.language
    return {
        "format": FORMAT,
        "language": language,
        "title": _("Copy of your personal data"),
        "controller": centre.name,
        "person": request.subject_name,
        "request": {
            "number": request.id,
            "received_on": request.received_on.isoformat(),
            "received_on_words": format_date(request.received_on),
            "made_on": centre_today().isoformat(),
        },
        "introduction": _(
            "You asked %(centre)s for a copy of the personal data we hold about you. "
            "This is that copy (article 15 of the General Data Protection Regulation).",
            centre=centre.name,
        ),
        "purposes": [{"code": c, "text": str(PURPOSE_LABELS[c])} for c in copy.purposes],
        "categories": [{"code": c, "text": str(CATEGORY_LABELS[c])} for c in copy.categories],
        "recipients": [
            {
                "kind": r.kind,
                "basis": r.basis,
                "name": r.name,
                "text": recipient_words(r.kind, r.basis, r.name),
            }
            for r in copy.recipients
        ],
        "retention": [
            {
                "record": r.record,
                "kind": r.kind,
                "amount": r.amount,
                "unit": r.unit,
                "text": _retention_words(r.record, r.kind, r.amount, r.unit),
            }
            for r in copy.retention
        ],
        "sources": [{"code": c, "text": str(ORIGIN_LABELS[c])} for c in copy.origins],
        "automated_decisions": _(
            "We make no decisions about you by computer alone. A risk assessment "
            "adds up answers, but a professional always judges the result."
        ),
        "others": _(
            "Some information is not in this copy. It is about other people, or it "
            "could harm them (article 15(4) of the Regulation)."
        ),
        "rights": _(
            "You may ask us to correct data that are wrong. You may ask us to erase "
            "data, or to limit how we use them. You may also complain to the data protection "
            "authority: %(authority)s.",
            authority=AUTHORITY,
        ),
        "sections": [
            {
                "title": section.title,
                "items": [
                    {
                        "category": entry.found.category,
                        "what": field_label(entry.found.source, entry.found.field),
                        "lines": value_lines(entry.found.source, entry.found.field, entry.value),
                        "value": entry.value,
                    }
                    for entry in section.entries
                ],
            }
            for section in _sections(copy, case_numbers)
        ],
    }


# --- PDF ----------------------------------------------------------------------


def _font_path(name: str) -> Path | None:
    for directory in FONT_DIRECTORIES:
        path = directory / name
        if path.is_file():
            return path
    return None


class _Writer:
    """Paragraphs and headings on A4, in DejaVu Sans or a core font."""

    def __init__(self, title: str, language: str):
        self.pdf = FPDF(format="A4")
        self.pdf.set_creation_date(clock.now())
        self.pdf.set_title(title)
        self.pdf.set_lang(language)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.set_margins(18, 18, 18)
        regular, bold = _font_path(FONT_FILES[""]), _font_path(FONT_FILES["B"])
        self.unicode = regular is not None
        if regular is not None:
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold or regular))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.pdf.add_page()

    def _text(self, text: str) -> str:
        if self.unicode:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(3)
        self.pdf.multi_cell(0, size * 0.55, self._text(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def paragraph(self, text: str, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", 10)
        self.pdf.multi_cell(0, 5.2, self._text(text), new_x="LMARGIN", new_y="NEXT")

    def bullets(self, lines: list[str]) -> None:
        for line in lines:
            self.paragraph(f"• {line}" if self.unicode else f"- {line}")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def pdf(copy_document: dict[str, Any]) -> bytes:
    """The document as a PDF, in the order a person reads it."""
    doc = copy_document
    writer = _Writer(doc["title"], doc["language"])
    writer.heading(doc["title"], 16)
    writer.paragraph(doc["controller"], bold=True)
    received = _("Request received on %(day)s", day=doc["request"]["received_on_words"])
    # A request whose records were all erased no longer holds the name.
    for_whom = [_("For: %(name)s", name=doc["person"])] if doc["person"] else []
    writer.paragraph(" · ".join([*for_whom, received]))
    writer.paragraph(doc["introduction"])
    for title, key in (
        (_("Why we hold these data"), "purposes"),
        (_("What kinds of data"), "categories"),
        (_("Who received them"), "recipients"),
        (_("How long we keep them"), "retention"),
        (_("Where the data came from"), "sources"),
    ):
        writer.heading(title)
        entries = [entry["text"] for entry in doc[key]]
        writer.bullets(entries or [_("None.")])
    writer.heading(_("Your rights"))
    writer.paragraph(doc["automated_decisions"])
    writer.paragraph(doc["others"])
    writer.paragraph(doc["rights"])
    writer.heading(_("The data"), 15)
    if not doc["sections"]:
        writer.paragraph(_("We found no data about you to give."))
    for section in doc["sections"]:
        writer.heading(section["title"])
        for item in section["items"]:
            writer.paragraph(item["what"], bold=True)
            for line in item["lines"]:
                writer.paragraph(line)
    return writer.output()
