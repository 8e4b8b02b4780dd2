"""Quantities: the numbers a problem states, and the quantitative targets a task sets.

Problem numbers (``607 家``, ``仅 17 家``, ``2.8%``, ``约 2 万辆``, ``2-4 家``, ``一千平方米``,
``三分之一``) keep the unit as written, with a 万/亿 multiplier inside the unit. Years, levels
(``三级预警``), road names (``108 国道``), grades (``A 级``) and standard codes are not quantities.

Targets are a quantity with a comparator in a commitment: ``清洁取暖率达90%左右`` (≈),
``机械化清扫率达到95%`` (>=), ``降尘量不高于7吨/月・平方公里`` (<=), ``每日检查不少于10户``
(>= per day), ``完成50%…``, ``散煤“清零”`` (= 0). Scope thresholds that only say which things
are meant (``35蒸吨/小时及以下``, ``150万吨以上的``, ``超过3个月的``) are not targets.
"""

from __future__ import annotations

import re

from .dates import DateHit, _clause_end
from .numerals import cn_to_number

_MEASURE = (
    r"吨/月[・·•]平方公里|吨/平方公里[・·•]月|微克/立方米|毫克/立方米|mg/m3|mg/m³|μg/m3|μg/m³|"
    r"蒸吨/小时|t/a|t/d|t/h|吨/天|吨/日|吨/年|吨/小时|万千瓦|千瓦|kW|MW|"
    r"平方公里|平方米|立方米|公里|千米|公斤|千克|吨|米|km|m2|m³|m3|"
    r"小时|个月|天|分钟"
)
_COUNT = (
    r"个百分点|百分点|批次|轮次|辆次|人次|户次|家次|余家|多家|家|个|起|次|辆|台套|台|套|户|处|座|项|条|人|件|宗|"
    r"所|栋|根|根次|眼|口|批|片|段|部|架|艘|列"
)
_PERCENT = r"%|％|‰"
UNIT = rf"(?:(?:万|亿|千|百)?(?:{_MEASURE}|{_COUNT})|{_PERCENT})"
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_NUMERAL}]+(?:点[零一二三四五六七八九]+)?)"

_QUANTITY = re.compile(
    rf"(?P<approx>约|近|大约|超|逾)?\s*"
    rf"(?P<num>{_NUMBER})(?:\s*(?P<dash>[-~～—－至到])\s*(?P<num2>{_NUMBER}))?\s*"
    rf"(?P<unit>{UNIT})"
)
_FRACTION = re.compile(rf"(?P<den>[{_CN_NUMERAL}]+|\d+)分之(?P<num>[{_CN_NUMERAL}]+|\d+)")


def cn_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = cn_to_number(text)
    return None if value is None else float(value)


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def _is_excluded(text: str, start: int, end: int, num: str, unit: str) -> bool:
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    if re.search(r"[A-Za-z/._\-—]$", before.rstrip()) and not before.endswith((" ",)):
        return True  # PM2.5, GB/T38597, DB61/1078-2017
    if re.match(r"^[0-9]", after):
        return True
    if text[max(0, start - 1) : start] == "第":
        return True
    if after.startswith(("级", "年", "届", "号", "型")):
        return True
    if unit in ("个", "次") and num and not num[0].isdigit() and after.startswith(("确立", "维护")):
        return True
    return bool(re.match(r"^\d{4}$", num) and unit in ("年",))


def _inside_quotes(text: str, pos: int) -> bool:
    opened = text.count("“", 0, pos) - text.count("”", 0, pos)
    plain = text.count('"', 0, pos) % 2
    return opened > 0 or plain == 1


def problem_numbers(text: str) -> list[dict]:
    """Quantities stated in a problem description."""
    out: list[dict] = []
    taken: list[tuple[int, int]] = []
    for match in _FRACTION.finditer(text):
        den, num = cn_number(match["den"]), cn_number(match["num"])
        if den and num is not None and den != 0:
            out.append(
                {
                    "value": round(num / den, 4),
                    "unit": "比例",
                    "raw": match.group(),
                    "_at": match.start(),
                }
            )
            taken.append(match.span())
    for match in _QUANTITY.finditer(text):
        a, b = match.start("num"), match.end()
        if any(not (b <= s or a >= e) for s, e in taken):
            continue
        num, unit = match["num"], match["unit"]
        if not num[0].isdigit():
            # Chinese numerals only when they are clearly a quantity (一千平方米, 两万辆)
            if not re.search(r"[十百千万亿]", num) and not re.match(
                _MEASURE, unit.lstrip("万亿千百")
            ):
                continue
        if _is_excluded(text, a, b, num, unit):
            continue
        if num[0].isdigit() and a > 0 and text[a - 1].isdigit():
            continue
        value = cn_number(num)
        if value is None:
            continue
        start = match.start("approx") if match["approx"] else a
        item: dict = {
            "value": _plain(value),
            "unit": unit.replace("％", "%"),
            "raw": text[start:b].strip(),
        }
        if match["num2"]:
            high = cn_number(match["num2"])
            if high is None:
                continue
            item["value_max"] = _plain(high)
        if match["approx"] in ("约", "近", "大约"):
            item["approx"] = True
        item["_at"] = start
        out.append(item)
        taken.append((a, b))
    out.sort(key=lambda x: x.pop("_at"))
    return out


