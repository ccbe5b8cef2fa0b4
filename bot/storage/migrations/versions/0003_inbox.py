"""The update inbox: every update is recorded before it is handled, and marked done after.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:10:00

Times are written as naive UTC by raw SQL on the hot path, like ``user_locks``.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

INBOX = 'inbox'


def upgrade() -> None:
    """Apply this revision."""
    if sa.inspect(op.get_bind()).has_table(INBOX):
        return
    op.create_table(INBOX,
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_key', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('replies', sa.Text(), nullable=True),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table(INBOX, schema=None) as batch_op:
        batch_op.create_index('ix_inbox_user_key_update_id', ['user_key', 'update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_state'), ['state'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table(INBOX)
