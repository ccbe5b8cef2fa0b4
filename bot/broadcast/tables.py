"""The broadcast tables (their own SQLModel registry, so only these two are ever created here)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

FAIR_STATUSES = ("draft", "scheduled", "sending", "done", "cancelled")
STATES = ("pending", "sending", "sent", "failed", "blocked", "uncertain")
FINAL_STATES = ("sent", "failed", "blocked", "uncertain")


class BroadcastModel(SQLModel, registry=registry()):
    """Base of the broadcast tables; ``BroadcastModel.metadata`` holds only them."""


class Fair(BroadcastModel, table=True):
    """A job fair announced to the workers of some counties. Times are UTC."""

    __tablename__ = "broadcast_fair"
    id: int | None = Field(default=None, primary_key=True)
    title: str
    starts_at: datetime
    place_or_link: str
    organiser: str
    target_counties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    details: str = ""
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime
    status: str = Field(default="draft", max_length=20)
    send_at: datetime | None = None
    # "fair", or "notice": a batch of personal messages (each row's ``text``), e.g. the subsidies
    # a rules change opened to each person; notices are not listed with the fairs
    kind: str = Field(default="fair", sa_column=Column(String(20), nullable=False,
                                                      server_default="fair"))


class OutboxMessage(BroadcastModel, table=True):
    """One fair for one recipient: sent at most once (UNIQUE fair_id, user_id)."""

    __tablename__ = "broadcast_outbox"
    __table_args__ = (
        UniqueConstraint("fair_id", "user_id", name="uq_broadcast_outbox_fair_user"),
        Index("ix_broadcast_outbox_queue", "state", "id"),  # claims walk pending rows in id order
    )
    id: int | None = Field(default=None, primary_key=True)
    fair_id: int = Field(sa_column=Column(Integer, ForeignKey("broadcast_fair.id"), nullable=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(default="pending", max_length=20)
    attempts: int = 0          # sends started (each claim counts one)
    retries: int = 0           # transient failures so far (bounded)
    last_error: str | None = None
    next_attempt_at: datetime
    sent_at: datetime | None = None
    updated_at: datetime
    claimed_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # a notice's own text


class FairDraft(BroadcastModel, table=True):
    """A staff member's fair being written, one question at a time (kept across restarts)."""

    __tablename__ = "broadcast_draft"
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    step: str = Field(max_length=20)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class FairProgress(BroadcastModel, table=True):
    """The staff's progress message of a fair (edited in place) and whether the report went out."""

    __tablename__ = "broadcast_progress"
    fair_id: int = Field(sa_column=Column(Integer, ForeignKey("broadcast_fair.id"),
                                          primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_text: str = ""
    reported: bool = False


# The same Table objects as ``Fair.__table__`` etc., which SQLModel leaves untyped.
FAIRS = BroadcastModel.metadata.tables["broadcast_fair"]
OUTBOX = BroadcastModel.metadata.tables["broadcast_outbox"]
DRAFTS = BroadcastModel.metadata.tables["broadcast_draft"]
PROGRESS = BroadcastModel.metadata.tables["broadcast_progress"]
