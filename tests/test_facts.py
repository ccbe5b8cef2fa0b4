"""normalise_facts: the contract's fact vocabulary, checked and completed."""
from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import InputError
from bot.core.facts import catalogue, normalise_facts

AS_OF = date(2026, 11, 22)


def test_origin_county_is_resolved_to_full_names():
    facts = normalise_facts({"origin_county": "马边"}, as_of=AS_OF)
    assert facts == {"origin_county": "马边彝族自治县", "origin_city": "乐山市", "origin_province": "四川省"}


@pytest.mark.parametrize(
    "given, province, city, county",
    [
        ({"work_province": "浙江", "work_city": "绍兴", "work_county": "柯桥"}, "浙江省", "绍兴市", "柯桥区"),
        ({"work_city": "绍兴", "work_county": "柯桥区"}, "浙江省", "绍兴市", "柯桥区"),
        ({"work_province": "北京"}, "北京市", "北京市", None),
        ({"work_province": "辽宁省", "work_city": "大连市"}, "辽宁省", "大连市", None),
    ],
)
def test_work_place_short_forms_become_full_names(given, province, city, county):
    facts = normalise_facts(given, as_of=AS_OF)
    assert (facts.get("work_province"), facts.get("work_city"), facts.get("work_county")) == (province, city, county)


def test_employment_start_gives_full_months_and_wins_over_months_employed():
    facts = normalise_facts({"employment_start": "2024-02-01", "months_employed": 2}, as_of=AS_OF)
    assert facts["months_employed"] == 33
    assert facts["employment_start"] == "2024-02-01"


def test_as_of_in_the_raw_facts_is_used_and_kept_out_of_the_output():
    facts = normalise_facts({"as_of": "2024-05-01", "employment_start": "2024-02-01"})
    assert facts == {"employment_start": "2024-02-01", "months_employed": 3, "unemployed": False}


def test_dates_come_out_as_iso_strings_and_output_is_accepted_again():
    facts = normalise_facts(
        {"origin_county": "科左后旗", "first_arrival": date(2023, 3, 1), "renting_self": True}, as_of=AS_OF
    )
    assert facts["first_arrival"] == "2023-03-01"
    assert normalise_facts(facts, as_of=AS_OF) == facts


def test_none_means_not_known():
    assert normalise_facts({"social_insurance_months": None}, as_of=AS_OF) == {}


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"shoe_size": 42}, "shoe_size"),
        ({"person_category": "poor"}, "poor"),
        ({"certificate_level": "expert"}, "expert"),
        ({"first_arrival": "2024-13-01"}, "malformed date"),
        ({"employment_start": "去年"}, "malformed date"),
        ({"social_insurance_months": -1}, "at least 0"),
        ({"social_insurance_months": 2.5}, "whole number"),
        ({"social_insurance_months": "3"}, "number"),
        ({"renting_self": "yes"}, "true or false"),
        ({"travel_cost_yuan": -5}, "at least 0"),
        ({"rural_employees": True}, "number"),
        ({"origin_county": "火星县"}, ""),
    ],
)
def test_bad_input_is_refused_with_a_one_line_message(raw, words):
    with pytest.raises(InputError) as info:
        normalise_facts(raw, as_of=AS_OF)
    line = info.value.one_line()
    assert "\n" not in line and info.value.zh and info.value.en
    assert words in line


def test_ambiguous_county_lists_the_candidates():
    with pytest.raises(InputError) as info:
        normalise_facts({"origin_county": "朝阳"}, as_of=AS_OF)
    assert len(info.value.choices) >= 2


def test_every_fact_in_the_contract_is_in_the_vocabulary():
    contract = {
        "origin_county", "person_category", "work_province", "work_city", "work_county",
        "employment_start", "months_employed", "social_insurance_months", "first_arrival",
        "contract_months", "renting_self", "certificate_level", "trained_in_work_city",
        "public_welfare_post", "business_owner", "rural_employees", "recommended_leader",
        "travel_cost_yuan", "unemployed",
    }
    assert contract == set(catalogue())
