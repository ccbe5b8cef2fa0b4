"""Coordinator fixes: the button that recorded a 131 service (a re-tap records nothing), and a
linked applicant's /unsubscribe from job fairs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:00:00

Like 0002, each step runs only when what it adds is missing (a database adopted from create_all).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SERVICES, TOKEN_INDEX = 'staff_services', 'ix_staff_services_button_token'
APPLICANTS = 'staff_applicants'


def _has_column(table: str, column: str) -> bool:
    """Whether the table already has the column."""
    return column in {c['name'] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    """Apply this revision."""
    if not _has_column(SERVICES, 'button_token'):
        with op.batch_alter_table(SERVICES, schema=None) as batch_op:
            batch_op.add_column(sa.Column('button_token', sa.String(length=16), nullable=True))
            batch_op.create_index(TOKEN_INDEX, ['button_token'], unique=True)
    if not _has_column(APPLICANTS, 'fairs_opt_out'):
        with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
            batch_op.add_column(sa.Column('fairs_opt_out', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table(APPLICANTS, schema=None) as batch_op:
        batch_op.drop_column('fairs_opt_out')
    with op.batch_alter_table(SERVICES, schema=None) as batch_op:
        batch_op.drop_index(TOKEN_INDEX)
        batch_op.drop_column('button_token')
