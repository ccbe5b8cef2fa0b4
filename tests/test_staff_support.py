"""Fixtures and fakes shared by the tests/test_staff_*.py files (no tests here).

The staff layer is tested on SQLite (temp file) and, when TEST_POSTGRES_URL is set (./dev
test sets it), on PostgreSQL in a throw-away schema; an unreachable server fails the test.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy
from pgschema import memory_engine_at_head, postgres_schema_url
from sqlmodel import Session, select

from bot.core.errors import InputError
from bot.staff import StaffContext
from bot.staff.models import STAFF_TABLES
from bot.storage.migrate import upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])
START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakePlace:
    """The three fields the staff layer reads from ``bot.core.places.Place``."""

    name: str
    city: str
    province: str


KOUHOU = FakePlace("科尔沁左翼后旗", "通辽市", "内蒙古自治区")
MABIAN = FakePlace("马边彝族自治县", "乐山市", "四川省")
YOUYI = FakePlace("友谊县", "双鸭山市", "黑龙江省")
PLACES = {"科左后旗": KOUHOU, "科尔沁左翼后旗": KOUHOU, "马边": MABIAN,
          "马边彝族自治县": MABIAN, "友谊县": YOUYI, "友谊": YOUYI}


def fake_resolve_county(text: str) -> FakePlace:
    """A tiny gazetteer with the real full names of three counties."""
    try:
        return PLACES[text.strip()]
    except KeyError:
        raise InputError("没有这个县", f"unknown county {text!r}") from None


@dataclass
class Clock:
    """An injectable clock the tests move forward."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeResult:
    """The Result fields the staff layer reads."""

    id: str
    title: str
    claimable: bool | None
    eligible: bool | None = None
    beneficiary: str = "worker"
    claim_deadline: date | None = None
    amount: dict | None = None
    missing_facts: list[str] = field(default_factory=list)
    citation: dict = field(default_factory=dict)


@dataclass
class FakeEvaluator:
    """Returns canned results for exact fact sets (the case files say which)."""

    table: list[tuple[dict, list[FakeResult]]] = field(default_factory=list)
    calls: list[tuple[dict, date]] = field(default_factory=list)

    def add(self, facts: dict, results: list[FakeResult]) -> None:
        self.table.append((facts, results))

    def __call__(self, facts: dict, as_of: date) -> list[FakeResult]:
        self.calls.append((dict(facts), as_of))
        for known, results in self.table:
            if known == facts:
                return results
        return []


def _postgres_engine(url: str):
    """An engine bound to a fresh schema, and a function that drops it."""
    scope = postgres_schema_url("staff", url)
    engine = sqlalchemy.create_engine(scope.__enter__())  # raises (test fails) when the server is down

    def drop() -> None:
        engine.dispose()
        scope.__exit__(None, None, None)

    return engine, drop


@pytest.fixture(scope="session")
def postgres_engine():
    """One PostgreSQL schema migrated to head for the whole run, dropped at the end."""
    engine, drop = _postgres_engine(os.environ["TEST_POSTGRES_URL"])
    try:
        upgrade(engine)
        yield engine
    finally:
        drop()


def empty_tables(engine) -> None:
    """Delete every staff row (children first)."""
    with engine.begin() as connection:
        for model in reversed(STAFF_TABLES):
            connection.execute(sqlalchemy.delete(model.__table__))


@contextmanager
def staff_engine(request, backend: str):
    """An empty staff database: fresh in-memory SQLite, or the emptied PostgreSQL schema.

    Test modules using it must import ``postgres_engine`` so pytest can find it.
    """
    if backend == "postgresql":
        engine = request.getfixturevalue("postgres_engine")
        empty_tables(engine)
        yield engine
        return
    engine = memory_engine_at_head()
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request):
    """Each backend in turn: SQLite, then PostgreSQL when TEST_POSTGRES_URL is set."""
    with staff_engine(request, request.param) as engine:
        yield engine


ADMIN_ID = 1


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def evaluator() -> FakeEvaluator:
    return FakeEvaluator()


def make_context(engine, clock: Clock, evaluator: FakeEvaluator) -> StaffContext:
    """A staff context with one admin, the test clock, fake evaluator and gazetteer."""
    return StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=clock,
                        evaluate=evaluator, resolve_county=fake_resolve_county)


@pytest.fixture
def ctx(engine, clock, evaluator) -> StaffContext:
    return make_context(engine, clock, evaluator)


def snapshot(ctx: StaffContext) -> dict[str, list[dict]]:
    """Every row of every staff table, for before/after comparisons."""
    with Session(ctx.engine) as session:
        return {model.__tablename__: sorted(
            (row.model_dump(mode="json") for row in session.exec(select(model))), key=repr)
            for model in STAFF_TABLES}


# Who is who in the shared test world (ids beyond 32 bits, like Telegram's).
PEOPLE = {
    "admin": ADMIN_ID,
    "coordinator": 7_000_000_101,        # 科左后旗 甲村
    "other_coordinator": 7_000_000_202,  # 科左后旗 乙村
    "far_coordinator": 7_000_000_303,    # 马边 丙村
    "staff": 7_000_000_401,              # serves 科左后旗
    "other_staff": 7_000_000_402,        # serves 乐山市
    "worker": 7_000_000_900,
}


@dataclass
class World:
    """A populated staff database: roles bound through invites, applicants, services."""

    ids: dict[str, int]
    applicants: dict[str, int]
    services: dict[str, int]
    pending: str = ""               # reference of one invite nobody redeemed


def build_world(ctx: StaffContext, applicants: bool = True) -> World:
    """Bind every role through a real invite, then (optionally) register applicants and services."""
    from bot.staff import (
        create_invite,
        invite_ref,
        record_service,
        redeem_invite,
        register_applicant,
    )

    ids = dict(PEOPLE)
    invites = {
        "coordinator": {"role": "coordinator", "county": "科左后旗", "village": "甲村"},
        "other_coordinator": {"role": "coordinator", "county": "科左后旗", "village": "乙村"},
        "far_coordinator": {"role": "coordinator", "county": "马边", "village": "丙村"},
        "staff": {"role": "staff", "counties": ("科左后旗",)},
        "other_staff": {"role": "staff", "cities": ("乐山市",)},
    }
    for who, spec in invites.items():
        redeem_invite(ctx, ids[who], create_invite(ctx, ADMIN_ID, **spec).token)
    if not applicants:
        return World(ids, {}, {})
    registered = {
        "wang": register_applicant(ctx, ids["coordinator"], "王大力", phone="13800000001").id,
        "li": register_applicant(ctx, ids["coordinator"], "李二妹").id,
        "zhao": register_applicant(ctx, ids["other_coordinator"], "赵四").id,
        "zhang": register_applicant(ctx, ids["far_coordinator"], "张三").id,
    }
    services = {"wang_guidance": record_service(
        ctx, ids["coordinator"], registered["wang"], "guidance", date(2026, 11, 1), "电话指导").id}
    spare = create_invite(ctx, ADMIN_ID, "staff", cities=("通辽市",)).token
    return World(ids, registered, services, invite_ref(spare))


@pytest.fixture
def world(ctx) -> World:
    return build_world(ctx)
