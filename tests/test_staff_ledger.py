"""The real-name ledger: Excel content read back with openpyxl (cases/staff/ledger.yaml)."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_staff_support import (
    BACKENDS,
    Clock,
    FakeEvaluator,
    FakeResult,
    build_world,
    make_context,
    staff_engine,
)

from bot.core.errors import InputError
from bot.core.render import text
from bot.staff import (
    delete_applicant,
    export_ledger,
    list_applicants,
    record_service,
    register_applicant,
    save_interview,
    summaries_text,
)
from bot.staff.claims import Subject, mark_claim
from bot.staff.ledger import COLUMNS, headers

CASE = yaml.safe_load((Path(__file__).parent / "cases/staff/ledger.yaml").read_text("utf-8"))
AS_OF: date = CASE["as_of"]


def _load_case(ctx, evaluator: FakeEvaluator) -> dict[str, int]:
    """Register the case's applicants, their answers, services and evaluator answers."""
    world = build_world(ctx, applicants=False)
    for person in CASE["applicants"]:
        coordinator = world.ids[person["coordinator"]]
        applicant = register_applicant(ctx, coordinator, person["name"], phone=person.get("phone"))
        if "facts" in person:
            facts = {k: str(v) if isinstance(v, date) else v for k, v in person["facts"].items()}
            save_interview(ctx, coordinator, applicant.id, {"facts": facts, "step": "done"})
            evaluator.add({**facts, "origin_county": applicant.county},
                          [FakeResult(**r) for r in person.get("evaluator_says", [])])
        for service in person.get("services", []):
            record_service(ctx, coordinator, applicant.id, service["kind"], service["date"],
                           service["note"])
        for claim in person.get("claims", []):
            mark_claim(ctx, coordinator, Subject.applicant(applicant.id), claim["rule"],
                       claim["status"], on=claim.get("date"), amount=claim.get("amount"),
                       reason=claim.get("reason"), as_of=AS_OF)
    return world.ids


@pytest.fixture(scope="module", params=BACKENDS)
def exported(request):
    """Every export of the case, read back: who -> (file name, header row, data rows)."""
    with staff_engine(request, request.param) as engine:
        evaluator = FakeEvaluator()
        ctx = make_context(engine, Clock(), evaluator)
        people = _load_case(ctx, evaluator)
        files = {}
        for export in CASE["exports"]:
            ledger = export_ledger(ctx, people[export["by"]], AS_OF)
            book = load_workbook(BytesIO(ledger.content))
            files[export["by"]] = (ledger.filename, [
                (sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)])
                for sheet in book.worksheets])
        yield files, evaluator


def _cell(value):
    """A read-back cell as the case writes it (dates come back as datetimes)."""
    return value.date() if isinstance(value, datetime) else value


@pytest.mark.parametrize("export", CASE["exports"], ids=[e["by"] for e in CASE["exports"]])
def test_ledger_rows(exported, export):
    filename, [(title, [header, *rows]), (services_title, services), (claims_title, claims)] = \
        exported[0][export["by"]]
    assert filename == "实名制台账-20261122.xlsx" and title == text("staff.ledger.sheet")
    assert services_title == text("staff.ledger.services_sheet")
    assert claims_title == text("staff.ledger.claims_sheet")
    assert header == headers() and len(header) == len(COLUMNS)
    if "names" in export:
        assert [row[header.index("姓名")] for row in rows] == export["names"]
        return
    found = [{h: _cell(v) for h, v in zip(header, row, strict=True) if v not in (None, "") and h != "编号"}
             for row in rows]
    assert found == export["rows"]
    assert all(isinstance(row[0], int) for row in rows)
    service_header, *service_rows = services
    assert [{h: _cell(v) for h, v in zip(service_header, row, strict=True) if h != "编号"}
            for row in service_rows] == export["services"]
    claim_header, *claim_rows = claims
    assert [{h: _cell(v) for h, v in zip(claim_header, row, strict=True) if h != "编号"}
            for row in claim_rows] == export["claims"]


def test_evaluator_gets_the_answers_and_the_day(exported):
    _, evaluator = exported
    assert evaluator.calls and {as_of for _, as_of in evaluator.calls} == {AS_OF}
    assert all(facts["origin_county"] for facts, _ in evaluator.calls)


def test_deleted_applicant_leaves_nothing_in_the_ledger(ctx, world):
    coordinator = world.ids["coordinator"]
    delete_applicant(ctx, coordinator, world.applicants["wang"])
    sheet = load_workbook(BytesIO(export_ledger(ctx, coordinator, AS_OF).content)).active
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["李二妹"]


def test_formula_like_names_stay_text(ctx, world):
    register_applicant(ctx, world.ids["coordinator"], "=HYPERLINK(\"http://x\")")
    sheet = load_workbook(BytesIO(export_ledger(ctx, world.ids["coordinator"], AS_OF).content)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "s"]


def test_list_text_names_claims_deadline_and_progress(ctx, world, evaluator):
    coordinator = world.ids["coordinator"]
    facts = {"person_category": "poverty_alleviated"}
    save_interview(ctx, coordinator, world.applicants["wang"], {"facts": facts})
    evaluator.add({**facts, "origin_county": "科尔沁左翼后旗"}, [FakeResult(
        "r1", "就业稳岗补贴", True, True, claim_deadline=date(2026, 12, 31))])
    summaries = list_applicants(ctx, coordinator, AS_OF)
    assert [s.applicant.name for s in summaries] == ["王大力", "李二妹"]
    assert summaries[0].assessment.nearest_deadline == date(2026, 12, 31)
    reply = summaries_text(summaries)
    assert "就业稳岗补贴" in reply and "2026年12月31日" in reply and "职业指导 1/1" in reply


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=60))
def test_any_accepted_name_comes_back_from_excel_unchanged(ctx, world, name):
    """Whatever a coordinator types as a name is refused cleanly or survives the Excel file."""
    coordinator = world.ids["coordinator"]
    try:
        person = register_applicant(ctx, coordinator, name)
    except InputError as refused:
        assert refused.zh == text("staff.applicant.bad_name")
        return
    sheet = load_workbook(BytesIO(export_ledger(ctx, coordinator, AS_OF).content)).active
    by_id = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_id[person.id] == person.name
    delete_applicant(ctx, coordinator, person.id)
