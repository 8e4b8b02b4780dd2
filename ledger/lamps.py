"""Traffic lights (红黄绿灯) of a line of work and of an item, derived from dates and reports.

Pure: no Django, no database. The same rule colours the ledger lists, the dashboard, the
ranking, the public pages and the monthly 通报:

- **grey** (灰灯): closed out (已验收销号);
- **red** (红灯): past its deadline (more than ``overdue_grace_days``), or returned for more
  work (退回整改);
- **yellow** (黄灯): due within ``due_soon_days`` (or late within ``overdue_grace_days``), or
  the latest report it owed is still missing more than ``report_grace_days`` after its due date;
- **green** (绿灯): on schedule.

The thresholds are regulation data (family ``lamp_rules`` in ``regulations/data/ledger.json``,
with effective date and source); ``Rules.from_version`` turns a version into ``Rules``. An item
(task) shows the worst lamp of its lines; it is grey only when every line is closed out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ledger import schedule, workflow

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
COLOURS = (RED, YELLOW, GREEN, GREY)  # display order: what needs attention first
_SEVERITY = {GREY: 0, GREEN: 1, YELLOW: 2, RED: 3}

# Reason kinds (``Reason.kind``); their Chinese wording lives with the templates.
OVERDUE, RETURNED, DUE_SOON, REPORT_MISSING, CLOSED, ON_SCHEDULE = (
    "overdue",
    "returned",
    "due_soon",
    "report_missing",
    "closed",
    "on_schedule",
)

FAMILY = "lamp_rules"


@dataclass(frozen=True)
class Rules:
    """The thresholds in force, with where they come from."""

    due_soon_days: int = 30
    overdue_grace_days: int = 0
    report_grace_days: int = 0
    code: str = ""
    source: str = ""
    verified: bool = False
    effective_from: dt.date | None = None

    @classmethod
    def from_version(cls, version) -> Rules:
        """From a ``regulations.lookup.Version`` of family ``lamp_rules``."""

        def number(key: str) -> int:
            value = int(version.number(key).value)
            if value < 0:
                raise ValueError(f"{version.code}: {key} 不能为负数")
            return value

        return cls(
            due_soon_days=number("due_soon_days"),
            overdue_grace_days=number("overdue_grace_days"),
            report_grace_days=number("report_grace_days"),
            code=version.code,
            source=version.source,
            verified=version.verified,
            effective_from=version.effective_from,
        )


@dataclass(frozen=True)
class Reason:
    """Why a lamp has its colour: ``days`` overdue / left, or the ``period`` not reported."""

    kind: str
    days: int | None = None
    period: dt.date | None = None


@dataclass(frozen=True)
class Lamp:
    colour: str
    reasons: tuple[Reason, ...] = ()

    @property
    def severity(self) -> int:
        return _SEVERITY[self.colour]


def latest_owed_period(
    start: dt.date,
    *,
    today: dt.date,
    report_day: int,
    closed_on: dt.date | None = None,
    sustained: bool = False,
    interval: int = 3,
) -> dt.date | None:
    """The latest month whose report's due date has passed by ``today`` (``None``: none yet).

    The same rule as ``schedule.owed_periods`` (until yesterday), walked backwards from today
    so a list of thousands of lines stays cheap.
    """
    first = schedule.first_period(start)
    period = schedule.period_of(today)
    while period >= first:
        due = schedule.report_due(period, report_day)
        owed = due < today and (closed_on is None or closed_on > due)
        if owed and (not sustained or schedule.is_review_month(period, interval)):
            return period
        period = schedule.period_of(period - dt.timedelta(days=1))
    return None


def line_lamp(
    *,
    status: str,
    deadline: dt.date | None,
    today: dt.date,
    rules: Rules,
    latest_owed: dt.date | None = None,
    last_reported: dt.date | None = None,
    report_day: int = 0,
) -> Lamp:
    """The lamp of one line of work.

    ``latest_owed`` is the latest month whose report's due date has passed
    (``latest_owed_period``, due on ``report_day``), ``last_reported`` the latest month reported.
    """
    if status == workflow.CLOSED:
        return Lamp(GREY, (Reason(CLOSED),))
    red: list[Reason] = []
    yellow: list[Reason] = []
    if status == workflow.RETURNED:
        red.append(Reason(RETURNED))
    if deadline is not None:
        late = (today - deadline).days
        if late > rules.overdue_grace_days:
            red.append(Reason(OVERDUE, days=late))
        elif late > 0:
            yellow.append(Reason(OVERDUE, days=late))
        elif -late <= rules.due_soon_days:
            yellow.append(Reason(DUE_SOON, days=-late))
    if latest_owed is not None and (last_reported is None or last_reported < latest_owed):
        due = schedule.report_due(latest_owed, report_day)
        if (today - due).days > rules.report_grace_days:
            yellow.append(Reason(REPORT_MISSING, period=latest_owed))
    if red:
        return Lamp(RED, tuple(red + yellow))
    if yellow:
        return Lamp(YELLOW, tuple(yellow))
    return Lamp(GREEN, (Reason(ON_SCHEDULE),))


def item_lamp(lamps: Iterable[Lamp]) -> Lamp | None:
    """An item's lamp: the worst of its lines (with their reasons); ``None`` without lines."""
    lamps = list(lamps)
    if not lamps:
        return None
    worst = max(lamp.severity for lamp in lamps)
    colour = next(c for c, s in _SEVERITY.items() if s == worst)
    worst_lines = [lamp for lamp in lamps if lamp.colour == colour]
    reasons = tuple(dict.fromkeys(r for lamp in worst_lines for r in lamp.reasons))
    return Lamp(colour, reasons)


def counts(lamps: Iterable[Lamp | str | None]) -> dict[str, int]:
    """``{colour: number}`` over every colour (zeros included), in display order."""
    tally = Counter(lamp if isinstance(lamp, str) else lamp.colour for lamp in lamps if lamp)
    return {colour: tally.get(colour, 0) for colour in COLOURS}
