"""the survivor's voice: unlinkable feedback, and a done-flag per moment on
the request

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FLAGS = ('feedback_after_triage', 'feedback_after_closure')


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('moment', sa.String(length=20), nullable=False),
    sa.Column('door', sa.String(length=20), nullable=False),
    sa.Column('track', sa.String(length=20), nullable=True),
    sa.Column('felt_safe', sa.String(length=12), nullable=True),
    sa.Column('told_again', sa.String(length=12), nullable=True),
    sa.Column('listened_to', sa.String(length=12), nullable=True),
    sa.Column('got_help', sa.String(length=12), nullable=True),
    sa.Column('tell_a_friend', sa.String(length=12), nullable=True),
    sa.Column('free_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_feedback_centre_id_centres')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_month'), ['month'], unique=False)
    # Plain ADD/DROP COLUMN, not a batch: SQLite would rebuild `intakes`, which
    # many tables now point at, and its foreign keys are enforced.
    for name in FLAGS:
        op.add_column('intakes', sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for name in FLAGS:
        op.execute(f"ALTER TABLE intakes DROP COLUMN {name}")
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_month'))
        batch_op.drop_index(batch_op.f('ix_feedback_centre_id'))
    op.drop_table('feedback')