# --- targets ---------------------------------------------------------------------------------

_CMP_BEFORE = [
    (r"不低于|不得低于|不少于|不得少于|至少|最少|不小于", ">="),
    (r"不高于|不得高于|不超过|不得超过|不大于|最多", "<="),
    (r"控制在|稳定在|保持在", "<="),
    (r"低于|少于|小于|降至|降到|降低到|降低至|下降到|下降至", "<"),
    (
        r"提升到|提升至|提高到|提高至|增加至|增加到|增长到|增长至|上升到|上升至|达到|达|超过|高于|实现",
        ">=",
    ),
]
_CMP_WORDS = "|".join(w for w, _ in _CMP_BEFORE)
_TARGET = re.compile(
    rf"(?P<cmp>{_CMP_WORDS})\s*(?P<num>{_NUMBER})\s*(?P<unit>{UNIT})(?P<tail>\s*(?:左右|以上|以下|以内|及以上|及以下))?"
)
_COMMIT = re.compile(r"(?:完成|申报|新增|建成|创建|淘汰|改造|培育|打造|争创|实施|推广)")
_SCOPE_AFTER = re.compile(r"^\s*(?:及以上|及以下|以上|以下|以内)?\s*的")
_PER = re.compile(r"每(?P<per>天|日|周|月|季度|季|半年|年|小时)")
_NEGATED = re.compile(r"(?:未|不|没有|尚未)[^，。；]{0,4}$")


def _cmp_of(word: str) -> str:
    for words, cmp in _CMP_BEFORE:
        if re.fullmatch(words, word):
            return cmp
    return ">="


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, pos) for c in "。；;！？\n") + 1
    ends = [i for i in (text.find(c, pos) for c in "。；;！？\n") if i >= 0]
    return start, (min(ends) if ends else len(text))


def _clause_start(text: str, pos: int) -> int:
    depth = 0
    for i in range(pos - 1, -1, -1):
        c = text[i]
        if c in "）)》”」〕】":
            depth += 1
        elif c in "（(《“「〔【":
            depth = max(0, depth - 1)
        elif depth == 0 and c in "，,。；;！？：:\n":
            return i + 1
    return 0


def _what(text: str, start: int, dates: list[DateHit]) -> str:
    what = text[_clause_start(text, start) : start]
    for hit in dates:
        what = what.replace(hit.raw, "")
    what = re.sub(r"^\s*(?:确保|力争|争取|全面|基本|努力|并|且|使|要|到|，)+", "", what)
    what = re.sub(r"(?:每(?:天|日|周|月|季度|季|年)|对[^，。；]{0,20}进行)$", "", what)
    return what.strip(" ，,、")


