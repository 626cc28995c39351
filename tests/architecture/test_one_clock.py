"""Time comes from one clock: core.infra.clock.now. A product module that reads the
real clock itself (datetime.now, date.today, time.time, the database's now()) makes
behaviour depend on today's date and escapes the tests' control of time."""

from __future__ import annotations

import ast
from pathlib import Path

from core.infra.config import PROJECT_ROOT

PRODUCT = ["app.py", "wsgi.py", "core", "web", "cli", "portal", "backoffice", "migrations"]
CLOCK_MODULE = PROJECT_ROOT / "core" / "infra" / "clock.py"
# (object, attribute) pairs that read the wall clock.
REAL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("func", "now"),
    ("func", "current_timestamp"),
    ("func", "current_date"),
}


def product_files() -> list[Path]:
    files: list[Path] = []
    for entry in PRODUCT:
        path = PROJECT_ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [file for file in files if file != CLOCK_MODULE]


def real_clock_reads(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) in REAL_CLOCK_CALLS:
            found.append(f"line {node.lineno}: {name}.{node.func.attr}()")
    # The database's own clock, as a column default in a model or a migration.
    found.extend(
        f"line {number}: server default {line.strip()}"
        for number, line in enumerate(source.splitlines(), 1)
        if "server_default" in line and ("CURRENT_TIMESTAMP" in line or "now()" in line)
    )
    return found


def test_no_product_module_reads_the_real_clock():
    offenders = {
        str(file.relative_to(PROJECT_ROOT)): reads
        for file in product_files()
        if (reads := real_clock_reads(file.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "read core.infra.clock.now() instead"


def test_the_check_finds_each_way_of_reading_the_clock():
    source = (
        "import datetime, time\n"
        "a = datetime.datetime.now(UTC)\n"
        "b = date.today()\n"
        "c = time.time()\n"
        "d = sa.func.now()\n"
        "e = clock.now()\n"
    )
    assert real_clock_reads(source) == [
        "line 2: datetime.now()",
        "line 3: date.today()",
        "line 4: time.time()",
        "line 5: func.now()",
    ]


def test_the_check_finds_the_databases_clock_as_a_column_default():
    source = 'created = sa.Column(sa.DateTime, server_default=sa.text("now()"))\n'
    assert real_clock_reads(source) == [f"line 1: server default {source.strip()}"]
