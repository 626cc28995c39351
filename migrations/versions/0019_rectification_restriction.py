"""rectification, restriction and erasure requests (GDPR art. 16, 17, 18):
the values corrections replaced, the restrictions of a record's use, an
erasure request of a case file with its outcome

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _correction_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=24), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    ]


def _restriction_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('restricted_by_id', sa.Integer(), nullable=True),
        sa.Column('restricted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.Column('lift_reason', sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('person_corrections',
    *_correction_columns(),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['case_people.id'], name=op.f('fk_person_corrections_person_id_case_people')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_person_corrections_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_corrections'))
    )
    op.create_index(op.f('ix_person_corrections_person_id'), 'person_corrections', ['person_id'], unique=False)

    op.create_table('intake_corrections',
    *_correction_columns(),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_intake_corrections_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_intake_corrections_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_corrections'))
    )
    op.create_index(op.f('ix_intake_corrections_intake_id'), 'intake_corrections', ['intake_id'], unique=False)

    op.create_table('person_restrictions',
    *_restriction_columns(),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['case_people.id'], name=op.f('fk_person_restrictions_person_id_case_people')),
    sa.ForeignKeyConstraint(['restricted_by_id'], ['staff.id'], name=op.f('fk_person_restrictions_restricted_by_id_staff')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['staff.id'], name=op.f('fk_person_restrictions_lifted_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_restrictions'))
    )
    op.create_index(op.f('ix_person_restrictions_person_id'), 'person_restrictions', ['person_id'], unique=False)

    op.create_table('intake_restrictions',
    *_restriction_columns(),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_intake_restrictions_intake_id_intakes')),
    sa.ForeignKeyConstraint(['restricted_by_id'], ['staff.id'], name=op.f('fk_intake_restrictions_restricted_by_id_staff')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['staff.id'], name=op.f('fk_intake_restrictions_lifted_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_restrictions'))
    )
    op.create_index(op.f('ix_intake_restrictions_intake_id'), 'intake_restrictions', ['intake_id'], unique=False)

    op.create_table('erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('request_note', sa.Text(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refusal_ground', sa.String(length=24), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_erasure_requests_case_id_cases')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['staff.id'], name=op.f('fk_erasure_requests_registered_by_id_staff')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'], name=op.f('fk_erasure_requests_decided_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    op.create_index(op.f('ix_erasure_requests_case_id'), 'erasure_requests', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_erasure_requests_case_id'), table_name='erasure_requests')
    op.drop_table('erasure_requests')
    op.drop_index(op.f('ix_intake_restrictions_intake_id'), table_name='intake_restrictions')
    op.drop_table('intake_restrictions')
    op.drop_index(op.f('ix_person_restrictions_person_id'), table_name='person_restrictions')
    op.drop_table('person_restrictions')
    op.drop_index(op.f('ix_intake_corrections_intake_id'), table_name='intake_corrections')
    op.drop_table('intake_corrections')
    op.drop_index(op.f('ix_person_corrections_person_id'), table_name='person_corrections')
    op.drop_table('person_corrections')