def targets(text: str, dates: list[DateHit]) -> list[dict]:
    """Quantitative targets in a task text; ``dates`` are the date hits of the same text."""
    found: list[tuple[int, dict]] = []
    taken: list[tuple[int, int]] = []

    def add(at: int, span: tuple[int, int], item: dict) -> None:
        if any(not (span[1] <= s or span[0] >= e) for s, e in taken):
            return
        taken.append(span)
        found.append((at, item))

    for match in _TARGET.finditer(text):
        a, b = match.start(), match.end()
        num, unit = match["num"], match["unit"]
        if _inside_quotes(text, a) or _is_excluded(text, match.start("num"), b, num, unit):
            continue
        if (
            not num[0].isdigit()
            and not re.search(r"[十百千万]", num)
            and unit not in ("次", "轮次", "个")
        ):
            continue
        word, tail = match["cmp"], (match["tail"] or "").strip()
        if word in ("超过", "高于", "低于") and _SCOPE_AFTER.match(text[b:]):
            continue  # 超过3个月的: a condition, not a target
        value = cn_number(num)
        if value is None:
            continue
        cmp = _cmp_of(word)
        if tail == "左右":
            cmp = "≈"
        elif tail in ("以上", "及以上"):
            cmp = ">="
        elif tail in ("以下", "及以下", "以内"):
            cmp = "<="
        add(a, (a, b), _target(text, a, b, value, unit, cmp, dates, word))

    # 完成50%…任务 / 申报8家… / 完成…等5个项目 / 新增…1.5 万户
    for match in _QUANTITY.finditer(text):
        a, b = match.start("num"), match.end()
        num, unit = match["num"], match["unit"]
        if match["num2"] or _inside_quotes(text, a) or _is_excluded(text, a, b, num, unit):
            continue
        if a > 0 and text[a - 1].isdigit():
            continue
        if (
            not num[0].isdigit()
            and unit not in ("轮次", "批次")
            and not re.search(r"[十百千万]", num)
        ):
            continue
        if _SCOPE_AFTER.match(text[b:]) and not re.match(
            r"^\s*的\s*(?:[^，。；]{0,8})$", text[b : b + 3]
        ):
            if (
                re.match(r"^\s*(?:及以上|及以下|以上|以下|以内)", text[b:])
                or text[b : b + 1] == "的"
            ):
                continue
        if re.match(r"^\s*(?:及以上|及以下|以上|以下|以内)", text[b:]):
            continue
        cstart = _clause_start(text, a)
        clause_before = text[cstart:a]
        verb = None
        for v in _COMMIT.finditer(clause_before):
            verb = v
        if verb is None:
            # a list continued after a comma: 完成生产企业6批次涂料，销售企业12批次…
            prev = [t for at, t in found if at < cstart and t.get("_clause_end", -1) == cstart - 1]
            if prev and prev[-1]["unit"] == unit.replace("％", "%") and prev[-1].get("_verb"):
                add(
                    cstart,
                    (a, b),
                    _target(
                        text, cstart, b, cn_number(num), unit, ">=", dates, "", raw_from=cstart
                    ),
                )
            continue
        if _NEGATED.search(text[cstart : cstart + verb.start()]) or re.search(
            r"(?:未|不|没有)\s*(?:按[^，。；]{0,6})?$", clause_before[: verb.start()]
        ):
            continue
        value = cn_number(num)
        if value is None:
            continue
        raw_from = cstart
        item = _target(text, a, b, value, unit, ">=", dates, verb.group(), raw_from=raw_from)
        item["_verb"] = True
        add(cstart, (a, b), item)

    # 散煤“清零”
    for match in re.finditer(r"[“\"]?清零[”\"]?", text):
        before = text[max(0, match.start() - 3) : match.start()]
        if (
            "动态" in before
            or _inside_quotes(text, match.start())
            and not text[match.start()] == "“"
        ):
            continue
        cstart = _clause_start(text, match.start())
        what = text[cstart : match.start()].strip()
        if not what or re.search(r"(?:实施|实行|开展|推进)", what):
            continue
        item = {
            "what": _what(text, match.start(), dates) or what,
            "value": 0,
            "unit": None,
            "cmp": "=",
            "by": _by(text, match.start(), dates, None),
            "raw": text[cstart : match.end()].strip(),
        }
        add(cstart, match.span(), item)

    found.sort(key=lambda x: x[0])
    out = []
    for _, item in found:
        item.pop("_verb", None)
        item.pop("_clause_end", None)
        out.append(item)
    return out


def _by(text: str, pos: int, dates: list[DateHit], per: str | None) -> str | None:
    if per:
        return None
    s, e = _sentence_bounds(text, pos)
    before = [h for h in dates if s <= h.start < pos and h.date and h.kind != "recurring"]
    if before:
        return before[-1].iso
    cend = _clause_end(text, pos)
    after = [h for h in dates if pos <= h.start < cend and h.date and h.kind != "recurring"]
    return after[0].iso if after else None


def _target(text, a, b, value, unit, cmp, dates, word, raw_from=None) -> dict:
    s, _ = _sentence_bounds(text, a)
    cstart = _clause_start(text, a)
    per_match = None
    for m in _PER.finditer(text, cstart, a):
        per_match = m
    per = per_match["per"] if per_match else None
    start = raw_from if raw_from is not None else (per_match.start() if per_match else cstart)
    raw = text[start:b].strip()
    # the raw span of a comparator target begins where its subject begins
    if raw_from is None:
        subject_start = cstart
        for hit in dates:
            if cstart <= hit.start < a and hit.end <= a:
                subject_start = max(subject_start, hit.end)
        raw = text[subject_start:b].strip(" ，,")
        raw = re.sub(r"^(?:确保|力争|全市|并)?", lambda m: m.group(), raw)
    else:
        raw = text[raw_from : _clause_end(text, b)].strip(" ，,")
        for hit in dates:
            if raw.startswith(hit.raw) and False:
                raw = raw[len(hit.raw) :]
    tail = re.match(r"\s*(左右|以上|以下|以内)", text[b:])
    if tail and raw_from is None:
        raw += tail.group(1)
    item = {
        "what": _what(text, a, dates),
        "value": _plain(value),
        "unit": unit.replace("％", "%"),
        "cmp": cmp,
        "by": _by(text, a, dates, per),
        "raw": raw,
        "_clause_end": _clause_end(text, b),
    }
    if per:
        item["per"] = {"日": "天", "季度": "季"}.get(per, per)
    return item
