"""Rates shown on the monitoring pages, each recomputable from the rows beneath it.

- 联网率 (online rate) = devices that sent data in the period ÷ active devices installed by then.
- 数据传输率 = values received ÷ values due (period ÷ upload interval), per device, capped at 1.
- 数据有效率 = values flagged N ÷ values received.
- 数据有效传输率 = 传输率 × 有效率 (the MEE definition, peers.md §5.4).
  Values received and valid come from the daily rollups (``rollups.py``), per Beijing day;
  back-filled values (补传) count when received within ``backfill_days`` (``backfill.py``).
- 立案率 = level-3 exceedance alarms first raised in the period that have a case ÷ all of them.
- 开机率 (fume: fan and purifier on ÷ fan on; dust: instrument-running hours ÷ hours due), from
  the device-hour and device-day states kept with the rollups (``monitoring.hours``,
  ``monitoring.onrate``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Sum

from lantian.lib import tz
from monitoring import backfill
from monitoring.choices import ActionKind, AlarmKind, AlarmStatus, DeviceKind
from monitoring.health import MAIN_CODE
from monitoring.models import Alarm, DailyRollup, Device, HourlyRollup

# What the rates read of a device: loading whole devices (JSON fields and all) for 2,000 of
# them took a third of the rates page.
RATE_FIELDS = ("kind", "interval_seconds", "install_date", "site__district__name")


@dataclass
class Line:
    district: str
    kind: str
    devices: int = 0
    online: int = 0
    due: float = 0.0
    received: int = 0
    valid: int = 0
    backfilled: int = 0  # back-filled uploads (补传) among those received
    late: int = 0  # back-filled too late to count (not in received)
    filled: int = 0  # values counted in received thanks to back-filled data

    @property
    def rate_before_backfill(self) -> float | None:
        """数据传输率 as it was before back-filled data arrived."""
        return min(1.0, (self.received - self.filled) / self.due) if self.due else None

    @property
    def online_rate(self) -> float | None:
        return self.online / self.devices if self.devices else None

    @property
    def transmission_rate(self) -> float | None:
        return min(1.0, self.received / self.due) if self.due else None

    @property
    def validity_rate(self) -> float | None:
        return self.valid / self.received if self.received else None

    @property
    def effective_rate(self) -> float | None:
        t, v = self.transmission_rate, self.validity_rate
        return t * v if t is not None and v is not None else None


def transmission(start: dt.datetime, end: dt.datetime, devices=None) -> list[Line]:
    """联网率 and 数据有效传输率 per district and device kind over [start, end)."""
    scope = devices if devices is not None else Device.objects.filter(is_active=True)
    devices = list(scope.select_related("site__district").only(*RATE_FIELDS))
    late = backfill.counts(devices, start, end, set(MAIN_CODE.values()))
    fills: dict[int, int] = {}
    counts = received_counts(devices, start, end, late, fills, scope=scope)
    lines: dict[tuple, Line] = {}
    labels = _kind_labels()
    seconds = (end - start).total_seconds()
    for device in devices:
        key = (device.site.district.name, labels.get(device.kind, device.kind))
        line = lines.setdefault(key, Line(*key))
        received, valid = counts.get((device.pk, MAIN_CODE.get(device.kind)), (0, 0))
        due = seconds / device.interval_seconds
        line.devices += 1
        line.online += 1 if received else 0
        line.due += due
        line.received += min(received, int(due) or received)
        line.valid += min(valid, int(due) or valid)
        line.filled += min(fills.get(device.pk, 0), min(received, int(due) or received))
        filled = late.get(device.pk)
        if filled is not None:
            line.backfilled += filled.uploads
            line.late += filled.late
    return sorted(lines.values(), key=lambda line: (line.district, line.kind))


def received_counts(
    devices, start: dt.datetime, end: dt.datetime, late=None, fills=None, *, scope=None
) -> dict:
    """(device, main code) → (values received, valid) over [start, end), from the daily rollups
    (whole Beijing days) or the hourly ones. When a device sends the same minute twice
    (real-time and minute data), the CN with more values counts: no minute counts twice.
    ``late`` (``backfill.counts``): back-filled values received too late are taken out, values
    of another CN fetched for the counted CN's gaps are added (``backfill.filled``), and
    ``fills`` (if given) gets per device how many counted values came from back-filling."""
    codes = set(MAIN_CODE.values())
    # the devices' queryset as a subquery: a join, cheaper than 2,000 ids in the statement
    within = scope.values("pk") if scope is not None else devices
    if _midnight(start) and _midnight(end):
        rows = DailyRollup.objects.filter(
            device__in=within,
            code__in=codes,
            day__gte=tz.to_local(start).date(),
            day__lt=tz.to_local(end).date(),
        )
    else:  # a period that is not whole days: its hours
        rows = HourlyRollup.objects.filter(
            device__in=within, code__in=codes, start__gte=start, start__lt=end
        )
    rows = (  # summed by the database: one row per device, code and CN, not per day
        rows.order_by()
        .values_list("device_id", "code", "cn")
        .annotate(total_n=Sum("n"), total_valid=Sum("valid"))
    )
    per_cn: dict[tuple, list[int]] = {
        (device_id, code, cn): [n, valid] for device_id, code, cn, n, valid in rows
    }
    late = late or {}
    for device_id, found in late.items():
        for (code, cn), (n, valid) in found.late_values().items():
            slot = per_cn.get((device_id, code, cn))
            if slot is not None:
                slot[0] = max(0, slot[0] - n)
                slot[1] = max(0, slot[1] - valid)
    chosen: dict[tuple, tuple] = {}  # (device, code) → ((live n, n, valid), cn)
    for (device_id, code, cn), (n, valid) in per_cn.items():
        found = late.get(device_id)
        filled = sum(1 for v in found.values if v[:2] == (code, cn)) if found else 0
        best = ((n - filled, n, valid), cn)
        chosen[(device_id, code)] = max(chosen.get((device_id, code), best), best)
    by_id = {d.pk: d for d in devices}
    counts: dict[tuple, tuple[int, int]] = {}
    for (device_id, code), ((_, n, valid), cn) in chosen.items():
        extra = (0, 0, 0)
        if device_id in late:
            extra = backfill.filled(by_id[device_id], code, cn, late[device_id])
        counts[(device_id, code)] = (n + extra[0], valid + extra[1])
        if fills is not None and code == MAIN_CODE.get(by_id[device_id].kind):
            fills[device_id] = extra[2]
    return counts


def _kind_labels() -> dict[str, str]:
    """Device kind → its label, translated once per page rather than per device (2,000
    devices: the lazy translation per device cost the rates page a fifth of a second)."""
    return {kind: str(label) for kind, label in DeviceKind.choices}


def _midnight(moment: dt.datetime) -> bool:
    local = tz.to_local(moment)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


@dataclass
class CaseLine:
    district: str
    alarms: int
    with_case: int

    @property
    def rate(self) -> float | None:
        return self.with_case / self.alarms if self.alarms else None


def case_rates(start: dt.datetime, end: dt.datetime, alarms=None) -> list[CaseLine]:
    """立案率 per district: level-3 exceedance alarms first raised in [start, end)."""
    alarms = alarms if alarms is not None else Alarm.objects.all()
    rows = (
        alarms.filter(
            kind=AlarmKind.EXCEEDANCE, level__gte=3, first_at__gte=start, first_at__lt=end
        )
        .values("site__district__name")
        .annotate(
            n=Count("id", distinct=True),
            cased=Count("id", filter=Q(cases__isnull=False), distinct=True),
        )
    )
    out = defaultdict(lambda: [0, 0])
    for row in rows:
        out[row["site__district__name"]] = [row["n"], row["cased"]]
    return [CaseLine(d, n, c) for d, (n, c) in sorted(out.items())]


@dataclass
class OnLine:
    district: str
    kind: str
    rate: object  # onrate.OnRate
    unit: str  # what is counted: 条 (fume samples) or 小时 (dust hours)


def on_rates(start: dt.datetime, end: dt.datetime, devices=None) -> list[OnLine]:
    """开机率 per district for fume and dust monitors over [start, end)."""
    from lantian.lib import tz
    from monitoring import hours, onrate

    scope = devices if devices is not None else Device.objects.filter(is_active=True)
    scope = scope.filter(kind__in=[DeviceKind.FUME, DeviceKind.DUST])
    devices = list(scope.select_related("site__district").only(*RATE_FIELDS))
    rules = hours.on_rules(tz.to_local(end).date())
    totals = hours.totals(scope, start, end, rules)
    lines: dict[tuple, OnLine] = {}
    labels = _kind_labels()
    for device in devices:
        key = (device.site.district.name, labels.get(device.kind, device.kind))
        unit = "条" if device.kind == DeviceKind.FUME else "小时"
        line = lines.setdefault(key, OnLine(*key, onrate.OnRate(), unit))
        found = totals.get(device.pk, hours.Totals())
        if device.kind == DeviceKind.FUME:
            line.rate.add(onrate.fume_rate(found))
        else:
            installed = tz.start_of_local_day(device.install_date) if device.install_date else None
            due = onrate.hours_due(start, min(end, tz.now()), installed)
            line.rate.add(onrate.dust_rate(found, due))
    return sorted(lines.values(), key=lambda line: (line.district, line.kind))


@dataclass
class HandlingLine:
    district: str
    kind: str
    alarms: int = 0
    handled_on_time: int = 0
    closed: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.handled_on_time / self.alarms if self.alarms else None


def handling(start: dt.datetime, end: dt.datetime, alarms=None) -> list[HandlingLine]:
    """Exceedance alarms first raised in [start, end) per district and device kind, those
    handled (处置) by their response time, and those closed (办结)."""
    alarms = alarms if alarms is not None else Alarm.objects.all()
    rows = (
        alarms.filter(kind=AlarmKind.EXCEEDANCE, first_at__gte=start, first_at__lt=end)
        .annotate(handled_at=Min("actions__at", filter=Q(actions__kind=ActionKind.HANDLE)))
        .values("pk", "site__district__name", "device__kind", "due_at", "handled_at", "status")
    )
    lines: dict[tuple, HandlingLine] = {}
    for row in rows:
        key = (row["site__district__name"], row["device__kind"])
        line = lines.setdefault(key, HandlingLine(*key))
        line.alarms += 1
        handled = row["handled_at"]
        line.handled_on_time += bool(
            handled and (row["due_at"] is None or handled <= row["due_at"])
        )
        line.closed += row["status"] == AlarmStatus.CLOSED
    return sorted(lines.values(), key=lambda line: (line.district, line.kind))
