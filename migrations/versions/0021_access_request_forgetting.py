"""access requests forget whom they were about: the subject's name may be
emptied once an answered request's records are all erased

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.alter_column('subject_name', existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    # The earlier schema needs a name: a request that forgot it names nobody
    # and has no item left, so it goes (its steps stay in the audit trail).
    op.execute(
        'DELETE FROM access_items WHERE request_id IN '
        '(SELECT id FROM access_requests WHERE subject_name IS NULL)'
    )
    op.execute('DELETE FROM access_requests WHERE subject_name IS NULL')
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.alter_column('subject_name', existing_type=sa.Text(), nullable=False)
