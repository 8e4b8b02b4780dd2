"""A labelled generator of device faults mixed into clean data, for measuring the detectors.

Clean data imitate what the city's monitors send, hour by hour: a district-wide signal (daily
cycle, slow weather swings, pollution episodes), a site factor, local noise with memory, short
network gaps, a PM2.5/PM10 ratio that drifts, restaurant fume that follows cooking hours, and
inspections announced to whole districts. Into that each faulty device gets one labelled
fault; the rest stay clean. Pure Python, seeded: the same arguments give the same world.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from monitoring import detectors
from monitoring.detectors import Hour, Series

FAULTS = (
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
# The detector that should find each fault (the names are the same; kept explicit).
EXPECTED = {f: f for f in FAULTS}
LIMITS = {"dust": 800.0, "fume": 2.0}  # µg/m³ TSP (DB61/1078 earthworks), mg/m³ (GB 18483)
BASE = {"dust": 260.0, "fume": 0.55}


@dataclass
class World:
    series: list[Series]
    labels: dict[str, str]  # device → fault ("" for clean)
    hours: int
    groups: int
    meta: dict = field(default_factory=dict)


def make_world(
    *,
    districts: int = 12,
    per_group: int = 10,
    hours: int = 168,
    fault_share: float = 0.25,
    seed: int = 212,
) -> World:
    """``districts`` × 2 kinds × ``per_group`` devices; a ``fault_share`` of them faulty."""
    rng = random.Random(seed)
    series, labels = [], {}
    kinds = ("dust", "fume")
    plan = _fault_plan(rng, districts * len(kinds) * per_group, fault_share)
    k = 0
    for d in range(districts):
        regional = _regional(rng, hours)
        announced = sorted(rng.sample(range(60, hours - 30), 2))
        for kind in kinds:
            group = (f"区{d:02d}", kind)
            members = []
            for i in range(per_group):
                name = f"{kind.upper()}-{d:02d}-{i:02d}"
                values, pm = _clean(rng, kind, regional, hours)
                members.append([name, values, pm])
            for name, values, pm in members:
                fault = plan[k]
                k += 1
                if fault == "fixed_ratio" and kind != "dust":
                    fault = ""  # fume monitors send no PM2.5/PM10
                labels[name] = fault
                s = _series(rng, name, kind, group, values, pm, hours, announced)
                series.append((s, fault, members))
    out = []
    for s, fault, members in series:
        if fault:
            clean = [m for m in members if not labels[m[0]] and m[0] != s.device]
            _inject(rng, s, fault, clean, hours)
        out.append(s)
    return World(out, labels, hours, districts * len(kinds))


def _fault_plan(rng, n, share) -> list[str]:
    faulty = round(n * share)
    plan = [FAULTS[i % len(FAULTS)] for i in range(faulty)] + [""] * (n - faulty)
    rng.shuffle(plan)
    return plan


def _regional(rng, hours) -> list[float]:
    """A district's multiplier: daily cycle × slow AR(1) swings × two or three episodes."""
    level, out = 0.0, []
    episodes = [
        (rng.randrange(0, hours - 30), rng.randint(18, 48), rng.uniform(0.4, 0.9))
        for _ in range(rng.randint(2, 3))
    ]
    for t in range(hours):
        level = 0.97 * level + rng.gauss(0, 0.06)
        boost = sum(a for start, length, a in episodes if start <= t < start + length)
        daily = 0.25 * math.sin(2 * math.pi * ((t % 24) - 9) / 24)
        out.append(math.exp(level + daily + boost))
    return out


def _clean(rng, kind, regional, hours):
    site = math.exp(rng.gauss(0, 0.3))
    local, ratio, values, pm = 0.0, rng.uniform(0.45, 0.7), [], []
    for t in range(hours):
        local = 0.8 * local + rng.gauss(0, 0.12)
        v = BASE[kind] * site * regional[t] * math.exp(local)
        if kind == "fume":
            hour = t % 24
            cooking = 10 <= hour <= 13 or 17 <= hour <= 21
            v = v if cooking else v * rng.uniform(0.05, 0.12)
        ratio = min(0.85, max(0.3, ratio + rng.gauss(0, 0.02)))
        values.append(v)
        pm.append(ratio)
    return values, pm


def _hour(kind, v, ratio, rng) -> Hour:
    spread = rng.uniform(0.1, 0.35)
    lo, hi = v * (1 - spread), v * (1 + spread)
    if kind == "dust":
        pm10 = v * rng.uniform(0.35, 0.5)
        return Hour(60, v, lo, hi, pm10 * ratio, pm10)
    return Hour(6, v, lo, hi)


def _series(rng, name, kind, group, values, pm, hours, announced) -> Series:
    hrs: list[Hour | None] = [_hour(kind, v, r, rng) for v, r in zip(values, pm, strict=True)]
    for _ in range(rng.randint(0, 3)):  # short network gaps
        start, length = rng.randrange(0, hours - 3), rng.randint(1, 2)
        for t in range(start, start + length):
            hrs[t] = None
    last = max((t for t, h in enumerate(hrs) if h is not None), default=None)
    last_seen = None if last is None else last + rng.uniform(0.5, 1.0)
    return Series(name, kind, group, LIMITS[kind], hrs, last_seen, list(announced))


