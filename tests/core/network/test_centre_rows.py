"""The one mapping of which row belongs to which centre covers every table,
so rotation, export-centre and erase-centre forget none."""

from core.model import Base
from core.network.centre_rows import (
    CENTRE_COLUMN,
    INSTALLATION_TABLES,
    KEPT_ON_ERASE,
    LEADS_TO_CENTRE,
    unplaced_tables,
)


def test_every_table_is_placed_with_a_centre_or_the_installation():
    assert unplaced_tables() == [], "place the new table in core/network/centre_rows.py"
    assert not set(LEADS_TO_CENTRE) & INSTALLATION_TABLES
    assert set(LEADS_TO_CENTRE) >= KEPT_ON_ERASE


def test_every_lead_ends_at_a_centre_id():
    for name, lead in LEADS_TO_CENTRE.items():
        seen = []
        model_table = Base.metadata.tables[name]
        while lead != CENTRE_COLUMN:
            assert name not in seen, f"{seen}: the leads go round"
            seen.append(name)
            [key] = model_table.c[lead].foreign_keys
            model_table = key.column.table
            name = model_table.name
            lead = LEADS_TO_CENTRE[name]
        assert CENTRE_COLUMN in model_table.c


def test_a_table_with_a_centre_of_its_own_is_placed_by_it():
    """A table with centre_id belongs to that centre, not to a parent's."""
    for model_table in Base.metadata.sorted_tables:
        if CENTRE_COLUMN in model_table.c and model_table.name != "centres":
            assert LEADS_TO_CENTRE[model_table.name] == CENTRE_COLUMN, model_table.name


def test_installation_tables_point_at_no_centre_s_rows():
    for name in INSTALLATION_TABLES:
        targets = {key.column.table.name for key in Base.metadata.tables[name].foreign_keys}
        assert not targets & set(LEADS_TO_CENTRE), name
