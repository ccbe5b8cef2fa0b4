"""Command-line adapter: ``python -m bot evaluate|ask|ledger evaluate|chat|run|db upgrade|rules check|
rules diff|reassess``.

Thin: parse arguments, call one core function, print JSON or rendered text, and turn
domain errors into a one-line message with exit status 2 (never a traceback).
Heavy modules are imported inside the command that needs them, so ``evaluate`` stays fast.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from bot.config import load_settings
from bot.core.errors import InputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"命令参数有误：{message}", f"bad arguments: {message}")


def _as_of(given: str | None) -> date:
    """``--as-of`` read like every other date of the command line, else today."""
    from bot.core.facts_input import parse_as_of

    return parse_as_of(given) if given is not None else _today()


def _today() -> date:
    from bot.core.clock import today

    return today()


def _facts(args: argparse.Namespace) -> tuple[dict[str, Any], date]:
    """The facts file (``-``: standard input), normalised, and the day: ``--as-of``, else the
    file's ``as_of``, else today in China."""
    from bot.core.facts import normalise_facts
    from bot.core.facts_input import parse_as_of, read_facts

    raw = read_facts(args.facts, sys.stdin)
    file_as_of = raw.pop("as_of", None)
    given = args.as_of or file_as_of
    as_of = parse_as_of(given) if given is not None else _today()
    return normalise_facts(raw, as_of=as_of), as_of


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate one person's facts against every rule."""
    from bot.core.evaluator import evaluate, result_to_json

    facts, as_of = _facts(args)
    results = evaluate(facts, as_of, audience=args.audience)
    if args.json:
        from bot.core.version import rules_version

        out = {"as_of": as_of.isoformat(), "rules_version": rules_version(), "facts": facts,
               "results": [result_to_json(r) for r in results]}
        _print_json(out)
    else:
        from bot.core.render import render

        own = sorted((r for r in results if r.in_scope), key=_usefulness)
        print(render("cli_evaluate", as_of=as_of, facts=facts, results=own, others=len(results) - len(own),
                     fact_names=_fact_names))
    return 0


def cmd_notice(args: argparse.Namespace) -> int:
    """Write one person's one-time notice (一次性告知单) as a one-page PDF."""
    from bot.core.evaluator import evaluate
    from bot.core.notice import NoticePerson, notice_pdf
    from bot.core.version import rules_version

    facts, as_of = _facts(args)
    results = evaluate(facts, as_of)
    pdf = notice_pdf(NoticePerson.from_facts(facts, args.name or ""), results, as_of, rules_version(),
                     args.link)
    Path(args.output).write_bytes(pdf)
    print(args.output)
    return 0


def _usefulness(result) -> int:
    """Plain-text order: what can be claimed, then what is still open, then the rest (stable)."""
    if result.claimable:
        return 0
    return 1 if result.eligible is None and result.status in ("active", "claim_window") else 2


def _fact_names(keys: Sequence[str]) -> list[str]:
    """The Chinese names of facts (templates/zh/evaluator.yaml, eval.fact.*), each name once."""
    from bot.core.render import has_text, text

    names = [text(f"eval.fact.{k}") if has_text(f"eval.fact.{k}") else k for k in keys]
    return list(dict.fromkeys(names))


def cmd_ask(args: argparse.Namespace) -> int:
    """Search the knowledge base: the clauses that answer a question, the sentence that answers,
    whether the documents answer it at all, and what to know besides (``note``)."""
    from bot.core.answering import compose
    from bot.core.knowledge import load_knowledge
    from bot.core.search import search

    if args.top < 1:
        raise InputError("--top 必须是正整数", "--top must be a positive integer")
    as_of = _as_of(args.as_of)
    answer = compose(args.question, search(args.question, top=args.top), as_of)
    from bot.core.render import render, text

    if args.json:
        _print_json({
            "question": args.question,
            "as_of": as_of.isoformat(),
            "answered": answer.answered,
            # Unanswered, the note says so and whom to ask (as the chat does).
            "note": answer.note or (None if answer.answered else text("ask.not_covered")),
            "results": [{"doc": f.clause.doc, "clause": f.clause.id, "title": f.clause.title,
                         "text": f.clause.text, "sentence": f.sentence, "score": round(f.score, 4)}
                        for f in answer.results],
        })
    else:
        print(render("cli_ask", answer=answer, documents=load_knowledge().documents,
                     not_covered=text("ask.not_covered")))
    return 0


