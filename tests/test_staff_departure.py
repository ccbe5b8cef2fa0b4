"""A leaving coordinator's applicants: handed to the same village's coordinator only, or kept."""
from __future__ import annotations

import pytest
from test_staff_support import ADMIN_ID, snapshot

from bot.core.errors import InputError
from bot.staff import audit_log, create_invite, get_applicant, redeem_invite
from bot.staff.departure import DEPARTED, KEEP, departure_of, settle_applicants

NEIGHBOUR = 8_100_000_001  # a second coordinator of 甲村


def test_only_coordinators_with_applicants_have_something_to_decide(ctx, world):
    assert departure_of(ctx, world.ids["coordinator"]).applicants == 2
    assert departure_of(ctx, world.ids["staff"]).applicants == 0
    assert departure_of(ctx, world.ids["coordinator"]).successors == ()


@pytest.mark.parametrize("who", ["other_coordinator", "far_coordinator", "staff", "coordinator"])
def test_a_successor_outside_the_village_is_refused_and_nothing_moves(ctx, world, who):
    before = snapshot(ctx)
    with pytest.raises(InputError):
        settle_applicants(ctx, world.ids["coordinator"], world.ids[who])
    assert snapshot(ctx) == before


def test_hand_over_to_the_villages_other_coordinator_is_audited(ctx, world):
    redeem_invite(ctx, NEIGHBOUR, create_invite(ctx, ADMIN_ID, "coordinator", county="科左后旗",
                                                village="甲村").token)
    leaving = world.ids["coordinator"]
    assert departure_of(ctx, leaving).successors == (NEIGHBOUR,)
    assert settle_applicants(ctx, leaving, NEIGHBOUR) == 2
    assert get_applicant(ctx, NEIGHBOUR, world.applicants["wang"]).coordinator_id == NEIGHBOUR
    [line] = [e for e in audit_log(ctx, ADMIN_ID) if e.action == "applicant.hand_over"]
    assert (line.actor, line.target) == (DEPARTED, f"user:{NEIGHBOUR}")
    assert sorted(line.detail["applicants"]) == sorted([world.applicants["wang"], world.applicants["li"]])


def test_kept_applicants_have_no_coordinator_and_staff_still_read_them(ctx, world):
    assert settle_applicants(ctx, world.ids["coordinator"], KEEP) == 2
    person = get_applicant(ctx, world.ids["staff"], world.applicants["wang"])
    assert person.coordinator_id is None
    [line] = [e for e in audit_log(ctx, ADMIN_ID) if e.action == "applicant.keep_for_staff"]
    assert (line.actor, len(line.detail["applicants"])) == (DEPARTED, 2)


@pytest.mark.parametrize("who", ["coordinator", "staff", "other_coordinator"])
def test_only_an_admin_revokes_a_coordinator_and_a_refusal_changes_nothing(ctx, world, who):
    from bot.staff import PermissionDenied
    from bot.staff.departure import revoke_coordinator

    before = snapshot(ctx)
    with pytest.raises(PermissionDenied):
        revoke_coordinator(ctx, world.ids[who], world.ids["coordinator"], KEEP)
    assert snapshot(ctx) == before


def test_a_revocation_with_a_successor_outside_the_village_keeps_the_role(ctx, world):
    from bot.staff.departure import revoke_coordinator

    before = snapshot(ctx)
    with pytest.raises(InputError):
        revoke_coordinator(ctx, ADMIN_ID, world.ids["coordinator"], world.ids["other_coordinator"])
    assert snapshot(ctx) == before


def test_an_admin_revokes_a_coordinator_and_hands_his_applicants_over(ctx, world):
    from bot.staff import role_of
    from bot.staff.departure import revoke_coordinator

    redeem_invite(ctx, NEIGHBOUR, create_invite(ctx, ADMIN_ID, "coordinator", county="科左后旗",
                                                village="甲村").token)
    leaving = world.ids["coordinator"]
    assert revoke_coordinator(ctx, ADMIN_ID, leaving, NEIGHBOUR) == 2
    assert role_of(ctx, leaving).role == "worker"
    assert get_applicant(ctx, NEIGHBOUR, world.applicants["li"]).coordinator_id == NEIGHBOUR
    lines = {e.action: e for e in audit_log(ctx, ADMIN_ID)}
    assert (lines["applicant.hand_over"].actor, lines["role.revoke"].actor) == (ADMIN_ID, ADMIN_ID)
    assert lines["role.revoke"].target == f"user:{leaving}"
