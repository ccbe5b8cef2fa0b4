"""Invites: one-time, expiring, unguessable; redeeming binds the role and its places."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy
import yaml
from sqlmodel import Session, select
from test_staff_support import ADMIN_ID, BACKENDS, Clock, FakeEvaluator, empty_tables, make_context

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    COORDINATOR,
    STAFF,
    WORKER,
    audit_log,
    cancel_invite,
    create_invite,
    forget_user,
    invite_link,
    invite_ref,
    is_invite_token,
    list_roles,
    pending_invites,
    redeem_invite,
    revoke_role,
    role_label,
    role_of,
    welcome_text,
)
from bot.staff.context import StaffContext
from bot.staff.models import InviteRow
from bot.storage.migrate import upgrade

USER = 7_000_000_555


def test_token_fits_a_deep_link_and_is_not_stored_in_clear(ctx):
    invite = create_invite(ctx, ADMIN_ID, COORDINATOR, county="科左后旗", village="甲村")
    assert len(invite.token) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", invite.token)
    assert is_invite_token(invite.token)
    assert invite_link("@bangfu_bot", invite.token) == f"https://t.me/bangfu_bot?start={invite.token}"
    with Session(ctx.engine) as session:
        stored = session.exec(select(InviteRow)).one()
    assert invite.token not in stored.model_dump_json()


def test_tokens_differ_every_time(ctx):
    tokens = {create_invite(ctx, ADMIN_ID, STAFF, cities=("通辽市",)).token for _ in range(20)}
    assert len(tokens) == 20


def test_coordinator_invite_binds_county_full_name_and_village(ctx):
    invite = create_invite(ctx, ADMIN_ID, COORDINATOR, county="科左后旗", village=" 甲村 ")
    grant = redeem_invite(ctx, USER, invite.token)
    assert (grant.role, grant.county, grant.village) == (COORDINATOR, "科尔沁左翼后旗", "甲村")
    assert role_of(ctx, USER) == grant
    assert welcome_text(grant) == text("staff.invite.done", role=COORDINATOR,
                                       county="科尔沁左翼后旗", village="甲村", places="")


def test_staff_invite_binds_counties_and_cities(ctx):
    invite = create_invite(ctx, ADMIN_ID, STAFF, counties=("马边", "科左后旗"), cities=("通辽市",))
    grant = redeem_invite(ctx, USER, invite.token)
    assert (grant.role, grant.counties, grant.cities) == (
        STAFF, ("马边彝族自治县", "科尔沁左翼后旗"), ("通辽市",))


def test_token_works_once(ctx):
    token = create_invite(ctx, ADMIN_ID, STAFF, cities=("通辽市",)).token
    redeem_invite(ctx, USER, token)
    with pytest.raises(InputError) as refused:
        redeem_invite(ctx, USER + 1, token)
    assert refused.value.zh == text("staff.invite.used")
    assert role_of(ctx, USER + 1).role == WORKER


def test_token_expires(ctx, clock):
    from datetime import timedelta

    token = create_invite(ctx, ADMIN_ID, STAFF, cities=("通辽市",), valid_for=timedelta(days=2)).token
    clock.advance(days=2)
    with pytest.raises(InputError) as refused:
        redeem_invite(ctx, USER, token)
    assert refused.value.zh == text("staff.invite.expired")
    assert role_of(ctx, USER).role == WORKER


def test_token_just_before_expiry_still_works(ctx, clock):
    token = create_invite(ctx, ADMIN_ID, STAFF, cities=("通辽市",)).token
    clock.advance(days=6, hours=23, minutes=59)
    assert redeem_invite(ctx, USER, token).role == STAFF


@pytest.mark.parametrize("token", ["inv_" + "A" * 32, "hello", "", "inv_" + "x" * 60])
def test_unknown_tokens_are_refused(ctx, token):
    with pytest.raises(InputError) as refused:
        redeem_invite(ctx, USER, token)
    assert refused.value.zh == text("staff.invite.unknown")


@pytest.mark.parametrize(("spec", "key"), [
    ({"role": "admin", "cities": ("通辽市",)}, "staff.invite.bad_role"),
    ({"role": "worker"}, "staff.invite.bad_role"),
    ({"role": COORDINATOR, "county": "科左后旗"}, "staff.invite.need_village"),
    ({"role": COORDINATOR, "village": "甲村"}, "staff.invite.need_village"),
    ({"role": STAFF}, "staff.invite.need_scope"),
    ({"role": STAFF, "cities": (" ",)}, "staff.invite.need_scope"),
])
def test_bad_invites_are_refused_and_nothing_is_stored(ctx, spec, key):
    with pytest.raises(InputError) as refused:
        create_invite(ctx, ADMIN_ID, **spec)
    assert refused.value.zh == text(key)
    with Session(ctx.engine) as session:
        assert session.exec(select(InviteRow)).all() == []


def test_new_invite_replaces_the_old_role(ctx):
    redeem_invite(ctx, USER, create_invite(ctx, ADMIN_ID, COORDINATOR, county="马边", village="丙村").token)
    redeem_invite(ctx, USER, create_invite(ctx, ADMIN_ID, STAFF, cities=("乐山市",)).token)
    assert [(g.user_id, g.role, g.cities) for g in list_roles(ctx, ADMIN_ID)] == [
        (USER, STAFF, ("乐山市",))]


def test_revoke_and_audit(ctx):
    redeem_invite(ctx, USER, create_invite(ctx, ADMIN_ID, STAFF, cities=("乐山市",)).token)
    assert revoke_role(ctx, ADMIN_ID, USER) is True
    assert revoke_role(ctx, ADMIN_ID, USER) is False
    assert role_of(ctx, USER).role == WORKER
    actions = [(e.actor, e.action) for e in audit_log(ctx, ADMIN_ID)]
    assert actions == [(ADMIN_ID, "role.revoke"), (USER, "invite.redeem"), (ADMIN_ID, "invite.create")]


def test_admins_come_from_settings(ctx):
    assert role_of(ctx, ADMIN_ID).role == "admin"
    assert role_of(ctx, USER).role == WORKER


def test_forget_user_removes_role_invite_and_audit_lines(ctx):
    redeem_invite(ctx, USER, create_invite(ctx, ADMIN_ID, STAFF, cities=("乐山市",)).token)
    counts = forget_user(ctx, USER)
    assert counts == {"roles": 1, "invites": 1, "audit": 1, "applicants": 0, "services": 0,
                      "links": 0, "bound": 0, "granted": 0, "claims_blanked": 0, "claims": 0,
                      "claim_history_blanked": 0, "claim_history": 0, "claims_marked": 0,
                      "claim_history_marked": 0}
    assert role_of(ctx, USER).role == WORKER
    assert all(USER not in (e.actor, e.target) for e in audit_log(ctx, ADMIN_ID))


@pytest.mark.parametrize("backend", BACKENDS)
def test_racing_redemptions_bind_exactly_one_user(request, tmp_path, backend):
    """Eight users press the same link at once: one gets the role, the others a refusal."""
    from concurrent.futures import ThreadPoolExecutor

    if backend == "postgresql":
        shared = request.getfixturevalue("postgres_engine")
        empty_tables(shared)
    else:
        shared = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
        upgrade(shared)
    race = make_context(shared, Clock(), FakeEvaluator())
    token = create_invite(race, ADMIN_ID, STAFF, cities=("通辽市",)).token

    def attempt(user: int) -> str:
        try:
            return redeem_invite(race, user, token).role
        except InputError as refused:
            return refused.zh

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(USER, USER + 8)))
    assert sorted(outcomes) == sorted([STAFF] + [text("staff.invite.used")] * 7)
    assert len(list_roles(race, ADMIN_ID)) == 1


def test_pending_invites_and_cancelling_a_leaked_link(ctx, clock):
    from datetime import timedelta

    leaked = create_invite(ctx, ADMIN_ID, STAFF, cities=("通辽市",), valid_for=timedelta(days=3))
    kept = create_invite(ctx, ADMIN_ID, COORDINATOR, county="马边", valid_for=timedelta(days=1),
                         village="丙村")
    used = create_invite(ctx, ADMIN_ID, STAFF, cities=("乐山市",))
    redeem_invite(ctx, USER, used.token)
    assert [(p.ref, p.role) for p in pending_invites(ctx, ADMIN_ID)] == [
        (invite_ref(kept.token), COORDINATOR), (invite_ref(leaked.token), STAFF)]
    cancel_invite(ctx, ADMIN_ID, invite_ref(leaked.token))
    with pytest.raises(InputError) as refused:
        redeem_invite(ctx, USER + 1, leaked.token)
    assert refused.value.zh == text("staff.invite.unknown")
    with pytest.raises(InputError):
        cancel_invite(ctx, ADMIN_ID, invite_ref(used.token))    # used invites stay on record
    clock.advance(days=1)
    assert pending_invites(ctx, ADMIN_ID) == []
    assert audit_log(ctx, ADMIN_ID)[0].action == "invite.cancel"


def test_role_labels_are_plain_words(ctx):
    redeem_invite(ctx, USER, create_invite(ctx, ADMIN_ID, STAFF, cities=("乐山市",)).token)
    assert role_label(role_of(ctx, USER)) == text("staff.role.staff")
    assert role_label(role_of(ctx, ADMIN_ID)) == text("staff.role.admin")
    assert role_label(role_of(ctx, USER + 1)) == text("staff.role.worker")


AREA_CASES = yaml.safe_load(
    (Path(__file__).parent / "cases" / "staff" / "invite_areas.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", AREA_CASES, ids=lambda case: case["typed"])
def test_staff_invite_places_resolve_through_the_gazetteer(case, engine, clock, evaluator) -> None:
    """Real gazetteer (not the test one): known places are taken, unknown or ambiguous refused."""
    real = StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=clock,
                        evaluate=evaluator)
    if "refused" in case:
        with pytest.raises(InputError) as refused:
            create_invite(real, ADMIN_ID, STAFF, counties=(case["typed"],))
        assert all(part in refused.value.zh for part in case["refused"]), refused.value.zh
        assert pending_invites(real, ADMIN_ID) == []
        return
    invite = create_invite(real, ADMIN_ID, STAFF, counties=(case["typed"],))
    assert list(invite.counties) == case.get("counties", [])
    if "cities_include" in case:
        assert set(case["cities_include"]) <= set(invite.cities) and not invite.counties
    else:
        assert list(invite.cities) == case.get("cities", [])


def test_coordinator_invite_needs_one_exact_county(engine, clock, evaluator) -> None:
    real = StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=clock,
                        evaluate=evaluator)
    for county in ("火星市", "乐山"):
        with pytest.raises(InputError):
            create_invite(real, ADMIN_ID, COORDINATOR, county=county, village="民建村")
    assert create_invite(real, ADMIN_ID, COORDINATOR, county="马边", village="民建村").county == \
        "马边彝族自治县"
