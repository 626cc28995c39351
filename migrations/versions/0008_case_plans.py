"""people, safety plans, actions and case consultations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('legal_basis', sa.String(length=24), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_consultations_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_case_consultations_created_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_consultations'))
    )
    with op.batch_alter_table('case_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_consultations_case_id'), ['case_id'], unique=False)

    op.create_table('case_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_staff_id', sa.Integer(), nullable=True),
    sa.Column('owner_partner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_actions_case_id_cases')),
    sa.ForeignKeyConstraint(['consultation_id'], ['case_consultations.id'], name=op.f('fk_case_actions_consultation_id_case_consultations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_case_actions_created_by_id_staff')),
    sa.ForeignKeyConstraint(['owner_partner_id'], ['case_partners.id'], name=op.f('fk_case_actions_owner_partner_id_case_partners')),
    sa.ForeignKeyConstraint(['owner_staff_id'], ['staff.id'], name=op.f('fk_case_actions_owner_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_actions'))
    )
    with op.batch_alter_table('case_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_actions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_actions_owner_staff_id'), ['owner_staff_id'], unique=False)
        batch_op.create_index('ix_case_actions_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('case_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('other_person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_relations_case_id_cases')),
    sa.ForeignKeyConstraint(['other_person_id'], ['case_people.id'], name=op.f('fk_case_relations_other_person_id_case_people')),
    sa.ForeignKeyConstraint(['person_id'], ['case_people.id'], name=op.f('fk_case_relations_person_id_case_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_relations'))
    )
    with op.batch_alter_table('case_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_relations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_relations_other_person_id'), ['other_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_relations_person_id'), ['person_id'], unique=False)

    op.create_table('safety_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_safety_plans_case_id_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['case_people.id'], name=op.f('fk_safety_plans_person_id_case_people')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_safety_plans_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plans'))
    )
    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_plans_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_plans_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('case_people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_direct_contact', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('school_contacts', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('case_people', schema=None) as batch_op:
        batch_op.drop_column('school_contacts')
        batch_op.drop_column('birth_year')
        batch_op.drop_column('no_direct_contact')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_plans_person_id'))
        batch_op.drop_index(batch_op.f('ix_safety_plans_case_id'))

    op.drop_table('safety_plans')
    with op.batch_alter_table('case_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_relations_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_relations_other_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_relations_case_id'))

    op.drop_table('case_relations')
    with op.batch_alter_table('case_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_case_actions_status_due_on')
        batch_op.drop_index(batch_op.f('ix_case_actions_owner_staff_id'))
        batch_op.drop_index(batch_op.f('ix_case_actions_case_id'))

    op.drop_table('case_actions')
    with op.batch_alter_table('case_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_consultations_case_id'))

    op.drop_table('case_consultations')
