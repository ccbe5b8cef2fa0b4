"""Claims followed through: marks, rights, undo and history (cases/staff/claims.yaml), uptake in
/stats (cases/staff/uptake.yaml), reminders that stop, and erasure."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy
import yaml
from pgschema import backend_url
from sqlmodel import Session, select
from test_staff_support import (
    ADMIN_ID,
    BACKENDS,
    Clock,
    FakeEvaluator,
    FakeResult,
    build_world,
    make_context,
    snapshot,
)

from bot.core.errors import InputError
from bot.core.render import render
from bot.staff import (
    PermissionDenied,
    Subject,
    claim_history,
    claims_of,
    clear_claim,
    create_link,
    delete_applicant,
    forget_user,
    mark_claim,
    redeem_link,
    save_interview,
    undo_claim,
)
from bot.staff.claims import MAX_REASON, mark_text
from bot.staff.models import ClaimHistoryRow, ClaimRow, table_of
from bot.staff.roles import grant_of
from bot.staff.stats import CountyUptake, county_uptake, tally
from bot.storage import Reminder, open_storage
from bot.storage.tables import ConversationRow

CASES = Path(__file__).parent / "cases/staff"
CLAIMS = yaml.safe_load((CASES / "claims.yaml").read_text("utf-8"))
UPTAKE = yaml.safe_load((CASES / "uptake.yaml").read_text("utf-8"))
AS_OF: date = CLAIMS["as_of"]
RULE = "shaoxing.stable_employment"


def subject_of(world, name: str) -> Subject:
    """``worker`` (the worker himself) or an applicant's key in the shared world."""
    if name == "worker":
        return Subject.worker(world.ids["worker"])
    return Subject.applicant(world.applicants[name])


def mark(ctx, world, step: dict):
    """Make one step's mark."""
    return mark_claim(ctx, world.ids[step["by"]], subject_of(world, step["for"]), step["rule"],
                      step["status"], on=step.get("date"), amount=step.get("amount"),
                      reason=step.get("reason"), as_of=AS_OF)


def test_marks_refusals_and_what_each_reader_sees(ctx, world) -> None:
    for step in CLAIMS["steps"]:
        if "refused" in step:
            before = snapshot(ctx)
            with pytest.raises(InputError) as refused:
                mark(ctx, world, step)
            assert refused.value.zh == step["refused"], step
            assert snapshot(ctx) == before, step
        else:
            assert mark_text(mark(ctx, world, step)) == step["shows"], step
    for read in CLAIMS["reads"]:
        who, subject = world.ids[read["by"]], subject_of(world, read["for"])
        if read.get("refused"):
            with pytest.raises(PermissionDenied):
                claims_of(ctx, who, subject)
            continue
        assert {rule: mark_text(m) for rule, m in claims_of(ctx, who, subject).items()} == read["sees"]


def test_later_mark_replaces_earlier_and_history_keeps_both(ctx, world, clock) -> None:
    coordinator, wang = world.ids["coordinator"], Subject.applicant(world.applicants["wang"])
    mark_claim(ctx, coordinator, wang, RULE, "applied", on=date(2026, 11, 1), as_of=AS_OF)
    clock.advance(days=1)
    mark_claim(ctx, coordinator, wang, RULE, "received", amount="2800", as_of=AS_OF)
    [current] = claims_of(ctx, coordinator, wang).values()
    assert (current.status, str(current.amount), current.marked_by) == ("received", "2800.00", coordinator)
    history = claim_history(ctx, world.ids["staff"], wang, RULE)
    assert [(e.action, e.status, e.on) for e in history] == [
        ("mark", "applied", date(2026, 11, 1)), ("mark", "received", AS_OF)]
    with Session(ctx.engine) as session:  # one current row per person and subsidy
        assert len(session.exec(select(ClaimRow)).all()) == 1


