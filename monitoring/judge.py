"""Judging readings against the limits in ``regulations`` and raising tiered alarms.

Readings are averaged over fixed windows (``averaging_minutes`` of the regulation, aligned to the
local clock; 1 means each minute value on its own). Each closed window that exceeds the limit
extends a streak; the alarm ladder (``alarm_ladder`` levels: consecutive windows, multiple of the
limit, response time) turns the streak into a level. A window at or under the limit ends the
streak; an open alarm stays open until people close it. The window logic is ``windows.py``;
progress per device and rule is a ``JudgeState`` row, so the streaming judge
(``stream_judge.py``) and this sweep (its safety net) can both run, any number of times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from lantian.lib import tz
from monitoring import services, workflow
from monitoring.choices import AlarmKind, DeviceKind, Phase, SizeClass
from monitoring.models import Alarm, Device, JudgeState, Reading
from monitoring.units import convert, reading_unit
from monitoring.windows import PM10, Verdict, Window, WindowSpec
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
    intervals = grace_intervals(tz.to_local(now).date())
    alarms = []
    for device in devices:
        alarms += judge_device(device, now=now, grace_intervals=intervals)
    return alarms


def spec_of(rule: Rule) -> WindowSpec:
    return WindowSpec(
        rule.code, rule.limit, int(rule.window.total_seconds() // 60), rule.ladder, rule.correction
    )


def grace_intervals(on: dt.date) -> int:
    """Upload intervals a closed window waits for late data (``device_health`` data)."""
    try:
        return int(lookup.value("device_health", "window_grace_intervals", on=on).value)
    except RegulationNotFound:
        return 1


def lookback(on: dt.date) -> dt.timedelta:
    """How far back a rule with no progress yet starts judging."""
    try:
        return dt.timedelta(hours=lookup.value("device_health", "lookback_hours", on=on).value)
    except RegulationNotFound:
        return dt.timedelta(hours=24)


def judge_device(device: Device, *, now: dt.datetime, grace_intervals: int = 1):
    """Close every window of the device's rules that is over by ``now`` (the sweep)."""
    rules = rules_for(device, tz.to_local(now).date())
    interval = dt.timedelta(seconds=device.interval_seconds)
    grace = interval * grace_intervals
    alarms = []
    for rule in rules:
        with transaction.atomic():
            state = lock_state(device, rule.code)
            window = Window(
                spec_of(rule), until=state.until, streak=state.streak, interval=interval
            )
            since = state.until or now - lookback(tz.to_local(now).date())
            codes = [rule.code] + ([PM10] if rule.correction else [])
            rows = Reading.objects.filter(
                device=device, code__in=codes, data_time__gte=since, data_time__lt=now + grace
            ).values_list("code", "data_time", "value", "flag")
            for code, when, value, flag in rows:
                window.add(code, when, value, flag)
            upto = window.closable(now, grace)
            if upto is None:
                continue
            verdicts, streak = window.judge(upto)
            alarms += apply_verdicts(device, rule, verdicts)
            state.until, state.streak = upto, streak
            state.save(update_fields=["until", "streak"])
    return alarms


def lock_state(device: Device, code: str) -> JudgeState:
    """The progress row of (device, code), locked until the transaction ends."""
    state, _ = JudgeState.objects.get_or_create(device=device, code=code)
    return JudgeState.objects.select_for_update().get(pk=state.pk)


def apply_verdicts(device: Device, rule: Rule, verdicts: list[Verdict]) -> list[Alarm]:
    """Raise or extend the exceedance alarm for each window on the ladder."""
    alarms = []
    for verdict in verdicts:
        if not verdict.level:
            continue
        alarm, _ = services.raise_or_extend(
            device,
            kind=AlarmKind.EXCEEDANCE,
            code=rule.code,
            level=verdict.level,
            at=verdict.end,
            value=round(verdict.mean, 3),
            limit=rule.limit,
            unit=rule.unit,
            basis=rule.basis,
            detail=_detail(verdict, rule),
            response_hours=workflow.response_hours(verdict.level, rule.ladder),
        )
        alarms.append(alarm)
    return alarms


def _detail(verdict: Verdict, rule: Rule) -> str:
    minutes = int(rule.window.total_seconds() // 60)
    what = "分钟值" if minutes == 1 else f"{minutes} 分钟均值"
    return (
        f"{tz.to_local(verdict.start):%m-%d %H:%M} 起 {what} {verdict.mean:.3g}{rule.unit}，"
        f"限值 {rule.limit:g}{rule.unit}，连续 {verdict.streak} 个时段超标"
    )
