"""Issue 9: a rules change re-evaluates every saved person (reassess) and tells exactly those who
gained a subsidy, once; ``rules diff`` says what changed; results shown are kept with the rules
version. The rules are a copy under tmp_path, amended like a real amendment (document + rule)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pgschema import backend_url
from sqlalchemy import func, select
from sqlmodel import Session

from bot.broadcast.limits import SenderConfig
from bot.broadcast.outbox import Outbox
from bot.broadcast.sender import Sender
from bot.broadcast.tables import FAIRS, OUTBOX
from bot.config import ROOT
from bot.core.errors import InputError
from bot.core.evaluator import evaluate
from bot.core.facts import normalise_facts
from bot.core.reassessment import GAINED, LOST, PERIOD_ENDED, RULE_CHANGED, claims_of
from bot.core.ruleset import describe_diff, diff_rule_sets, load_rule_set
from bot.core.version import content_hash, rules_version
from bot.staff.models import ApplicantRow
from bot.staff.reassess import reassess
from bot.staff.rules_update import activate, stage_rules
from bot.storage import assessments, open_storage

AS_OF = date(2026, 3, 1)
STABLE, TONGLIAO = "shaoxing.stable_employment", "tongliao.policy_list"
SHAOXING = {"origin_county": "马边", "person_category": "poverty_alleviated", "work_province": "浙江",
            "work_city": "绍兴", "first_arrival": "2024-02-01", "employment_start": "2024-02-01"}
TONGLIAO_PERSON = {"origin_county": "科尔沁区", "person_category": "poverty_alleviated", "months_employed": 5}
ELSEWHERE = {"origin_county": "沐川县", "person_category": "rural_other"}
# Workers (Telegram id -> facts) and applicants (name -> facts, coordinator, own Telegram id)
WORKERS = {
    101: {**SHAOXING, "social_insurance_months": 12},   # claims 3000元: the amount changes
    102: {**SHAOXING, "social_insurance_months": 3},    # 3 months reached after the period: gains
    103: {**SHAOXING, "social_insurance_months": 2},    # not yet 3 months: unchanged
    104: TONGLIAO_PERSON,                               # tongliao's period now ended: loses
    105: ELSEWHERE,                                     # nothing either way
}
COORDINATOR = 900
APPLICANTS = {
    "王芳": ({**SHAOXING, "social_insurance_months": 3}, COORDINATOR, 201),   # gains, linked
    "李强": ({**SHAOXING, "social_insurance_months": 2}, COORDINATOR, None),  # unchanged
}
OLD_SENTENCE = "给予一次性3000元的就业稳岗补贴"
NEW_SENTENCE = "给予一次性3500元的就业稳岗补贴"


def copy_policy(target: Path) -> Path:
    for name in ("rules", "knowledge"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    body = path.read_text(encoding="utf-8")
    assert body.count(old) == 1, (path, old)
    path.write_text(body.replace(old, new), encoding="utf-8")


def amend(root: Path) -> None:
    """The amendment: 绍兴 raises the stable-employment subsidy to 3500元 (document and rule) and
    extends its period to the end of 2026; 通辽's notice gets an end date, already past."""
    replace_once(root / "knowledge/shaoxing-2021.md", OLD_SENTENCE, NEW_SENTENCE)
    rules = root / "rules/shaoxing-2021.yaml"
    replace_once(rules, OLD_SENTENCE, NEW_SENTENCE)
    replace_once(rules, "amount: {yuan: 3000, per: once}", "amount: {yuan: 3500, per: once}")
    replace_once(rules, "  end: 2025-12-31\n", "  end: 2026-12-31\n")
    replace_once(root / "rules/tongliao-2022.yaml", "  end: null\n", "  end: 2026-01-31\n")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    with backend_url(request.param, "reassess", tmp_path / "bot.sqlite3") as url:
        yield url


