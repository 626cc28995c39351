"""safe-contact rules as one record: the file's victim reads her request's
rules, their history is kept; "danger now" outranks every other rule

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# core.intake.priority.DANGER_NOW went from 100 to 1000 points.
DANGER_NOW_RAISE = 900


def upgrade() -> None:
    op.create_table(
        "contact_rules_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("previous", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_contact_rules_changes_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_contact_rules_changes_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_rules_changes")),
    )
    with op.batch_alter_table("contact_rules_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_rules_changes_intake_id"), ["intake_id"], unique=False
        )

    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_intake_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_people_contact_intake_id_intakes"),
            "intakes",
            ["contact_intake_id"],
            ["id"],
        )

    # A file's first person is the victim copied from the request it was opened
    # from (core.casework.cases.open_case): she reads that request's rules. With
    # several requests the oldest is taken; staff can change the rules on the file.
    op.execute(
        """
        UPDATE case_people SET contact_intake_id = (
            SELECT ci.intake_id FROM case_intakes ci JOIN intakes i ON i.id = ci.intake_id
            WHERE ci.case_id = case_people.case_id
            ORDER BY i.created_at, i.id LIMIT 1)
        WHERE role = 'victim'
          AND id IN (SELECT MIN(id) FROM case_people GROUP BY case_id)
        """
    )
    op.execute(f"UPDATE intakes SET priority = priority + {DANGER_NOW_RAISE} WHERE danger_now")


def downgrade() -> None:
    op.execute(f"UPDATE intakes SET priority = priority - {DANGER_NOW_RAISE} WHERE danger_now")
    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_people_contact_intake_id_intakes"), type_="foreignkey"
        )
        batch_op.drop_column("contact_intake_id")
    with op.batch_alter_table("contact_rules_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_rules_changes_intake_id"))
    op.drop_table("contact_rules_changes")
