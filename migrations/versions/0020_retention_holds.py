"""retention: legal holds on case files and requests, the purge's
non-identifying traces

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _hold_columns():
    """What every hold holds (core.model.retention._Hold)."""
    return [
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('review_on', sa.Date(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('case_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    *_hold_columns(),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_holds_case_id_cases')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['staff.id'], name=op.f('fk_case_holds_lifted_by_id_staff')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['staff.id'], name=op.f('fk_case_holds_placed_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_holds'))
    )
    with op.batch_alter_table('case_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_holds_case_id'), ['case_id'], unique=False)

    op.create_table('intake_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    *_hold_columns(),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_intake_holds_intake_id_intakes')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['staff.id'], name=op.f('fk_intake_holds_lifted_by_id_staff')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['staff.id'], name=op.f('fk_intake_holds_placed_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_holds'))
    )
    with op.batch_alter_table('intake_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_holds_intake_id'), ['intake_id'], unique=False)

    op.create_table('purge_traces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('record', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('erased', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_purge_traces_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purge_traces'))
    )
    with op.batch_alter_table('purge_traces', schema=None) as batch_op:
        batch_op.create_index('ix_purge_traces_centre_id_month', ['centre_id', 'month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('purge_traces', schema=None) as batch_op:
        batch_op.drop_index('ix_purge_traces_centre_id_month')

    op.drop_table('purge_traces')
    with op.batch_alter_table('intake_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_holds_intake_id'))

    op.drop_table('intake_holds')
    with op.batch_alter_table('case_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_holds_case_id'))

    op.drop_table('case_holds')
