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

    op.add_column('case_actions', sa.Column('report', sa.Text(), nullable=True))
    op.add_column('case_actions', sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
    _add_reference('case_actions', 'reported_by_id', 'staff')
    _add_reference('case_partners', 'organisation_id', 'partner_organisations')
    _add_reference('staff', 'organisation_id', 'partner_organisations')
    op.create_index(op.f('ix_staff_organisation_id'), 'staff', ['organisation_id'], unique=False)
    # A plain default (not sa.false()): SQLite then adds the column in place
    # instead of copying the table, which its rows' references would refuse.
    op.add_column('centres', sa.Column('show_partner_reads', sa.Boolean(), server_default='0', nullable=False))


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable reference column with its foreign key. SQLite adds both in
    place (ALTER TABLE ... ADD COLUMN ... REFERENCES); a batch copy of a table
    that other rows point at would fail on its DROP TABLE."""
    name = f'fk_{table}_{column}_{target}'
    if op.get_context().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ['id'])


def downgrade() -> None:
    op.drop_column('centres', 'show_partner_reads')
    op.drop_index(op.f('ix_staff_organisation_id'), table_name='staff')
    for table, column, target in (
        ('staff', 'organisation_id', 'partner_organisations'),
        ('case_partners', 'organisation_id', 'partner_organisations'),
        ('case_actions', 'reported_by_id', 'staff'),
    ):
        # SQLite cannot drop a column that holds a foreign key in place: the
        # batch copies the table without it (its inline key goes with it).
        with op.batch_alter_table(table, schema=None) as batch_op:
            if op.get_context().dialect.name != 'sqlite':
                batch_op.drop_constraint(f'fk_{table}_{column}_{target}', type_='foreignkey')
            batch_op.drop_column(column)
    op.drop_column('case_actions', 'reported_at')
    op.drop_column('case_actions', 'report')

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
