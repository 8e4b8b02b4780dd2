"""线上监控+线下核实: an enterprise's online monitoring data during an episode, against its
own baseline before the episode, next to the reduction it owes.

The emergency app does not own monitoring data. It depends on one small interface: a
*provider* ``fn(mns, start, end) -> iterable of Reading`` returning the readings of the devices
with those HJ 212 MN codes in ``[start, end)``. The provider is named by the setting
``LANTIAN_EMERGENCY_READINGS`` (a dotted path) or set with ``set_provider``; without one, no
data is shown. The default is ``monitoring.episodes.readings_by_mn``: the hourly means of the
readings lantian's HJ 212 gateway stored for those devices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Reading:
    mn: str
    pollutant: str
    at: dt.datetime
    value: float
    unit: str = ""


Provider = Callable[[Sequence[str], dt.datetime, dt.datetime], Iterable[Reading]]
_provider: Provider | None = None


def set_provider(provider: Provider | None) -> Provider | None:
    """Use ``provider`` from now on (None: back to the setting); returns the previous one."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def provider() -> Provider | None:
    if _provider is not None:
        return _provider
    path = getattr(settings, "LANTIAN_EMERGENCY_READINGS", "")
    return import_string(path) if path else None


def readings_for(mns: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[Reading]:
    source = provider()
    if source is None or not mns:
        return []
    return sorted(source(list(mns), start, end), key=lambda r: (r.mn, r.pollutant, r.at))


@dataclass
class Comparison:
    """Mean of one device's pollutant during the episode against the baseline before it."""

    mn: str
    pollutant: str
    unit: str
    baseline_mean: float | None
    episode_mean: float | None
    baseline_n: int
    episode_n: int

    @property
    def change_pct(self) -> float | None:
        if not self.baseline_mean or self.episode_mean is None:
            return None
        return round(100 * (self.episode_mean - self.baseline_mean) / self.baseline_mean, 1)

    def falls_short(self, owed_pct: Decimal | float | None) -> bool:
        """True when the data show less reduction than the enterprise owes at the level."""
        change = self.change_pct
        if change is None or owed_pct is None:
            return False
        return -change < float(owed_pct)


def compare(baseline: Iterable[Reading], during: Iterable[Reading]) -> list[Comparison]:
    """Per device and pollutant: baseline mean, episode mean and the number of readings."""
    groups: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
        lambda: {"base": [], "ep": []}
    )
    units: dict[tuple[str, str], str] = {}
    for key, readings in (("base", baseline), ("ep", during)):
        for r in readings:
            groups[(r.mn, r.pollutant)][key].append(r.value)
            units.setdefault((r.mn, r.pollutant), r.unit)
    return [
        Comparison(
            mn,
            pollutant,
            units[(mn, pollutant)],
            _mean(values["base"]),
            _mean(values["ep"]),
            len(values["base"]),
            len(values["ep"]),
        )
        for (mn, pollutant), values in sorted(groups.items())
    ]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


@dataclass
class EpisodeData:
    start: dt.datetime
    end: dt.datetime
    baseline_start: dt.datetime
    comparisons: list[Comparison]
    series: dict[str, list[tuple[str, float]]]


def for_episode(
    mns: Sequence[str], start: dt.datetime, end: dt.datetime, *, baseline_days: int = 7
) -> EpisodeData | None:
    """The data of an episode window and the ``baseline_days`` before it; None without data."""
    baseline_start = start - dt.timedelta(days=baseline_days)
    readings = readings_for(mns, baseline_start, end)
    if not readings:
        return None
    before = [r for r in readings if r.at < start]
    during = [r for r in readings if r.at >= start]
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in readings:
        series[f"{r.mn} {r.pollutant}"].append((r.at.isoformat(), r.value))
    return EpisodeData(start, end, baseline_start, compare(before, during), dict(series))
