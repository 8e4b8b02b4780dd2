"""Judging readings against the limits in ``regulations`` and raising tiered alarms.

Readings are averaged over fixed windows (``averaging_minutes`` of the regulation, aligned to the
local clock). Each closed window that exceeds the limit extends a streak; the alarm ladder
(``alarm_ladder`` levels: consecutive windows, multiple of the limit, response time) turns the
streak into a level. A window at or under the limit ends the streak; an open alarm stays open
until people close it. Progress is kept on the device (``judged_until``, ``judge_streak``), so a
sweep can run any number of times.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min

from lantian.lib import tz
from monitoring import services, workflow
from monitoring.choices import AlarmKind, DeviceKind, Phase, SizeClass
from monitoring.models import Alarm, Device, Reading
from monitoring.units import background_corrected, convert, reading_unit
from regulations import lookup
from regulations.lookup import RegulationNotFound

VALID_FLAGS = ("N", "")


@dataclass(frozen=True)
class Rule:
    """What one device is judged on: pollutant, limit in reading units, window, ladder."""

    code: str
    limit: float
    unit: str
    window: dt.timedelta
    ladder: list[dict]
    basis: str
    correction: dict | None = None


def rules_for(device: Device, on: dt.date) -> list[Rule]:
    """The judging rules of a device on a date, from regulations (and permit limits for CEMS)."""
    site = device.site
    try:
        ladder, ladder_code = services.ladder_for(device.kind, on)
    except RegulationNotFound:
        return []
    if device.kind == DeviceKind.DUST:
        phase = site.phase or "structure"
        limit = lookup.limit_for("construction_dust", "tsp", on=on, variant=phase)
        window = lookup.value("construction_dust", "averaging_minutes", on=on).value
        correction = lookup.value("construction_dust", "background_correction", on=on).value
        code = "a34001"
        return [
            Rule(
                code,
                convert(limit.value, limit.unit, reading_unit(code)),
                reading_unit(code),
                dt.timedelta(minutes=window),
                ladder,
                f"{limit.code} TSP {limit.value}{limit.unit}（{Phase(phase).label}）"
                f"；{ladder_code}",
                correction,
            )
        ]
    if device.kind == DeviceKind.FUME:
        size = site.size_class or "small"
        limit = lookup.limit_for("restaurant_fume", "fume", on=on, variant=size)
        window = lookup.value("restaurant_fume", "averaging_minutes", on=on).value
        return [
            Rule(
                "fume",
                limit.value,
                limit.unit,
                dt.timedelta(minutes=window),
                ladder,
                f"{limit.code} 油烟 {limit.value}{limit.unit}（{SizeClass(size).label}）"
                f"；{ladder_code}",
            )
        ]
    window = lookup.value("alarm_ladder", "averaging_minutes", on=on, variant="emission").value
    return [
        Rule(
            code,
            float(value),
            reading_unit(code),
            dt.timedelta(minutes=window),
            ladder,
            f"排污许可限值 {code} {value}{reading_unit(code)}；{ladder_code}",
        )
        for code, value in sorted(device.permit_limits.items())
    ]


def judge_devices(device_ids=None, *, now: dt.datetime | None = None) -> list[Alarm]:
    """Judge every given device (all active ones by default) up to ``now``."""
    now = now or tz.now()
    devices = Device.objects.filter(is_active=True).select_related("site")
    if device_ids is not None:
        devices = devices.filter(pk__in=list(device_ids))
    alarms = []
    for device in devices:
        alarms += judge_device(device, now=now)
    return alarms


def _floor(moment: dt.datetime, window: dt.timedelta) -> dt.datetime:
    local = tz.to_local(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = (local - midnight) // window
    return midnight + steps * window


@transaction.atomic
def judge_device(device: Device, *, now: dt.datetime) -> list[Alarm]:
    device = Device.objects.select_for_update().select_related("site").get(pk=device.pk)
    rules = rules_for(device, tz.to_local(now).date())
    if not rules:
        return []
    rule = rules[0]  # one streak per device: the main pollutant (others judged via permit list)
    readings = Reading.objects.filter(device=device, code__in=[r.code for r in rules] + ["a34002"])
    bounds = readings.filter(code=rule.code).aggregate(
        first=Min("data_time"), last=Max("data_time")
    )
    if bounds["last"] is None:
        return []
    start = device.judged_until or _floor(bounds["first"], rule.window)
    # A window is closed when the clock has passed it or the device has sent data after it.
    until = _floor(max(now, bounds["last"]), rule.window)
    if until <= start:
        return []
    by_window: dict[tuple[str, dt.datetime], list[float]] = defaultdict(list)
    rows = readings.filter(data_time__gte=start, data_time__lt=until, flag__in=VALID_FLAGS)
    for code, when, value in rows.values_list("code", "data_time", "value"):
        by_window[(code, _floor(when, rule.window))].append(value)
    alarms = []
    streak = device.judge_streak
    for rule in rules:
        streak = device.judge_streak if rule is rules[0] else 0
        window = start
        while window < until:
            values = by_window.get((rule.code, window))
            if values:
                mean = sum(values) / len(values)
                if rule.correction:
                    pm10 = by_window.get(("a34002", window))
                    mean = background_corrected(
                        mean, sum(pm10) / len(pm10) if pm10 else None, rule.correction
                    )
                streak = streak + 1 if mean > rule.limit else 0
                level = workflow.level_for(streak, mean / rule.limit, rule.ladder)
                if level:
                    alarm, _ = services.raise_or_extend(
                        device,
                        kind=AlarmKind.EXCEEDANCE,
                        code=rule.code,
                        level=level,
                        at=window + rule.window,
                        value=round(mean, 3),
                        limit=rule.limit,
                        unit=rule.unit,
                        basis=rule.basis,
                        detail=_detail(window, rule, mean, streak),
                        response_hours=workflow.response_hours(level, rule.ladder),
                    )
                    alarms.append(alarm)
            else:
                streak = 0  # no valid data: the streak cannot be shown to continue
            window += rule.window
        if rule is rules[0]:
            device.judge_streak = streak
    device.judged_until = until
    device.save(update_fields=["judged_until", "judge_streak"])
    return alarms


def _detail(window: dt.datetime, rule: Rule, mean: float, streak: int) -> str:
    minutes = int(rule.window.total_seconds() // 60)
    return (
        f"{tz.to_local(window):%m-%d %H:%M} 起 {minutes} 分钟均值 {mean:.3g}{rule.unit}，"
        f"限值 {rule.limit:g}{rule.unit}，连续 {streak} 个时段超标"
    )
