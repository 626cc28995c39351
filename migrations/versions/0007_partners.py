"""case partners and the basis for sharing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('organisation', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.Text(), nullable=True),
    sa.Column('contact_details', sa.Text(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('consent_scope', sa.Text(), nullable=True),
    sa.Column('consent_given_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff.id'], name=op.f('fk_case_partners_added_by_id_staff')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_partners_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_partners'))
    )
    with op.batch_alter_table('case_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_partners_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_partners_case_id'))

    op.drop_table('case_partners')
