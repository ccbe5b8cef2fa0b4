"""Knowledge search: hit@3 on colloquial questions, ordering, limits, odd input."""
from __future__ import annotations

import importlib.util
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_context_ranks_the_askers_documents_first_without_searching_its_words():
    from bot.core.search import search as search_kb

    in_context = search_kb("给多少钱", 3, context="沐川县 绍兴市 诸暨市")
    assert in_context and in_context[0].clause.doc == "shaoxing-2021"
    # The place names only rank documents: the clause listing the paired counties by name
    # (二) does not win because of them.
    assert in_context[0].clause.id != "二"
    assert search_kb("给多少钱", 3, context="") == search_kb("给多少钱", 3)


ANSWERABLE = [c for c in CASES if expected(c)]


@pytest.mark.parametrize("case", ANSWERABLE[::4], ids=lambda c: c["q"])
def test_the_reply_leads_with_a_whole_sentence_of_the_clause(case):
    from datetime import date

    from bot.core.answering import compose
    from bot.core.interview import DEFAULT_SERVICES
    from bot.core.presenter import free_answer_reply

    answer = compose(case["q"], search(case["q"]), date(2026, 11, 22))
    assert answer.answered
    for found in answer.results:
        assert found.sentence and found.sentence in found.clause.text
    reply = free_answer_reply(answer, DEFAULT_SERVICES.doc_title)
    assert answer.results[0].sentence in reply.text[:300]
    assert all(len(b.data.encode()) <= 64 and b.data.isascii() for row in reply.buttons for b in row)


def test_an_amount_question_gets_the_sentence_with_the_amount():
    from datetime import date

    from bot.core.answering import compose

    answer = compose("绍兴房租一个月能补多少", search("绍兴房租一个月能补多少"), date(2026, 11, 22))
    assert "500元/月" in answer.results[0].sentence
    assert answer.results[0].sentence != answer.results[0].clause.text


def test_notes_say_when_a_document_ended_or_claims_are_still_taken():
    from datetime import date

    from bot.core.answering import compose

    ended = compose("卓资县公益岗补贴多少", search("卓资县公益岗补贴多少"), date(2026, 11, 22))
    assert "2024年2月27日已经结束" in ended.note
    window = compose("绍兴租房补贴", search("绍兴租房补贴"), date(2026, 11, 22))
    assert "可以申请到2026年12月31日" in window.note
    early = compose("绍兴租房补贴", search("绍兴租房补贴"), date(2023, 1, 1))
    assert early.note is None


def test_places_not_covered_are_named_with_the_places_covered():
    from datetime import date

    from bot.core.answering import compose
    from bot.core.knowledge import load_knowledge

    answer = compose("东莞进厂有啥补助", search("东莞进厂有啥补助"), date(2026, 11, 22))
    assert not answer.answered and answer.note.startswith("东莞")
    for document in load_knowledge().documents.values():
        assert document.meta["region"] in answer.note


def test_one_numeral_parser_and_traditional_input():
    assert "380" in terms("三百八元") and "5000" in terms("五千块")
    assert terms("補貼") == terms("补贴")
    assert [h.clause.id for h in search("紹興租房補貼", 1)] == [h.clause.id for h in search("绍兴租房补贴", 1)]


def test_the_thesaurus_is_generated_with_its_source_and_licence():
    from bot.core.expansion import load_thesaurus

    head = (ROOT / "knowledge" / "thesaurus.tsv").read_text(encoding="utf-8")[:600]
    assert "GENERATED by tools/build_thesaurus.py" in head and "cilin" in head and "licence" in head
    thesaurus = load_thesaurus()
    assert "路费" in dict(thesaurus.matches("盘缠"))["盘缠"]


def _ask_cli(*args: str):
    import subprocess

    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], check=False, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_ask_json_has_answered_note_and_sentence():
    import json

    proc = _ask_cli("绍兴房租一个月能补多少", "--top", "3", "--json", "--as-of", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["answered"] is True and "2026年12月31日" in out["note"]
    first = out["results"][0]
    assert (first["doc"], first["clause"]) == ("shaoxing-2021", "三（三）")
    assert "500元/月" in first["sentence"] and first["sentence"] in first["text"]
    proc = _ask_cli("养老金怎么领", "--json")
    out = json.loads(proc.stdout)
    assert out["answered"] is False and out["note"].startswith("这几份文件里没有讲这个")


def test_plain_ask_leads_with_the_sentence():
    proc = _ask_cli("绍兴房租一个月能补多少", "--top", "1", "--as-of", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    first = next(line for line in lines if line.startswith("1. "))
    assert "500元/月" in first and "全文：" in proc.stdout
    assert _ask_cli("养老金怎么领").stdout.count("这几份文件里没有讲这个") == 1


@pytest.mark.parametrize("typed, plain", [("shaoxing zufang butie", "绍兴租房补贴"),
                                          ("lufei", "路费")])
def test_pinyin_is_read_as_the_documents_words(typed, plain):
    assert [h.clause.id for h in search(typed, 1)] == [h.clause.id for h in search(plain, 1)]


@pytest.mark.parametrize("question", ["asdf qwer", "qwertyuiop", "ok"])
def test_latin_that_is_not_pinyin_finds_nothing(question):
    assert search(question) == []


@pytest.mark.parametrize("message, asks", [
    ("绍兴啥时候截止", True), ("哪些人能领", True), ("哪天到期", True), ("几号去办", True),
    ("有钱拿不", True), ("交了社保没", True), ("多少钱", True), ("这个补贴有么", True),
    ("十几个月", False), ("啥也没有", False), ("马边", False), ("没", False), ("不是", False),
    ("三个月", False), ("好几年", False)])
def test_questions_are_recognised_as_people_type_them(message, asks):
    from bot.core.conversation import _is_question

    assert _is_question(message) == asks


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("绍兴租房补贴多少钱吗啥不没哪几shaoxingzufang 深圳？?馬邊三百八")),
               max_size=40) | st.text(max_size=60))
def test_any_text_gets_an_answer_or_an_honest_no(question):
    from datetime import date

    from bot.core.answering import compose

    answer = compose(question, search(question), date(2026, 11, 22))
    assert isinstance(answer.answered, bool)
    assert all(f.sentence in f.clause.text for f in answer.results)
    assert answer.note is None or isinstance(answer.note, str)
