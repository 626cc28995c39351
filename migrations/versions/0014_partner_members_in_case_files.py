"""partner organisations and members, their links to case files, reports on
actions, planned consultations and contributions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_partner_organisations_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_organisations')),
    sa.UniqueConstraint('centre_id', 'name', name=op.f('uq_partner_organisations_centre_id'))
    )
    with op.batch_alter_table('partner_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_organisations_centre_id'), ['centre_id'], unique=False)

    op.create_table('planned_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('legal_basis', sa.String(length=24), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_planned_consultations_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_planned_consultations_created_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_consultations'))
    )
    with op.batch_alter_table('planned_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_consultations_case_id'), ['case_id'], unique=False)

    op.create_table('case_partner_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_partner_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff.id'], name=op.f('fk_case_partner_members_added_by_id_staff')),
    sa.ForeignKeyConstraint(['case_partner_id'], ['case_partners.id'], name=op.f('fk_case_partner_members_case_partner_id_case_partners')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_case_partner_members_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_partner_members')),
    sa.UniqueConstraint('case_partner_id', 'staff_id', name=op.f('uq_case_partner_members_case_partner_id'))
    )
    with op.batch_alter_table('case_partner_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_partner_members_case_partner_id'), ['case_partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_partner_members_staff_id'), ['staff_id'], unique=False)

    op.create_table('consultation_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('planned_id', sa.Integer(), nullable=False),
    sa.Column('case_partner_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('attending', sa.Boolean(), nullable=False),
    sa.Column('contribution', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_partner_id'], ['case_partners.id'], name=op.f('fk_consultation_contributions_case_partner_id_case_partners')),
    sa.ForeignKeyConstraint(['planned_id'], ['planned_consultations.id'], name=op.f('fk_consultation_contributions_planned_id_planned_consultations')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_consultation_contributions_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_contributions')),
    sa.UniqueConstraint('planned_id', 'staff_id', name=op.f('uq_consultation_contributions_planned_id'))
    )
    with op.batch_alter_table('consultation_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_contributions_planned_id'), ['planned_id'], unique=False)

    with op.batch_alter_table('case_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reported_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_actions_reported_by_id_staff'), 'staff', ['reported_by_id'], ['id'])

    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_partner_reads', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_organisation_id_partner_organisations'), 'partner_organisations', ['organisation_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_organisation_id_partner_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_column('show_partner_reads')

    with op.batch_alter_table('case_actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_actions_reported_by_id_staff'), type_='foreignkey')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('reported_by_id')
        batch_op.drop_column('report')

    with op.batch_alter_table('consultation_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_contributions_planned_id'))

    op.drop_table('consultation_contributions')
    with op.batch_alter_table('case_partner_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_partner_members_staff_id'))
        batch_op.drop_index(batch_op.f('ix_case_partner_members_case_partner_id'))

    op.drop_table('case_partner_members')
    with op.batch_alter_table('planned_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_consultations_case_id'))

    op.drop_table('planned_consultations')
    with op.batch_alter_table('partner_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_organisations_centre_id'))

    op.drop_table('partner_organisations')
