"""Replays of a chat update change nothing twice: the update that registered an applicant, and
the last update applied to an applicant's interview.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

APPLICANTS = 'staff_applicants'


def upgrade() -> None:
    """Apply this revision (skipped on a database adopted from create_all, which has them)."""
    if 'created_ref' in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(APPLICANTS)}:
        return
    with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_ref', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_staff_applicants_created_ref', ['created_ref'], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
        batch_op.drop_index('ix_staff_applicants_created_ref')
        batch_op.drop_column('last_ref')
        batch_op.drop_column('created_ref')
