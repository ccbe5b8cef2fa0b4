"""Rules versions kept with every result: assessments (per person, with history), the notices
sent after a rules change, snapshots of each rules version; broadcast notices (a batch of
personal messages through the fair outbox).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 17:30:00

Chained after 0005 (claims).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ASSESSMENTS, NOTICES, SNAPSHOTS = 'assessments', 'assessment_notices', 'rules_snapshots'
FAIRS, OUTBOX = 'broadcast_fair', 'broadcast_outbox'


def _has_table(name: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(name)


def _has_column(table: str, column: str) -> bool:
    """Whether the table already has the column."""
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    """Apply this revision."""
    if not _has_table(NOTICES):
        op.create_table(NOTICES,
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('rules_version', sa.String(length=64), nullable=False),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject', 'rule')
        )
    if not _has_table(ASSESSMENTS):
        op.create_table(ASSESSMENTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('rules_version', sa.String(length=64), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('claims', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table(ASSESSMENTS, schema=None) as batch_op:
            batch_op.create_index('ix_assessments_subject_id', ['subject', 'id'], unique=False)
    if not _has_table(SNAPSHOTS):
        op.create_table(SNAPSHOTS,
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('version')
        )
    if _has_table(FAIRS) and not _has_column(FAIRS, 'kind'):
        with op.batch_alter_table(FAIRS, schema=None) as batch_op:
            batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='fair',
                                          nullable=False))
    if _has_table(OUTBOX) and not _has_column(OUTBOX, 'text'):
        with op.batch_alter_table(OUTBOX, schema=None) as batch_op:
            batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table(OUTBOX, schema=None) as batch_op:
        batch_op.drop_column('text')
    with op.batch_alter_table(FAIRS, schema=None) as batch_op:
        batch_op.drop_column('kind')
    op.drop_table(SNAPSHOTS)
    op.drop_table(ASSESSMENTS)
    op.drop_table(NOTICES)
