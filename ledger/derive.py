"""A current-year programme derived from an imported plan: the same items, units, measures and
milestones, every date moved by whole months so that "today" falls inside the plan's span.

Pure: no Django. The demo (``ledger.demo``) uses it to turn the seed plans, whose deadlines
lie years back, into a programme in motion; the seed import itself is kept as revision 1 of
the plan and the derived dates arrive as its next revision, through the ordinary import path.

The shift is chosen from the plan's own deadlines, not written for any particular plan: of
the shifts that put some deadline within the coming ``soon_days`` (so the "due soon" list is
not empty), the one whose share of deadlines already past is nearest ``past_share``.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
from collections.abc import Iterable

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# keys of an extraction (CONTRACT-plans.md §2) that hold a calendar date as ISO text
DATE_KEYS = frozenset({"issued", "deadline", "date", "due", "by", "feedback_date"})


def shift_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months``; a month's last day stays the last day (6月底 → 6月底)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    is_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if is_month_end else min(day.day, last))


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def choose_shift(
    deadlines: Iterable[dt.date],
    today: dt.date,
    *,
    past_share: float = 0.65,
    soon_days: int = 30,
) -> int:
    """Whole months to add to every date so that ``today`` lies inside the plan's span.

    Candidates are the shifts that bring one of the deadlines to within ``soon_days`` from
    today; among them the one whose share of deadlines before today is nearest
    ``past_share`` (ties: the smaller shift). No deadlines: 0.
    """
    days = sorted(deadlines)
    if not days:
        return 0
    soon = today + dt.timedelta(days=soon_days)
    candidates: set[int] = set()
    for day in days:
        base = months_between(day, today)
        for months in (base - 1, base, base + 1):
            if today <= shift_months(day, months) <= soon:
                candidates.add(months)
    if not candidates:  # no month-end lands in the window: keep the span around today
        candidates = {months_between(days[len(days) // 2], today)}

    def distance(months: int) -> tuple[float, int]:
        past = sum(shift_months(d, months) < today for d in days) / len(days)
        return (abs(past - past_share), abs(months))

    return min(candidates, key=distance)


def extraction_deadlines(extraction: dict) -> list[dt.date]:
    """The items' deadlines (one per dated item, as the ledger counts them)."""
    out = []
    for item in extraction.get("items") or []:
        value = item.get("deadline") if isinstance(item, dict) else None
        if isinstance(value, str) and ISO_DAY.match(value):
            out.append(dt.date.fromisoformat(value))
    return out


def shifted_extraction(extraction: dict, months: int, *, year: int | None = None) -> dict:
    """A copy of ``extraction`` with every ISO date under a date key moved by ``months``
    and the plan's ``year`` set (the year "today" falls in). Texts stay as the document
    wrote them: the raw deadline ("年底前") still reads right; an explicit year in a text
    is the document's own and is not rewritten."""
    out = copy.deepcopy(extraction)
    _shift(out, months)
    if year is not None:
        out["year"] = year
    if not out.get("issued"):
        out["issued"] = _assumed_issue(out)
    return out


def _assumed_issue(extraction: dict) -> str | None:
    """A plan text without its date: a rectification plan follows the inspectors' feedback
    by about a month; otherwise half a year before its first deadline."""
    feedback = extraction.get("feedback_date")
    if isinstance(feedback, str) and ISO_DAY.match(feedback):
        return (dt.date.fromisoformat(feedback) + dt.timedelta(days=30)).isoformat()
    deadlines = extraction_deadlines(extraction)
    return shift_months(min(deadlines), -6).isoformat() if deadlines else None


def _shift(node, months: int) -> None:
    if isinstance(node, list):
        for child in node:
            _shift(child, months)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in DATE_KEYS and isinstance(value, str) and ISO_DAY.match(value):
            node[key] = shift_months(dt.date.fromisoformat(value), months).isoformat()
        else:
            _shift(value, months)
