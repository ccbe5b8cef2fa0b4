"""A linked applicant's /unsubscribe is stored, and job fairs must then leave him out."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fakebotapi.harness import OfflineBot

from bot.staff import StaffContext, get_applicant
from bot.staff.models import ApplicantRow

ADMIN, COORDINATOR, WORKER = 9601, 9602, 9603
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
COUNTY = "马边彝族自治县"


@pytest.fixture
async def linked(storage):
    """A coordinator of 马边 民主村 whose applicant 阿木 opened his link as WORKER."""
    staff = StaffContext(engine=storage.engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)
    async with OfflineBot(storage, staff=staff) as bot:
        [invite] = await bot.send(ADMIN, "/invite coordinator 马边 民主村")
        await bot.send(COORDINATOR, f"/start {re.search(r'start=(inv_[^ ]+)', invite)[1]}")
        await bot.send(COORDINATOR, "/apply 阿木")
        await bot.send(COORDINATOR, "/done")
        await bot.send(COORDINATOR, "/applicants")
        link = next(b["callback_data"] for b in bot.last_buttons(COORDINATOR)
                    if b["callback_data"].startswith("apl:lnk:"))
        [given] = await bot.tap(COORDINATOR, link)
        await bot.send(WORKER, f"/start {re.search(r'start=(lnk_[^ ]+)', given)[1]}")
        yield bot, staff, int(link.rsplit(":", 1)[1])


def opted_out(staff: StaffContext, applicant_id: int) -> bool:
    with staff.transaction() as session:
        row = session.get(ApplicantRow, applicant_id)
        assert row is not None
        return row.fairs_opt_out


async def test_unsubscribe_and_subscribe_set_the_linked_applicants_choice(linked):
    bot, staff, applicant_id = linked
    assert get_applicant(staff, COORDINATOR, applicant_id).telegram_id == WORKER
    assert not opted_out(staff, applicant_id)
    await bot.send(WORKER, "/unsubscribe")
    assert opted_out(staff, applicant_id)
    await bot.send(WORKER, "/subscribe")
    assert not opted_out(staff, applicant_id)


async def test_fairs_leave_out_a_linked_applicant_who_unsubscribed(linked, storage):
    from bot.adapters.telegram.broadcast import recipients

    bot, _, _ = linked
    assert WORKER in [user for user, _ in recipients(storage, [COUNTY])]
    await bot.send(WORKER, "/unsubscribe")
    assert WORKER not in [user for user, _ in recipients(storage, [COUNTY])]
