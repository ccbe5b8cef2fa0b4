"""/roles through the fake Bot API: the revoked coordinator is told and his menu is a worker's again."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from fakebotapi import FakeBotApi
from fakebotapi.harness import OfflineBot

from bot.core.render import text
from bot.staff import StaffContext, role_of

ADMIN, COORDINATOR = 9101, 9102
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


async def test_a_revoked_coordinator_is_told_and_loses_the_commands(sqlite_storage):
    staff = StaffContext(engine=sqlite_storage.engine, admin_ids=frozenset({ADMIN}), clock=lambda: NOON)
    api = FakeBotApi()
    api.user(ADMIN)
    async with OfflineBot(sqlite_storage, staff=staff, api=api) as bot:
        [invite] = await bot.send(ADMIN, "/invite coordinator 马边 民主村")
        token = re.search(r"start=(inv_\S+)", invite)[1]
        await bot.send(COORDINATOR, f"/start {token}")
        assert "apply" in [c["command"] for c in api.scoped_commands[f"chat:{COORDINATOR}"]]
        [listing] = await bot.send(ADMIN, "/roles")
        assert "协管员，马边彝族自治县民主村" in listing
        await bot.tap(ADMIN, bot.last_buttons(ADMIN)[0]["callback_data"])
        assert [b["text"] for b in bot.last_buttons(ADMIN)] == [
            text("tgstaff.roles.yes"), text("tgstaff.roles.no")]
        [done] = await bot.tap(ADMIN, bot.last_buttons(ADMIN)[0]["callback_data"])
        assert done.startswith("已经撤销了")
        told = api.replies_to(COORDINATOR)[-1]
        assert told == text("tgstaff.roles.told", role=text("staff.role.coordinator"))
        assert role_of(staff, COORDINATOR).role == "worker"
        assert "apply" not in [c["command"] for c in api.scoped_commands[f"chat:{COORDINATOR}"]]
        assert await bot.send(COORDINATOR, "/apply 阿木") == [text("staff.denied")]
