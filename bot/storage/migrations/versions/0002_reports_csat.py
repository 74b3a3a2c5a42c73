"""reports: CSAT answers; questions remember suggestions and the case escalated from them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csat",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("score", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", bot.storage.tables.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_csat_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_csat")),
    )
    with op.batch_alter_table("csat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csat_at"), ["at"], unique=False)
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_case_id_cases"), "cases", ["case_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_questions_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("case_id")
        batch_op.drop_column("suggested")
    with op.batch_alter_table("csat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csat_at"))
    op.drop_table("csat")
