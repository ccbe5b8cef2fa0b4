"""Write tests/cases/golden/evaluate/<example>.<audience>.json: `evaluate --json` of each contract example.

The goldens pin evaluate's output byte for byte (tests/test_cli_evaluate.py compares, ignoring the
`rules_version` line). They were first written by the code before issue 7 (commit 748eae0).
Regenerate ONLY when a change is meant to alter an answer, and say which in the commit message:
    .venv/bin/python tools/golden_evaluate.py [--check]
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
GOLDEN = ROOT / "tests" / "cases" / "golden" / "evaluate"
AUDIENCES = ("worker", "all")
VERSION_LINE = re.compile(r'^  "rules_version": "[0-9a-f]+",\n', re.MULTILINE)


def evaluate(facts: dict, audience: str) -> str:
    """`python -m bot evaluate - --json` of the facts, without the rules_version line."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "evaluate", "-", "--json", "--audience", audience],
        input=json.dumps(facts, ensure_ascii=False), capture_output=True, text=True, cwd=ROOT, check=True,
    )
    return VERSION_LINE.sub("", proc.stdout)


def main(check: bool) -> int:
    """Write (or with --check, compare) every golden; the number of differences."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    differences = 0
    for example in sorted(EXAMPLES.glob("*.json")):
        facts = json.loads(example.read_text(encoding="utf-8"))["facts"]
        for audience in AUDIENCES:
            path = GOLDEN / f"{example.stem}.{audience}.json"
            out = evaluate(facts, audience)
            if path.exists() and path.read_text(encoding="utf-8") == out:
                continue
            differences += 1
            print(("differs: " if check else "written: ") + path.name)
            if not check:
                path.write_text(out, encoding="utf-8")
    return differences


if __name__ == "__main__":
    sys.exit(1 if main("--check" in sys.argv[1:]) and "--check" in sys.argv[1:] else 0)
