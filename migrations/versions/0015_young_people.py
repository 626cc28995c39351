"""young people: their door (age range, a trusted adult), the referral to the
Vertrouwenscentrum Kindermishandeling, and a child's own voice in the file

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('child_voices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('heard_on', sa.Date(), nullable=False),
    sa.Column('heard_by', sa.Text(), nullable=False),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_child_voices_case_id_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['case_people.id'], name=op.f('fk_child_voices_person_id_case_people')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_child_voices_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_voices'))
    )
    with op.batch_alter_table('child_voices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_voices_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_voices_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trusted_adult', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('age_range', sa.String(length=12), nullable=True))

    with op.batch_alter_table('triage_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('triage_decisions', schema=None) as batch_op:
        batch_op.drop_column('referred_on')

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_column('age_range')
        batch_op.drop_column('trusted_adult')

    with op.batch_alter_table('child_voices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_voices_person_id'))
        batch_op.drop_index(batch_op.f('ix_child_voices_case_id'))

    op.drop_table('child_voices')
