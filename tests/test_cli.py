"""The command-line contract: examples pass, bad input exits 2 with one line, never a traceback."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def run_bot(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], check=False, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_contract_examples_pass():
    proc = subprocess.run(
        [sys.executable, str(SHARED / "spec/examples/check.py")], check=False, capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout


def test_unreadable_file_is_refused(tmp_path):
    proc = run_bot("evaluate", str(tmp_path / "missing.json"), "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_bad_arguments_are_one_line():
    proc = run_bot("evaluate", "-", "--audience", "boss", stdin="{}")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_yaml_facts_and_as_of_flag(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text("origin_county: 马边\nperson_category: poverty_alleviated\nas_of: 2020-01-01\n", encoding="utf-8")
    proc = run_bot("evaluate", str(facts), "--as-of", "2026-11-22", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["as_of"] == "2026-11-22"
    assert out["facts"]["origin_province"] == "四川省"
    assert all(r["beneficiary"] == "worker" for r in out["results"])


def test_audience_all_includes_organisation_rules():
    proc = run_bot("evaluate", "-", "--audience", "all", "--json", stdin="{}")
    assert proc.returncode == 0, proc.stderr
    beneficiaries = {r["beneficiary"] for r in json.loads(proc.stdout)["results"]}
    assert {"worker", "employer", "agency"} <= beneficiaries


def test_ask_returns_whole_clauses_best_first():
    proc = run_bot("ask", "在绍兴自己租房有补贴吗", "--top", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["question"] == "在绍兴自己租房有补贴吗"
    assert len(out["results"]) == 3
    first = out["results"][0]
    assert (first["doc"], first["clause"]) == ("shaoxing-2021", "三（三）")
    assert "500元/月" in first["text"] and first["text"].endswith("。")
    scores = [r["score"] for r in out["results"]]
    assert scores == sorted(scores, reverse=True)


def test_rules_check_passes_on_the_shipped_rules():
    proc = run_bot("rules", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_run_without_token_says_so_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--no-chat-fallback"],
        check=False, capture_output=True, text=True, cwd=ROOT, timeout=60, env=env,
    )
    assert proc.returncode == 0
    assert "BOT_TOKEN" in proc.stderr and "python -m bot chat" in proc.stderr
