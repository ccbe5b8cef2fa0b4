"""The staff package's own tables (prefixed ``staff_``); the Alembic migrations in
``bot/storage/migrations`` create them (``bot.storage.migrate.upgrade``)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    inspect,
)
from sqlmodel import Field, SQLModel

from bot.storage.tables import AssessmentNoticeRow, AssessmentRow


def _utc_column(nullable: bool = False, index: bool = False) -> Column:
    """A timezone-aware timestamp column (UTC)."""
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class RoleRow(SQLModel, table=True):
    """A user's role above "worker", with the places it covers."""

    __tablename__ = "staff_roles"
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    role: str = Field(max_length=20)                  # coordinator | staff
    county: str | None = Field(default=None, max_length=100)   # coordinator's county
    village: str | None = Field(default=None, max_length=100)  # coordinator's village
    counties: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cities: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    granted_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    granted_at: datetime = Field(sa_column=_utc_column())


class InviteRow(SQLModel, table=True):
    """A one-time invite; only the SHA-256 of the token is stored."""

    __tablename__ = "staff_invites"
    token_hash: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=20)
    county: str | None = Field(default=None, max_length=100)
    village: str | None = Field(default=None, max_length=100)
    counties: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cities: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    used_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class AuditRow(SQLModel, table=True):
    """One privileged action: who did what to which target, when (ids only, no names)."""

    __tablename__ = "staff_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc_column(index=True))
    actor: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    action: str = Field(max_length=50)
    target: str = Field(default="", max_length=100)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ApplicantRow(SQLModel, table=True):
    """A worker registered by a coordinator, with the interview run on their behalf."""

    __tablename__ = "staff_applicants"
    id: int | None = Field(default=None, primary_key=True)
    coordinator_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    village: str = Field(max_length=100)
    county: str = Field(max_length=100, index=True)
    city: str = Field(default="", max_length=100, index=True)
    province: str = Field(default="", max_length=100)
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())
    telegram_id: int | None = Field(  # the worker's own account, bound through a one-time link
        default=None, sa_column=Column(BigInteger, nullable=True, unique=True, index=True))
    fairs_opt_out: bool = Field(  # the linked worker sent /unsubscribe: no job-fair messages
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    created_ref: str | None = Field(  # the input that registered it: a replay registers nobody
        default=None, sa_column=Column(String(64), nullable=True, unique=True, index=True))
    last_ref: str | None = Field(  # the last input applied to the interview: a replay is not
        default=None, sa_column=Column(String(64), nullable=True))


class LinkRow(SQLModel, table=True):
    """A one-time link binding an applicant to the worker's Telegram id; only the hash is stored."""

    __tablename__ = "staff_applicant_links"
    token_hash: str = Field(primary_key=True, max_length=64)
    applicant_id: int = Field(sa_column=Column(
        Integer, ForeignKey("staff_applicants.id", ondelete="CASCADE"), nullable=False, index=True))
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    used_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class ServiceRow(SQLModel, table=True):
    """One "131" service delivered to an applicant."""

    __tablename__ = "staff_services"
    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(sa_column=Column(
        Integer, ForeignKey("staff_applicants.id", ondelete="CASCADE"), nullable=False, index=True))
    kind: str = Field(max_length=20)                  # guidance | job_offer | training
    delivered_on: date
    note: str = Field(default="", max_length=500)
    recorded_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    recorded_at: datetime = Field(sa_column=_utc_column())
    # the token of the button that recorded it: a second tap of that button records nothing
    button_token: str | None = Field(default=None, sa_column=Column(
        String(16), nullable=True, unique=True, index=True))


ONE_SUBJECT = "(user_id IS NULL) <> (applicant_id IS NULL)"  # a worker's own id xor an applicant


def _applicant_fk() -> Column:
    """An optional applicant id; the rows go when the applicant record is deleted."""
    return Column(Integer, ForeignKey("staff_applicants.id", ondelete="CASCADE"), nullable=True,
                  index=True)


class ClaimRow(SQLModel, table=True):
    """The current mark of one subsidy (rule id) for one person: the worker's own Telegram id
    (``user_id``) or an applicant a coordinator registered (``applicant_id``), never both.

    Every change is also appended to :class:`ClaimHistoryRow`; this row is the latest state.
    """

    __tablename__ = "staff_claims"
    __table_args__ = (UniqueConstraint("user_id", "rule", name="uq_staff_claims_user_rule"),
                      UniqueConstraint("applicant_id", "rule", name="uq_staff_claims_applicant_rule"),
                      CheckConstraint(ONE_SUBJECT, name="ck_staff_claims_one_subject"))
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    applicant_id: int | None = Field(default=None, sa_column=_applicant_fk())
    rule: str = Field(max_length=200, index=True)
    status: str = Field(max_length=20)               # applied | received | rejected | declined
    on_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reason: str = Field(default="", max_length=200)
    marked_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    marked_at: datetime = Field(sa_column=_utc_column())


class ClaimHistoryRow(SQLModel, table=True):
    """Every mark, undo and clear of a claim, in order (the audit trail of :class:`ClaimRow`).

    ``action``: ``mark`` (``status`` and its fields set), ``clear`` (no status), ``undo`` (back to
    the state before the last mark or clear not yet undone; ``status`` is the state it restored).
    """

    __tablename__ = "staff_claim_history"
    __table_args__ = (CheckConstraint(ONE_SUBJECT, name="ck_staff_claim_history_one_subject"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    applicant_id: int | None = Field(default=None, sa_column=_applicant_fk())
    rule: str = Field(max_length=200)
    action: str = Field(max_length=10)
    status: str | None = Field(default=None, max_length=20)
    on_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    amount_fen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    reason: str = Field(default="", max_length=200)
    marked_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    marked_at: datetime = Field(sa_column=_utc_column())


# An applicant's assessments and notices (bot.storage.assessments) live with the record.
STAFF_TABLES: list[type[SQLModel]] = [RoleRow, InviteRow, AuditRow, ApplicantRow, ServiceRow,
                                      LinkRow, ClaimRow, ClaimHistoryRow, AssessmentRow,
                                      AssessmentNoticeRow]


def table_of(model: type[SQLModel]) -> Table:
    """A table model's ``__table__`` (SQLModel sets it at class creation but does not type it)."""
    table: Table = inspect(model).local_table
    return table


def stored_id(row_id: int | None) -> int:
    """The id of a row that is in the database (loaded or flushed); None there is a bug."""
    if row_id is None:
        raise ValueError("the row has no id yet: it was never flushed")
    return row_id