def test_undo_walks_back_and_clear_can_be_undone(ctx, world) -> None:
    worker = world.ids["worker"]
    me = Subject.worker(worker)
    assert undo_claim(ctx, worker, me, RULE) is None and claim_history(ctx, worker, me) == []
    mark_claim(ctx, worker, me, RULE, "applied", on=date(2026, 10, 9), as_of=AS_OF)
    mark_claim(ctx, worker, me, RULE, "rejected", reason="材料不全", as_of=AS_OF)
    back = undo_claim(ctx, worker, me, RULE)
    assert back is not None and (back.status, back.on) == ("applied", date(2026, 10, 9))
    assert undo_claim(ctx, worker, me, RULE) is None and claims_of(ctx, worker, me) == {}
    assert undo_claim(ctx, worker, me, RULE) is None  # nothing left to undo: nothing written
    assert len(claim_history(ctx, worker, me)) == 4
    mark_claim(ctx, worker, me, RULE, "declined", as_of=AS_OF)
    assert clear_claim(ctx, worker, me, RULE) is True and claims_of(ctx, worker, me) == {}
    assert clear_claim(ctx, worker, me, RULE) is False
    restored = undo_claim(ctx, worker, me, RULE)
    assert restored is not None and restored.status == "declined"
    assert [e.action for e in claim_history(ctx, worker, me)] == [
        "mark", "mark", "undo", "undo", "mark", "clear", "undo"]


def test_a_subject_is_a_worker_or_an_applicant() -> None:
    with pytest.raises(ValueError):
        Subject(user_id=1, applicant_id=2)
    with pytest.raises(ValueError):
        Subject()


def test_long_reason_is_cut(ctx, world) -> None:
    worker = world.ids["worker"]
    done = mark_claim(ctx, worker, Subject.worker(worker), RULE, "rejected", reason="不" * 1000,
                      as_of=AS_OF)
    assert len(done.reason) == MAX_REASON and done.reason.endswith("…")


def test_deleting_an_applicant_or_forgetting_a_worker_erases_their_claims(ctx, world) -> None:
    coordinator, worker = world.ids["coordinator"], world.ids["worker"]
    wang, li = world.applicants["wang"], world.applicants["li"]
    for applicant in (wang, li):
        mark_claim(ctx, coordinator, Subject.applicant(applicant), RULE, "applied", as_of=AS_OF)
    mark_claim(ctx, worker, Subject.worker(worker), RULE, "received", amount=3000, as_of=AS_OF)
    delete_applicant(ctx, coordinator, wang)
    forget_user(ctx, worker)
    forget_user(ctx, coordinator)
    with Session(ctx.engine) as session:
        for model in (ClaimRow, ClaimHistoryRow):
            rows = session.exec(select(model)).all()
            assert [(r.applicant_id, r.user_id, r.marked_by) for r in rows] == [(li, None, None)]


# --- uptake in /stats -------------------------------------------------------------------------

@pytest.fixture
def uptake_world(ctx, evaluator):
    """The uptake case loaded: interviews (applicants' and workers' own), results, marks."""
    table = table_of(ConversationRow)
    table.create(ctx.engine, checkfirst=True)
    with ctx.engine.begin() as connection:
        connection.execute(sqlalchemy.delete(table))
    world = build_world(ctx)
    with Session(ctx.engine) as session:
        for person in UPTAKE["people"]:
            who = person["who"]
            if who.startswith("worker:"):
                uid = int(who.split(":")[1])
                session.add(ConversationRow(key=f"tg:{uid}", state={"facts": person["facts"]},
                                            updated_at=ctx.now()))
        session.commit()
    for person in UPTAKE["people"]:
        who, facts = person["who"], dict(person["facts"])
        if who.startswith("worker:"):
            uid = int(who.split(":")[1])
            subject, actor, known = Subject.worker(uid), uid, facts
        else:
            applicant = world.applicants[who]
            owner = {"wang": "coordinator", "li": "coordinator", "zhao": "other_coordinator",
                     "zhang": "far_coordinator"}[who]
            actor, subject = world.ids[owner], Subject.applicant(applicant)
            saved = save_interview(ctx, actor, applicant, {"facts": facts})
            known = {**facts, "origin_county": saved.county}
        evaluator.add(known, [FakeResult(eligible=r.get("claimable"), **r)
                              for r in person["evaluator_says"]])
        for m in person.get("marks", []):
            mark_claim(ctx, actor, subject, m["rule"], m["status"], amount=m.get("amount"),
                       as_of=UPTAKE["as_of"])
    return world


