"""Rules files: schema validation, and drift against the catalogue, the knowledge base and facts."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.core.errors import RulesError
from bot.core.facts import catalogue
from bot.core.knowledge import load_knowledge
from bot.core.rules import RULES_DIR, check_rules, load_rules, squash

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("/work/shared/spec/policy-catalog.md")
RULES = load_rules()


def _catalogue_ids() -> set[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([a-z]+\.[a-z0-9_]+)`\s*\|", text, flags=re.MULTILINE))


def test_rules_check_finds_no_problem():
    assert check_rules() == []


@pytest.mark.skipif(not CATALOGUE.exists(), reason="shared spec not mounted")
def test_every_catalogue_row_is_a_rule():
    ids = _catalogue_ids()
    assert len(ids) > 40
    assert sorted(ids - {r.id for r in RULES}) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_clause_exists_and_quote_is_verbatim(rule):
    clause = load_knowledge().clause(rule.document, rule.clause)
    assert clause is not None, f"{rule.document} has no clause {rule.clause}"
    assert squash(rule.quote) in squash(clause.text)


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*-20*.yaml")), ids=lambda p: p.name)
def test_period_matches_the_cited_clause_and_the_knowledge_base(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    period, kb = data["period"], load_knowledge()
    document = kb.documents[data["document"]]
    if period.get("clause"):
        assert squash(period["quote"]) in squash(kb.clause(data["document"], period["clause"]).text)
    assert period.get("end") == document.period_end
    assert period.get("claim_deadline") == document.claim_deadline


def test_every_fact_a_rule_uses_is_in_the_vocabulary_with_a_question():
    facts = catalogue()
    used = {f for r in RULES for f in r.facts()}
    derived = {"origin_city": "origin_county", "origin_province": "origin_county"}
    for name in used:
        spec = facts.get(derived.get(name, name))
        assert spec and spec.get("ask"), name


def test_worker_and_organisation_rules_exist_for_each_document():
    docs = {r.document for r in RULES}
    assert docs == {"chaoyang-2022", "youyi-2022", "tongliao-2022", "shaoxing-2021", "chongqing-2021"}
    assert {r.beneficiary for r in RULES} == {
        "worker", "employer", "agency", "training_org", "workshop", "workstation", "base"
    }


def test_no_figure_is_invented_where_the_document_sets_none():
    for rule in RULES:
        assert (rule.amount is None) == bool(rule.amount_note), rule.id
        if rule.amount and "yuan" in rule.amount:
            assert str(rule.amount["yuan"]) in squash(rule.quote) or "万" in rule.quote, rule.id


GOOD = """
document: chaoyang-2022
period: {start: 2022-02-28, end: 2024-02-27}
claim: eval.claim.chaoyang
rules:
  - id: test.ok
    title: 测试
    clause: 三
    quote: 按照5000元/年/人标准给予就业补贴
    beneficiary: worker
    conditions: [{id: si, fact: social_insurance_months, at_least: 3}]
    amount: {yuan: 5000, per: year}
"""


@pytest.mark.parametrize(
    "content, words",
    [
        ("", "must be a mapping"),
        ("rules: [oops", "cannot read"),
        (GOOD.replace("    title: 测试\n", ""), "rule test.ok: title: missing field"),
        (GOOD.replace("social_insurance_months", "shoe_size"), "rule test.ok: conditions: unknown fact 'shoe_size'"),
        (GOOD.replace("at_least: 3", "more_than: 3"), "rule test.ok: condition si: needs exactly one operator"),
        (GOOD.replace("end: 2024-02-27", "end: 2024-02-30"), "bad date"),
        (GOOD.replace("end: 2024-02-27", "end: soon"), "period.end: bad date"),
        (GOOD.replace("clause: 三", "clause: 九十九"), "rule test.ok: clause: chaoyang-2022 has no clause"),
        (GOOD.replace("按照5000元", "按照6000元"), "rule test.ok: quote: not found verbatim"),
        (GOOD.replace("per: year", "per: week"), "rule test.ok: amount: per must be"),
        (GOOD.replace("beneficiary: worker", "beneficiary: cat"), "rule test.ok: beneficiary"),
        (GOOD + GOOD.split("rules:\n")[1], "rule test.ok: id: duplicate id"),
        (GOOD.replace("claim: eval.claim.chaoyang", "claim: eval.claim.nowhere"), "rule test.ok: claim: no template"),
        (GOOD.replace("conditions: [{id: si, ", "conditions: [nameless, {id: si, "), "unknown condition name"),
        (GOOD.replace("    amount: {yuan: 5000, per: year}", "    amount: null"), "amount_note: needed"),
    ],
)
def test_broken_rules_files_give_clean_problems_naming_file_rule_and_field(tmp_path, content, words):
    (tmp_path / "broken-2020.yaml").write_text(content, encoding="utf-8")
    problems = check_rules(tmp_path)
    assert any("broken-2020.yaml" in p and words in p for p in problems), problems


def test_a_good_rules_file_has_no_problem(tmp_path):
    (tmp_path / "good-2020.yaml").write_text(GOOD, encoding="utf-8")
    assert check_rules(tmp_path) == []


@pytest.mark.parametrize(
    "old, new, words",
    [("quote:", "quoted:", "quote: missing field"), ("按照5000元", "按照6000元", "quote: not found verbatim"),
     ("clause: 三", "clause: 九十九", "has no clause")],
)
def test_loading_a_broken_directory_raises_rules_error(tmp_path, old, new, words):
    (tmp_path / "broken-2020.yaml").write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(tmp_path)
    assert "broken-2020.yaml" in info.value.one_line() and words in info.value.one_line()


def test_evaluate_does_not_import_search_or_anything_heavy():
    code = (
        "import sys\nfrom datetime import date\nfrom bot.core.evaluator import evaluate\n"
        "evaluate({}, date(2025, 1, 1), audience='all')\n"
        "print(','.join(m for m in ('bot.core.search', 'telegram', 'sqlmodel') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""
