"""Date expressions of Chinese plans → ISO dates.

Every expression resolves relative to the plan's year (bare months and 年底前) and its issue date
(``30个工作日内``, counted with China's official holiday and make-up-day calendar):

=========================  ===============================
``2024年6月底(前)``          2024-06-30
``2024 年 8 月底``           2024-08-31 (spaces anywhere)
``6月底前`` / ``6月末``       the plan year's 06-30
``年底前`` ``年内`` ``年底``   the plan year's 12-31
``2024年底前`` ``到2024年底`` 2024-12-31
``5月10日前``                the plan year's 05-10
``2022年12月1日``            2022-12-01
``一季度末`` ``第二季度``       the quarter's last day
``上半年`` / ``下半年``        06-30 / 12-31
``6月上旬/中旬/下旬``          06-10 / 06-20 / 06-30
``30个工作日内``              issue date + 30 working days
``15日内`` ``3个月内``         issue date + days / months
``每月月底前`` ``每月5日前``   recurring (no single date)
=========================  ===============================

Chinese numerals are accepted for years (``二〇二四年``), months and days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

_CN = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_int(text: str) -> int | None:
    """Small Chinese or Arabic integer → int (``十二`` 12, ``二十五`` 25, ``二〇二四`` 2024)."""
    text = re.sub(r"\s+", "", text)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(c in _CN for c in text) and len(text) >= 2:
        return int("".join(str(_CN[c]) for c in text))  # digit by digit: 二〇二四
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _CN.get(tens, None) if tens else 1
        u = _CN.get(units, None) if units else 0
        if t is None or u is None:
            return None
        return t * 10 + u
    if len(text) == 1 and text in _CN:
        return _CN[text]
    return None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_S = r"\s*"
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"(?P<y>(?:19|20)\d{2}|[二][〇零○][一二三四五六七八九〇零○]{2})" + _S + "年"
_MONTH = r"(?P<m>" + _NUM + r")" + _S + "月(?:份)?"
_DAY = r"(?P<d>" + _NUM + r")" + _S + r"[日号]"
_NEXT = r"(?:(?P<this>今|本|当|明|次)年" + _S + r")?"
_BEFORE = r"(?P<before>" + _S + r"(?:之前|以前|前))?"
_PREFIX = r"(?P<prefix>(?:到|至|截至|截止到|截止|于|在|最迟于|最晚于|不晚于)" + _S + r")?"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # 2024-06-30(前), 2024.6.30, 2024/6/30: tables exported from spreadsheets write dates so
    (
        "day",
        re.compile(
            _PREFIX
            + r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-./／])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*"
            r"(?P<d>\d{1,2})(?![\d.])" + _BEFORE
        ),
    ),
    # 2022年12月1日(前), 5月10日前
    (
        "day",
        re.compile(_PREFIX + _NEXT + r"(?:" + _YEAR + _S + r")?" + _MONTH + _S + _DAY + _BEFORE),
    ),
    # 2024年6月底(前), 6月底前, 6月末, 2024年6月(前), 6月上旬
    (
        "month",
        re.compile(
            _PREFIX
            + _NEXT
            + r"(?:"
            + _YEAR
            + _S
            + r")?"
            + _MONTH
            + _S
            + r"(?P<part>底|末|上旬|中旬|下旬|中)?"
            + _BEFORE
        ),
    ),
    # 2024年底(前), 年底前, 年内, 今年底, 2023年上半年, 一季度末
    (
        "year",
        re.compile(
            _PREFIX
            + r"(?:(?P<this>今|本|当|明|次)?"
            + _S
            + r")?(?:"
            + _YEAR
            + r")?"
            + _S
            + r"(?P<ypart>年底|年末|年内|年度内|底|末|内|上半年|下半年|年中|"
            + r"第?[一二三四1-4]季度(?:末|底)?|[一二三四1-4]季末)"
            + _BEFORE
        ),
    ),
]
_RELATIVE = re.compile(
    r"(?P<anchor>(?:在|自)?[^，。；,;]{0,16}?(?:印发|下发|发布|公布|实施|签订|收到|反馈)(?:之日)?(?:后|起)?)?\s*"
    r"(?P<n>\d{1,3}|[一二三四五六七八九十百]{1,3})"
    + _S
    + r"(?P<unit>个工作日|个?自然日|日|天|个月|周)"
    + _S
    + r"(?:内|以内)"
)
_RECURRING = re.compile(
    r"每(?P<per>月|季度|季|半年|年|周|旬|日|天)(?:"
    r"(?P<when>月底|年底|底|末|初|\d{1,2}日|[一二三]?十?[一二三四五六七八九十]日|最后一个工作日)?前?)"
)


@dataclass
class DateHit:
    """One date expression found in a text."""

    start: int
    end: int
    raw: str
    date: dt.date | None
    kind: str  # day | month | year | relative | recurring | year_only
    explicit_year: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def iso(self) -> str | None:
        return self.date.isoformat() if self.date else None


def _year_of(match: re.Match, year: int | None) -> tuple[int | None, bool]:
    y = match.groupdict().get("y")
    if y:
        return cn_int(y), True
    this = match.groupdict().get("this")
    if this in ("明", "次") and year:
        return year + 1, False
    return year, False


def _resolve(kind: str, match: re.Match, year: int | None) -> tuple[dt.date | None, bool]:
    y, explicit = _year_of(match, year)
    if y is None:
        return None, explicit
    try:
        if kind == "day":
            m, d = cn_int(match["m"]), cn_int(match["d"])
            return dt.date(y, m, d), explicit
        if kind == "month":
            m = cn_int(match["m"])
            part = match["part"]
            if part in ("上旬",):
                return dt.date(y, m, 10), explicit
            if part in ("中旬", "中"):
                return dt.date(y, m, 20), explicit
            if not part and match["before"] and not match.groupdict().get("prefix"):
                # 6月前: before June → the end of May
                first = dt.date(y, m, 1)
                return first - dt.timedelta(days=1), explicit
            return month_end(y, m), explicit
        part = re.sub(r"\s+", "", match["ypart"])
        if part in ("上半年", "年中"):
            return dt.date(y, 6, 30), explicit
        q = re.search(r"[一二三四1-4]", part) if "季" in part else None
        if q:
            quarter = cn_int(q.group()) if not q.group().isdigit() else int(q.group())
            return month_end(y, quarter * 3), explicit
        if part in ("底", "末", "内") and not match.groupdict().get("y"):
            return None, explicit  # a bare 底 is not a date
        return dt.date(y, 12, 31), explicit
    except (TypeError, ValueError):
        return None, explicit


def find_dates(text: str, year: int | None, issued: dt.date | None = None) -> list[DateHit]:
    """Every date expression in ``text``, left to right, without overlaps."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for match in _RECURRING.finditer(text):
        if not (match["when"] or match["per"] in ("月", "季度", "季", "半年")):
            continue
        hits.append(
            DateHit(
                match.start(),
                match.end(),
                match.group(),
                None,
                "recurring",
                extra={"per": match["per"], "when": match["when"] or ""},
            )
        )
        taken.append((match.start(), match.end()))
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            a, b = match.start(), match.end()
            if a == b or not free(a, b):
                continue
            if kind == "year" and not match.groupdict().get("y"):
                part = re.sub(r"\s+", "", match["ypart"])
                if part in ("底", "末", "内", "年度内"):
                    continue
                # 年底 inside 2023年底 was taken; a bare 年内/年底 must not follow a digit
                if a > 0 and text[a - 1].isdigit():
                    continue
            if (
                kind == "month"
                and not match.groupdict().get("y")
                and not match.groupdict().get("this")
                and not (match["part"] or match["before"])
            ):
                continue  # a bare "6月" is not a deadline
            if kind == "month" and re.match(r"\s*(?:份以来|以来|起|开始)", text[b:]):
                continue
            date, explicit = _resolve(kind, match, year)
            hits.append(DateHit(a, b, match.group(), date, kind, explicit))
            taken.append((a, b))
    for match in _RELATIVE.finditer(text):
        a, b = match.start("n"), match.end()
        if not free(a, b):
            continue
        n = cn_int(match["n"])
        unit = match["unit"]
        date = None
        if issued and n is not None:
            date = _add(issued, n, unit)
        start = match.start("anchor") if match["anchor"] else a
        hits.append(
            DateHit(
                start,
                b,
                text[start:b],
                date,
                "relative",
                extra={"amount": n, "unit": unit, "anchor": (match["anchor"] or "").strip()},
            )
        )
        taken.append((a, b))
    hits.sort(key=lambda h: h.start)
    return hits


