"""Pass rates of typed answers through the conversation core: tuned set and held-out set.

    .venv/bin/python bench/bench_answers.py

The tuned set is `conversation:` in tests/cases/answers.yaml; the held-out set is
tests/cases/answers_heldout.yaml (written before the parsers were changed, never tuned on).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from answer_cases import load, outcome


def main() -> int:
    for label, name in (("tuned", "answers.yaml"), ("held-out", "answers_heldout.yaml")):
        header, cases = load(name)
        found = [outcome(c, header) for c in cases]
        failed = [f for f in found if not f.passed]
        print(f"{label:9} {len(found) - len(failed):3}/{len(found)} = {1 - len(failed) / len(found):.2f}  ({name})")
        for f in failed:
            print(f"    {f.case['ask']}: {f.case['text']!r} expected {f.case['expect']!r}, got {f.got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
