"""Detecting abnormal rises and persistently high areas. Pure: no Django.

An **abnormal rise** (数据异常升高) of a series (a station, or a district's hourly mean) at hour
``at``: for each of the last ``confirm_hours`` hours the value is at least ``rise_ratio`` times
its baseline (the median of the ``baseline_hours`` before) and at least ``min_rise`` above it,
and at least ``neighbour_ratio`` times the median of its neighbours at the same hour (stations
within ``neighbour_radius_km``; for districts, the other districts). The neighbour test keeps a
regional episode, where everything rises together, from opening a local response.

A **persistently high area** (顽固性高值区域): on at least ``persistent_min_days`` of the last
``persistent_days`` days, the daily mean is at least ``persistent_ratio`` times the mean of all
other series that day.

All thresholds come from :class:`Rules` (``regulations`` family ``anomaly_rules``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Rules:
    code: str
    pollutants: tuple[str, ...]
    baseline_hours: int
    min_baseline_hours: int
    rise_ratio: float
    min_rise: Mapping[str, float]
    neighbour_radius_km: float
    neighbour_ratio: float
    confirm_hours: int
    persistent_days: int
    persistent_min_days: int
    persistent_ratio: float

    @classmethod
    def from_version(cls, version: Any) -> Rules:
        def get(key: str) -> Any:
            return version.number(key).value

        return cls(
            code=version.code,
            pollutants=tuple(get("pollutants")),
            baseline_hours=int(get("baseline_hours")),
            min_baseline_hours=int(get("min_baseline_hours")),
            rise_ratio=float(get("rise_ratio")),
            min_rise={p: float(v) for p, v in get("min_rise").items()},
            neighbour_radius_km=float(get("neighbour_radius_km")),
            neighbour_ratio=float(get("neighbour_ratio")),
            confirm_hours=int(get("confirm_hours")),
            persistent_days=int(get("persistent_days")),
            persistent_min_days=int(get("persistent_min_days")),
            persistent_ratio=float(get("persistent_ratio")),
        )

    @classmethod
    def on(cls, day: dt.date) -> Rules:
        from regulations.lookup import version

        return cls.from_version(version("anomaly_rules", on=day))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def neighbours_within(
    points: Mapping[Hashable, tuple[float, float] | None], radius_km: float
) -> dict[Hashable, list[Hashable]]:
    """For each point, the others within ``radius_km`` (points without coordinates have none)."""
    out: dict[Hashable, list[Hashable]] = {}
    for key, where in points.items():
        out[key] = [
            other
            for other, there in points.items()
            if other != key and where and there and distance_km(where, there) <= radius_km
        ]
    return out


@dataclass(frozen=True)
class Rise:
    key: Hashable
    pollutant: str
    start: dt.datetime
    end: dt.datetime  # exclusive: the end of the last hour
    peak: float
    baseline: float
    reference: float | None
    hours: tuple[tuple[str, float], ...] = field(default=())


def detect_rises(
    series: Mapping[Hashable, Mapping[dt.datetime, float | None]],
    *,
    at: dt.datetime,
    pollutant: str,
    rules: Rules,
    neighbours: Mapping[Hashable, Sequence[Hashable]] | None = None,
) -> list[Rise]:
    """Series rising abnormally in the hours up to and including ``at`` (hour starts).

    ``neighbours`` maps a key to the keys it is compared with; a key without neighbours is
    compared with every other series (the district or city), and when there is no other
    series at all only the baseline test applies.
    """
    confirm = [at - (rules.confirm_hours - 1 - i) * HOUR for i in range(rules.confirm_hours)]
    first = confirm[0]
    found = []
    for key, values in series.items():
        base = [values.get(first - k * HOUR) for k in range(1, rules.baseline_hours + 1)]
        base = [v for v in base if v is not None]
        if len(base) < rules.min_baseline_hours:
            continue
        baseline = median(base)
        others = list(neighbours.get(key, ())) if neighbours else []
        if not others:
            others = [k for k in series if k != key]
        checked = _check_hours(values, series, confirm, baseline, others, pollutant, rules)
        if checked is None:
            continue
        peaks, reference = checked
        found.append(
            Rise(
                key=key,
                pollutant=pollutant,
                start=first,
                end=at + HOUR,
                peak=max(v for _, v in peaks),
                baseline=baseline,
                reference=reference,
                hours=tuple(peaks),
            )
        )
    return found


def _check_hours(values, series, confirm, baseline, others, pollutant, rules):
    """(hour values, reference at the last hour) when every hour passes all tests, else None."""
    peaks, reference = [], None
    for hour in confirm:
        value = values.get(hour)
        if value is None:
            return None
        if value < rules.rise_ratio * baseline or value - baseline < rules.min_rise[pollutant]:
            return None
        around = [series[o].get(hour) for o in others]
        around = [v for v in around if v is not None]
        reference = median(around) if around else None
        if reference is not None and value < rules.neighbour_ratio * reference:
            return None
        peaks.append((hour.isoformat(), value))
    return peaks, reference


@dataclass(frozen=True)
class Persistent:
    key: Hashable
    pollutant: str
    first_day: dt.date
    last_day: dt.date
    mean_value: float
    mean_reference: float
    high_days: tuple[tuple[str, float, float], ...]


def detect_persistent(
    daily: Mapping[Hashable, Mapping[dt.date, float | None]],
    *,
    last_day: dt.date,
    pollutant: str,
    rules: Rules,
) -> list[Persistent]:
    """Series that were well above all others on enough of the last days."""
    window = [last_day - dt.timedelta(days=k) for k in range(rules.persistent_days - 1, -1, -1)]
    found = []
    for key, values in daily.items():
        high = []
        for day in window:
            value = values.get(day)
            others = [daily[o].get(day) for o in daily if o != key]
            others = [v for v in others if v is not None]
            if value is None or not others:
                continue
            reference = sum(others) / len(others)
            if value >= rules.persistent_ratio * reference:
                high.append((day.isoformat(), value, reference))
        if len(high) >= rules.persistent_min_days:
            found.append(
                Persistent(
                    key=key,
                    pollutant=pollutant,
                    first_day=window[0],
                    last_day=last_day,
                    mean_value=sum(v for _, v, _ in high) / len(high),
                    mean_reference=sum(r for _, _, r in high) / len(high),
                    high_days=tuple(high),
                )
            )
    return found
