"""access requests (GDPR art. 15): the request for a named person and the
items of its copy, each with a proposed and a final decision

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('subject_name', sa.Text(), nullable=False),
    sa.Column('subject_rows', sa.Text(), nullable=True),
    sa.Column('causes_harm', sa.Boolean(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('identity_check', sa.String(length=24), nullable=False),
    sa.Column('identity_note', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gathered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refused_by_id', sa.Integer(), nullable=True),
    sa.Column('refused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refusal_reason', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff.id'], name=op.f('fk_access_requests_approved_by_id_staff')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_access_requests_centre_id_centres')),
    sa.ForeignKeyConstraint(['refused_by_id'], ['staff.id'], name=op.f('fk_access_requests_refused_by_id_staff')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['staff.id'], name=op.f('fk_access_requests_registered_by_id_staff')),
    sa.ForeignKeyConstraint(['released_by_id'], ['staff.id'], name=op.f('fk_access_requests_released_by_id_staff')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['staff.id'], name=op.f('fk_access_requests_submitted_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_requests'))
    )
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index('ix_access_requests_centre_id_status', ['centre_id', 'status', 'deadline_on'], unique=False)

    op.create_table('access_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('proposed', sa.String(length=10), nullable=False),
    sa.Column('proposed_reason', sa.String(length=30), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'], name=op.f('fk_access_items_decided_by_id_staff')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_access_items_request_id_access_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_items'))
    )
    with op.batch_alter_table('access_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_items_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('access_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_items_request_id'))

    op.drop_table('access_items')
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_centre_id_status')

    op.drop_table('access_requests')
