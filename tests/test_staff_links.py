"""Applicant links: a coordinator's one-time link binds the worker's own Telegram account."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from test_staff_support import ADMIN_ID, snapshot

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    PermissionDenied,
    audit_log,
    create_link,
    delete_applicant,
    export_ledger,
    forget_user,
    get_applicant,
    invite_link,
    is_invite_token,
    is_link_token,
    list_applicants,
    redeem_invite,
    redeem_link,
    summaries_text,
)
from bot.staff.models import LinkRow

AS_OF = date(2026, 11, 22)
WORKER_ACCOUNT = 8_000_000_001   # the applicant's own Telegram account
OTHER_ACCOUNT = 8_000_000_002


def refusal(call) -> str:
    """The Chinese words of the InputError ``call`` raises."""
    with pytest.raises(InputError) as refused:
        call()
    return refused.value.zh


def test_link_binds_the_worker_once_and_is_stored_hashed(ctx, world):
    wang, coordinator = world.applicants["wang"], world.ids["coordinator"]
    link = create_link(ctx, coordinator, wang)
    assert is_link_token(link.token) and is_invite_token(link.token)  # /start routes it to staff
    assert len(invite_link("bangfu_bot", link.token)) < 100 and link.name == "王大力"
    with Session(ctx.engine) as session:
        assert link.token not in session.exec(select(LinkRow)).one().model_dump_json()
    bound = redeem_link(ctx, WORKER_ACCOUNT, link.token)
    assert (bound.id, bound.telegram_id) == (wang, WORKER_ACCOUNT)
    assert get_applicant(ctx, coordinator, wang).telegram_id == WORKER_ACCOUNT
    actions = [(e.action, e.actor) for e in audit_log(ctx, ADMIN_ID)]
    assert ("applicant.bind", WORKER_ACCOUNT) in actions and ("applicant.link", coordinator) in actions


def test_second_use_is_refused_and_changes_nothing(ctx, world):
    link = create_link(ctx, world.ids["coordinator"], world.applicants["wang"])
    redeem_link(ctx, WORKER_ACCOUNT, link.token)
    before = snapshot(ctx)
    for account in (WORKER_ACCOUNT, OTHER_ACCOUNT):
        assert refusal(lambda a=account: redeem_link(ctx, a, link.token)) == text("staff.link.used")
    assert snapshot(ctx) == before


def test_expired_and_unknown_links_are_refused(ctx, world, clock):
    link = create_link(ctx, world.ids["coordinator"], world.applicants["wang"])
    forged = "lnk_" + "A" * 32
    assert refusal(lambda: redeem_link(ctx, WORKER_ACCOUNT, forged)) == text("staff.link.unknown")
    assert refusal(lambda: redeem_invite(ctx, WORKER_ACCOUNT, link.token)) == text("staff.invite.unknown")
    clock.advance(days=7)
    assert refusal(lambda: redeem_link(ctx, WORKER_ACCOUNT, link.token)) == text("staff.link.expired")
    assert get_applicant(ctx, world.ids["coordinator"], world.applicants["wang"]).telegram_id is None


def test_an_account_is_bound_to_one_applicant_only(ctx, world):
    coordinator = world.ids["coordinator"]
    redeem_link(ctx, WORKER_ACCOUNT, create_link(ctx, coordinator, world.applicants["wang"]).token)
    second = create_link(ctx, coordinator, world.applicants["li"]).token
    assert refusal(lambda: redeem_link(ctx, WORKER_ACCOUNT, second)) == text("staff.link.other")
    assert get_applicant(ctx, coordinator, world.applicants["li"]).telegram_id is None
    assert redeem_link(ctx, OTHER_ACCOUNT, second).telegram_id == OTHER_ACCOUNT  # still usable


@pytest.mark.parametrize("who", ["worker", "other_coordinator", "far_coordinator", "staff",
                                 "other_staff", "admin"])
def test_only_the_applicants_own_coordinator_makes_a_link(ctx, world, who):
    before = snapshot(ctx)
    with pytest.raises(PermissionDenied):
        create_link(ctx, world.ids[who], world.applicants["wang"])
    assert snapshot(ctx) == before


def _ledger_cells(ctx, actor: int) -> list[tuple]:
    content = export_ledger(ctx, actor, AS_OF).content
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def test_listing_and_ledger_do_not_change_when_a_worker_binds(ctx, world):
    coordinator, staff = world.ids["coordinator"], world.ids["staff"]
    listing = summaries_text(list_applicants(ctx, coordinator, AS_OF))
    ledgers = {actor: _ledger_cells(ctx, actor) for actor in (coordinator, staff)}
    redeem_link(ctx, WORKER_ACCOUNT, create_link(ctx, coordinator, world.applicants["wang"]).token)
    assert summaries_text(list_applicants(ctx, coordinator, AS_OF)) == listing
    assert {actor: _ledger_cells(ctx, actor) for actor in ledgers} == ledgers
    assert all(str(WORKER_ACCOUNT) not in repr(cells) for cells in ledgers.values())


def test_forgetting_the_worker_unbinds_and_keeps_the_record(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    redeem_link(ctx, WORKER_ACCOUNT, create_link(ctx, coordinator, wang).token)
    counts = forget_user(ctx, WORKER_ACCOUNT)
    assert (counts["bound"], counts["links"]) == (1, 1)
    assert get_applicant(ctx, coordinator, wang).telegram_id is None
    assert str(WORKER_ACCOUNT) not in repr(snapshot(ctx))


def test_deleting_the_applicant_removes_its_links(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    token = create_link(ctx, coordinator, wang).token
    delete_applicant(ctx, coordinator, wang)
    assert snapshot(ctx)["staff_applicant_links"] == []
    assert refusal(lambda: redeem_link(ctx, WORKER_ACCOUNT, token)) == text("staff.link.unknown")


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator", "staff", "admin"])
def test_an_account_with_a_role_cannot_bind_the_link(ctx, world, who):
    link = create_link(ctx, world.ids["coordinator"], world.applicants["wang"])
    before = snapshot(ctx)
    account = ADMIN_ID if who == "admin" else world.ids[who]
    role = "coordinator" if who.endswith("coordinator") else who
    assert refusal(lambda: redeem_link(ctx, account, link.token)) == text(
        "staff.link.not_for_staff", role=text(f"staff.role.{role}"))
    assert snapshot(ctx) == before
    assert redeem_link(ctx, WORKER_ACCOUNT, link.token).telegram_id == WORKER_ACCOUNT  # still usable
