"""talk now: live conversations and their lines, the team's availability
switch, a booked call-back's time on its request

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('talk_availability',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_talk_availability_centre_id_centres')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_talk_availability_staff_id_staff')),
    sa.PrimaryKeyConstraint('staff_id', 'centre_id', name=op.f('pk_talk_availability'))
    )
    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('token_key', sa.String(length=64), nullable=True),
    sa.Column('return_code_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=12), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('person_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('interpreter_needed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('in_mailbox', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_conversations_centre_id_centres')),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_conversations_intake_id_intakes')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_conversations_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('return_code_key', name=op.f('uq_conversations_return_code_key')),
    sa.UniqueConstraint('token_key', name=op.f('uq_conversations_token_key'))
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index('ix_conversations_centre_id_status', ['centre_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversations_staff_id'), ['staff_id'], unique=False)

    op.create_table('conversation_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=8), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('phrase', sa.String(length=40), nullable=True),
    sa.Column('event', sa.String(length=20), nullable=True),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], name=op.f('fk_conversation_messages_author_id_staff')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_messages_conversation_id_conversations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages')),
    sa.UniqueConstraint('conversation_id', 'client_key', name='uq_conversation_messages_client_key'),
    sa.UniqueConstraint('conversation_id', 'seq', name='uq_conversation_messages_seq')
    )
    # In place (ALTER TABLE ... ADD COLUMN), as in 0016: on SQLite a batch
    # copy of a table that other rows point at fails on its DROP TABLE.
    op.add_column('intakes', sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    op.drop_column('intakes', 'callback_at')

    op.drop_table('conversation_messages')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_staff_id'))
        batch_op.drop_index(batch_op.f('ix_conversations_intake_id'))
        batch_op.drop_index('ix_conversations_centre_id_status')

    op.drop_table('conversations')
    op.drop_table('talk_availability')
