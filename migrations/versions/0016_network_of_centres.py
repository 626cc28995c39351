"""a network of centres: what the centre file says of each centre, staff in more
than one centre, transfers between centres, the centre of an audit event, the
partners of a transferred file to review

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# One centre's pages in a network (bench/scale.py): indexes that lead with the
# centre (or the file), each replacing the single-column indexes it makes
# redundant. ix_intakes_status goes too: every query that picks requests by
# status names the centre, and PostgreSQL preferred it to the composite,
# reading the open requests of every centre to keep one centre's.
# (table, new index, its columns, [(old index, its column)])
PER_CENTRE_INDEXES = (
    ('intakes', 'ix_intakes_centre_id_status', ['centre_id', 'status'],
     [('ix_intakes_centre_id', 'centre_id'), ('ix_intakes_status', 'status')]),
    ('cases', 'ix_cases_centre_id_status_opened_at', ['centre_id', 'status', 'opened_at', 'id'],
     [('ix_cases_centre_id', 'centre_id')]),
    ('case_actions', 'ix_case_actions_case_overdue', ['case_id', 'status', 'due_on', 'owner_staff_id', 'id'],
     [('ix_case_actions_case_id', 'case_id')]),
)
# One centre's overdue actions without a join over every centre's open files:
# the actions carry their file's centre (kept by the app; no key, like audit).
ACTION_CENTRE_INDEX = ('ix_case_actions_centre_overdue', ['centre_id', 'status', 'due_on', 'owner_staff_id', 'id'])


def upgrade() -> None:
    # Columns are added in place (ALTER TABLE ... ADD COLUMN): on SQLite a
    # batch copy of a table that other rows point at fails on its DROP TABLE.
    op.add_column('centres', sa.Column('site_title', sa.String(length=60), nullable=True))
    op.add_column('centres', sa.Column('opening_hours', sa.JSON(), nullable=True))
    op.add_column('centres', sa.Column('first_contact_target_hours', sa.Integer(), nullable=True))
    op.add_column('centres', sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('centres', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table('staff_centres',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_staff_centres_centre_id_centres')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_centres_staff_id_staff')),
    sa.PrimaryKeyConstraint('staff_id', 'centre_id', name=op.f('pk_staff_centres'))
    )
    op.create_table('centre_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('to_centre_id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_centre_transfers_case_id_cases')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_centre_transfers_centre_id_centres')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'], name=op.f('fk_centre_transfers_decided_by_id_staff')),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_centre_transfers_intake_id_intakes')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff.id'], name=op.f('fk_centre_transfers_requested_by_id_staff')),
    sa.ForeignKeyConstraint(['to_centre_id'], ['centres.id'], name=op.f('fk_centre_transfers_to_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_transfers'))
    )
    with op.batch_alter_table('centre_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_transfers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_transfers_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_transfers_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_centre_transfers_to_centre_id'), ['to_centre_id'], unique=False)

    op.add_column('audit_events', sa.Column('centre_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_events_centre_id_id', 'audit_events', ['centre_id', 'id'], unique=False)
    op.add_column('case_partners', sa.Column('transfer_review', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Keys per centre (ADR 0033): a centre with keys of its own has canaries
    # of its own; the actor of an audit event becomes a plain number like its
    # centre, so the trail outlives the accounts of a centre that is erased.
    # Both tables are copied on SQLite: no other table points at them.
    with op.batch_alter_table('key_canaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_key_canaries_centre_id_centres'), 'centres', ['centre_id'], ['id'])
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_events_actor_id_staff', type_='foreignkey')

    # In place (CREATE/DROP INDEX): no batch copy of tables others point at.
    for table, index, columns, replaced in PER_CENTRE_INDEXES:
        op.create_index(index, table, columns, unique=False)
        for old, _column in replaced:
            op.drop_index(old, table_name=table)
    op.add_column('case_actions', sa.Column('centre_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE case_actions SET centre_id ="
        " (SELECT cases.centre_id FROM cases WHERE cases.id = case_actions.case_id)"
    )
    op.create_index(ACTION_CENTRE_INDEX[0], 'case_actions', ACTION_CENTRE_INDEX[1], unique=False)
    op.drop_index('ix_case_actions_status_due_on', table_name='case_actions')


def downgrade() -> None:
    # After an erase-centre the trail names accounts that are gone: the key
    # below cannot come back, and this downgrade stops (changing nothing).
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_events_actor_id_staff', 'staff', ['actor_id'], ['id'])
    op.create_index('ix_case_actions_status_due_on', 'case_actions', ['status', 'due_on'], unique=False)
    op.drop_index(ACTION_CENTRE_INDEX[0], table_name='case_actions')
    op.drop_column('case_actions', 'centre_id')
    for table, index, _columns, replaced in reversed(PER_CENTRE_INDEXES):
        for old, column in replaced:
            op.create_index(old, table, [column], unique=False)
        op.drop_index(index, table_name=table)
    op.execute("DELETE FROM key_canaries WHERE centre_id IS NOT NULL")
    with op.batch_alter_table('key_canaries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_key_canaries_centre_id_centres', type_='foreignkey')
        batch_op.drop_column('centre_id')
    # Columns are dropped in place (SQLite 3.35+): a batch copy of a table that
    # other rows point at (centres) fails on its DROP TABLE.
    op.drop_column('case_partners', 'transfer_review')
    op.drop_index('ix_audit_events_centre_id_id', table_name='audit_events')
    op.drop_column('audit_events', 'centre_id')
    op.drop_table('centre_transfers')
    op.drop_table('staff_centres')
    for column in ('active', 'is_default', 'first_contact_target_hours', 'opening_hours', 'site_title'):
        op.drop_column('centres', column)
