"""Reading a facts file for ``evaluate``: bytes -> one flat mapping, refusing bad input early.

Every refusal is an :class:`InputError` (exit status 2 on the command line), raised in bounded
time and memory: the size is capped before reading, nesting is bounded before parsing, YAML
aliases and anchors are refused from the event stream before anything is constructed, and a
bad value is quoted cut to :data:`CLIP` characters.
"""
from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import date, datetime
from typing import Any, BinaryIO, TextIO

import yaml

from bot.core.errors import InputError

MAX_BYTES = 1_000_000  # a facts file is a few hundred bytes; this is far beyond any real one
MAX_DEPTH = 32  # brackets: a facts file needs 1
MAX_ENTRIES = 200  # keys: the vocabulary has about 20
CLIP = 40  # characters of a bad value quoted back
YEARS = (1950, 2100)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BRACKETS = re.compile(r"[\[\]{}]")
_SCALARS = (str, int, float, bool, date, type(None))
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def clip(value: Any, limit: int = CLIP) -> str:
    """A value as one short printable line: cut to ``limit`` characters, no line breaks."""
    try:
        shown = value if isinstance(value, str) else repr(value)
    except ValueError:  # an integer over Python's 4300-digit conversion limit
        shown = "…"
    shown = "".join(_printable(ch) for ch in shown[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _printable(ch: str) -> str:
    """One character as shown in a message: surrogates, control and format characters replaced."""
    category = unicodedata.category(ch)
    if category == "Cs":
        return "\ufffd"
    return " " if category in ("Cc", "Cf", "Zl", "Zp") else ch


def read_limited(stream: BinaryIO, name: str) -> bytes:
    """At most MAX_BYTES from a binary stream; more is refused without reading it all."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse("too_big", f"facts file {clip(name)} is over {MAX_BYTES} bytes",
                      name=clip(name), most=MAX_BYTES // 1000)
    return data


def read_facts(source: str, stdin: TextIO) -> dict[str, Any]:
    """The raw facts from a file, or from standard input for ``-``."""
    try:
        if source == "-":
            data = _read_stream(stdin)
        else:
            with open(source, "rb") as stream:
                data = read_limited(stream, source)
    except OSError as exc:
        raise _refuse("unreadable_file", f"cannot read facts file {clip(source)}: {exc.strerror}",
                      name=clip(source)) from None
    return parse_facts(data)


def _read_stream(stdin: TextIO) -> bytes:
    """Bytes of standard input (a text stream without a buffer, as in tests, is encoded back)."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return read_limited(buffer, "-")
    text = stdin.read(MAX_BYTES + 1)
    return read_limited(io.BytesIO(text.encode("utf-8", "surrogatepass")), "-")


def parse_facts(data: bytes) -> dict[str, Any]:
    """The raw facts mapping from a file's bytes (JSON, or YAML without aliases)."""
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("not_utf8", f"facts file is not valid UTF-8 (byte {exc.start + 1})", at=exc.start + 1) from None
    if not source.strip():
        raise _refuse("empty", "facts file is empty")
    _check_depth(source)
    return _check_shape(_parse(source))


def _check_depth(source: str) -> None:
    """Refuse deep bracket nesting before any parser sees it (cheap, linear)."""
    depth = 0
    for match in _BRACKETS.finditer(source):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            raise _too_deep()


def _parse(source: str) -> Any:
    """JSON first (the contract's format), then YAML."""
    try:
        return json.loads(source, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError:
        pass
    except (ValueError, RecursionError):  # e.g. an integer over Python's 4300-digit limit
        raise _number_too_long() from None
    try:
        _check_yaml_events(source)
        return yaml.load(source, Loader=_LOADER)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = where.line + 1 if where else None
        raise _refuse("syntax", "facts file is not JSON or YAML" + (f" (line {line})" if line else ""), line=line) from None
    except (ValueError, OverflowError, RecursionError):  # a YAML timestamp or number out of range
        raise _refuse("unreadable", "facts file holds an unreadable date or number") from None


def _number_too_long() -> InputError:
    return _refuse("long_number", "facts file holds a number with too many digits")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (a repeated fact is refused, not overwritten)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _repeated(key)
        seen[key] = value
    return seen


def _repeated(key: Any) -> InputError:
    return _refuse("repeated", f"fact {clip(key)!r} given twice", name=clip(key))


def _check_yaml_events(source: str) -> None:
    """Refuse aliases, anchors, repeated keys, deep nesting and too many entries before
    construction (PyYAML keeps the last of two equal keys without a word)."""
    depth = scalars = 0
    mappings: list[tuple[set[str], list[bool]] | None] = []   # per open node: keys, at a key?
    for event in yaml.parse(source, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _refuse("alias", "YAML anchors and aliases (& and *) are not allowed")
        if isinstance(event, (*_OPEN, yaml.ScalarEvent)) and mappings and mappings[-1]:
            keys, at_key = mappings[-1]
            if at_key[0] and isinstance(event, yaml.ScalarEvent):
                if event.value in keys:
                    raise _repeated(event.value)
                keys.add(event.value)
            at_key[0] = not at_key[0]
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep()
            mappings.append((set(), [True]) if isinstance(event, yaml.MappingStartEvent) else None)
        elif isinstance(event, _CLOSE):
            depth -= 1
            mappings.pop()
        elif isinstance(event, yaml.ScalarEvent):
            scalars += 1
            if scalars > 2 * MAX_ENTRIES + 1:
                raise _too_many()


def _too_many() -> InputError:
    return _refuse("too_many", f"more than {MAX_ENTRIES} entries in the facts", most=MAX_ENTRIES)


def _too_deep() -> InputError:
    return _refuse("too_deep", f"facts nested deeper than {MAX_DEPTH} levels", most=MAX_DEPTH)


def _refuse(problem: str, en: str, **ctx: Any) -> InputError:
    """A one-line zh + en refusal (zh wording: templates/zh/cli.yaml, ``cli.input.<problem>``)."""
    from bot.core.render import text

    return InputError(text(f"cli.input.{problem}", **ctx), en)


def _check_shape(data: Any) -> dict[str, Any]:
    """One flat mapping: text keys, single values, no broken Unicode."""
    if data is None:
        raise _refuse("null", "facts file holds nothing (null)")
    if not isinstance(data, dict):
        raise _refuse("not_mapping", f"facts must be a JSON/YAML object, got {type(data).__name__}")
    if len(data) > MAX_ENTRIES:
        raise _too_many()
    for key, value in data.items():
        if not isinstance(key, str):
            raise _refuse("key", f"fact names must be text, got {clip(key)}", name=clip(key))
        _check_text(key, key)
        if not isinstance(value, _SCALARS):
            raise _refuse("nested", f"{clip(key)}: expected a single value, got {type(value).__name__}",
                          name=clip(key), value=clip(value))
        if isinstance(value, str):
            _check_text(key, value)
    return data


def _check_text(key: str, value: str) -> None:
    """Refuse text that cannot be written out as UTF-8 (a lone surrogate from a JSON escape)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse("surrogate", f"{clip(key)}: invalid Unicode (a lone surrogate)",
                      name=clip(key), value=clip(value)) from None


def parse_as_of(raw: Any) -> date:
    """The evaluation day from ``--as-of`` or the file's ``as_of``: YYYY-MM-DD, years 1950–2100."""
    day: date | None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        day = raw
    else:
        try:
            day = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 10 else None
        except ValueError:
            day = None
        if day is None:
            raise _refuse("date", f"malformed date {clip(raw)} (expected YYYY-MM-DD)", value=clip(raw))
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _refuse("year", f"date {day.isoformat()} outside the years {YEARS[0]}-{YEARS[1]}",
                      value=day.isoformat(), first=YEARS[0], last=YEARS[1])
    return day
