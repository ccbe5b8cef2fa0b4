"""The "131" services (1 career guidance, 3 job offers, 1 training) delivered per applicant."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from sqlmodel import Session, col, select

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff.access import owned, readable
from bot.staff.applicants import plain
from bot.staff.audit import record
from bot.staff.context import StaffContext
from bot.staff.models import ServiceRow, stored_id

SERVICES_FILE = Path(__file__).with_name("services131.yaml")
MAX_NOTE = 500


@dataclass(frozen=True)
class Service:
    """One delivered service."""

    id: int
    kind: str
    delivered_on: date
    note: str
    repeated: bool = False  # the same button was tapped before: nothing new was recorded


@dataclass(frozen=True)
class Progress:
    """How many of one kind were delivered, against how many are owed."""

    kind: str
    done: int
    need: int

    @property
    def complete(self) -> bool:
        """Whether this kind is fully delivered."""
        return self.done >= self.need


@lru_cache(maxsize=1)
def required() -> dict[str, int]:
    """Kind -> count owed, in document order (from services131.yaml)."""
    data = yaml.safe_load(SERVICES_FILE.read_text(encoding="utf-8"))
    return {str(kind): int(count) for kind, count in data["services"].items()}


def citations() -> list[dict]:
    """The clauses the counts come from."""
    return list(yaml.safe_load(SERVICES_FILE.read_text(encoding="utf-8"))["citations"])


def progress(kinds: list[str]) -> list[Progress]:
    """Progress per kind for the delivered ``kinds`` (extra deliveries still count)."""
    return [Progress(kind, kinds.count(kind), need) for kind, need in required().items()]


def progress_text(items: list[Progress]) -> str:
    """``职业指导 1/1，岗位信息 2/3，培训 0/1``."""
    parts = [text("staff.service.progress", label=text(f"staff.service.{p.kind}"),
                  done=p.done, need=p.need) for p in items]
    return text("staff.list_separator").join(parts)


def _check(kind: str, delivered_on: date, note: str, today: date) -> None:
    """Refuse an unknown kind, a date after today, or an overlong note."""
    if kind not in required():
        raise InputError(text("staff.service.bad_kind"), f"unknown service kind {kind!r}")
    if delivered_on > today:
        raise InputError(text("staff.service.future_date"), "service date is in the future")
    if len(note) > MAX_NOTE:
        raise InputError(text("staff.service.long_note"), "note longer than 500 characters")


def new_button_token() -> str:
    """A token for one set of service buttons: each records at most one service."""
    return secrets.token_urlsafe(9)


def record_service(ctx: StaffContext, coordinator_id: int, applicant_id: int, kind: str,
                   delivered_on: date, note: str = "", token: str | None = None) -> Service:
    """Coordinator only: record one service delivered to their applicant.

    With the ``token`` of the buttons it came from, a second call with the same token records
    nothing and returns the first service (``repeated``): a re-tapped button counts once.
    """
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "service.record")
        earlier = session.exec(select(ServiceRow).where(ServiceRow.button_token == token)).first() \
            if token else None
        if earlier is not None and earlier.applicant_id == row.id:
            return Service(stored_id(earlier.id), earlier.kind, earlier.delivered_on, earlier.note,
                           repeated=True)
        note = plain(note)
        _check(kind, delivered_on, note, ctx.today())
        service = ServiceRow(applicant_id=stored_id(row.id), kind=kind, delivered_on=delivered_on,
                             note=note, recorded_by=coordinator_id, recorded_at=ctx.now(),
                             button_token=token if earlier is None else None)
        session.add(service)
        session.flush()
        record(session, ctx, coordinator_id, "service.record", f"applicant:{row.id}",
               {"kind": kind, "service": service.id})
        return Service(stored_id(service.id), kind, delivered_on, note)


def services_of(session: Session, applicant_id: int) -> list[Service]:
    """An applicant's services, oldest first (no rights check: callers do it)."""
    rows = session.exec(select(ServiceRow).where(ServiceRow.applicant_id == applicant_id)
                        .order_by(col(ServiceRow.delivered_on), col(ServiceRow.id))).all()
    return [Service(stored_id(r.id), r.kind, r.delivered_on, r.note) for r in rows]


def services_for(session: Session, applicant_ids: list[int]) -> dict[int, list[Service]]:
    """Services per applicant for many applicants in one query, oldest first."""
    found: dict[int, list[Service]] = {i: [] for i in applicant_ids}
    if applicant_ids:
        rows = session.exec(select(ServiceRow).where(col(ServiceRow.applicant_id).in_(applicant_ids))
                            .order_by(col(ServiceRow.delivered_on), col(ServiceRow.id))).all()
        for r in rows:
            found[r.applicant_id].append(Service(stored_id(r.id), r.kind, r.delivered_on, r.note))
    return found


def list_services(ctx: StaffContext, actor_id: int, applicant_id: int) -> list[Service]:
    """The services of one applicant, for whoever may read the applicant."""
    with ctx.transaction() as session:
        readable(session, ctx, actor_id, applicant_id, "service.read")
        return services_of(session, applicant_id)


def delete_service(ctx: StaffContext, coordinator_id: int, applicant_id: int,
                   service_id: int) -> None:
    """Coordinator only: remove a service recorded by mistake."""
    with ctx.transaction() as session:
        row = owned(session, ctx, coordinator_id, applicant_id, "service.delete")
        service = session.get(ServiceRow, service_id)
        if service is None or service.applicant_id != row.id:
            raise InputError(text("staff.service.unknown"), f"no service {service_id}")
        session.delete(service)
        record(session, ctx, coordinator_id, "service.delete", f"applicant:{row.id}",
               {"service": service_id})
