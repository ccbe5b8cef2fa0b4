"""Every privileged call refuses the wrong people and then changes nothing (cases as data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from test_staff_support import (
    BACKENDS,
    Clock,
    FakeEvaluator,
    World,
    build_world,
    make_context,
    snapshot,
    staff_engine,
)

from bot import staff
from bot.staff import PermissionDenied, StaffContext

CASES = yaml.safe_load((Path(__file__).parent / "cases/staff/access.yaml").read_text("utf-8"))
AS_OF = date(2026, 11, 22)
RULE = "shaoxing.stable_employment"

Call = Callable[[StaffContext, int, World], object]
CALLS: dict[str, Call] = {
    "create coordinator invite": lambda c, who, w: staff.create_invite(
        c, who, "coordinator", county="科左后旗", village="甲村"),
    "create staff invite": lambda c, who, w: staff.create_invite(
        c, who, "staff", cities=("通辽市",)),
    "list pending invites": lambda c, who, w: staff.pending_invites(c, who),
    "cancel an invite": lambda c, who, w: staff.cancel_invite(c, who, w.pending),
    "revoke a coordinator's role": lambda c, who, w: staff.revoke_role(
        c, who, w.ids["coordinator"]),
    "list roles": lambda c, who, w: staff.list_roles(c, who),
    "read the audit log": lambda c, who, w: staff.audit_log(c, who),
    "register an applicant": lambda c, who, w: staff.register_applicant(c, who, "新人"),
    "register an applicant in another coordinator's village": lambda c, who, w:
        staff.register_applicant(c, who, "新人", county="科左后旗", village="甲村"),
    "read the applicant": lambda c, who, w: staff.get_applicant(c, who, w.applicants["wang"]),
    "save the applicant's interview": lambda c, who, w: staff.save_interview(
        c, who, w.applicants["wang"], {"facts": {"social_insurance_months": 9}}),
    "run the applicant's interview": lambda c, who, w: staff.interview_step(
        c, who, w.applicants["wang"], as_of=AS_OF, text_in="科左后旗"),
    "correct the applicant's phone": lambda c, who, w: staff.update_contact(
        c, who, w.applicants["wang"], phone="13900000000"),
    "delete the applicant": lambda c, who, w: staff.delete_applicant(c, who, w.applicants["wang"]),
    "record a 131 service": lambda c, who, w: staff.record_service(
        c, who, w.applicants["wang"], "job_offer", AS_OF, "假的"),
    "list the applicant's services": lambda c, who, w: staff.list_services(
        c, who, w.applicants["wang"]),
    "delete a 131 service": lambda c, who, w: staff.delete_service(
        c, who, w.applicants["wang"], w.services["wang_guidance"]),
    "hand the applicant to another coordinator": lambda c, who, w: staff.assign_applicant(
        c, who, w.applicants["wang"], w.ids["other_coordinator"]),
    "list applicants": lambda c, who, w: staff.list_applicants(c, who, AS_OF),
    "summarise the applicant": lambda c, who, w: staff.applicant_summary(
        c, who, w.applicants["wang"], AS_OF),
    "export the ledger": lambda c, who, w: staff.export_ledger(c, who, AS_OF),
    "mark the applicant's claim": lambda c, who, w: staff.mark_claim(
        c, who, staff.Subject.applicant(w.applicants["wang"]), RULE, "applied", as_of=AS_OF),
    "undo the applicant's claim": lambda c, who, w: staff.undo_claim(
        c, who, staff.Subject.applicant(w.applicants["wang"]), RULE),
    "clear the applicant's claim": lambda c, who, w: staff.clear_claim(
        c, who, staff.Subject.applicant(w.applicants["wang"]), RULE),
    "read the applicant's claims": lambda c, who, w: staff.claims_of(
        c, who, staff.Subject.applicant(w.applicants["wang"])),
    "mark a worker's own claim": lambda c, who, w: staff.mark_claim(
        c, who, staff.Subject.worker(w.ids["worker"]), RULE, "received", amount=3000, as_of=AS_OF),
    "read a worker's claims": lambda c, who, w: staff.claim_history(
        c, who, staff.Subject.worker(w.ids["worker"])),
}

@pytest.fixture(scope="module", params=BACKENDS)
def populated(request):
    """One populated database per backend: refused calls change nothing, so it can be shared."""
    with staff_engine(request, request.param) as engine:
        ctx = make_context(engine, Clock(), FakeEvaluator())
        yield ctx, build_world(ctx)


REFUSALS = [(case["call"], who) for case in CASES for who in case["refused"]]


def test_every_case_names_a_known_call_and_every_call_has_a_case():
    assert {case["call"] for case in CASES} == set(CALLS)


@pytest.mark.parametrize(("call", "who"), REFUSALS, ids=[f"{c}-{w}" for c, w in REFUSALS])
def test_refused_call_changes_nothing(populated, call, who):
    ctx, world = populated
    before = snapshot(ctx)
    with pytest.raises(PermissionDenied) as refused:
        CALLS[call](ctx, world.ids[who], world)
    assert "没有权限" in refused.value.zh
    assert snapshot(ctx) == before


ALLOWED = [
    ("read the applicant", "coordinator"), ("read the applicant", "staff"),
    ("read the applicant", "admin"), ("list the applicant's services", "staff"),
    ("summarise the applicant", "admin"), ("record a 131 service", "coordinator"),
    ("create staff invite", "admin"), ("read the audit log", "admin"),
    ("list pending invites", "admin"),
]


@pytest.mark.parametrize(("call", "who"), ALLOWED, ids=[f"{c}-{w}" for c, w in ALLOWED])
def test_the_right_people_get_through(populated, call, who):
    ctx, world = populated
    result = CALLS[call](ctx, world.ids[who], world)
    assert result, f"{who} got an empty answer from {call}"
