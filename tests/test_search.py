"""Knowledge search: hit@3 on colloquial questions, ordering, limits, odd input."""
from __future__ import annotations

import importlib.util
import sys

import pytest
import yaml

from bot.config import ROOT
from bot.core.errors import RulesError
from bot.core.knowledge import Clause, load_knowledge
from bot.core.search import SearchIndex, Synonyms, load_synonyms, search, terms

CASES = yaml.safe_load((ROOT / "tests" / "cases" / "questions.yaml").read_text(encoding="utf-8"))
HELD_OUT = yaml.safe_load(
    (ROOT / "tests" / "cases" / "questions_heldout.yaml").read_text(encoding="utf-8"))


def _bench():
    """bench/bench_questions.py, which computes the figures (one implementation)."""
    spec = importlib.util.spec_from_file_location("bench_questions",
                                                  ROOT / "bench" / "bench_questions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected(case: dict) -> set[tuple[str, str]]:
    wanted = case.get("expect") or []
    wanted = wanted if isinstance(wanted, list) else [wanted]
    return {tuple(w.split(" ", 1)) for w in wanted}


@pytest.mark.parametrize("cases", [CASES, HELD_OUT], ids=["tuned", "held-out"])
def test_every_case_names_existing_clauses_or_is_unanswerable(cases):
    kb = load_knowledge()
    for case in cases:
        assert expected(case) or case.get("answered") is False, case
        for doc, clause_id in expected(case):
            assert kb.clause(doc, clause_id) is not None, case


def test_the_sets_have_what_they_must():
    assert len(CASES) >= 60 and len(HELD_OUT) >= 60
    assert sum(c.get("answered") is False for c in HELD_OUT) >= 10
    assert not {c["q"] for c in CASES} & {c["q"] for c in HELD_OUT}


def test_tuned_set_floors():
    got = _bench().figures(CASES)
    print(f"\ntuned: hit@1 {got['hit@1']:.2f} hit@3 {got['hit@3']:.2f} answered {got['answered']:.2f}",
          *got["misses"], sep="\n  ", file=sys.stderr)
    assert got["hit@3"] >= 0.95 and got["hit@1"] >= 0.75, got["misses"]
    assert got["answered"] >= 0.95, got["misses"]


def test_held_out_set_softer_floors():
    # Never tuned on: a floor that says the method generalises, not a target to fit.
    got = _bench().figures(HELD_OUT)
    print(f"\nheld-out: hit@1 {got['hit@1']:.2f} hit@3 {got['hit@3']:.2f} "
          f"answered {got['answered']:.2f}", file=sys.stderr)
    assert got["hit@3"] >= 0.8 and got["answered"] >= 0.85


def test_results_are_best_first_and_bounded():
    hits = search("在绍兴自己租房有补贴吗", top=10)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


@pytest.mark.parametrize("top", [1, 3, 7])
def test_top_is_honoured(top):
    assert len(search("补贴", top=top)) == top


def test_text_is_the_whole_clause():
    hit = search("在绍兴自己租房有补贴吗", top=1)[0]
    assert hit.clause == load_knowledge().clause(hit.clause.doc, hit.clause.id)
    assert hit.clause.text.startswith("强化就业创业支持。") and hit.clause.text.endswith("租房补贴。")


@pytest.mark.parametrize("question", ["", "   ", "？？？", "asdf qwer", "😀😀", "今天天气怎么样", "芒果手机壳",
                                      "有啥", "吗", "x" * 5000])
def test_garbage_gives_nothing_or_low_scores(question):
    hits = search(question)
    assert all(h.score < 0.35 for h in hits)


def test_a_real_question_scores_well_above_garbage():
    assert search("在绍兴自己租房有补贴吗", top=1)[0].score > 0.6


def test_terms_are_unigrams_and_bigrams():
    assert terms("租房补贴500元") == ["租", "房", "补", "贴", "租房", "房补", "补贴", "500", "元"]
    assert terms("的") == [] and terms("我的") == ["我的"]


def test_synonyms_expand_worker_words():
    synonyms = Synonyms(((("路费", "车费"), ("交通补助",)),))
    clauses = [Clause("d", "一", "", "给予一次性交通补助。", "一、"), Clause("d", "二", "", "其他事项。", "二、")]
    index = SearchIndex.build(clauses, synonyms)
    assert [h.clause.id for h in index.search("车费能报吗")] == ["一"]
    assert SearchIndex.build(clauses).search("车费能报吗") == []


def test_a_named_place_ranks_its_document_first():
    synonyms = Synonyms(places=(("b", ("绍兴",)),))
    clauses = [Clause("a", "一", "", "租房补贴。发放租房补贴。", "一、"),
               Clause("b", "一", "", "给予租房补贴，由财政列支。", "一、")]
    index = SearchIndex.build(clauses, synonyms)
    assert [h.clause.doc for h in index.search("租房补贴")] == ["a", "b"]
    assert [h.clause.doc for h in index.search("在绍兴租房补贴")] == ["b", "a"]


def test_the_synonyms_file_loads_and_rejects_bad_groups(tmp_path):
    synonyms = load_synonyms()
    assert synonyms.groups
    assert {doc for doc, _ in synonyms.places} == set(load_knowledge().documents)
    bad = tmp_path / "synonyms.yaml"
    bad.write_text("groups:\n  - ask: [路费]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="group 1"):
        load_synonyms(bad)
    bad.write_text("groups: []\nplaces:\n  shaoxing-2021: 绍兴\n", encoding="utf-8")
    with pytest.raises(RulesError, match="places"):
        load_synonyms(bad)


def test_search_is_not_imported_by_knowledge():
    import subprocess

    code = "import sys, bot.core.knowledge; sys.exit('bot.core.search' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_context_ranks_the_askers_documents_first_without_searching_its_words():
    from bot.core.search import search as search_kb

    in_context = search_kb("给多少钱", 3, context="沐川县 绍兴市 诸暨市")
    assert in_context and in_context[0].clause.doc == "shaoxing-2021"
    # The place names only rank documents: the clause listing the paired counties by name
    # (二) does not win because of them.
    assert in_context[0].clause.id != "二"
    assert search_kb("给多少钱", 3, context="") == search_kb("给多少钱", 3)
