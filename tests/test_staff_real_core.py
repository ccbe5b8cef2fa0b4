"""The staff layer over the real gazetteer and evaluator (no fakes): a 马边 worker in 绍兴."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from test_staff_support import ADMIN_ID, Clock

from bot.core.render import text
from bot.staff import (
    StaffContext,
    create_invite,
    export_ledger,
    get_applicant,
    interview_step,
    list_applicants,
    redeem_invite,
    register_applicant,
    save_interview,
)
from bot.staff.context import core_evaluate
from bot.staff.ledger import amount_text

AS_OF = date(2026, 11, 22)
COORDINATOR = 7_000_000_777
# A worker like spec/examples/01 (马边 → 绍兴 柯桥, insured since the job began in 2024-03).
FACTS = {"person_category": "poverty_alleviated", "work_province": "浙江省", "work_city": "绍兴市",
         "work_county": "柯桥区", "employment_start": "2024-03-01", "first_arrival": "2024-03-01",
         "social_insurance_months": 32}


def test_ledger_row_agrees_with_the_evaluator(engine):
    ctx = StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=Clock())
    invite = create_invite(ctx, ADMIN_ID, "coordinator", county="马边", village="新村")
    assert redeem_invite(ctx, COORDINATOR, invite.token).county == "马边彝族自治县"
    applicant = register_applicant(ctx, COORDINATOR, "阿木", phone="13912345678")
    save_interview(ctx, COORDINATOR, applicant.id, {"facts": FACTS})

    expected = [r for r in core_evaluate({**FACTS, "origin_county": "马边彝族自治县"}, AS_OF)
                if r.beneficiary == "worker" and r.claimable is True]
    assert "shaoxing.stable_employment" in {r.id for r in expected}
    [summary] = list_applicants(ctx, COORDINATOR, AS_OF)
    assert [c.rule for c in summary.assessment.claims] == [r.id for r in expected]

    sheet = load_workbook(BytesIO(export_ledger(ctx, COORDINATOR, AS_OF).content)).active
    header, row = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = dict(zip(header, row, strict=True))
    assert cells[text("staff.ledger.col.claims")].split("\n") == [r.title for r in expected]
    assert cells[text("staff.ledger.col.amounts")].split("\n") == [
        amount_text(c) for c in summary.assessment.claims]
    assert "一次性3000元" in cells[text("staff.ledger.col.amounts")]
    assert cells[text("staff.ledger.col.deadline")].date() == min(
        r.claim_deadline for r in expected if r.claim_deadline)
    assert cells[text("staff.ledger.col.county")] == "马边彝族自治县"
    assert cells[text("staff.ledger.col.status")] == text("staff.status.claimable")


def test_coordinator_runs_the_real_interview_for_the_applicant(engine):
    ctx = StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=Clock())
    redeem_invite(ctx, COORDINATOR, create_invite(
        ctx, ADMIN_ID, "coordinator", county="马边", village="新村").token)
    applicant = register_applicant(ctx, COORDINATOR, "阿木")
    welcome = interview_step(ctx, COORDINATOR, applicant.id, as_of=AS_OF)
    # The home county the coordinator entered is already answered: the interview goes on
    # from the next question instead of asking it again.
    go = welcome.replies[0].buttons[0][0]
    question = interview_step(ctx, COORDINATOR, applicant.id, as_of=AS_OF, button=go.data)
    assert question.replies and question.state.get("pending") == "person_category"
    assert question.state["facts"]["origin_county"].endswith("马边彝族自治县")
    answered = interview_step(ctx, COORDINATOR, applicant.id, as_of=AS_OF, text_in="脱贫户")
    assert answered.events == []
    stored = get_applicant(ctx, COORDINATOR, applicant.id).state
    assert stored == answered.state and stored["facts"]["person_category"] == "poverty_alleviated"


def test_results_shown_on_behalf_are_kept_with_the_rules_version(engine):
    """Issue 9: the applicant's results screen stores what was claimable, under which rules."""
    from bot.core.facts import catalogue
    from bot.core.version import rules_version
    from bot.storage import assessments

    ctx = StaffContext(engine=engine, admin_ids=frozenset({ADMIN_ID}), clock=Clock())
    redeem_invite(ctx, COORDINATOR, create_invite(
        ctx, ADMIN_ID, "coordinator", county="马边", village="新村").token)
    applicant = register_applicant(ctx, COORDINATOR, "阿木")
    facts = {**FACTS, "origin_county": "马边彝族自治县"}
    save_interview(ctx, COORDINATOR, applicant.id, {
        "v": 1, "phase": "done", "facts": facts, "answers": [], "pending": None, "options": [],
        "skipped": [name for name in catalogue() if name not in facts], "payload": None})
    shown = interview_step(ctx, COORDINATOR, applicant.id, as_of=AS_OF, button="results")
    # the coordinator's turn carries reminders only; the results go with the applicant's record
    assert shown.replies and not [e for e in shown.events if e["type"] == "results"]
    with engine.connect() as db:
        [kept] = assessments.history(db, assessments.applicant_subject(applicant.id))
    expected = [r for r in core_evaluate(facts, AS_OF) if r.claimable is True]
    assert (kept.rules_version, kept.as_of) == (rules_version(), AS_OF)
    assert sorted(kept.claims) == sorted(r.id for r in expected)
    assert kept.claims["shaoxing.stable_employment"]["yuan"] == 3000
    interview_step(ctx, COORDINATOR, applicant.id, as_of=AS_OF, button="results")  # same result
    with engine.connect() as db:
        assert len(assessments.history(db, assessments.applicant_subject(applicant.id))) == 1
