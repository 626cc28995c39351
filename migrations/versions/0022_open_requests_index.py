"""an index of each centre's open requests, for the queue: SQLite's statistics
otherwise make the few open requests among the many closed ones look like most
of them (core/model/intake.py)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

# The statuses as they were when this revision was written (the model's
# OPEN_STATUSES): a migration does not change when the code does.
OPEN = sa.text("status IN ('new', 'in_progress', 'contact_attempted')")


def upgrade() -> None:
    op.create_index(
        'ix_intakes_open', 'intakes', ['centre_id'], sqlite_where=OPEN, postgresql_where=OPEN
    )


def downgrade() -> None:
    op.drop_index('ix_intakes_open', table_name='intakes')
