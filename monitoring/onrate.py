"""开机率 (on-rate), as plain functions over device-hour counts or a period's totals
(``monitoring.hours``, both kept with the rollups).

- 油烟：开机率 = 风机与净化器同时运行的数据条数 ÷ 风机运行的数据条数. The fan running means the
  kitchen is operating; the purifier must run whenever it does ("安而不用" is what this catches).
  A device that never says whether its fan runs has no rate (listed as 未上报运行状态).
- 扬尘：开机率 = 仪器运行的小时数 ÷ 时段内应运行的小时数 (since installation). An hour counts when
  the device sent main-pollutant data flagged as taken while running (N/T); offline hours and
  hours flagged F/M/D/C count as not running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from monitoring.hours import HourCount, Totals


@dataclass
class OnRate:
    """Numerator and denominator of one 开机率, with the devices behind it."""

    on: int = 0
    due: int = 0
    devices: int = 0
    unknown: int = 0  # fume devices that sent no fan/purifier state

    @property
    def rate(self) -> float | None:
        return self.on / self.due if self.due else None

    def add(self, other: OnRate) -> None:
        self.on += other.on
        self.due += other.due
        self.devices += other.devices
        self.unknown += other.unknown


def fume_on_rate(hours: Iterable[HourCount]) -> OnRate:
    """One fume device: samples with fan and purifier running ÷ samples with the fan running."""
    return fume_rate(
        Totals(fan_on=sum(h.fan_on for h in hours), both_on=sum(h.both_on for h in hours))
    )


def fume_rate(totals: Totals) -> OnRate:
    """One fume device from its period's ``hours.totals``."""
    due = totals.fan_on
    return OnRate(totals.both_on, due, 1, 0 if due else 1)


def hours_due(start: dt.datetime, end: dt.datetime, installed: dt.datetime | None = None) -> int:
    """Whole hours in [start, end) from installation on: what a dust monitor owes."""
    begin = max(start, installed) if installed else start
    return max(0, int((end - begin).total_seconds() // 3600))


def dust_on_rate(hours: Iterable[HourCount], due_hours: int) -> OnRate:
    """One dust monitor: hours with the instrument running ÷ hours it should have run."""
    return dust_rate(Totals(running_hours=sum(1 for h in hours if h.running > 0)), due_hours)


def dust_rate(totals: Totals, due_hours: int) -> OnRate:
    """One dust monitor from its period's ``hours.totals``."""
    return OnRate(min(totals.running_hours, due_hours), due_hours, 1, 0)