def cmd_ledger_evaluate(args: argparse.Namespace) -> int:
    """Check every row of a coordinator's spreadsheet; write the checked copy."""
    from bot.staff.ledger_sheet import evaluate_ledger_file

    as_of = _as_of(args.as_of)
    report = evaluate_ledger_file(Path(args.source), Path(args.output), as_of)
    print(report.summary(args.output))
    return 0


def _terminal_chat(settings, role: str = "worker") -> int:
    """The terminal chat on the bot's own database: the worker's interview and every staff flow."""
    from dataclasses import replace

    from bot.adapters.terminal import LOCAL_USERS
    from bot.adapters.terminal import main as terminal_main
    from bot.staff import StaffContext
    from bot.storage import open_storage

    store = open_storage(settings.database_url)
    admins = settings.admin_ids | ({LOCAL_USERS["admin"]} if role == "admin" else set())
    staff = StaffContext(engine=getattr(store, "engine"), admin_ids=frozenset(admins))  # noqa: B009
    try:
        return terminal_main(replace(settings, admin_ids=frozenset(admins)), store=store,
                             role=role, staff=staff)
    finally:
        store.close()


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the bot in this terminal, as a worker or in a staff role."""
    return _terminal_chat(load_settings(), args.role)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot; without a token, say so and start the terminal chat."""
    settings = load_settings()
    if not settings.bot_token:
        from bot.core.render import text

        print(text("cli.no_token"), file=sys.stderr)
        if args.no_chat_fallback:
            return 0
        return _terminal_chat(settings)
    from bot.adapters.telegram.app import main as telegram_main

    return telegram_main(settings)


def cmd_db(args: argparse.Namespace) -> int:
    """Apply the schema migrations to DATABASE_URL (``upgrade``) or print its revision (``current``)."""
    from bot.storage.migrate import current_revision, head_revision, upgrade
    from bot.storage.sql import make_engine

    engine = make_engine(load_settings().database_url)
    try:
        if args.db_command == "upgrade":
            print(f"database at {upgrade(engine)} (head {head_revision()})")
        else:
            print(f"database at {current_revision(engine) or 'none'} (head {head_revision()})")
    finally:
        engine.dispose()
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    """Validate every rules, facts and knowledge file; list the problems."""
    from bot.core.rules import check_rules

    problems = check_rules()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("rules OK")
    return 0


def _deployed_rules(settings):
    """The rule set under POLICY_DIR (validated like ``rules check``)."""
    from bot.core.ruleset import load_rule_set

    return load_rule_set(settings.policy_dir)


def _migrated_engine(settings):
    from bot.storage.migrate import upgrade
    from bot.storage.sql import make_engine

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def cmd_rules_diff(args: argparse.Namespace) -> int:
    """What changed from a kept rules version to the deployed one (the deployed one is kept too)."""
    from bot.core.render import text
    from bot.core.ruleset import describe_diff, diff_rule_sets, rule_set_from_files
    from bot.storage import assessments

    settings = load_settings()
    new = _deployed_rules(settings)
    engine = _migrated_engine(settings)
    try:
        with engine.begin() as db:
            assessments.save_snapshot(db, new.version, new.files)
            kept = assessments.load_snapshot(db, args.old_version)
            known = "、".join(v for v, _ in assessments.versions(db))
    finally:
        engine.dispose()
    if kept is None:
        print(text("rules_diff.no_snapshot", version=args.old_version, known=known), file=sys.stderr)
        return 1
    for line in describe_diff(diff_rule_sets(rule_set_from_files(kept[1]), new)):
        print(line)
    return 0


