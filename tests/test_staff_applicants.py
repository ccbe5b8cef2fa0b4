"""Coordinators' applicants: registration, interview on their behalf, 131 services, deletion."""
from __future__ import annotations

import re
from datetime import date

import pytest
from test_staff_support import ADMIN_ID, snapshot

from bot.core.errors import InputError
from bot.core.knowledge import load_knowledge
from bot.core.render import text
from bot.staff import (
    PermissionDenied,
    applicant_summary,
    assign_applicant,
    create_invite,
    delete_applicant,
    delete_service,
    forget_user,
    get_applicant,
    list_applicants,
    list_services,
    record_service,
    redeem_invite,
    register_applicant,
    save_interview,
    update_contact,
)
from bot.staff.applicants import typed_name, typed_phone
from bot.staff.services131 import citations, progress, required

AS_OF = date(2026, 11, 22)


def names(summaries) -> list[str]:
    return [s.applicant.name for s in summaries]


def test_registration_takes_the_coordinators_county_and_village(ctx, world):
    person = register_applicant(ctx, world.ids["coordinator"], "  孙 六 ", phone="+86 139-1234-5678")
    assert (person.name, person.phone, person.village, person.county, person.city, person.province) == (
        "孙 六", "13912345678", "甲村", "科尔沁左翼后旗", "通辽市", "内蒙古自治区")
    assert person.coordinator_id == world.ids["coordinator"] and person.state == {}


@pytest.mark.parametrize(("name", "phone", "key"), [
    ("", None, "staff.applicant.bad_name"),
    ("王" * 51, None, "staff.applicant.bad_name"),
    ("王五", "12345", "staff.applicant.bad_phone"),
    ("王五", "1380000000a", "staff.applicant.bad_phone"),
])
def test_bad_registrations_are_refused_and_nothing_is_stored(ctx, world, name, phone, key):
    before = snapshot(ctx)
    with pytest.raises(InputError) as refused:
        register_applicant(ctx, world.ids["coordinator"], name, phone=phone)
    assert refused.value.zh == text(key)
    assert snapshot(ctx) == before