def _inject(rng, s: Series, fault: str, members, hours: int) -> None:
    t0 = rng.randrange(hours - 72, hours - 24)
    hrs = s.hours
    if fault == "offline":
        stop = rng.randrange(hours - 48, hours - 4)
        for t in range(stop, hours):
            hrs[t] = None
        s.last_seen = stop - rng.uniform(0, 0.5)
    elif fault == "flatline":
        value = next((h.mean for h in reversed(hrs[:t0]) if h), 100.0)
        value = float(f"{value:.3g}")  # a stuck display keeps its last reading
        for t in range(t0, hours):
            hrs[t] = _with(hrs[t], s.kind, value, value, value)
    elif fault == "zeros":
        for t in range(t0, hours):
            hrs[t] = _with(hrs[t], s.kind, 0.0, 0.0, 0.0)
    elif fault == "step_drift":
        factor = rng.choice([rng.uniform(0.25, 0.5), rng.uniform(2.0, 3.5)])
        for t in range(t0, hours):
            h = hrs[t]
            if h:
                hrs[t] = _scaled(h, factor)
    elif fault == "stuck_clock":
        for t in range(t0, hours):
            hrs[t] = None
        s.last_seen = hours - rng.uniform(0.05, 0.9)
    elif fault == "replay":
        for t in range(max(t0, 24), hours):
            hrs[t] = hrs[t - 24]
    elif fault == "copy":
        source = members[0]  # a clean neighbour
        lag = rng.choice([0, 1, 2])
        factor = rng.choice([1.0, rng.uniform(0.85, 1.15)])
        src_values = source[1]
        start = hours - 60
        for t in range(start, hours):
            v = src_values[t - lag] * factor
            hrs[t] = (
                Hour(6, v, v * 0.8, v * 1.2)
                if s.kind == "fume"
                else Hour(60, v, v * 0.8, v * 1.2, v * 0.2, v * 0.4)
            )
        s.meta_source = source[0]
    elif fault == "fixed_ratio":
        share = round(rng.uniform(0.5, 0.7), 2)
        for t in range(hours - 72, hours):
            h = hrs[t]
            if h and h.pm10:
                hrs[t] = Hour(h.n, h.mean, h.lo, h.hi, h.pm10 * share, h.pm10)
    elif fault == "capped":
        # a dirty site: a quarter of its hours would exceed the limit, but the data stop at a
        # ceiling just under it
        cap = s.limit * rng.uniform(0.93, 0.99)
        recent = sorted(h.mean for h in hrs[hours - 72 :] if h)
        boost = cap / recent[int(0.75 * (len(recent) - 1))] * rng.uniform(1.1, 1.5)
        for t in range(hours - 72, hours):
            h = hrs[t]
            if h:
                v = h.mean * boost
                top = min(h.hi * boost, cap)
                mean = min(v, cap * rng.uniform(0.97, 1.0))
                hrs[t] = Hour(h.n, mean, min(h.lo * boost, mean), max(top, mean), h.pm25, h.pm10)
    elif fault == "inspection_drop":
        a = s.announced[-1] if s.announced[-1] < hours - 24 else s.announced[0]
        factor = rng.uniform(0.15, 0.4)
        for t in range(a, min(hours, a + 24)):
            h = hrs[t]
            if h:
                hrs[t] = _scaled(h, factor)
    elif fault == "neighbour_low":
        factor = rng.uniform(0.05, 0.15)
        for t in range(hours):
            h = hrs[t]
            if h:
                hrs[t] = _scaled(h, factor)


def _with(h: Hour | None, kind: str, mean: float, lo: float, hi: float) -> Hour:
    n = h.n if h else (60 if kind == "dust" else 6)
    if kind == "dust":
        return Hour(n, mean, lo, hi, mean * 0.2, mean * 0.4)
    return Hour(n, mean, lo, hi)


def _scaled(h: Hour, f: float) -> Hour:
    return Hour(
        h.n,
        h.mean * f,
        h.lo * f,
        h.hi * f,
        h.pm25 * f if h.pm25 is not None else None,
        h.pm10 * f if h.pm10 is not None else None,
    )


def measure(world: World, rules: detectors.Rules) -> dict[str, dict]:
    """Per detector: recall on the devices with its fault, false alarms on clean devices, and
    how many devices with other faults it names (informational)."""
    found = defaultdict(set)
    for f in detectors.run_all(world.series, rules):
        found[f.detector].add(f.device)
    clean = {d for d, label in world.labels.items() if not label}
    out = {}
    for name in detectors.DETECTORS:
        positives = {d for d, label in world.labels.items() if label == name}
        others = {d for d, label in world.labels.items() if label and label != name}
        hits = found[name]
        out[name] = {
            "faulty": len(positives),
            "recall": len(hits & positives) / len(positives) if positives else None,
            "false_alarms": len(hits & clean) / len(clean) if clean else 0.0,
            "false_n": len(hits & clean),
            "clean": len(clean),
            "other": len(hits & others),
        }
    return out
