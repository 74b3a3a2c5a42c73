"""inbox: interactions recorded before their ack

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa
import bot.storage.tables


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', bot.storage.tables.UtcDateTime(), nullable=True),
    sa.Column('received_at', bot.storage.tables.UtcDateTime(), nullable=False),
    sa.Column('finished_at', bot.storage.tables.UtcDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_inbox'))
    )
    op.create_index('ix_inbox_status_lease', 'inbox', ['status', 'lease_expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_status_lease', table_name='inbox')
    op.drop_table('inbox')
