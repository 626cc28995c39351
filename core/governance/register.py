"""The register of processing (GDPR art. 30), generated from the code so it
cannot drift from it: every table and column of the model (Base.metadata),
which columns are encrypted (their EncryptedText and EncryptedJSON types) or
keyed hashes, which record each table belongs to and so how long it is kept
(core.network.centre_rows and the retention rules), and which parts a
partner may receive. The words code cannot know are in
core.governance.register_descriptions.

The register is a section of docs/privacy.md between two marks. Regenerate it
after a change to the model:

    .venv/bin/python -m core.governance.register --write

(`--check` exits 1 when the section is out of date; without an option the
section is printed.) tests/core/governance/test_register.py fails when a
table or column has no description, or when the section is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import MetaData, Table

from core.governance import register_descriptions as words
from core.governance import retention
from core.infra import config
from core.infra.crypto import EncryptedJSON, EncryptedText
from core.model import Base
from core.network.centre_rows import CENTRE_COLUMN, INSTALLATION_TABLES, LEADS_TO_CENTRE

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
BEGIN = "<!-- register:begin -->"
END = "<!-- register:end -->"
HEADING = "## 9. Register of processing (GDPR art. 30)"

# The record a table's rows belong to, by the table at the top of its chain.
GROUPS = (
    ("intakes", "A request and what hangs from it"),
    ("cases", "A case file and what hangs from it"),
    ("staff", "Accounts"),
    ("centre", "The centre's other records"),
    ("installation", "The installation"),
    ("unplaced", "Not placed in core/network/centre_rows.py yet"),
)
# The columns that name the one record a row is about.
_OWNERS = {"intake_id": "intakes", "case_id": "cases", "staff_id": "staff"}
ENCRYPTED = "encrypted"
HASHED = "keyed hash"
PLAIN = "plain"


# --- What the code knows ----------------------------------------------------------


def stored_as(model_table: Table, column_name: str) -> str:
    column = model_table.c[column_name]
    if isinstance(column.type, EncryptedText | EncryptedJSON):
        return ENCRYPTED
    if (model_table.name, column_name) in words.HASHED:
        return HASHED
    return PLAIN


def root_of(name: str) -> str:
    """The table at the top of the chain of rows a table's rows hang from."""
    if name in INSTALLATION_TABLES:
        return "installation"
    seen: list[str] = []
    while name in LEADS_TO_CENTRE and LEADS_TO_CENTRE[name] != CENTRE_COLUMN:
        if name in seen:
            break
        seen.append(name)
        lead = Base.metadata.tables[name].c[LEADS_TO_CENTRE[name]]
        name = next(iter(lead.foreign_keys)).column.table.name
    if name not in LEADS_TO_CENTRE:
        return "unplaced"
    if name in ("intakes", "cases", "staff", "feedback"):
        return name
    # A row that carries its centre for an index (an action) still belongs to
    # the one record it names, when it names exactly one.
    owners = [
        key.column.table.name
        for column in Base.metadata.tables[name].columns
        if column.name in _OWNERS and not column.nullable
        for key in column.foreign_keys
        if key.column.table.name == _OWNERS[column.name]
    ]
    return owners[0] if len(owners) == 1 else "centre"


def _group(name: str) -> str:
    root = root_of(name)
    return "centre" if root == "feedback" else root


def _setting(rule_name: str) -> str:
    for rule in retention.RULES:
        if rule.name == rule_name:
            return rule.setting
    return "?"


def retention_rules() -> list[str]:
    """The retention rules as the configuration sets them."""
    kinds = ", ".join(f"`{config.retention_days_variable(k)}`" for k in config.RETENTION_KINDS)
    tracks = ", ".join(
        f"`{config.case_retention_years_variable(t)}`" for t in config.CASE_RETENTION_TRACKS
    )
    return [
        f"**Requests** (`intakes`): erased `{_setting('intakes')}` days after closing "
        f"(default {config.DEFAULT_RETENTION_DAYS}); per door: {kinds}. An open request is "
        "kept; a request in a case file goes with the file.",
        f"**Case files** (`cases`): erased `{_setting('cases')}` years after closing "
        f"(default {config.DEFAULT_CASE_RETENTION_YEARS}), with the requests they came from; "
        f"per track: {tracks}. An open file is kept. A legal hold keeps a record out of the "
        "purge until it is lifted.",
        f"**Feedback**: erased `{_setting('feedback')}` months after its month "
        f"(default {config.DEFAULT_FEEDBACK_RETENTION_MONTHS}).",
        f"**Access requests** (`access_requests`): erased `{_setting('access_requests')}` "
        f"days after the copy was given or the request refused (default "
        f"{config.DEFAULT_ACCESS_REQUEST_RETENTION_DAYS}), with their items; an open one is "
        "kept. Erasing a record erases the items that point at it; an answered request "
        "left with none forgets the person's name and identity note.",
        "**On request**: a request the person deletes, and a case file erased on request "
        "(art. 17), go at once, by the same code as the purge.",
    ]


def _retention_of(name: str, described: words.Table) -> str:
    if described.retention:
        return described.retention
    root = root_of(name)
    if name in ("intakes", "cases", "feedback"):
        return "by its retention rule (above)"
    if root == "intakes":
        return "erased with its request"
    if root == "cases":
        return "erased with its case file"
    if root == "staff":
        return "with its account"
    return "kept"


# --- What is missing ----------------------------------------------------------------


