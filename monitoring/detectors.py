"""Device-health detectors over hourly series: pure functions, no Django.

Each detector looks at one device's hourly values (and its neighbours: devices of the same
kind in the same district) and says whether it shows one kind of fault or tampering:

========================  ===================================================================
offline                   nothing has arrived for ``offline_hours``
flatline                  the last ``flat_hours`` hours are one constant value (min = max)
zeros                     the last ``zero_hours`` hours are zero or negative
step_drift                the device's level relative to its neighbours jumps by a factor and
                          stays there (a miscalibration, a moved or fouled sampler)
stuck_clock               uploads keep arriving but their data time stopped advancing
replay                    the device repeats its own earlier values (yesterday as today)
copy                      the device's values are a neighbour's, possibly shifted an hour or
                          scaled (a forged upload)
fixed_ratio               PM2.5 is a fixed share of PM10 (computed, not measured)
capped                    values pile up just under the limit and never cross it
inspection_drop           values fall when an inspection is announced and recover after
neighbour_low             far below neighbours of the same kind while they are high
                          (diluted sampling, a blocked or moved inlet)
========================  ===================================================================

``Rules`` holds every threshold (the ``device_health`` regulation data overrides the defaults).
``monitoring/faults.py`` generates labelled faults mixed into clean data and
``bench/device_health.py`` measures each detector's recall and false-alarm rate.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

DETECTORS = (
    "offline",
    "flatline",
    "zeros",
    "step_drift",
    "stuck_clock",
    "replay",
    "copy",
    "fixed_ratio",
    "capped",
    "inspection_drop",
    "neighbour_low",
)


@dataclass(frozen=True)
class Hour:
    """One device-hour of its main pollutant: values received, mean, min, max (and the PM2.5 and
    PM10 means of dust monitors)."""

    n: int
    mean: float
    lo: float
    hi: float
    pm25: float | None = None
    pm10: float | None = None


@dataclass
class Series:
    """A device's hourly values over a window of ``len(hours)`` hours (None: no data).

    ``last_seen`` is when its last upload arrived, in hours from the window's start (None:
    never); ``announced`` the hours at which inspections of its area were announced.
    """

    device: object
    kind: str
    group: object  # the device's neighbourhood: (district, kind)
    limit: float
    hours: list[Hour | None]
    last_seen: float | None = None
    announced: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    offline_hours: float = 3
    flat_hours: int = 6
    zero_hours: int = 6
    drift_factor: float = 1.7
    drift_min_hours: int = 24
    drift_min_points: int = 8
    drift_search_hours: int = 78
    stuck_hours: int = 3
    replay_hours: int = 12
    replay_lags: tuple[int, ...] = (24, 48, 72)
    copy_hours: int = 24
    copy_max_lag: int = 2
    copy_log_spread: float = 0.01
    ratio_hours: int = 24
    ratio_cv: float = 0.01
    cap_window: int = 72
    cap_band: float = 0.9
    cap_hours: int = 10
    cap_ceiling: float = 0.97
    cap_pressed: int = 4
    drop_before: int = 48
    drop_after: int = 24
    drop_min_points: int = 6
    drop_factor: float = 0.5
    low_window: int = 72
    low_high_quantile: float = 0.6
    low_min_hours: int = 12
    low_factor: float = 0.33
    min_neighbours: int = 3
    neighbour_floor_share: float = 0.01

    @classmethod
    def from_values(cls, values: dict) -> Rules:
        """Defaults overridden by the keys of the ``device_health`` data that name a field."""
        names = {f.name for f in fields(cls)}
        picked = {}
        for key, value in values.items():
            if key in names:
                picked[key] = tuple(value) if isinstance(value, list) else value
        return cls(**picked)


@dataclass(frozen=True)
class Finding:
    device: object
    detector: str
    detail: str


# --- helpers ---------------------------------------------------------------------------------


def _tail(hours: list[Hour | None], n: int) -> list[Hour] | None:
    """The last ``n`` hours that have data, if the window has that many."""
    got = [h for h in hours if h is not None]
    return got[-n:] if len(got) >= n else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def neighbour_medians(
    series: list[Series], exclude: frozenset[int] = frozenset()
) -> dict[int, list[float | None]]:
    """Per device: the median of its neighbours' (same group, other devices) hourly means,
    leaving out the devices in ``exclude`` (already found broken) as references.

    One sort per group and hour; each device's median without itself is read off the sorted
    values, so a group of n devices costs n log n an hour, not n² log n."""
    groups: dict[object, list[Series]] = defaultdict(list)
    for s in series:
        groups[s.group].append(s)
    out: dict[int, list[float | None]] = {}
    for members in groups.values():
        length = max(len(s.hours) for s in members)
        rows = {id(s): [] for s in members}
        for t in range(length):
            own = [s.hours[t].mean if t < len(s.hours) and s.hours[t] else None for s in members]
            ordered = sorted(
                v
                for s, v in zip(members, own, strict=True)
                if v is not None and id(s) not in exclude
            )
            for s, v in zip(members, own, strict=True):
                rows[id(s)].append(_median_without(ordered, None if id(s) in exclude else v))
        out.update(rows)
    return out


def _median_without(ordered: list[float], v: float | None) -> float | None:
    """The median of ``ordered`` (sorted) with one occurrence of ``v`` left out."""
    n = len(ordered)
    if v is None:
        if not n:
            return None
        mid = n // 2
        return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    m = n - 1
    if m <= 0:
        return None
    i = bisect.bisect_left(ordered, v)

    def at(k: int) -> float:
        return ordered[k] if k < i else ordered[k + 1]

    mid = m // 2
    return at(mid) if m % 2 else (at(mid - 1) + at(mid)) / 2


def _log_ratios(s: Series, med: list[float | None], rules: Rules) -> list[float | None]:
    floor = rules.neighbour_floor_share * s.limit
    out: list[float | None] = []
    for h, m in zip(s.hours, med, strict=False):
        if h is None or m is None or h.mean <= 0 or m <= floor:
            out.append(None)
        else:
            out.append(math.log(h.mean / m))
    return out


# --- the detectors ---------------------------------------------------------------------------


def offline(s: Series, rules: Rules, **_) -> str | None:
    now = len(s.hours)
    if s.last_seen is None:
        return "从未上传数据"
    silent = now - s.last_seen
    if silent >= rules.offline_hours:
        return f"已 {silent:.0f} 小时无上传"
    return None


def flatline(s: Series, rules: Rules, **_) -> str | None:
    tail = _tail(s.hours, rules.flat_hours)
    if not tail or tail[-1].hi <= 0:
        return None  # zeros are the zero detector's
    first = tail[0].mean
    if all(h.lo == h.hi == first and h.mean == first for h in tail):
        return f"最近 {rules.flat_hours} 小时数据恒为 {first:g}"
    return None


def zeros(s: Series, rules: Rules, **_) -> str | None:
    tail = _tail(s.hours, rules.zero_hours)
    if tail and all(h.hi <= 0 for h in tail):
        return f"最近 {rules.zero_hours} 小时数据为零或负值"
    return None


def stuck_clock(s: Series, rules: Rules, **_) -> str | None:
    now = len(s.hours)
    if s.last_seen is None or now - s.last_seen >= rules.offline_hours:
        return None  # offline, not stuck
    last_data = max((t for t, h in enumerate(s.hours) if h is not None), default=None)
    if last_data is None:
        return "持续上传但没有任何数据时间"
    lag = now - 1 - last_data
    if lag >= rules.stuck_hours:
        return f"持续上传，但数据时间停在 {lag} 小时前"
    return None


def replay(s: Series, rules: Rules, **_) -> str | None:
    values = [h.mean if h else None for h in s.hours]
    for lag in rules.replay_lags:
        run = best = 0
        for t in range(lag, len(values)):
            a, b = values[t], values[t - lag]
            if a is None or b is None:
                continue  # a gap neither breaks nor extends a replay
            if a == b and a > 0:
                run += 1
                best = max(best, run)
            else:
                run = 0
        if best >= rules.replay_hours:
            return f"连续 {best} 小时数据与 {lag} 小时前完全相同（重放历史数据）"
    return None


def fixed_ratio(s: Series, rules: Rules, **_) -> str | None:
    ratios = [
        h.pm25 / h.pm10
        for h in s.hours[-2 * rules.ratio_hours :]
        if h and h.pm25 is not None and h.pm10 and h.pm10 > 0 and h.pm25 > 0
    ]
    if len(ratios) < rules.ratio_hours:
        return None
    mean = sum(ratios) / len(ratios)
    cv = math.sqrt(sum((r - mean) ** 2 for r in ratios) / len(ratios)) / mean if mean else 0
    if cv < rules.ratio_cv:
        return f"PM2.5/PM10 比值固定为 {mean:.3f}（{len(ratios)} 小时变异系数 {cv:.4f}）"
    return None


def capped(s: Series, rules: Rules, **_) -> str | None:
    """Values pile up just under the limit and never cross it: many hours in the band under
    the limit, or the highest hours all pressed together at one ceiling there."""
    window = [h for h in s.hours[-rules.cap_window :] if h is not None]
    if not window or s.limit <= 0:
        return None
    if any(h.hi >= s.limit or h.mean >= s.limit for h in window):
        return None
    band = sum(1 for h in window if rules.cap_band * s.limit <= h.mean < s.limit)
    top = max(h.mean for h in window)
    pressed = sum(1 for h in window if h.mean >= rules.cap_ceiling * top)
    ceiling = top >= rules.cap_band * s.limit and pressed >= rules.cap_pressed
    if band >= rules.cap_hours or ceiling:
        return (
            f"{band} 小时均值贴近限值 {s.limit:g} 而从不超过"
            f"（最高 {top:g}，{pressed} 小时压在最高值附近）"
        )
    return None


def step_drift(s: Series, rules: Rules, *, medians=None, **_) -> str | None:
    med = (medians or {}).get(id(s))
    if med is None or not any(m is not None for m in med):
        return None
    r = _log_ratios(s, med, rules)
    n = len(r)
    threshold = math.log(rules.drift_factor)
    best, where = 0.0, None
    for split in range(
        max(rules.drift_min_hours, n - rules.drift_search_hours), n - rules.drift_min_hours + 1, 3
    ):
        before = [x for x in r[:split] if x is not None]
        after = [x for x in r[split:] if x is not None]
        if len(before) < rules.drift_min_points or len(after) < rules.drift_min_points:
            continue
        shift = statistics.median(after) - statistics.median(before)
        if abs(shift) > abs(best):
            best, where = shift, split
    if where is not None and abs(best) >= threshold:
        return (
            f"相对同区同类设备的水平在 {n - where} 小时前突变为原来的 {math.exp(best):.2f} 倍并持续"
        )
    return None


def inspection_drop(s: Series, rules: Rules, *, medians=None, **_) -> str | None:
    med = (medians or {}).get(id(s))
    if med is None or not s.announced:
        return None
    r = _log_ratios(s, med, rules)
    for a in s.announced:
        before = [x for x in r[max(0, a - rules.drop_before) : a] if x is not None]
        after = [x for x in r[a : a + rules.drop_after] if x is not None]
        if len(before) < rules.drop_min_points or len(after) < rules.drop_min_points:
            continue
        change = math.exp(statistics.median(after) - statistics.median(before))
        if change <= rules.drop_factor:
            return (
                f"检查通知发布后 {rules.drop_after} 小时内数据降为此前的 {change:.2f} 倍"
                "（同区同类设备未降）"
            )
    return None


def neighbour_low(s: Series, rules: Rules, *, medians=None, **_) -> str | None:
    """Far below the neighbours in the hours they are high (above their own ``low_high_quantile``
    for the window, and above the floor): diluted sampling, a blocked or moved inlet."""
    med = (medians or {}).get(id(s))
    if med is None:
        return None
    floor = rules.neighbour_floor_share * s.limit
    window = [m for m in med[-rules.low_window :] if m is not None and m > floor]
    if len(window) < rules.low_min_hours:
        return None
    high = sorted(window)[int(rules.low_high_quantile * (len(window) - 1))]
    ratios = []
    for h, m in zip(s.hours[-rules.low_window :], med[-rules.low_window :], strict=False):
        if h is not None and m is not None and m > floor and m >= high:
            ratios.append(max(h.mean, 0.0) / m)
    if len(ratios) < rules.low_min_hours // 2:
        return None
    level = statistics.median(ratios)
    if level <= rules.low_factor:
        return (
            f"同区同类设备高值的 {len(ratios)} 小时内，本设备仅为其中位数的 {level:.2f} 倍，"
            "疑似人为干扰"
        )
    return None


def copies(series: list[Series], rules: Rules) -> dict[int, str]:
    """Devices whose values are a neighbour's: per pair, lags 0..max and a constant factor.

    With a lag the later series is the copy; without one both are named (which is the original
    cannot be told from the data)."""
    out: dict[int, str] = {}
    groups: dict[object, list[Series]] = defaultdict(list)
    for s in series:
        groups[s.group].append(s)
    window = 2 * rules.copy_hours
    for members in groups.values():
        logs = {}
        for s in members:
            logs[id(s)] = [
                math.log(h.mean) if h is not None and h.mean > 0 else None
                for h in s.hours[-window:]
            ]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                found = _copy_lag(logs[id(a)], logs[id(b)], rules)
                if found is None:
                    continue
                lag, factor = found
                if lag > 0:
                    out[id(b)] = f"与 {a.device} 的数据相同（滞后 {lag} 小时，比例 {factor:.3f}）"
                elif lag < 0:
                    out[id(a)] = (
                        f"与 {b.device} 的数据相同（滞后 {-lag} 小时，比例 {1 / factor:.3f}）"
                    )
                else:
                    out[id(a)] = f"与 {b.device} 的数据同时刻相同（比例 {1 / factor:.3f}）"
                    out[id(b)] = f"与 {a.device} 的数据同时刻相同（比例 {factor:.3f}）"
    return out


def _copy_lag(x: list, y: list, rules: Rules) -> tuple[int, float] | None:
    """(lag, factor) when y(t) = factor × x(t − lag) over enough hours (lag may be negative):
    the log differences are constant within ``copy_log_spread`` (checked with an early exit,
    since almost every pair differs at once)."""
    n = len(y)
    for lag in range(-rules.copy_max_lag, rules.copy_max_lag + 1):
        lo, hi, count, total = math.inf, -math.inf, 0, 0.0
        for t in range(max(0, lag), min(n, len(x) + lag)):
            a, b = x[t - lag], y[t]
            if a is None or b is None:
                continue
            d = b - a
            lo, hi = min(lo, d), max(hi, d)
            if hi - lo > rules.copy_log_spread:
                break
            count += 1
            total += d
        else:
            if count < rules.copy_hours:
                continue
            own = [v for v in x[-rules.copy_hours :] if v is not None]
            if len(own) < 2 or max(own) == min(own):
                continue  # constant series are flat lines, not copies
            return lag, math.exp(total / count)
    return None


SINGLE = {
    "offline": offline,
    "flatline": flatline,
    "zeros": zeros,
    "stuck_clock": stuck_clock,
    "replay": replay,
    "fixed_ratio": fixed_ratio,
    "capped": capped,
    "step_drift": step_drift,
    "inspection_drop": inspection_drop,
    "neighbour_low": neighbour_low,
}


# Detectors that need no neighbours; what they find is not used as anyone's reference.
STANDALONE = ("offline", "flatline", "zeros", "stuck_clock", "replay", "fixed_ratio", "capped")


def run_all(series: list[Series], rules: Rules, only: Iterable[str] | None = None) -> list[Finding]:
    """Every detector (or those named in ``only``) over every device, in stages: devices found
    broken by the standalone detectors, then those far below their neighbours, stop serving
    as references for the neighbour comparisons (a district with two dead monitors must not
    make a healthy third look drifted)."""
    wanted = set(only or DETECTORS)
    findings: list[Finding] = []
    broken: set[int] = set()
    for s in series:
        for name in STANDALONE:
            detail = SINGLE[name](s, rules)
            if detail:
                broken.add(id(s))
                if name in wanted:
                    findings.append(Finding(s.device, name, detail))
    relative = wanted & {"step_drift", "inspection_drop", "neighbour_low"}
    if relative:
        medians = neighbour_medians(series, frozenset(broken))
        low = set()
        for s in series:
            detail = neighbour_low(s, rules, medians=medians)
            if detail:
                low.add(id(s))
                if "neighbour_low" in wanted:
                    findings.append(Finding(s.device, "neighbour_low", detail))
        if low:
            medians = neighbour_medians(series, frozenset(broken | low))
        for s in series:
            for name in ("step_drift", "inspection_drop"):
                if name in wanted:
                    detail = SINGLE[name](s, rules, medians=medians)
                    if detail:
                        findings.append(Finding(s.device, name, detail))
    if "copy" in wanted:
        copied = copies(series, rules)
        for s in series:
            if id(s) in copied:
                findings.append(Finding(s.device, "copy", copied[id(s)]))
    return findings
