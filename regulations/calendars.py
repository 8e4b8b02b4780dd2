"""The holiday and make-up-day (调休) calendar as regulation data, one version per year.

Years the ``chinese_calendar`` package knows become versions coded ``节假日安排-YYYY`` (loaded
by ``lantian loadregs``); ``data/calendar.json`` carries years the package does not know yet
(2027: the statutory days off only, marked unofficial until the State Council publishes its
arrangement); the office enters a published arrangement as a version of higher priority by
pasting the notice (``parse_notice``). Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
import re

import chinese_calendar

FAMILY = "workday_calendar"


def package_years() -> list[int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return sorted(y for y in years if _package_knows(y))


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _chinese(name: str) -> str:
    for holiday in chinese_calendar.Holiday:
        if holiday.value == name:
            return holiday.chinese
    return name


def package_spec(year: int) -> dict:
    """The version of ``year`` as the package knows it (the State Council's notice)."""
    version = getattr(chinese_calendar, "__version__", "")
    holidays = {
        d.isoformat(): _chinese(name)
        for d, name in sorted(chinese_calendar.holidays.items())
        if d.year == year
    }
    workdays = [d.isoformat() for d in sorted(chinese_calendar.workdays) if d.year == year]
    return {
        "family": FAMILY,
        "code": f"节假日安排-{year}",
        "title": f"{year} 年法定节假日与调休安排",
        "effective_from": f"{year}-01-01",
        "effective_to": f"{year + 1}-01-01",
        "source": (
            f"国务院办公厅关于{year}年部分节假日安排的通知（经 chinesecalendar {version} 载入）"
        ),
        "verified": True,
        "values": [
            {"key": "holidays", "value": holidays},
            {"key": "workdays", "value": workdays},
            {"key": "official", "value": True},
        ],
    }


def package_specs() -> list[dict]:
    return [package_spec(y) for y in package_years()]


# --- the State Council's notice, pasted by the office ----------------------------------------

# An item starts a line or follows a full stop (“腊月二十八、周日” inside an item is not one).
ITEM = re.compile(
    r"(?:^|(?<=[\n。]))\s*[一二三四五六七八九十]+、\s*([^：:\n]{1,8})[：:](.*?)"
    r"(?=(?:[\n。])\s*[一二三四五六七八九十]+、|\Z)",
    re.S,
)
DAY = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:[（(][^）)]*[）)])?"
RANGE = re.compile(DAY + r"(?:\s*至\s*" + DAY + r")?")


def parse_notice(text: str, year: int) -> tuple[dict[str, str], list[str], list[str]]:
    """(holidays {date: name}, make-up working days, problems) from a notice's text, e.g.
    ``二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。``"""
    holidays: dict[str, str] = {}
    workdays: list[str] = []
    problems: list[str] = []
    items = ITEM.findall(text.replace("\u3000", " "))
    if not items:
        return {}, [], ["没有找到“一、元旦：……”这样的条目"]
    for name, body in items:
        name = name.strip()
        off, _, rest = body.partition("放假")
        if not _:
            problems.append(f"{name}：没有“放假”字样")
            continue
        days = _dates(off, year, problems, name)
        if len(days) == 2:
            first, last = days
            if last < first or (last - first).days > 15:
                problems.append(f"{name}：放假日期 {first}—{last} 不合理")
                continue
            span = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
        else:
            span = days
        for d in span:
            holidays[d.isoformat()] = name
        for clause in re.findall(r"([^。；;]*?)上班", rest):
            for match in RANGE.finditer(clause):
                d = _date(match.groups()[:3], year, None)
                if d:
                    workdays.append(d.isoformat())
    if not holidays:
        problems.append("没有识别出任何放假日期")
    return holidays, sorted(set(workdays)), problems


def _dates(text: str, year: int, problems: list[str], name: str) -> list[dt.date]:
    match = RANGE.search(text)
    if not match:
        problems.append(f"{name}：没有识别出日期")
        return []
    g = match.groups()
    first = _date(g[:3], year, None)
    if first is None:
        problems.append(f"{name}：日期无效")
        return []
    if g[5] is None:
        return [first]
    last = _date(g[3:], year, first)
    if last is None:
        problems.append(f"{name}：结束日期无效")
        return [first]
    return [first, last]


def _date(parts, year: int, after: dt.date | None) -> dt.date | None:
    y, m, d = parts
    try:
        y = int(y) if y else (after.year if after else year)
        m = int(m) if m else (after.month if after else None)
        if m is None:
            return None
        day = dt.date(y, m, int(d))
    except (TypeError, ValueError):
        return None
    if after is not None and day < after and not parts[1]:
        return None
    return day


def office_spec(year: int, holidays: dict, workdays: list[str], *, title: str, source: str) -> dict:
    """A version the office entered (priority 1: it wins over the package and the provisional
    statutory days)."""
    return {
        "family": FAMILY,
        "code": f"节假日安排-{year}-本市录入",
        "title": title or f"{year} 年法定节假日与调休安排",
        "effective_from": f"{year}-01-01",
        "effective_to": f"{year + 1}-01-01",
        "scope": "全国",
        "priority": 1,
        "source": source,
        "verified": True,
        "values": [
            {"key": "holidays", "value": holidays},
            {"key": "workdays", "value": workdays},
            {"key": "official", "value": True},
        ],
    }