def test_interview_state_is_kept_and_reopened(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    state = {"v": 1, "phase": "asking", "facts": {"social_insurance_months": 4}, "answers": []}
    save_interview(ctx, coordinator, wang, state)
    reopened = get_applicant(ctx, coordinator, wang).state
    assert reopened == state
    reopened["facts"]["social_insurance_months"] = 5
    save_interview(ctx, coordinator, wang, reopened)
    assert get_applicant(ctx, world.ids["staff"], wang).state["facts"] == {"social_insurance_months": 5}


def test_contact_correction(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    assert update_contact(ctx, coordinator, wang, name="王大利").name == "王大利"
    assert update_contact(ctx, coordinator, wang, phone="").phone is None


def test_who_sees_whom(ctx, world):
    ids = world.ids
    assert names(list_applicants(ctx, ids["coordinator"], AS_OF)) == ["王大力", "李二妹"]
    assert names(list_applicants(ctx, ids["other_coordinator"], AS_OF)) == ["赵四"]
    assert names(list_applicants(ctx, ids["staff"], AS_OF)) == ["赵四", "王大力", "李二妹"]
    assert names(list_applicants(ctx, ids["other_staff"], AS_OF)) == ["张三"]
    assert names(list_applicants(ctx, ADMIN_ID, AS_OF)) == ["赵四", "王大力", "李二妹", "张三"]


def test_131_progress_counts_each_kind(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    for day in (3, 5):
        record_service(ctx, coordinator, wang, "job_offer", date(2026, 11, day), "厂里招工")
    summary = applicant_summary(ctx, coordinator, wang, AS_OF)
    assert [(p.kind, p.done, p.need, p.complete) for p in summary.services] == [
        ("guidance", 1, 1, True), ("job_offer", 2, 3, False), ("training", 0, 1, False)]
    assert [s.kind for s in list_services(ctx, world.ids["staff"], wang)] == [
        "guidance", "job_offer", "job_offer"]


@pytest.mark.parametrize(("kind", "day", "note", "key"), [
    ("dinner", date(2026, 11, 1), "", "staff.service.bad_kind"),
    ("training", date(2026, 11, 23), "", "staff.service.future_date"),
    ("training", date(2026, 11, 1), "长" * 501, "staff.service.long_note"),
])
def test_bad_services_are_refused(ctx, world, kind, day, note, key):
    before = snapshot(ctx)
    with pytest.raises(InputError) as refused:
        record_service(ctx, world.ids["coordinator"], world.applicants["wang"], kind, day, note)
    assert refused.value.zh == text(key)
    assert snapshot(ctx) == before


def test_service_recorded_by_mistake_can_be_removed(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    delete_service(ctx, coordinator, wang, world.services["wang_guidance"])
    assert list_services(ctx, coordinator, wang) == []
    with pytest.raises(InputError):
        delete_service(ctx, coordinator, world.applicants["li"], world.services["wang_guidance"])


def test_one_button_token_records_one_service(ctx, world):
    coordinator, li = world.ids["coordinator"], world.applicants["li"]
    first = record_service(ctx, coordinator, li, "job_offer", AS_OF, token="tok1")
    again = record_service(ctx, coordinator, li, "job_offer", AS_OF, token="tok1")
    assert (again.id, again.repeated, first.repeated) == (first.id, True, False)
    other = record_service(ctx, coordinator, li, "job_offer", AS_OF, token="tok2")
    assert [s.id for s in list_services(ctx, coordinator, li)] == [first.id, other.id]


def test_deleting_an_applicant_removes_their_services_and_names(ctx, world):
    coordinator, wang = world.ids["coordinator"], world.applicants["wang"]
    delete_applicant(ctx, coordinator, wang)
    tables = snapshot(ctx)
    assert [r for r in tables["staff_services"] if r["applicant_id"] == wang] == []
    assert "王大力" not in repr(tables) and "13800000001" not in repr(tables)
    with pytest.raises(InputError) as gone:
        get_applicant(ctx, coordinator, wang)
    assert gone.value.zh == text("staff.applicant.unknown")


def test_a_coordinator_who_leaves_loses_access_and_staff_keep_the_records(ctx, world):
    coordinator = world.ids["coordinator"]
    counts = forget_user(ctx, coordinator)
    assert counts["roles"] == 1 and counts["applicants"] == 2
    tables = repr(snapshot(ctx))
    assert str(coordinator) not in tables
    with pytest.raises(PermissionDenied):
        list_applicants(ctx, coordinator, AS_OF)
    assert names(list_applicants(ctx, world.ids["staff"], AS_OF)) == ["赵四", "王大力", "李二妹"]


def test_staff_hand_an_orphaned_record_to_a_coordinator_of_its_village(ctx, world):
    ids, wang = world.ids, world.applicants["wang"]
    forget_user(ctx, ids["coordinator"])
    with pytest.raises(InputError) as refused:
        assign_applicant(ctx, ids["staff"], wang, ids["other_coordinator"])   # 乙村, not 甲村
    assert refused.value.zh == text("staff.applicant.bad_coordinator")
    successor = 7_000_000_111
    token = create_invite(ctx, ADMIN_ID, "coordinator", county="科左后旗", village="甲村").token
    redeem_invite(ctx, successor, token)
    assert assign_applicant(ctx, ids["staff"], wang, successor).coordinator_id == successor
    assert names(list_applicants(ctx, successor, AS_OF)) == ["王大力"]


def test_the_131_counts_are_the_documents_counts():
    """services131.yaml cites real clauses, and each count is written in each quote."""
    knowledge = load_knowledge()
    patterns = {"guidance": r"{n}[次个]职业指导", "job_offer": r"{n}[次个]适合的岗位信息",
                "training": r"{n}[次个][^、）]*培训"}
    assert set(required()) == set(patterns)
    for citation in citations():
        clause = knowledge.clause(citation["doc"], citation["clause"])
        assert clause is not None and citation["quote"] in clause.text
        for kind, need in required().items():
            assert re.search(patterns[kind].format(n=need), citation["quote"]), (citation, kind)
    assert [p.kind for p in progress([])] == ["guidance", "job_offer", "training"]


def test_a_service_today_in_china_is_not_in_the_future(ctx, world, clock):
    """At 01:00 in China the server's UTC date is still yesterday; today's service is fine."""
    from datetime import UTC, datetime

    clock.now = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)      # 2026-11-22 01:00 in China
    service = record_service(ctx, world.ids["coordinator"], world.applicants["wang"], "training",
                             date(2026, 11, 22), "")
    assert service.delivered_on == date(2026, 11, 22)


@pytest.mark.parametrize("answer", ["阿木", "孙 六", "阿依古丽·买买提", "Ali Musa", "何丽"])
def test_typed_names_are_taken(answer):
    assert typed_name(f" {answer} ") == answer


@pytest.mark.parametrize("answer", ["补贴怎么领", "能领多少钱？", "他是脱贫户吗", "请问", "阿", "名" * 21,
                                    "13812345678", "王五2", "/applicants"])
def test_questions_and_non_names_are_refused_as_names(answer):
    with pytest.raises(InputError) as refused:
        typed_name(answer)
    assert refused.value.zh == text("staff.applicant.not_a_name")


@pytest.mark.parametrize(("answer", "stored"), [
    ("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
    ("0833-4512345", "0833-4512345"), ("08334512345", "08334512345"), ("不填", None)])
def test_typed_phones_are_mobiles_landlines_or_none(answer, stored):
    assert typed_phone(answer) == stored


@pytest.mark.parametrize("answer", ["123", "12345678901", "能不能以后再填", "阿木", "1381234567x"])
def test_other_phone_answers_are_refused(answer):
    with pytest.raises(InputError) as refused:
        typed_phone(answer)
    assert refused.value.zh == text("staff.applicant.not_a_phone")
