"""Device health: offline, flat-line, zeros/negatives, jumps, duplicate series, purifier off,
maintenance flags. Each finding is an alarm of its own kind (one open alarm per device and kind).

Two layers: quick checks over the raw values of the last ``lookback_hours`` (every sweep), and
the pattern detectors of ``monitoring/detectors.py`` over a week of hourly values compared with
each device's neighbours (same kind, same district) — step drift, stuck clocks, replayed or
copied series, a fixed PM2.5/PM10 ratio, values capped under the limit, drops after an
announced inspection, sites far below their neighbours — at most every
``pattern_every_minutes``. Thresholds come from the ``device_health`` regulation family
(editable data, not code).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lantian.lib import tz
from monitoring import services
from monitoring.choices import AlarmKind, DeviceKind
from monitoring.models import Alarm, Device, Reading
from regulations import lookup

MAIN_CODE = {DeviceKind.DUST: "a34001", DeviceKind.FUME: "fume", DeviceKind.EMISSION: "a34013"}


def thresholds(on: dt.date) -> dict:
    version = lookup.version("device_health", on=on)
    return {key: value for (key, _), (value, _, _) in version.values.items()} | {
        "_code": version.code
    }


def check_devices(*, now: dt.datetime | None = None, device_ids=None) -> list[Alarm]:
    """One sweep over active devices; returns the alarms raised or extended."""
    now = now or tz.now()
    limits = thresholds(tz.to_local(now).date())
    devices = Device.objects.filter(is_active=True).select_related("site")
    if device_ids is not None:
        devices = devices.filter(pk__in=list(device_ids))
    devices = list(devices)
    since = now - dt.timedelta(hours=limits["lookback_hours"])
    series = _recent_series(devices, since)
    found = []
    for device in devices:
        for kind, code, detail in _findings(device, series.get(device.pk, {}), limits, now):
            found.append(_raise(device, kind, code, detail, now, limits))
    for device, detail in _duplicates(devices, series, limits):
        found.append(
            _raise(device, AlarmKind.DUPLICATE, MAIN_CODE.get(device.kind, ""), detail, now, limits)
        )
    if device_ids is None and _patterns_due(now, limits):
        found += check_patterns(devices, now=now, limits=limits)
    return found


# --- pattern detectors over a week of hourly values ------------------------------------------

# detector → (alarm kind, the code the alarm is about: "" for the device's main pollutant)
PATTERN_KINDS = {
    "offline": (AlarmKind.OFFLINE, None),
    "flatline": (AlarmKind.FLATLINE, ""),
    "zeros": (AlarmKind.ZERO_NEGATIVE, ""),
    "step_drift": (AlarmKind.STEP_DRIFT, ""),
    "stuck_clock": (AlarmKind.STUCK_CLOCK, None),
    "replay": (AlarmKind.REPLAY, ""),
    "copy": (AlarmKind.DUPLICATE, ""),
    "fixed_ratio": (AlarmKind.FIXED_RATIO, "a34004"),
    "capped": (AlarmKind.CAPPED, ""),
    "inspection_drop": (AlarmKind.INSPECTION_DROP, ""),
    "neighbour_low": (AlarmKind.NEIGHBOUR_LOW, ""),
}
_last_patterns: dict[str, dt.datetime] = {}


def _patterns_due(now: dt.datetime, limits: dict) -> bool:
    last = _last_patterns.get("at")
    every = dt.timedelta(minutes=limits.get("pattern_every_minutes", 60))
    return last is None or now - last >= every or now < last


def check_patterns(devices, *, now: dt.datetime, limits: dict | None = None) -> list[Alarm]:
    """Run the pattern detectors over the last ``pattern_window_hours`` of hourly values."""
    from monitoring import detectors, hours
    from monitoring.models import AnnouncedInspection

    limits = limits or thresholds(tz.to_local(now).date())
    _last_patterns["at"] = now
    span = int(limits.get("pattern_window_hours", 168))
    # the window ends with the current (partial) hour, so fresh data counts
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    end += dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=span)
    devices = [d for d in devices if d.kind in MAIN_CODE]
    values = hours.hourly_values(devices, start, end)
    notices = list(
        AnnouncedInspection.objects.filter(announced_at__gte=start, announced_at__lt=end)
    )
    series = []
    for device in devices:
        by_hour = values.get(device.pk, {})
        slots = [by_hour.get(start + dt.timedelta(hours=k)) for k in range(span)]
        seen = device.last_seen_at
        series.append(
            detectors.Series(
                device,
                device.kind,
                (device.site.district_id, device.kind),
                _limit_of(device, now),
                slots,
                (seen - start).total_seconds() / 3600 if seen else None,
                [
                    int((n.announced_at - start).total_seconds() // 3600)
                    for n in notices
                    if n.district_id in (None, device.site.district_id)
                ],
            )
        )
    rules = detectors.Rules.from_values(limits)
    found = []
    for finding in detectors.run_all(series, rules):
        kind, code = PATTERN_KINDS[finding.detector]
        device = finding.device
        code = MAIN_CODE.get(device.kind, "") if code == "" else (code or "")
        found.append(_raise(device, kind, code, finding.detail, now, limits))
    return found


def _limit_of(device: Device, now: dt.datetime) -> float:
    """The limit the device is judged against, in its reading units (0: none known)."""
    from monitoring.judge import rules_for

    rules = rules_for(device, tz.to_local(now).date())
    main = MAIN_CODE.get(device.kind)
    return next((r.limit for r in rules if r.code == main), rules[0].limit if rules else 0.0)


def _raise(device, kind, code, detail, now, limits) -> Alarm:
    alarm, _ = services.raise_or_extend(
        device,
        kind=kind,
        code=code,
        level=1,
        at=now,
        basis=limits["_code"],
        detail=detail,
        response_hours=limits["response_hours"],
    )
    return alarm


def _recent_series(devices, since) -> dict[int, dict[str, list[tuple]]]:
    """device → code → [(data_time, value, flag)] in time order, over the lookback window."""
    out: dict[int, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Reading.objects.filter(device__in=devices, data_time__gte=since)
        .order_by("device_id", "code", "data_time")
        .values_list("device_id", "code", "data_time", "value", "flag")
    )
    for device_id, code, when, value, flag in rows.iterator(chunk_size=5000):
        out[device_id][code].append((when, value, flag))
    return out


def _findings(device: Device, series: dict, limits: dict, now: dt.datetime):
    last = device.last_seen_at
    silent = dt.timedelta(seconds=device.interval_seconds * limits["offline_intervals"])
    if last is None or now - last > silent:
        since = tz.to_local(last).strftime("%m-%d %H:%M") if last else "从未"
        yield (
            AlarmKind.OFFLINE,
            "",
            f"{since} 以来无数据（超过 {limits['offline_intervals']} 个上传周期）",
        )
    code = MAIN_CODE.get(device.kind)
    points = series.get(code, [])
    yield from _value_findings(code, points, limits)
    if device.kind == DeviceKind.FUME:
        yield from _purifier_off(series, limits)


def _value_findings(code, points, limits):
    values = [v for _, v, _ in points]
    n = limits["flatline_points"]
    if len(values) >= n and len(set(values[-n:])) == 1:
        yield AlarmKind.FLATLINE, code, f"最近 {n} 个数据恒为 {values[-1]:g}"
    n = limits["zero_negative_points"]
    if len(values) >= n and all(v <= 0 for v in values[-n:]):
        yield AlarmKind.ZERO_NEGATIVE, code, f"最近 {n} 个数据为零或负值"
    ratio, floor = limits["jump_ratio"], limits["jump_floor"]
    for (_, a, _), (t1, b, _) in zip(points, points[1:], strict=False):
        low, high = sorted((abs(a), abs(b)))
        if high >= floor and (low == 0 or high / low >= ratio):
            yield AlarmKind.JUMP, code, f"{tz.to_local(t1):%m-%d %H:%M} 由 {a:g} 突变为 {b:g}"
            break
    n = limits["maintenance_points"]
    flags = [f for _, _, f in points]
    if len(flags) >= n and all(f in ("M", "C") for f in flags[-n:]):
        yield AlarmKind.MAINTENANCE, code, f"最近 {n} 个数据标记为维护/校准"


def _purifier_off(series, limits):
    fan = {t: v for t, v, _ in series.get("fan", [])}
    purifier = series.get("purifier", [])
    n = limits["purifier_off_points"]
    run = [t for t, v, _ in purifier if v == 0 and fan.get(t, 0) >= 1]
    tail = [t for t, v, _ in purifier[-n:] if v == 0 and fan.get(t, 0) >= 1]
    if len(purifier) >= n and len(tail) == n:
        yield (
            AlarmKind.PURIFIER_OFF,
            "purifier",
            f"风机运行而净化器关闭，连续 {n} 个数据（共 {len(run)} 个）",
        )


def _duplicates(devices, series, limits):
    """Devices whose last N values of the main pollutant are identical at the same times."""
    n = limits["duplicate_points"]
    groups: dict[tuple, list[Device]] = defaultdict(list)
    for device in devices:
        points = series.get(device.pk, {}).get(MAIN_CODE.get(device.kind), [])
        if len(points) < n or len({v for _, v, _ in points[-n:]}) == 1:
            continue  # constant series are flat-lines, not copies
        groups[(device.kind, tuple((t, v) for t, v, _ in points[-n:]))].append(device)
    for members in groups.values():
        if len(members) > 1:
            names = "、".join(d.mn for d in members)
            for device in members:
                yield device, f"与 {names} 最近 {n} 个数据完全相同"
