"""Period statistics and rankings: percentiles, the composite index (综合指数), rank order.

Pure: no Django. Weights and standard values come from ``regulations`` (family ``ranking``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

COMPOSITE_POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co", "o3")


def percentile(values: Sequence[float], p: float) -> float | None:
    """HJ 663 percentile: sort ascending, k = 1 + (n − 1)·p/100, interpolate X_s … X_{s+1}."""
    if not values:
        return None
    ordered = sorted(values)
    k = 1 + (len(ordered) - 1) * p / 100
    s = math.floor(k)
    if s >= len(ordered):
        return ordered[-1]
    return ordered[s - 1] + (ordered[s] - ordered[s - 1]) * (k - s)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class RankingRules:
    """What the composite index compares each pollutant with, and how much it weighs."""

    code: str
    weights: Mapping[str, float]
    standards: Mapping[str, float]
    percentiles: Mapping[str, float]

    @classmethod
    def on(cls, day: dt.date) -> RankingRules:
        from regulations.lookup import version

        v = version("ranking", on=day)
        standards = {p: float(pair[1]) for p, pair in v.number("standards").value.items()}
        return cls(
            code=v.code,
            weights={p: float(w) for p, w in v.number("weights").value.items()},
            standards=standards,
            percentiles={p: float(q) for p, q in v.number("percentiles").value.items()},
        )


@dataclass(frozen=True)
class Composite:
    index: float | None
    single: dict[str, float]  # I_i = C_i / S_i
    missing: tuple[str, ...]


def composite_index(concentrations: Mapping[str, float | None], rules: RankingRules) -> Composite:
    """Σ w_i · C_i/S_i over the six pollutants; None when any pollutant is missing.

    ``concentrations``: SO2, NO2, PM10, PM2.5 period means; CO and O3 the period percentiles
    (``rules.percentiles``: CO 95th of daily means, O3 90th of daily maximum 8 h means).
    """
    single, missing = {}, []
    for p in COMPOSITE_POLLUTANTS:
        c = concentrations.get(p)
        if c is None:
            missing.append(p)
            continue
        single[p] = c / rules.standards[p]
    if missing:
        return Composite(None, single, tuple(missing))
    total = sum(rules.weights.get(p, 1) * i for p, i in single.items())
    return Composite(total, single, ())


def rank(values: Mapping[object, float | None]) -> dict[object, int | None]:
    """Competition ranking, lowest (best) first; equal values share a rank; None is unranked."""
    present = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda vk: vk[0])
    out: dict[object, int | None] = {k: None for k in values}
    previous, position = None, 0
    for i, (v, k) in enumerate(present, start=1):
        if v != previous:
            position, previous = i, v
        out[k] = position
    return out
