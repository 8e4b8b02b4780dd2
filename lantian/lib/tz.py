"""Local (Asia/Shanghai) dates and times. The database stores UTC; people think in local days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Set only by ``replaying``: the demo writes a programme's past months at their own dates.
_replay_at: ContextVar[dt.datetime | None] = ContextVar("lantian_replay_at", default=None)


def now() -> dt.datetime:
    """The current aware time; the only clock the project reads (tests pin it)."""
    return _replay_at.get() or timezone.now()


@contextmanager
def replaying(at: dt.datetime) -> Iterator[None]:
    """Within the block ``now()`` is ``at``: the demo replays a programme's history through
    the ordinary services, each step at the time it happened (reports, acceptances, the
    audit log). Nothing else sets this clock."""
    if at.tzinfo is None:
        raise ValueError("replaying needs an aware time")
    token = _replay_at.set(at)
    try:
        yield
    finally:
        _replay_at.reset(token)


def to_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LOCAL_TZ)


def local_today() -> dt.date:
    return to_local(now()).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The last instant of a local day: a deadline "by 6月底" ends here."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=LOCAL_TZ)


def month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)