def cmd_reassess(args: argparse.Namespace) -> int:
    """Re-evaluate every saved person with the deployed rules; tell those who gained a subsidy."""
    from bot.staff.reassess import reassess

    settings = load_settings()
    rules = _deployed_rules(settings)
    engine = _migrated_engine(settings)
    try:
        report = reassess(engine, rules, _as_of(args.as_of), dry_run=args.dry_run)
    finally:
        engine.dispose()
    for line in report.lines():
        print(line)
    return 0


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (see ../shared/spec/cli-contract.md)."""
    parser = _Parser(prog="python -m bot", description="帮扶通 — employment subsidy assistant")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ev = sub.add_parser("evaluate", help="evaluate facts against every rule")
    ev.add_argument("facts", help="JSON or YAML file, or - for standard input")
    ev.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: as_of in the file, else today)")
    ev.add_argument("--audience", choices=["worker", "all"], default="worker")
    ev.add_argument("--json", action="store_true", help="print the contract's JSON")
    ev.set_defaults(func=cmd_evaluate)

    notice = sub.add_parser("notice", help="one person's one-time notice (一次性告知单) as a PDF")
    notice.add_argument("--facts", required=True, help="JSON or YAML file, or - for standard input")
    notice.add_argument("--name", help="the person's name (default: a blank to write in)")
    notice.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: as_of in the file, else today)")
    notice.add_argument("--link", default="",
                        help="what the QR code opens: https://t.me/<bot>?start=<payload> (default: no QR code)")
    notice.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    notice.set_defaults(func=cmd_notice)

    ask = sub.add_parser("ask", help="search the policy documents")
    ask.add_argument("question")
    ask.add_argument("--top", type=int, default=5)
    ask.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD for the notes on ended documents (default: today)")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    ledger = sub.add_parser("ledger", help="a coordinator's spreadsheet (xlsx)")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True, parser_class=_Parser)
    sheet = ledger_sub.add_parser("evaluate", help="check every row; write the same rows plus columns")
    sheet.add_argument("source", metavar="IN.xlsx")
    sheet.add_argument("-o", "--output", required=True, metavar="OUT.xlsx")
    sheet.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
    sheet.set_defaults(func=cmd_ledger_evaluate)

    chat = sub.add_parser("chat", help="chat with the bot in a terminal (every role's flows)")
    chat.add_argument("--as", dest="role", default="worker",
                      choices=("worker", "coordinator", "staff", "admin"),
                      help="who you are in the chat (admin: allowed here; the others take an invite)")
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="run the Telegram bot (terminal chat without BOT_TOKEN)")
    run.add_argument("--no-chat-fallback", action="store_true", help="without a token, just exit")
    run.set_defaults(func=cmd_run)

    db = sub.add_parser("db", help="database schema migrations (DATABASE_URL)")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="apply the migrations up to head").set_defaults(func=cmd_db)
    db_sub.add_parser("current", help="print the revision the database is at").set_defaults(func=cmd_db)

    rules = sub.add_parser("rules", help="rules maintenance")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    check = rules_sub.add_parser("check", help="validate rules/, knowledge/ and templates")
    check.set_defaults(func=cmd_rules_check)
    diff = rules_sub.add_parser("diff", help="what changed from a kept rules version to the deployed one")
    diff.add_argument("old_version", metavar="OLD_VERSION", help="a rules_version (a unique prefix is enough)")
    diff.set_defaults(func=cmd_rules_diff)

    again = sub.add_parser("reassess", help="re-evaluate every saved person with the deployed rules")
    again.add_argument("--dry-run", dest="dry_run", action="store_true",
                       help="print who gains or loses what; store and send nothing")
    again.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
    again.set_defaults(func=cmd_reassess)
    return parser


def _utf8_streams() -> None:
    """Standard output and error always write valid UTF-8 (a stray surrogate becomes '?')."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; domain errors become one line on stderr and exit status 2."""
    _utf8_streams()
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except InputError as exc:
        print(" ".join(exc.one_line().splitlines()), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
