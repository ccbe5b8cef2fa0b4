"""Applicants' own Telegram id and the one-time links that bind it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:50:00

A database adopted from create_all (see ``bot.storage.migrate``) may already have today's
shape, so each step runs only when what it adds is missing.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

APPLICANTS, LINKS, INDEX = 'staff_applicants', 'staff_applicant_links', 'ix_staff_applicants_telegram_id'


def _has_column(table: str, column: str) -> bool:
    """Whether the table already has the column."""
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    """Apply this revision."""
    if not _has_column(APPLICANTS, 'telegram_id'):
        with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
            batch_op.add_column(sa.Column('telegram_id', sa.BigInteger(), nullable=True))
            batch_op.create_index(INDEX, ['telegram_id'], unique=True)
    if not sa.inspect(op.get_bind()).has_table(LINKS):
        op.create_table(LINKS,
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_by', sa.BigInteger(), nullable=True),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['applicant_id'], ['staff_applicants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash')
        )
        with op.batch_alter_table(LINKS, schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_staff_applicant_links_applicant_id'),
                                  ['applicant_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table(LINKS)
    with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column('telegram_id')