def _description(model_table: Table, column_name: str) -> str | None:
    described = words.TABLES.get(model_table.name)
    if described is not None and column_name in described.columns:
        return described.columns[column_name]
    return words.GENERIC.get(column_name)


def undescribed(metadata: MetaData | None = None) -> list[str]:
    """Tables and columns without a description, and descriptions of tables
    or columns that do not exist (any of them makes the register wrong)."""
    metadata = Base.metadata if metadata is None else metadata
    problems = []
    for model_table in metadata.sorted_tables:
        described = words.TABLES.get(model_table.name)
        if described is None:
            problems.append(f"table {model_table.name}: no description")
            continue
        for column in model_table.columns:
            if _description(model_table, column.name) is None:
                problems.append(f"column {model_table.name}.{column.name}: no description")
        problems += [
            f"column {model_table.name}.{name}: described, but there is no such column"
            for name in described.columns
            if name not in model_table.c
        ]
    problems += [
        f"table {name}: described, but there is no such table"
        for name in words.TABLES
        if name not in metadata.tables
    ]
    return problems


# --- The section ----------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table_text(model_table: Table) -> list[str]:
    described = words.TABLES.get(model_table.name) or words.Table(
        purpose="(not described)", subjects="(not described)", columns={}
    )
    lines = [f"#### `{model_table.name}`", "", described.purpose, ""]
    lines.append(f"- Whose data: {described.subjects}.")
    lines.append(f"- Kept: {_retention_of(model_table.name, described)}.")
    parts = ", ".join(f"`{part}`" for part in described.partner_parts)
    if described.partners_always:
        lines.append(
            "- Partners of the file see the people's roles, names and relations whatever "
            "their basis"
            + (f"; the rest in the part(s) {parts}, as their basis allows." if parts else ".")
        )
    elif parts:
        lines.append(f"- Partners receive it in the part(s) {parts}, as their basis allows.")
    else:
        lines.append("- Partners: never.")
    lines += [f"- {note}" for note in described.notes]
    lines += ["", "| column | what | stored as |", "| --- | --- | --- |"]
    for column in model_table.columns:
        what = _description(model_table, column.name) or "(not described)"
        lines.append(f"| `{column.name}` | {_cell(what)} | {stored_as(model_table, column.name)} |")
    lines.append("")
    return lines


def _encrypted_count(tables: Iterable[Table]) -> tuple[int, int]:
    columns = [c for t in tables for c in t.columns]
    encrypted = [c for c in columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
    return len(encrypted), len(columns)


def section() -> str:
    """The register, from the marks' line to the end mark, as docs/privacy.md holds it."""
    tables = sorted(Base.metadata.sorted_tables, key=lambda t: t.name)
    encrypted, total = _encrypted_count(tables)
    lines = [
        BEGIN,
        "",
        "*Generated from the code by `.venv/bin/python -m core.governance.register --write`; "
        "do not edit it by hand. `tests/core/governance/test_register.py` fails when a table "
        "or column is not described (`core/governance/register_descriptions.py`) or when this "
        "section is out of date.*",
        "",
        "**Controller**: the centre (each centre of the network for its own records), with "
        "its DPO. The centre fills in its name and contact details, and the legal basis it "
        "relies on, in its DPIA (`docs/dpia.md`).",
        "",
        "**Purposes**: to reach people who ask for help safely, to triage their requests, to "
        "keep a joint case file with the partners who help them, to account for what was "
        "done (audit trail), and to report figures in which no person can be recognised.",
        "",
        f"**Security**: {encrypted} of the {total} columns are encrypted at rest (Fernet, a "
        "centre's own keys where it has them); contact details are matched through keyed "
        "hashes only; every read and change of personal data is in the chained audit trail; "
        "every staff and partner route is denied by default (sections 2 to 4).",
        "",
        "**Recipients**: the centre's team by role (case directors their own files, "
        "coordinators all of the centre's), partner members in the parts of a case file "
        "their organisation's basis allows (below, per table), another centre of the network "
        "when a record is transferred to it. No transfer outside the EU; no processor "
        "receives data other than the operator hosting the installation.",
        "",
        "### Retention",
        "",
        *(f"- {rule}" for rule in retention_rules()),
        "",
    ]
    for group, title in GROUPS:
        # The record itself first, then what hangs from it.
        members = sorted(
            (t for t in tables if _group(t.name) == group), key=lambda t: (t.name != group, t.name)
        )
        if not members:
            continue
        lines += [f"### {title}", ""]
        for model_table in members:
            lines += _table_text(model_table)
    lines.append(END)
    return "\n".join(lines) + "\n"


def _with_section(document: str, text: str) -> str:
    if BEGIN in document and END in document:
        before = document[: document.index(BEGIN)]
        after = document[document.index(END) + len(END) :].lstrip("\n")
        return before + text + ("\n" + after if after else "")
    return document.rstrip("\n") + f"\n\n{HEADING}\n\n" + text


def current_section(document: str) -> str | None:
    if BEGIN not in document or END not in document:
        return None
    return document[document.index(BEGIN) : document.index(END) + len(END)] + "\n"


def main(argv: list[str]) -> int:
    document = DOC.read_text(encoding="utf-8")
    text = section()
    if "--write" in argv:
        DOC.write_text(_with_section(document, text), encoding="utf-8")
        return 0
    if "--check" in argv:
        return 0 if current_section(document) == text else 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
