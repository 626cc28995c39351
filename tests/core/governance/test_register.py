"""The register of processing (GDPR art. 30) in docs/privacy.md comes from
the code: every table and column is described, the encrypted ones read as
encrypted, and the section in the document is the one the code generates
now. Regenerate it with `.venv/bin/python -m core.governance.register --write`."""

from __future__ import annotations

import re

from sqlalchemy import Column, Integer, MetaData, String, Table

from core.casework.partners import PARTS
from core.governance import register
from core.governance import register_descriptions as words
from core.governance.rotation import encrypted_columns
from core.model import Base

REGENERATE = "run `.venv/bin/python -m core.governance.register --write`"
# Column names that say "this is a hash": each must be listed as one.
HASH_NAMES = re.compile(r"(^key$|_key$|_index$|hash$|digest$|^fingerprint$)")


def test_every_table_and_column_is_described():
    assert register.undescribed() == [], (
        "describe them in core/governance/register_descriptions.py, then " + REGENERATE
    )


def test_an_undescribed_table_or_column_fails_the_check():
    copy = MetaData()
    for model_table in Base.metadata.sorted_tables:
        model_table.to_metadata(copy)
    copy.tables["intakes"].append_column(Column("secret_hobby", String(40)))
    Table("new_things", copy, Column("id", Integer, primary_key=True))
    problems = register.undescribed(copy)
    assert "column intakes.secret_hobby: no description" in problems
    assert "table new_things: no description" in problems


def test_a_description_of_something_gone_fails_the_check(monkeypatch):
    described = words.TABLES["erasure_requests"]
    monkeypatch.setitem(
        words.TABLES,
        "erasure_requests",
        words.Table(
            purpose=described.purpose,
            subjects=described.subjects,
            columns={**described.columns, "dropped_column": "gone"},
        ),
    )
    monkeypatch.setitem(words.TABLES, "dropped_table", described)
    problems = register.undescribed()
    assert "column erasure_requests.dropped_column: described, but there is no such column" in (
        problems
    )
    assert "table dropped_table: described, but there is no such table" in problems


def test_the_register_in_docs_privacy_md_is_up_to_date():
    document = register.DOC.read_text(encoding="utf-8")
    assert register.current_section(document) == register.section(), (
        "docs/privacy.md's register is stale: " + REGENERATE
    )
    assert register.main(["--check"]) == 0


def test_every_encrypted_column_is_registered_as_encrypted():
    section = register.section()
    for model_table, columns in encrypted_columns(Base.metadata):
        for column in columns:
            assert register.stored_as(model_table, column.name) == register.ENCRYPTED
            row = re.search(
                rf"\| `{column.name}` \| [^\n]*\| (\w[\w ]*) \|", _part(section, model_table.name)
            )
            assert row is not None and row.group(1) == register.ENCRYPTED, (
                model_table.name,
                column.name,
            )


def _part(section: str, table_name: str) -> str:
    start = section.index(f"#### `{table_name}`")
    end = section.find("#### `", start + 1)
    return section[start : end if end != -1 else len(section)]


def test_every_hash_column_is_registered_as_a_keyed_hash():
    named = {
        (model_table.name, column.name)
        for model_table in Base.metadata.sorted_tables
        for column in model_table.columns
        if HASH_NAMES.search(column.name)
    }
    assert named <= words.HASHED, "list the new hash columns in register_descriptions.HASHED"
    existing = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns}
    assert existing >= words.HASHED, "HASHED names a column that does not exist"


def test_the_partner_parts_are_the_case_file_s_parts():
    for name, described in words.TABLES.items():
        assert set(described.partner_parts) <= set(PARTS), name


def test_the_section_replaces_its_old_self_or_is_added_at_the_end():
    fresh = register._with_section("# Privacy\n\nText.\n", "NEW\n")
    assert fresh == f"# Privacy\n\nText.\n\n{register.HEADING}\n\nNEW\n"
    old = f"Before.\n{register.BEGIN}\nold\n{register.END}\n\nAfter.\n"
    assert register._with_section(old, "NEW\n") == "Before.\nNEW\n\nAfter.\n"
