"""triage

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('outside_safe_time', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('channel_not_allowed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_contact_attempts_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_contact_attempts_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_attempts'))
    )
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_attempts_intake_id'), ['intake_id'], unique=False)

    op.create_table('intake_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('linked_intake_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_intake_links_intake_id_intakes')),
    sa.ForeignKeyConstraint(['linked_intake_id'], ['intakes.id'], name=op.f('fk_intake_links_linked_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_intake_links_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_links')),
    sa.UniqueConstraint('intake_id', 'linked_intake_id', name=op.f('uq_intake_links_intake_id'))
    )
    with op.batch_alter_table('intake_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_links_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_links_linked_intake_id'), ['linked_intake_id'], unique=False)

    op.create_table('intake_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_intake_status_changes_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_intake_status_changes_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_status_changes'))
    )
    with op.batch_alter_table('intake_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_status_changes_intake_id'), ['intake_id'], unique=False)

    op.create_table('triage_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('referred_to', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_triage_decisions_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_triage_decisions_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_decisions'))
    )
    with op.batch_alter_table('triage_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_decisions_intake_id'), ['intake_id'], unique=False)

    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_intakes_assigned_to_id_staff'), 'staff', ['assigned_to_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_intakes_assigned_to_id_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_intakes_assigned_to_id'))
        batch_op.drop_column('outcome')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('assigned_to_id')

    with op.batch_alter_table('triage_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_decisions_intake_id'))

    op.drop_table('triage_decisions')
    with op.batch_alter_table('intake_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_status_changes_intake_id'))

    op.drop_table('intake_status_changes')
    with op.batch_alter_table('intake_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_links_linked_intake_id'))
        batch_op.drop_index(batch_op.f('ix_intake_links_intake_id'))

    op.drop_table('intake_links')
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_attempts_intake_id'))

    op.drop_table('contact_attempts')
