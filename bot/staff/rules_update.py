"""Stage a new document (knowledge + rules files), see what it would change, then activate it.

``stage_rules(engine, files, as_of)`` lays the given files over a copy of the deployed set,
validates the result exactly like ``python -m bot rules check`` (each problem names file, rule
and field), and runs the reassess dry run against it (who would gain or lose what).
``activate(staged)`` writes the files into the deployed directory; every process picks the
new version up within a second (``bot.core.live``), no restart. Reassess (to tell those who
gained) is then ``python -m bot reassess``, a separate, deliberate step.

Atomicity: when ``POLICY_DIR`` is a symbolic link (the deployment layout ``policy/<version>/``
plus ``policy/current`` -> the active one), the whole new set is written beside the old one
and the link is swapped in one rename, so no process ever sees half of it. Otherwise each
file is replaced atomically (written aside, then renamed over), knowledge before rules (a rule
never cites a clause not yet there); a reader in the instant between two files sees the
next change a second later and reloads.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from bot.config import POLICY_ROOT
from bot.core.errors import InputError
from bot.core.ruleset import (
    RuleSet,
    describe_diff,
    diff_rule_sets,
    load_rule_set,
    rule_set_problems,
    write_files,
)
from bot.core.version import files_hash, policy_files
from bot.staff.reassess import ReassessReport, reassess

PROBLEM = re.compile(r"^(?P<file>[^:]+): rule (?P<rule>[^:]+): (?P<field>[^:]+): (?P<message>.*)$")
ALLOWED = re.compile(r"^(rules/[A-Za-z0-9._-]+\.yaml|knowledge/[A-Za-z0-9._-]+\.md)$")


@dataclass(frozen=True)
class StagedChange:
    """A candidate rules set: the files given, the whole set, its problems, what it would change."""

    changed: dict[str, bytes]
    files: dict[str, bytes]
    version: str
    problems: tuple[str, ...] = ()                   # Chinese lines; empty when valid
    diff: tuple[str, ...] = ()                       # ``rules diff`` lines against the deployed set
    dry_run: ReassessReport | None = None
    base_version: str = ""
    rule_set: RuleSet | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether it may be activated."""
        return not self.problems and self.rule_set is not None


def problem_zh(problem: str) -> str:
    """A ``rules check`` problem as a Chinese line naming file, rule and field."""
    from bot.core.render import text

    found = PROBLEM.match(problem)
    if found:
        return text("rules_stage.problem", **found.groupdict())
    return text("rules_stage.problem_file", message=problem)


def stage_rules(engine: Engine, files: Mapping[str, bytes], as_of: date,
                root: Path = POLICY_ROOT) -> StagedChange:
    """Validate the deployed set with ``files`` laid over it and dry-run reassess against it."""
    from bot.core.render import text

    for name in files:
        if not ALLOWED.match(name):
            raise InputError(text("rules_stage.bad_name", name=name), f"not a rules or knowledge file: {name}")
    deployed = load_rule_set(root)
    whole = {**deployed.files, **{name: bytes(data) for name, data in files.items()}}
    version = files_hash(whole)
    with tempfile.TemporaryDirectory(prefix="staged-") as tmp:
        write_files(Path(tmp), whole)
        _, problems, _ = rule_set_problems(Path(tmp))
        candidate = None if problems else load_rule_set(Path(tmp))
    if candidate is None:
        return StagedChange(dict(files), whole, version, tuple(problem_zh(p) for p in problems),
                            base_version=deployed.version)
    report = reassess(engine, candidate, as_of, dry_run=True)
    return StagedChange(dict(files), whole, version, (), tuple(describe_diff(diff_rule_sets(deployed, candidate))),
                        report, deployed.version, candidate)


def activate(staged: StagedChange, root: Path = POLICY_ROOT) -> str:
    """Write a valid staged change into the deployed directory; return the new rules version.

    Refused when it has problems or when the deployed files changed since it was staged.
    """
    from bot.core.live import refresh
    from bot.core.render import text

    if not staged.ok:
        raise InputError(text("rules_stage.not_valid"), "the staged rules have problems")
    current = files_hash(policy_files(root))
    if current != staged.base_version:
        raise InputError(text("rules_stage.moved", old=staged.base_version, now=current),
                         "the deployed rules changed since staging: stage again")
    if root.is_symlink():
        _swap_link(root, staged)
    else:
        for name in sorted(staged.changed, key=lambda n: (not n.startswith("knowledge/"), n)):
            _replace_file(root / name, staged.changed[name])
    refresh(force=True)
    return files_hash(policy_files(root))


def _replace_file(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target``, then rename it over (atomic for that one file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _swap_link(link: Path, staged: StagedChange) -> None:
    """Write the whole set to ``<parent>/<version>/`` and point the link at it in one rename."""
    target = link.parent / staged.version
    if not target.exists():
        building = Path(tempfile.mkdtemp(prefix=f".{staged.version}.", dir=link.parent))
        try:
            write_files(building, staged.files)
            building.rename(target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
    fresh = link.parent / f".{link.name}.{staged.version}.link"
    fresh.unlink(missing_ok=True)
    fresh.symlink_to(target.name)
    os.replace(fresh, link)
