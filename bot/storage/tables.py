"""The tables of the SQL storage (sqlmodel); Telegram ids need 64-bit integers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class UserRow(SQLModel, table=True):
    """A Telegram user."""

    __tablename__ = "users"
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    name: str = ""
    first_seen: datetime
    payload: str | None = None


class ConversationRow(SQLModel, table=True):
    """The conversation state of one chat (``tg:<id>`` or ``terminal:<name>``)."""

    __tablename__ = "conversations"
    key: str = Field(primary_key=True, max_length=200)
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class SubscriptionRow(SQLModel, table=True):
    """A subscription to announcements for one place."""

    __tablename__ = "subscriptions"
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    kind: str = Field(primary_key=True, max_length=20)
    key: str = Field(primary_key=True, max_length=100)
    created_at: datetime


class ReminderRow(SQLModel, table=True):
    """A reminder, unique per user + rule + kind + due date."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "rule", "kind", "due", name="uq_reminder"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    rule: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    due: date = Field(index=True)
    text: str
    extra: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sent_at: datetime | None = None


class ProcessedUpdateRow(SQLModel, table=True):
    """An update id already handled (redelivery after a crash is ignored)."""

    __tablename__ = "processed_updates"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime


class UserLockRow(SQLModel, table=True):
    """A lease on one user: the process holding it handles that user's update (see ``user_lock``)."""

    __tablename__ = "user_locks"
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    holder: str = Field(max_length=64)
    expires_at: datetime


class InboxRow(SQLModel, table=True):
    """One received update, kept until it is handled (see ``bot.storage.inbox``).

    ``state``: ``received`` (recorded, not yet handled), ``replying`` (handled: the new state is
    stored and ``replies`` holds the messages to send, ``sent`` of them are out), ``done``.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_user_key_update_id", "user_key", "update_id"),)
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=10, index=True)
    replies: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    received_at: datetime
    done_at: datetime | None = None


class AssessmentRow(SQLModel, table=True):
    """One evaluation of a person, as shown or re-run: enough to reproduce and explain it later.

    ``subject``: ``worker:<telegram id>`` or ``applicant:<id>``; the newest row of a subject is
    its current assessment, older rows are its history. ``claims``: rule id -> amount object
    (null where the document sets no figure) of every subsidy claimable then.
    """

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_subject_id", "subject", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64)
    rules_version: str = Field(max_length=64)
    as_of: date
    claims: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=20)          # "shown" (results screen) | "reassess"
    created_at: datetime


class AssessmentNoticeRow(SQLModel, table=True):
    """A subject was told they can claim a rule (after a rules change): never told again."""

    __tablename__ = "assessment_notices"
    subject: str = Field(primary_key=True, max_length=64)
    rule: str = Field(primary_key=True, max_length=200)
    rules_version: str = Field(max_length=64)
    notified_at: datetime


class CampaignContactRow(SQLModel, table=True):
    """A subject was told about a subsidy by a deadline campaign (政策找人): at most once a week."""

    __tablename__ = "campaign_contacts"
    __table_args__ = (Index("ix_campaign_contacts_subject_rule", "subject", "rule"),)
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64)           # worker:<id> | applicant:<id>
    rule: str = Field(max_length=200)
    campaign: int                                 # the outbox notice batch
    sent_at: datetime


class RulesSnapshotRow(SQLModel, table=True):
    """The rules/ and knowledge/ files of one rules version (path -> base64 of zlib of the bytes)."""

    __tablename__ = "rules_snapshots"
    version: str = Field(primary_key=True, max_length=64)
    files: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
