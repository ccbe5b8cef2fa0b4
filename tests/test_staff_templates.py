"""Drift: every staff string the code asks for exists, and every one in staff.yaml is used."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.core.amounts import PERIODS
from bot.core.render import text
from bot.staff import assessment, roles
from bot.staff.claims import STATUSES
from bot.staff.ledger import CLAIM_COLUMNS, COLUMNS, SERVICE_COLUMNS
from bot.staff.services131 import required

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "bot/staff").glob("*.py")))
KEYS = set(yaml.safe_load((ROOT / "templates/zh/staff.yaml").read_text("utf-8")))
LITERAL = set(re.findall(r'(?<!f)"(staff\.[a-z_.]+)"', SOURCE))
PREFIXES = set(re.findall(r'f"(staff\.[a-z_.]+\.)\{', SOURCE))
DYNAMIC = {
    "staff.ledger.col.": COLUMNS,
    "staff.ledger.services.": SERVICE_COLUMNS,
    "staff.ledger.claims.": CLAIM_COLUMNS,
    "staff.claim.status.": STATUSES,
    "staff.per.": PERIODS,
    "staff.service.": tuple(required()),
    "staff.status.": (assessment.NEW, assessment.CLAIMABLE, assessment.INCOMPLETE,
                      assessment.NOTHING, assessment.INVALID),
    "staff.role.": (roles.WORKER, roles.COORDINATOR, roles.STAFF, roles.ADMIN),
}


def test_every_key_the_code_names_exists():
    assert LITERAL and LITERAL <= KEYS, sorted(LITERAL - KEYS)


def test_every_dynamic_key_exists_for_every_value():
    assert PREFIXES == set(DYNAMIC)
    missing = [prefix + value for prefix, values in DYNAMIC.items() for value in values
               if prefix + value not in KEYS]
    assert missing == []


def test_no_unused_strings():
    unused = [k for k in KEYS if k not in LITERAL and not k.startswith(tuple(PREFIXES))]
    assert unused == []


def test_headers_are_short_chinese():
    for column in COLUMNS:
        header = text(f"staff.ledger.col.{column}")
        assert 1 <= len(header) <= 8 and re.search(r"[\u4e00-\u9fff]", header), header
