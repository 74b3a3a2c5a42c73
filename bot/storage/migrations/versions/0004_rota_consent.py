"""rota: swaps wait for consent (override state); "/oncall on" names its regions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0004"
# 0003 is the inbox (wt11a): when it is on main, this becomes "0003"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rota_overrides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=10), server_default="active", nullable=False))
        batch_op.add_column(sa.Column("decided_at", bot.storage.tables.UtcDateTime(), nullable=True))
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_column("regions")
    with op.batch_alter_table("rota_overrides", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("state")