@pytest.fixture
def world(tmp_path, database):
    """A database of saved people (workers at the results, applicants) and the two rule sets."""
    old_root, new_root = copy_policy(tmp_path / "old"), copy_policy(tmp_path / "new")
    amend(new_root)
    url = database
    storage = open_storage(url)
    for user_id, facts in WORKERS.items():
        storage.upsert_user(user_id, user_id + 10_000, f"工人{user_id}")
        storage.save_conversation(f"tg:{user_id}", {"v": 1, "phase": "done", "facts": facts,
                                                    "answers": [], "skipped": []})
    storage.save_conversation("tg:106", {"v": 1, "phase": "asking", "facts": WORKERS[102]})  # mid-interview
    storage.upsert_user(COORDINATOR, COORDINATOR + 10_000, "协理员")
    storage.upsert_user(201, 10_201, "王芳")
    now = datetime(2026, 2, 1, tzinfo=UTC)
    ids = {}
    with Session(storage.engine) as session:
        for name, (facts, coordinator, telegram) in APPLICANTS.items():
            row = ApplicantRow(name=name, village="村", county="马边彝族自治县", state={"facts": facts},
                               coordinator_id=coordinator, telegram_id=telegram, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            ids[name] = row.id
        session.commit()
    old, new = load_rule_set(old_root), load_rule_set(new_root)
    yield storage.engine, old, new, ids, url, new_root
    storage.close()


def subject_keys(ids: dict) -> dict[str, dict]:
    """Every saved person's subject key -> their facts (the test's own list)."""
    people = {assessments.worker_subject(u): f for u, f in WORKERS.items()}
    people.update({assessments.applicant_subject(ids[n]): f for n, (f, _, _) in APPLICANTS.items()})
    return people


def claims(facts: dict, rules) -> dict:
    return claims_of(evaluate(normalise_facts(dict(facts), AS_OF), AS_OF, "worker", rules=rules.rules,
                              keep_out_of_scope=False))


def outbox_rows(engine) -> list:
    with engine.connect() as db:
        return list(db.execute(select(OUTBOX).order_by(OUTBOX.c.user_id)))


def test_the_amendment_changes_the_rules_version_and_diff_names_it(world):
    _, old, new, _, _, _ = world
    assert old.version == rules_version() != new.version
    lines = describe_diff(diff_rule_sets(old, new))
    text = "\n".join(lines)
    assert f"{old.version} → {new.version}" in lines[0]
    assert "金额 3000元一次性 → 3500元一次性" in text
    assert "截止日期 2025年12月31日 → 2026年12月31日" in text
    assert "截止日期 不限 → 2026年1月31日" in text
    assert "文件原文有改动" in text and "shaoxing-2021" in text
    assert not any("chaoyang" in line for line in lines)      # untouched documents are not listed
    assert describe_diff(diff_rule_sets(old, old))[1] == "两个版本完全一样，没有改动。"


def test_reassess_finds_exactly_the_people_whose_result_changed(world):
    engine, old, new, ids, _, _ = world
    first = reassess(engine, old, AS_OF)               # the assessments under the deployed rules
    assert first.checked == len(WORKERS) + len(APPLICANTS) and first.first == first.checked
    assert not first.changed and not first.messages and first.notice_id is None
    people = subject_keys(ids)
    expected = {key for key, facts in people.items() if claims(facts, old) != claims(facts, new)}
    assert expected == {"worker:101", "worker:102", "worker:104", f"applicant:{ids['王芳']}"}

    dry = reassess(engine, new, AS_OF, dry_run=True)
    assert {p.subject.key for p in dry.changed} == expected
    moves = {(p.subject.key, m.rule): m for p in dry.changed for m in p.moves}
    amount = moves[("worker:101", STABLE)]
    assert (amount.kind, amount.old_amount["yuan"], amount.amount["yuan"]) == ("amount", 3000, 3500)
    gained = moves[("worker:102", STABLE)]
    assert (gained.kind, gained.reason) == (GAINED, RULE_CHANGED) and "2026年12月31日" in gained.detail
    lost = moves[("worker:104", TONGLIAO)]
    assert (lost.kind, lost.reason) == (LOST, PERIOD_ENDED)
    assert {m.kind for (key, _), m in moves.items() if key == "worker:104"} == {LOST}
    report = "\n".join(dry.lines())
    assert "可以申领了 就业稳岗补贴（shaoxing.stable_employment），3500元一次性" in report
    assert "试运行" in report
    # a dry run stores and sends nothing
    assert outbox_rows(engine) == []
    with engine.connect() as db:
        assert {a.rules_version for a in assessments.latest(db).values()} == {old.version}
        assert assessments.notified(db) == set()


def test_a_real_run_tells_each_gain_once_and_a_rerun_sends_nothing(world):
    engine, old, new, ids, _, _ = world
    reassess(engine, old, AS_OF)
    run = reassess(engine, new, AS_OF)
    wang = f"applicant:{ids['王芳']}"
    gains = {(p.subject.key, m.rule) for p in run.changed for m in p.moves if m.kind == GAINED}
    assert gains and {key for key, _ in gains} == {"worker:102", wang}
    assert set(run.to_notify) == gains
    rows = outbox_rows(engine)
    # one message per recipient, naming each of their gains: the worker, the applicant's own
    # account, the coordinator (about 王芳); nobody who lost or only saw an amount change
    assert [(r.user_id, r.chat_id) for r in rows] == [(102, 10_102), (201, 10_201), (COORDINATOR, 10_900)]
    titles = {rule.id: rule.title for rule in new.rules}
    for row in rows:
        for _, rule in gains:
            assert titles[rule] in row.text
    coordinator = rows[-1].text
    assert "王芳" in coordinator and "李强" not in coordinator
    assert "3500元" in rows[0].text
    with engine.connect() as db:
        assert assessments.notified(db) == gains
        assert {a.rules_version for a in assessments.latest(db).values()} == {new.version}
        assert db.execute(select(FAIRS.c.kind)).scalars().all() == ["notice"]
        assert assessments.has_snapshot(db, new.version)
    again = reassess(engine, new, AS_OF)
    assert not again.changed and not again.to_notify and again.notice_id is None
    assert len(outbox_rows(engine)) == len(rows)
    later = reassess(engine, new, date(2027, 3, 1))   # every period over: losses only, no message
    assert later.changed and not later.to_notify and len(outbox_rows(engine)) == len(rows)
    assert Outbox(engine).fairs() == []                  # a notice is not listed as a fair


async def test_the_sender_sends_each_notice_row_its_own_text(world):
    engine, old, new, _, _, _ = world
    reassess(engine, old, AS_OF)
    reassess(engine, new, AS_OF)
    sent: list[tuple[int, str]] = []

    class Recording:   # a broadcast Transport that keeps what it was asked to send
        async def send_message(self, chat_id: int, text: str, reply_markup: str | None = None) -> None:
            sent.append((chat_id, text))

    outbox = Outbox(engine)
    sender = Sender(outbox, Recording(), compose=lambda fair: "招聘会", config=SenderConfig(rate=1000))
    await sender.run(until_idle=True)
    assert sorted(sent) == sorted((r.chat_id, r.text) for r in outbox_rows(engine))
    assert all(text != "招聘会" for _, text in sent)


def test_results_shown_are_kept_with_their_rules_version(world):
    """The worker's results event (as the core emits it) is stored once per distinct result."""
    from bot.core import conversation
    from bot.core.facts import catalogue

    engine, _, _, _, url, _ = world
    storage = open_storage(url)
    unasked = [name for name in catalogue() if name not in WORKERS[101]]  # skipped: results now
    state = {"v": 1, "phase": "done", "facts": WORKERS[101], "answers": [], "skipped": unasked,
             "pending": None, "options": [], "payload": None}
    turn = conversation.handle_button(state, "results", as_of=AS_OF)
    event = next(e for e in turn.events if e["type"] == "results")
    assert event["rules_version"] == rules_version() and event["as_of"] == AS_OF.isoformat()
    assert storage.record_assessment(301, event) is True
    assert storage.record_assessment(301, event) is False       # a replay adds nothing
    with engine.connect() as db:
        (kept,) = assessments.history(db, "worker:301")
        assert kept.claims[STABLE] == {"yuan": 3000, "per": "once", "up_to": False}
        assert assessments.has_snapshot(db, rules_version())
    storage.delete_user(301)
    with engine.connect() as db:
        assert assessments.history(db, "worker:301") == []
    storage.close()


def test_cli_rules_diff_and_reassess(world):
    engine, old, _, _, url, new_root = world
    reassess(engine, old, AS_OF)
    env = {**os.environ, "DATABASE_URL": url, "POLICY_DIR": str(new_root)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", *args], env=env, capture_output=True,
                              text=True, timeout=120, cwd=ROOT, check=False)

    diff = run("rules", "diff", old.version[:8])
    assert diff.returncode == 0, diff.stderr
    assert "金额 3000元一次性 → 3500元一次性" in diff.stdout
    dry = run("reassess", "--dry-run", "--as-of", AS_OF.isoformat())
    assert dry.returncode == 0, dry.stderr
    assert "worker" not in dry.stdout and "可以申领了 就业稳岗补贴" in dry.stdout and "试运行" in dry.stdout
    assert outbox_rows(engine) == []
    real = run("reassess", "--as-of", AS_OF.isoformat())
    assert real.returncode == 0, real.stderr
    assert "发出通知3条" in real.stdout
    with engine.connect() as db:
        assert db.execute(select(func.count()).select_from(OUTBOX)).scalar_one() == 3
    missing = run("rules", "diff", "ffffffff")
    assert missing.returncode == 1 and "没有找到规则版本 ffffffff" in missing.stderr


# ------------------------------------------------------------- staging and activating new rules


def amended_files(root: Path) -> dict[str, bytes]:
    """The amended document pair, as an operator would upload it."""
    scratch = copy_policy(root.parent / "scratch")
    amend(scratch)
    names = ("knowledge/shaoxing-2021.md", "rules/shaoxing-2021.yaml")
    return {name: (scratch / name).read_bytes() for name in names}


def test_staging_validates_like_rules_check_and_dry_runs(world, tmp_path):
    engine, old, _, _, _, _ = world
    live = copy_policy(tmp_path / "live")
    reassess(engine, old, AS_OF)
    files = amended_files(live)
    broken = {"rules/shaoxing-2021.yaml": files["rules/shaoxing-2021.yaml"]}  # knowledge not amended
    bad = stage_rules(engine, broken, AS_OF, root=live)
    assert not bad.ok
    assert any(line.startswith("文件 shaoxing-2021.yaml，规则 shaoxing.stable_employment，字段 quote：")
               for line in bad.problems), bad.problems
    with pytest.raises(InputError):
        activate(bad, root=live)
    with pytest.raises(InputError):
        stage_rules(engine, {"bot/config.py": b""}, AS_OF, root=live)

    good = stage_rules(engine, files, AS_OF, root=live)
    assert good.ok and good.problems == () and good.version != old.version
    assert any("金额 3000元一次性 → 3500元一次性" in line for line in good.diff)
    assert good.dry_run is not None
    assert {p.subject.key for p in good.dry_run.changed} >= {"worker:101", "worker:102"}
    assert outbox_rows(engine) == []                       # staging sends nothing
    assert content_hash(live) == old.version               # nor writes anything
    assert activate(good, root=live) == good.version == content_hash(live)
    with pytest.raises(InputError):                        # staged against a set no longer deployed
        activate(good, root=live)


def test_activating_behind_a_link_swaps_the_whole_set_at_once(tmp_path):
    policy = tmp_path / "policy"
    base = copy_policy(policy / "v0")
    link = policy / "current"
    link.symlink_to("v0")
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    open_storage(url).close()
    from bot.storage.sql import make_engine

    engine = make_engine(url)
    staged = stage_rules(engine, amended_files(tmp_path / "x"), AS_OF, root=link)
    assert activate(staged, root=link) == staged.version
    assert os.readlink(link) == staged.version and content_hash(base) != staged.version
    assert (link / "rules/shaoxing-2021.yaml").read_bytes() == staged.changed["rules/shaoxing-2021.yaml"]
    engine.dispose()


LIVE_SCRIPT = """
import sys, time
from datetime import date
from bot.core.evaluator import evaluate
from bot.core.facts import normalise_facts
from bot.core.errors import InputError
from bot.core.version import content_hash, rules_version
facts = normalise_facts({facts!r}, date(2026, 3, 1))
def amount():
    [r] = [r for r in evaluate(facts, date(2026, 3, 1)) if r.id == "shaoxing.stable_employment"]
    return r.amount["yuan"]
print(amount(), rules_version(), flush=True)
sys.stdin.readline()
time.sleep(1.2)
print(amount(), rules_version(), flush=True)
"""


def test_a_running_process_answers_with_activated_rules_without_restart(tmp_path):
    live = copy_policy(tmp_path / "live")
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    open_storage(url).close()
    from bot.storage.sql import make_engine

    engine = make_engine(url)
    staged = stage_rules(engine, amended_files(live), AS_OF, root=live)
    engine.dispose()
    env = {**os.environ, "POLICY_DIR": str(live)}
    script = LIVE_SCRIPT.format(facts={**SHAOXING, "social_insurance_months": 12})
    with subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as process:
        assert process.stdin is not None and process.stdout is not None
        before = process.stdout.readline().split()
        activate(staged, root=live)
        process.stdin.write("go\n")
        process.stdin.flush()
        after = process.stdout.readline().split()
    assert before == ["3000", content_hash(ROOT)]
    assert after == ["3500", staged.version]
