"""Initial schema: every table of the project (storage, staff, broadcast).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 12:03:15.727163
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('conversations',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id')
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'rule', 'kind', 'due', name='uq_reminder')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_user_id'), ['user_id'], unique=False)

    op.create_table('staff_applicants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=False),
    sa.Column('county', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_applicants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_applicants_city'), ['city'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_applicants_coordinator_id'), ['coordinator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_applicants_county'), ['county'], unique=False)

    op.create_table('staff_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_audit_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_audit_at'), ['at'], unique=False)

    op.create_table('staff_invites',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('county', sa.String(length=100), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=True),
    sa.Column('counties', sa.JSON(), nullable=False),
    sa.Column('cities', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('staff_roles',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('county', sa.String(length=100), nullable=True),
    sa.Column('village', sa.String(length=100), nullable=True),
    sa.Column('counties', sa.JSON(), nullable=False),
    sa.Column('cities', sa.JSON(), nullable=False),
    sa.Column('granted_by', sa.BigInteger(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('subscriptions',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'key')
    )
    op.create_table('user_locks',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('users',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('staff_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['staff_applicants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_services_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('broadcast_draft',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('broadcast_fair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place_or_link', sa.String(), nullable=False),
    sa.Column('organiser', sa.String(), nullable=False),
    sa.Column('target_counties', sa.JSON(), nullable=False),
    sa.Column('details', sa.String(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('broadcast_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('retries', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['fair_id'], ['broadcast_fair.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fair_id', 'user_id', name='uq_broadcast_outbox_fair_user')
    )
    with op.batch_alter_table('broadcast_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_broadcast_outbox_queue', ['state', 'id'], unique=False)

    op.create_table('broadcast_progress',
    sa.Column('fair_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('last_text', sa.String(), nullable=False),
    sa.Column('reported', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['broadcast_fair.id'], ),
    sa.PrimaryKeyConstraint('fair_id')
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('broadcast_progress')
    with op.batch_alter_table('broadcast_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcast_outbox_queue')

    op.drop_table('broadcast_outbox')
    op.drop_table('broadcast_fair')
    op.drop_table('broadcast_draft')
    with op.batch_alter_table('staff_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_services_applicant_id'))

    op.drop_table('staff_services')
    op.drop_table('users')
    op.drop_table('user_locks')
    op.drop_table('subscriptions')
    op.drop_table('staff_roles')
    op.drop_table('staff_invites')
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_audit_at'))
        batch_op.drop_index(batch_op.f('ix_staff_audit_actor'))

    op.drop_table('staff_audit')
    with op.batch_alter_table('staff_applicants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_applicants_county'))
        batch_op.drop_index(batch_op.f('ix_staff_applicants_coordinator_id'))
        batch_op.drop_index(batch_op.f('ix_staff_applicants_city'))

    op.drop_table('staff_applicants')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_due'))

    op.drop_table('reminders')
    op.drop_table('processed_updates')
    op.drop_table('conversations')