def _add(start: dt.date, n: int, unit: str) -> dt.date:
    if unit == "个工作日":
        from lantian.lib.workdays import add_workdays  # pure: chinese_calendar only

        return add_workdays(start, n)
    if unit == "个月":
        month = start.month - 1 + n
        y, m = start.year + month // 12, month % 12 + 1
        return min(dt.date(y, m, min(start.day, calendar.monthrange(y, m)[1])), month_end(y, m))
    if unit == "周":
        return start + dt.timedelta(weeks=n)
    return start + dt.timedelta(days=n)


def resolve(raw: str, year: int | None, issued: dt.date | None = None) -> dt.date | None:
    """The date one expression stands for (the first one found in ``raw``)."""
    for hit in find_dates(raw, year, issued):
        if hit.date:
            return hit.date
    return None


_YEAR_ONLY = re.compile(
    r"(?:(?<=^)|(?<=[，。；：,;:！]))\s*(?:确保|力争|争取|到|至)?\s*"
    r"(?P<y>(?:19|20)\d{2})\s*年(?!\s*(?:度|底|末|内|以来|起|前|后|第|上半|下半|\d|[—\-－~～至到]))"
)
_COMMIT = re.compile(r"完成|全部|实现|达到|建成|基本|取得|降至|控制在|不低于|不高于|提高|提升")


