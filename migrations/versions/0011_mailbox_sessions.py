"""opened portal mailboxes on the server, so closing and the quick exit end them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mailbox_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_key', sa.String(length=64), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_mailbox_sessions_intake_id_intakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_sessions')),
    sa.UniqueConstraint('token_key', name=op.f('uq_mailbox_sessions_token_key'))
    )
    with op.batch_alter_table('mailbox_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailbox_sessions_intake_id'), ['intake_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mailbox_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailbox_sessions_intake_id'))
    op.drop_table('mailbox_sessions')
