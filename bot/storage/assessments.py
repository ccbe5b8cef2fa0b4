"""Assessments (what a person could claim, under which rules version, as of which day), the
notices sent after a rules change, and snapshots of every rules version seen.

Every function takes a SQLAlchemy connection or session (``db``) so a caller can put several
writes in one transaction (reassess: assessments, notices and the outbox rows together).
"""
from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.storage.tables import (
    AssessmentNoticeRow,
    AssessmentRow,
    CampaignContactRow,
    RulesSnapshotRow,
)

ASSESSMENTS = AssessmentRow.__table__  # type: ignore[attr-defined]
NOTICES = AssessmentNoticeRow.__table__  # type: ignore[attr-defined]
SNAPSHOTS = RulesSnapshotRow.__table__  # type: ignore[attr-defined]
CONTACTS = CampaignContactRow.__table__  # type: ignore[attr-defined]


def worker_subject(user_id: int) -> str:
    """The subject key of a worker's own interview (their Telegram id)."""
    return f"worker:{int(user_id)}"


def applicant_subject(applicant_id: int) -> str:
    """The subject key of an applicant a coordinator registered."""
    return f"applicant:{int(applicant_id)}"


@dataclass(frozen=True)
class Assessment:
    """One stored evaluation of a subject."""

    subject: str
    rules_version: str
    as_of: date
    claims: dict[str, Any]          # rule id -> amount object or None
    source: str = "shown"
    id: int | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _row(row: Any) -> Assessment:
    return Assessment(row.subject, row.rules_version, row.as_of, dict(row.claims or {}), row.source, row.id)


def latest(db: Any, subjects: Iterable[str] | None = None) -> dict[str, Assessment]:
    """The current (newest) assessment of each subject (of the given ones)."""
    newest = select(ASSESSMENTS.c.subject, func.max(ASSESSMENTS.c.id).label("id")).group_by(
        ASSESSMENTS.c.subject)
    if subjects is not None:
        newest = newest.where(ASSESSMENTS.c.subject.in_(list(subjects)))
    top = newest.subquery()
    query = select(ASSESSMENTS).join(top, ASSESSMENTS.c.id == top.c.id)
    return {row.subject: _row(row) for row in db.execute(query)}


def history(db: Any, subject: str) -> list[Assessment]:
    """Every stored assessment of a subject, oldest first."""
    query = select(ASSESSMENTS).where(ASSESSMENTS.c.subject == subject).order_by(ASSESSMENTS.c.id)
    return [_row(row) for row in db.execute(query)]


def record(db: Any, assessment: Assessment, now: datetime | None = None) -> bool:
    """Append an assessment unless the subject's current one says the same (version, day, claims).

    Idempotent, so a replayed update or a rerun adds nothing; returns whether a row was added.
    """
    current = latest(db, [assessment.subject]).get(assessment.subject)
    if current is not None and (current.rules_version, current.as_of, current.claims) == (
            assessment.rules_version, assessment.as_of, assessment.claims):
        return False
    db.execute(insert(ASSESSMENTS).values(
        subject=assessment.subject, rules_version=assessment.rules_version, as_of=assessment.as_of,
        claims=assessment.claims, source=assessment.source, created_at=now or _now()))
    return True


def from_event(subject: str, event: Mapping[str, Any]) -> Assessment | None:
    """The assessment a ``results`` event of the conversation core carries (None if it has none)."""
    version, as_of = event.get("rules_version"), event.get("as_of")
    if not version or not as_of:
        return None
    claims = event.get("amounts")
    if not isinstance(claims, Mapping):
        claims = dict.fromkeys(event.get("claimable") or ())
    return Assessment(subject, str(version), date.fromisoformat(str(as_of)), dict(claims), "shown")


def notified(db: Any, subjects: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """(subject, rule) pairs already told."""
    query = select(NOTICES.c.subject, NOTICES.c.rule)
    if subjects is not None:
        query = query.where(NOTICES.c.subject.in_(list(subjects)))
    return {(row.subject, row.rule) for row in db.execute(query)}


def mark_notified(db: Any, pairs: Iterable[tuple[str, str]], version: str,
                  now: datetime | None = None) -> int:
    """Record (subject, rule) pairs as told; pairs already there are left as they are."""
    fresh = set(pairs) - notified(db, {s for s, _ in pairs} if pairs else None)
    for subject, rule in sorted(fresh):
        db.execute(insert(NOTICES).values(subject=subject, rule=rule, rules_version=version,
                                          notified_at=now or _now()))
    return len(fresh)


def forget(db: Any, subject: str) -> None:
    """Delete a subject's assessments and notices (the person's data is erased)."""
    from sqlalchemy import delete, update

    db.execute(update(ASSESSMENTS).where(ASSESSMENTS.c.subject == subject).values(claims={}))
    db.execute(delete(ASSESSMENTS).where(ASSESSMENTS.c.subject == subject))
    db.execute(delete(NOTICES).where(NOTICES.c.subject == subject))
    db.execute(delete(CONTACTS).where(CONTACTS.c.subject == subject))


# ------------------------------------------------------------------------------ rules snapshots


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def _unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def has_snapshot(db: Any, version: str) -> bool:
    """Whether this rules version's files are kept."""
    return db.execute(select(SNAPSHOTS.c.version).where(SNAPSHOTS.c.version == version)).first() is not None


def save_snapshot(db: Any, version: str, files: Mapping[str, bytes], now: datetime | None = None) -> bool:
    """Keep the files of a rules version (``version`` must be their hash); False if already kept."""
    if has_snapshot(db, version):
        return False
    packed = {path: _pack(data) for path, data in sorted(files.items())}
    db.execute(insert(SNAPSHOTS).values(version=version, files=packed, created_at=now or _now()))
    return True


def load_snapshot(db: Any, version: str) -> tuple[str, dict[str, bytes]] | None:
    """The files of a kept version (a unique prefix of its id is enough), or None."""
    query = select(SNAPSHOTS).where(SNAPSHOTS.c.version.startswith(version, autoescape=True))
    rows = list(db.execute(query.limit(2)))
    if len(rows) != 1:
        return None
    return rows[0].version, {path: _unpack(text) for path, text in dict(rows[0].files).items()}


def versions(db: Any) -> list[tuple[str, datetime]]:
    """Kept versions with when each was first seen, oldest first."""
    query = select(SNAPSHOTS.c.version, SNAPSHOTS.c.created_at).order_by(SNAPSHOTS.c.created_at)
    return [(row.version, row.created_at) for row in db.execute(query)]


_SAVED: set[tuple[int, str]] = set()   # (engine id, version) this process already made sure of


def ensure_deployed_snapshot(engine: Engine) -> str:
    """Keep the deployed rules version's files (once per process and engine); return the version."""
    from bot.config import POLICY_ROOT
    from bot.core.version import files_hash, policy_files, rules_version

    version = rules_version()
    if (id(engine), version) in _SAVED:
        return version
    with engine.connect() as db:
        kept = has_snapshot(db, version)
    if not kept:
        files = policy_files(POLICY_ROOT)
        read = files_hash(files)  # the files as read now: kept under their own hash
        try:
            with engine.begin() as db:
                if not has_snapshot(db, read):
                    save_snapshot(db, read, files)
        except IntegrityError:   # another process starting at the same time kept it first
            pass
    _SAVED.add((id(engine), version))
    return version