def year_only_commitments(text: str) -> list[DateHit]:
    """``2023年技术可行的…全部使用…``: a year standing at the start of a commitment clause."""
    out = []
    for match in _YEAR_ONLY.finditer(text):
        end = _clause_end(text, match.end())
        clause = text[match.end() : end]
        if not clause.strip() or clause.lstrip().startswith(("，", ",")):
            continue
        if not _COMMIT.search(clause):
            continue
        y = int(match["y"])
        out.append(
            DateHit(
                match.start("y"),
                match.end(),
                text[match.start("y") : match.end()],
                dt.date(y, 12, 31),
                "year_only",
                True,
            )
        )
    return out


_OPEN = "（(《“「〔【"
_CLOSE = "）)》”」〕】"


def _clause_end(text: str, start: int, stops: str = "，。；,;！？") -> int:
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and c in stops:
            return i
    return len(text)


def clause_after(text: str, hit: DateHit) -> str:
    """The commitment a date introduces: the date and its clause (and the next after a comma)."""
    end = _clause_end(text, hit.end)
    if end < len(text) and text[end] in "，," and not text[hit.end : end].strip():
        end = _clause_end(text, end + 1)
    return text[hit.start : end].strip()


def clause_around(text: str, hit: DateHit) -> str:
    """The clause holding a date; when the date ends it (``…，6月底前完成``), the one before too."""
    start = hit.start
    for i in range(hit.start - 1, -1, -1):
        if text[i] in "。；;！？":
            break
        if text[i] in "，,":
            start = i + 1
            break
        start = i
    end = _clause_end(text, hit.end)
    after = text[hit.end : end].strip()
    if end < len(text) and text[end] in "，," and not after:
        end = _clause_end(text, end + 1)
        after = text[hit.end : end].strip()
    before = text[start : hit.start].strip()
    if len(re.sub(r"\s", "", after)) <= 3 and not before and start > 0 and text[start - 1] in "，,":
        # "开展产业聚集区排查，4月底前完成": the action is in the clause before
        prev_start = start - 1
        for i in range(start - 2, -1, -1):
            if text[i] in "，,。；;！？":
                break
            prev_start = i
        start = prev_start
    return text[start:end].strip().lstrip("，,")
