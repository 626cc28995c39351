"""portal doors and mailbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_municipalities_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipalities')),
    sa.UniqueConstraint('centre_id', 'name', name=op.f('uq_municipalities_centre_id'))
    )
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_municipalities_centre_id'), ['centre_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], name=op.f('fk_messages_author_id_staff')),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_messages_intake_id_intakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_intake_id'), ['intake_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('contact_via_referrer', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('client_consent', sa.String(length=20), nullable=False),
    sa.Column('legal_basis', sa.String(length=20), nullable=True),
    sa.Column('basis_note', sa.Text(), nullable=True),
    sa.Column('risk_concerns', sa.Text(), nullable=True),
    sa.Column('risk_text', sa.Text(), nullable=True),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['intake_id'], ['intakes.id'], name=op.f('fk_referrals_intake_id_intakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('intake_id', name=op.f('uq_referrals_intake_id'))
    )
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('may_text', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('may_voicemail', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('phone_say_who', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('email_say_who', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('safe_days', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('safe_times', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('safe_word', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contact_language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('interpreter_needed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('municipality_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('children_involved', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('danger_now', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('phone_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('email_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_intakes_email_index'), ['email_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_intakes_phone_index'), ['phone_index'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_intakes_municipality_id_municipalities'), 'municipalities', ['municipality_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('intakes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_intakes_municipality_id_municipalities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_intakes_phone_index'))
        batch_op.drop_index(batch_op.f('ix_intakes_email_index'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('email_index')
        batch_op.drop_column('phone_index')
        batch_op.drop_column('danger_now')
        batch_op.drop_column('children_involved')
        batch_op.drop_column('municipality_id')
        batch_op.drop_column('interpreter_needed')
        batch_op.drop_column('contact_language')
        batch_op.drop_column('safe_word')
        batch_op.drop_column('safe_times')
        batch_op.drop_column('safe_days')
        batch_op.drop_column('email_say_who')
        batch_op.drop_column('phone_say_who')
        batch_op.drop_column('may_voicemail')
        batch_op.drop_column('may_text')
        batch_op.drop_column('name')

    op.drop_table('referrals')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_intake_id'))

    op.drop_table('messages')
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_municipalities_centre_id'))

    op.drop_table('municipalities')
