"""Deadline campaigns (政策找人): who was told about which subsidy, and when (once a week).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CONTACTS = 'campaign_contacts'


def upgrade() -> None:
    """Apply this revision (a database whose tables an older start-up made already has it)."""
    if sa.inspect(op.get_bind()).has_table(CONTACTS):
        return
    op.create_table(CONTACTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('campaign', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table(CONTACTS, schema=None) as batch_op:
        batch_op.create_index('ix_campaign_contacts_subject_rule', ['subject', 'rule'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table(CONTACTS)
