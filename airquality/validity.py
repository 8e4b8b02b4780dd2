"""Daily statistics from hourly values under the data-validity rules (GB 3095 table 4, HJ 663).

Pure: no Django. The numbers come in a :class:`Rules` built from ``regulations`` (family
``data_validity``, plus the O3 8 h limit from ``ambient_limits``).

Hours are indexed 0–23 by their start in Beijing time: hour 0 is 00:00–01:00. The O3 8 h moving
means of a day are the 17 windows ending at 08:00 … 24:00 (hours 0–7 … 16–23), all inside the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

HOURS = 24
WINDOW = 8
# The daily report's statistics: 24 h means of these, the O3 daily maxima below.
MEAN_POLLUTANTS = ("so2", "no2", "co", "pm10", "pm25")
OBSERVED = ("so2", "no2", "co", "o3", "pm10", "pm25")


@dataclass(frozen=True)
class Rules:
    """Validity thresholds in force on a day."""

    min_hours_per_day: int
    min_hours_per_window: int
    min_windows_per_day: int
    min_hours_for_o3_1h_max: int
    o3_8h_limit: float
    min_days_per_month: int
    min_days_per_february: int

    @classmethod
    def on(cls, day: dt.date) -> Rules:
        """The rules of ``regulations`` in force on ``day`` (database, else packaged files)."""
        from regulations.lookup import limit_for, value

        def number(key: str) -> int:
            return int(value("data_validity", key, on=day).value)

        return cls(
            min_hours_per_day=number("min_hours_per_day"),
            min_hours_per_window=number("min_hours_per_8h_window"),
            min_windows_per_day=number("min_8h_windows_per_day"),
            min_hours_for_o3_1h_max=number("min_hours_for_o3_daily_max_1h"),
            o3_8h_limit=float(limit_for("ambient_limits", "o3_8h", on=day).value),
            min_days_per_month=number("min_days_per_month"),
            min_days_per_february=number("min_days_per_february"),
        )

    def min_days(self, month: dt.date) -> int:
        return self.min_days_per_february if month.month == 2 else self.min_days_per_month


def valid(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def daily_mean(values: Sequence[float | None], rules: Rules) -> tuple[float | None, int]:
    """The 24 h mean and the number of valid hours; no mean below the minimum hours."""
    hours = valid(values)
    if len(hours) < rules.min_hours_per_day:
        return None, len(hours)
    return sum(hours) / len(hours), len(hours)


def eight_hour_means(o3: Sequence[float | None], rules: Rules) -> list[float | None]:
    """The 17 moving 8 h means of a day; a window with too few valid hours is skipped (None)."""
    out: list[float | None] = []
    for start in range(HOURS - WINDOW + 1):
        hours = valid(o3[start : start + WINDOW])
        enough = len(hours) >= rules.min_hours_per_window
        out.append(sum(hours) / len(hours) if enough else None)
    return out


@dataclass(frozen=True)
class Max8h:
    value: float | None
    windows: int
    # True when the day has too few windows but counts because its maximum exceeds the limit.
    by_exceedance: bool = False


def daily_max_8h(o3: Sequence[float | None], rules: Rules) -> Max8h:
    """O3 daily maximum 8 h mean: needs enough valid windows, unless the maximum exceeds the
    limit."""
    means = valid(eight_hour_means(o3, rules))
    if not means:
        return Max8h(None, 0)
    best = max(means)
    if len(means) >= rules.min_windows_per_day:
        return Max8h(best, len(means))
    if best > rules.o3_8h_limit:
        return Max8h(best, len(means), by_exceedance=True)
    return Max8h(None, len(means))


@dataclass
class Day:
    """A station's (or area's) daily statistics, with how many hours and windows were valid."""

    values: dict[str, float | None] = field(default_factory=dict)
    hours: dict[str, int] = field(default_factory=dict)
    o3_windows: int = 0
    o3_by_exceedance: bool = False

    def for_aqi(self) -> dict[str, float | None]:
        """The daily-report inputs of :func:`airquality.aqi.compute`."""
        out = {p: self.values.get(p) for p in MEAN_POLLUTANTS}
        out["o3_8h"] = self.values.get("o3_8h")
        out["o3"] = self.values.get("o3_1h")
        return out


def day_figures(hourly: Mapping[str, Sequence[float | None]], rules: Rules) -> Day:
    """All daily statistics of one day from 24 hourly values per pollutant (None = invalid)."""
    day = Day()
    for pollutant in MEAN_POLLUTANTS:
        hours = list(hourly.get(pollutant) or [None] * HOURS)
        day.values[pollutant], day.hours[pollutant] = daily_mean(hours, rules)
    o3 = list(hourly.get("o3") or [None] * HOURS)
    valid_o3 = valid(o3)
    day.hours["o3"] = len(valid_o3)
    enough = len(valid_o3) >= rules.min_hours_for_o3_1h_max
    day.values["o3_1h"] = max(valid_o3) if enough else None
    best = daily_max_8h(o3, rules)
    day.values["o3_8h"] = best.value
    day.o3_windows, day.o3_by_exceedance = best.windows, best.by_exceedance
    return day
