"""/delete erases the user everywhere: storage, staff tables, the staff chat mode, the outbox."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fakebotapi.harness import OfflineBot
from sqlalchemy import Engine, MetaData

from bot.broadcast import open_outbox
from bot.core.render import text
from bot.staff import (
    StaffContext,
    Subject,
    audit_log,
    claims_of,
    create_invite,
    list_applicants,
    mark_claim,
    redeem_invite,
)

ADMIN = 7001
WORKER, COORDINATOR = 987_654_321, 987_654_322  # distinctive: found in any column or key
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def rows_naming(engine: Engine, user_id: int) -> list[tuple[str, tuple]]:
    """Every row of every table with the id in any column (as a number or inside text)."""
    meta = MetaData()
    meta.reflect(engine)
    found = []
    with engine.connect() as connection:
        for name, table in meta.tables.items():
            for row in connection.execute(table.select()):
                if any(value == user_id or str(user_id) in str(value) for value in row):
                    found.append((name, tuple(row)))
    return found


@pytest.fixture
def outbox(storage):
    box = open_outbox(str(storage.engine.url))
    yield box
    box.close()


@pytest.fixture
async def bot(storage, outbox):
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)
    async with OfflineBot(storage, staff=staff, forget_hooks=[outbox.forget_user]) as offline:
        yield offline


def fair_for(outbox, user_id: int) -> None:
    """A job fair queued for the user (an outbox row with their id)."""
    fair = outbox.create_fair(title="马边专场招聘会", starts_at=NOON, place_or_link="马边县人力资源市场",
                              organiser="马边县人社局", target_counties=["马边彝族自治县"], details="",
                              created_by=ADMIN)
    outbox.enqueue(fair.id, [(user_id, user_id)])


async def delete_me(bot: OfflineBot, user_id: int) -> None:
    await bot.send(user_id, "/delete")
    assert await bot.tap(user_id, "acct:delete:yes") == [text("telegram.delete.done")]


async def test_worker_delete_leaves_no_row_with_their_id(bot, storage, outbox):
    await bot.send(WORKER, "/start")
    await bot.tap(WORKER, "go")
    await bot.send(WORKER, "马边")
    await bot.send(WORKER, "/subscribe")
    fair_for(outbox, WORKER)
    ctx = bot.application.bot_data["staff"]
    mark_claim(ctx, WORKER, Subject.worker(WORKER), "shaoxing.rent", "received", amount=1500,
               reason="房东给的收据", as_of=NOON.date())
    assert {name for name, _ in rows_naming(storage.engine, WORKER)} >= {
        "users", "conversations", "subscriptions", "broadcast_outbox", "staff_claims",
        "staff_claim_history"}
    await delete_me(bot, WORKER)
    assert rows_naming(storage.engine, WORKER) == []


async def test_coordinator_delete_erases_role_audit_and_chat_mode(bot, storage):
    ctx = bot.application.bot_data["staff"]
    redeem_invite(ctx, COORDINATOR, create_invite(ctx, ADMIN, "coordinator", county="马边",
                                                   village="民主村").token)
    await bot.send(COORDINATOR, "/apply 阿木")  # leaves the chat in "on behalf" mode
    [amu] = list_applicants(ctx, COORDINATOR, NOON.date())
    mark_claim(ctx, COORDINATOR, Subject.applicant(amu.applicant.id), "shaoxing.rent", "applied",
               as_of=NOON.date())
    assert {name for name, _ in rows_naming(storage.engine, COORDINATOR)} >= {
        "staff_roles", "staff_invites", "staff_audit", "staff_applicants", "conversations",
        "staff_claims", "staff_claim_history"}
    await bot.send(COORDINATOR, "/delete")
    # a coordinator with applicants must choose first: the plain "yes" only asks again
    assert await bot.tap(COORDINATOR, "acct:delete:yes") == [
        text("tgstaff.depart.ask", count=1, others=False)]
    assert await bot.tap(COORDINATOR, "acct:delete:keep") == [
        text("tgstaff.depart.done", count=1, kept=True)]
    assert rows_naming(storage.engine, COORDINATOR) == []
    [listing] = await bot.send(ADMIN, "/applicants")  # the applicant stays for the county's staff
    applicant_id = int(re.match(r"(\d+)\. 阿木", listing)[1])
    [choice] = [e for e in audit_log(ctx, ADMIN) if e.action == "applicant.keep_for_staff"]
    assert (choice.actor, choice.detail["applicants"]) == (0, [applicant_id])
    [kept] = claims_of(ctx, ADMIN, Subject.applicant(applicant_id)).values()  # the mark stays
    assert (kept.status, kept.marked_by) == ("applied", None)