def _grant(ctx, user_id: int):
    with Session(ctx.engine) as session:
        return grant_of(session, ctx, user_id)


def _section(body: str, heading: str) -> list[str]:
    """The lines under a /stats heading, up to the next blank line."""
    lines = body.split(heading, 1)[1].strip("\n").splitlines()
    return lines[:lines.index("")] if "" in lines else lines


def test_stats_count_eligible_applied_received(ctx, uptake_world) -> None:
    counts = tally(ctx, _grant(ctx, ADMIN_ID), UPTAKE["as_of"])
    counties, policies = counts.uptake_lists()
    body = render("fair_stats", as_of=UPTAKE["as_of"], people=sum(counts.people.values()),
                  counties=[], policies=[], reach=dict.fromkeys(
                      ("fairs", "sent", "failed", "blocked", "uncertain", "left"), 0),
                  uptake_counties=counties, uptake_policies=policies)
    assert _section(body, "申领进度按老家县：") == UPTAKE["counties"]
    assert _section(body, "申领进度按补贴：")[:len(UPTAKE["policies"])] == UPTAKE["policies"]
    assert not re.search(r"(?<![\d.])0元", body)  # never a 0元 total for 文件未定金额


@pytest.mark.parametrize("reader", sorted(UPTAKE["uptake"]))
def test_county_uptake_per_reader(ctx, uptake_world, reader) -> None:
    rows = county_uptake(ctx, _grant(ctx, uptake_world.ids[reader]), UPTAKE["as_of"])
    assert rows == [CountyUptake(*row) for row in UPTAKE["uptake"][reader]]


# --- reminders stop once a subsidy is marked ---------------------------------------------------

@pytest.fixture(params=BACKENDS)
def storage_ctx(request, tmp_path):
    """The full storage (migrated) and a staff context on the same database, with the world."""
    with backend_url(request.param, "claims", tmp_path / "bot.sqlite3") as url:
        storage = open_storage(url)
        ctx = make_context(storage.engine, Clock(), FakeEvaluator())
        try:
            yield storage, ctx, build_world(ctx)
        finally:
            storage.close()


def test_due_reminders_skip_subsidies_marked_applied_received_or_declined(storage_ctx) -> None:
    storage, ctx, world = storage_ctx
    worker, coordinator, linked = world.ids["worker"], world.ids["coordinator"], 555_000_001
    wang = world.applicants["wang"]
    redeem_link(ctx, linked, create_link(ctx, coordinator, wang).token)
    due = date(2026, 11, 1)
    plans = [(worker, "shaoxing.rent"), (worker, RULE), (coordinator, f"shaoxing.rent@applicant:{wang}"),
             (coordinator, f"{RULE}@applicant:{wang}"), (linked, "shaoxing.skill_upgrade")]
    for user, rule in plans:
        storage.add_reminder(Reminder(user, user, rule, "deadline_30", due, "提醒"))

    def waiting() -> set[tuple[int, str]]:
        return {(r.user_id, r.rule) for r in storage.due_reminders(AS_OF)}

    assert waiting() == set(plans)
    me, applicant = Subject.worker(worker), Subject.applicant(wang)
    mark_claim(ctx, worker, me, "shaoxing.rent", "applied", as_of=AS_OF)
    mark_claim(ctx, worker, me, RULE, "rejected", as_of=AS_OF)           # 被拒: still reminded
    mark_claim(ctx, coordinator, applicant, "shaoxing.rent", "declined", as_of=AS_OF)
    mark_claim(ctx, coordinator, applicant, "shaoxing.skill_upgrade", "received", as_of=AS_OF)
    assert waiting() == {(worker, RULE), (coordinator, f"{RULE}@applicant:{wang}")}
    undo_claim(ctx, worker, me, "shaoxing.rent")                          # undone: reminded again
    assert (worker, "shaoxing.rent") in waiting()
    stranger = 7_000_000_999
    mark_claim(ctx, stranger, Subject.worker(stranger), "shaoxing.rent", "applied", as_of=AS_OF)
    assert (worker, "shaoxing.rent") in waiting()  # another person's mark silences nothing
