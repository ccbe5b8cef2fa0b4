"""Claims followed through: 已申请 / 已到账 / 被拒 / 不想申请 per person and subsidy, with history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:40:00

``staff_claims`` holds the current mark (one per worker+rule or applicant+rule);
``staff_claim_history`` every mark, undo and clear. Like 0002, a table is created only when
it is missing (a database adopted from create_all already has it).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

CLAIMS, HISTORY = 'staff_claims', 'staff_claim_history'
ONE_SUBJECT = '(user_id IS NULL) <> (applicant_id IS NULL)'


def _subject_and_mark() -> list[sa.Column]:
    """The columns both tables share (fresh objects for each table)."""
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=True),
        sa.Column('applicant_id', sa.Integer(), nullable=True),
        sa.Column('rule', sa.String(length=200), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=True),
        sa.Column('amount_fen', sa.BigInteger(), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('marked_by', sa.BigInteger(), nullable=True),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    ]


def _has_table(name: str) -> bool:
    """Whether the table exists already."""
    return sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    """Apply this revision."""
    if not _has_table(CLAIMS):
        op.create_table(
            CLAIMS, *_subject_and_mark(),
            sa.Column('status', sa.String(length=20), nullable=False),
            sa.CheckConstraint(ONE_SUBJECT, name='ck_staff_claims_one_subject'),
            sa.ForeignKeyConstraint(['applicant_id'], ['staff_applicants.id'], ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id'),
            sa.UniqueConstraint('applicant_id', 'rule', name='uq_staff_claims_applicant_rule'),
            sa.UniqueConstraint('user_id', 'rule', name='uq_staff_claims_user_rule'),
        )
        with op.batch_alter_table(CLAIMS, schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_staff_claims_applicant_id'), ['applicant_id'])
            batch_op.create_index(batch_op.f('ix_staff_claims_rule'), ['rule'])
            batch_op.create_index(batch_op.f('ix_staff_claims_user_id'), ['user_id'])
    if not _has_table(HISTORY):
        op.create_table(
            HISTORY, *_subject_and_mark(),
            sa.Column('action', sa.String(length=10), nullable=False),
            sa.Column('status', sa.String(length=20), nullable=True),
            sa.CheckConstraint(ONE_SUBJECT, name='ck_staff_claim_history_one_subject'),
            sa.ForeignKeyConstraint(['applicant_id'], ['staff_applicants.id'], ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id'),
        )
        with op.batch_alter_table(HISTORY, schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_staff_claim_history_applicant_id'), ['applicant_id'])
            batch_op.create_index(batch_op.f('ix_staff_claim_history_user_id'), ['user_id'])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table(HISTORY)
    op.drop_table(CLAIMS)
