"""evaluate's output: the contract examples byte for byte as before issue 7 (plus rules_version),
the plain-text view, and rules_version itself."""
import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.version import content_hash, rules_version

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT.parent / "shared/spec/examples").glob("*.json"))
if not EXAMPLES:  # a worktree beside the project: the shared folder is one level up
    EXAMPLES = sorted(Path("/work/shared/spec/examples").glob("*.json"))
GOLDEN = ROOT / "tests/cases/golden/evaluate"
VERSION_LINE = re.compile(r'^  "rules_version": "[0-9a-f]+",\n', re.MULTILINE)


def evaluate(tmp_path: Path, facts: dict, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["evaluate", str(path), *options])
    return status, out.getvalue(), err.getvalue()


def example_facts(name: str) -> dict:
    return json.loads((EXAMPLES[0].parent / f"{name}.json").read_text(encoding="utf-8"))["facts"]


def test_the_examples_have_goldens():
    assert EXAMPLES, "contract examples not found"
    assert {p.name.split(".")[0] for p in GOLDEN.glob("*.json")} == {p.stem for p in EXAMPLES}


@pytest.mark.parametrize("audience", ["worker", "all"])
@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_json_output_is_byte_identical_to_the_golden_but_rules_version(example, audience, tmp_path):
    """Goldens were written by the code before issue 7 (commit 748eae0); tools/golden_evaluate.py
    rewrites them, only for a change meant to alter an answer."""
    status, out, err = evaluate(tmp_path, example_facts(example), "--json", "--audience", audience)
    assert status == 0, err
    assert len(VERSION_LINE.findall(out)) == 1
    golden = (GOLDEN / f"{example}.{audience}.json").read_text(encoding="utf-8")
    assert VERSION_LINE.sub("", out) == golden


def test_rules_version_is_in_the_json_and_stable(tmp_path):
    _, first, _ = evaluate(tmp_path, {"origin_county": "马边"}, "--json")
    _, second, _ = evaluate(tmp_path, {}, "--json")
    version = json.loads(first)["rules_version"]
    assert isinstance(version, str) and re.fullmatch(r"[0-9a-f]{16}", version)
    assert json.loads(second)["rules_version"] == version == rules_version()


def copy_tree(root: Path) -> Path:
    for name in ("rules", "knowledge"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_rules_version_is_the_deployed_files_hash(tmp_path):
    """A copy elsewhere, with other mtimes, hashes the same as the deployed files."""
    assert content_hash(copy_tree(tmp_path / "copy")) == rules_version()


def test_rules_version_changes_with_any_byte_only(tmp_path):
    root = copy_tree(tmp_path / "copy")
    before = content_hash(root)
    (root / "unrelated.txt").write_text("not rules", encoding="utf-8")
    (root / "rules" / "__pycache__").mkdir()
    (root / "rules" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert content_hash(root) == before
    facts = root / "rules" / "facts.yaml"
    facts.write_bytes(facts.read_bytes() + b" ")
    changed = content_hash(root)
    assert changed != before
    (root / "knowledge" / "new.md").write_text("", encoding="utf-8")
    assert content_hash(root) not in (before, changed)


def test_rules_version_names_the_file_a_byte_is_in(tmp_path):
    """Moving bytes from one file to another changes the hash (paths and lengths are hashed)."""
    for target in ("a", "b"):
        (tmp_path / target / "rules").mkdir(parents=True)
        (tmp_path / target / "knowledge").mkdir()
    (tmp_path / "a/rules/x.yaml").write_bytes(b"ab")
    (tmp_path / "a/rules/y.yaml").write_bytes(b"")
    (tmp_path / "b/rules/x.yaml").write_bytes(b"a")
    (tmp_path / "b/rules/y.yaml").write_bytes(b"b")
    assert content_hash(tmp_path / "a") != content_hash(tmp_path / "b")


def plain(tmp_path: Path, facts: dict) -> str:
    status, out, err = evaluate(tmp_path, facts)
    assert status == 0, err
    return out


def test_plain_text_shows_reasons_notes_and_amount_notes(tmp_path):
    out = plain(tmp_path, example_facts("01-shaoxing-mabian"))
    as_json = json.loads(evaluate(tmp_path, example_facts("01-shaoxing-mabian"), "--json")[1])
    own = [r for r in as_json["results"] if r["policy"].startswith("shaoxing")]
    for result in own:
        assert f"【{result['title']}】{result['id']}" in out
        for reason in result["reasons"]:
            assert reason in out
        for sentence in (result["note"], result["amount_note"]):
            assert sentence is None or sentence in out


def test_plain_text_names_missing_facts_in_chinese(tmp_path):
    out = plain(tmp_path, {"origin_county": "马边"})
    assert "还需要知道：" in out
    assert not re.search(r"还需要知道：[^\n]*[a-z_]{4,}", out), out


def test_plain_text_puts_the_own_area_first_and_sums_up_the_others(tmp_path):
    as_json = json.loads(evaluate(tmp_path, {"origin_county": "友谊县"}, "--json")[1])
    out = plain(tmp_path, {"origin_county": "友谊县"})
    listed = re.findall(r"^【[^】]+】(\S+)$", out, re.MULTILINE)
    assert listed and all(rid.startswith("youyi.") for rid in listed)
    others = [r for r in as_json["results"] if r["id"] not in listed]
    assert all("不在这份文件帮扶的地区里" in " ".join(r["reasons"]) for r in others)
    assert f"另有{len(others)}条其他地区的政策不适用" in out.splitlines()[-1]


def test_plain_text_without_an_origin_lists_every_rule(tmp_path):
    out = plain(tmp_path, {})
    assert "其他地区" not in out
    assert out.count("【") == len(json.loads(evaluate(tmp_path, {}, "--json")[1])["results"])


@pytest.mark.parametrize("facts", [
    {"work_city": "绍兴", "person_category": "poverty_alleviated", "as_of": "2025-06-01"},
    {"origin_county": "马边", "as_of": "2026-11-22"},
    {"origin_county": "察右后旗", "person_category": "monitored", "as_of": "2023-05-01"},
])
def test_plain_text_lists_what_can_be_claimed_first_then_what_is_open(tmp_path, facts):
    by_id = {r["id"]: r for r in json.loads(evaluate(tmp_path, facts, "--json")[1])["results"]}
    listed = re.findall(r"^【[^】]+】(\S+)$", plain(tmp_path, facts), re.MULTILINE)

    def rank(rid: str) -> int:
        r = by_id[rid]
        open_now = r["status"] in ("active", "claim_window")
        return 0 if r["claimable"] else 1 if r["eligible"] is None and open_now else 2

    ranks = [rank(rid) for rid in listed]
    assert listed and ranks == sorted(ranks)
    in_rule_order = [rid for rid in by_id if rid in listed]
    assert listed == sorted(in_rule_order, key=rank)  # stable: rule order within a rank
