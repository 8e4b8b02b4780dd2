"""Per device-hour counts: the small interface the rates (开机率, 安装联网率, 油烟安装进度) and the
device-health detectors read, instead of reading raw readings themselves.

``HourCount`` is what one device did in one hour. Today ``hour_counts`` builds them from the
raw ``Reading`` table (grouped by the database where it can); when readings move to hourly
rollups only this module changes, the rate functions (``monitoring/onrate.py``,
``coverage/progress.py``) stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from monitoring.choices import DeviceKind

UTC = dt.UTC
MAIN_CODES = {DeviceKind.DUST: "a34001", DeviceKind.FUME: "fume", DeviceKind.EMISSION: "a34013"}
VALID_FLAGS = ("N", "")
STATUS_CODES = ("fan", "purifier", "fan_current", "purifier_current")


@dataclass(frozen=True)
class HourCount:
    """One device in one hour (``hour`` is the UTC start of the hour).

    ``samples``/``valid``/``running`` count values of the device's main pollutant: received,
    flagged valid (N), flagged as taken while the instrument ran. ``fan_on``/``both_on`` count
    fume status samples with the fan running, and with fan and purifier both running.
    """

    device_id: int
    hour: dt.datetime
    samples: int = 0
    valid: int = 0
    running: int = 0
    fan_on: int = 0
    both_on: int = 0


@dataclass(frozen=True)
class OnRules:
    """When an instrument, a fan or a purifier counts as running (``monitoring_rates`` data)."""

    running_flags: tuple[str, ...] = ("N", "T", "")
    status_on: float = 1.0
    fan_current: float = 0.5
    purifier_current: float = 0.1

    def fan_running(self, status: float | None, current: float | None) -> bool | None:
        return _running(status, current, self.status_on, self.fan_current)

    def purifier_running(self, status: float | None, current: float | None) -> bool | None:
        return _running(status, current, self.status_on, self.purifier_current)


def _running(status, current, status_on, current_on) -> bool | None:
    """A status value says it directly; else the current; neither sent: unknown."""
    if status is not None:
        return status >= status_on
    if current is not None:
        return current >= current_on
    return None


def on_rules(on: dt.date) -> OnRules:
    from regulations import lookup

    version = lookup.version("monitoring_rates", on=on)

    def get(key):
        return version.number(key).value

    return OnRules(
        running_flags=tuple(get("dust_running_flags")),
        status_on=float(get("status_on_value")),
        fan_current=float(get("fan_on_current")),
        purifier_current=float(get("purifier_on_current")),
    )


def hour_counts(devices, start: dt.datetime, end: dt.datetime, rules: OnRules) -> dict[int, list]:
    """device id → its ``HourCount`` rows in [start, end), hours with any data only."""
    from monitoring.models import Reading

    devices = list(devices)
    out: dict[int, dict[dt.datetime, dict]] = defaultdict(lambda: defaultdict(dict))
    by_code = defaultdict(list)
    for device in devices:
        by_code[MAIN_CODES.get(device.kind, "")].append(device.pk)
    for code, ids in by_code.items():
        rows = (
            Reading.objects.filter(
                device_id__in=ids, code=code, data_time__gte=start, data_time__lt=end
            )
            .annotate(h=TruncHour("data_time", tzinfo=UTC))
            .values("device_id", "h")
            .annotate(
                n=Count("data_time"),
                ok=Count("data_time", filter=Q(flag__in=VALID_FLAGS)),
                run=Count("data_time", filter=Q(flag__in=list(rules.running_flags))),
            )
        )
        for row in rows:
            out[row["device_id"]][_utc(row["h"])].update(
                samples=row["n"], valid=row["ok"], running=row["run"]
            )
    fume = [d.pk for d in devices if d.kind == DeviceKind.FUME]
    for device_id, hour, fan, both in _fume_status(fume, start, end, rules):
        slot = out[device_id][hour]
        slot["fan_on"] = slot.get("fan_on", 0) + fan
        slot["both_on"] = slot.get("both_on", 0) + both
    return {
        device_id: [HourCount(device_id, hour, **values) for hour, values in sorted(hours.items())]
        for device_id, hours in out.items()
    }


def _fume_status(device_ids, start, end, rules: OnRules):
    """(device, hour, fan on 0/1, both on 0/1) per status sample (one upload's DataTime)."""
    from monitoring.models import Reading

    if not device_ids:
        return
    samples: dict[tuple[int, dt.datetime], dict[str, float]] = defaultdict(dict)
    rows = (
        Reading.objects.filter(
            device_id__in=device_ids,
            code__in=STATUS_CODES,
            data_time__gte=start,
            data_time__lt=end,
        )
        .order_by()
        .values_list("device_id", "data_time", "code", "value")
    )
    for device_id, when, code, value in rows.iterator(chunk_size=10000):
        samples[(device_id, when)][code] = value
    for (device_id, when), values in samples.items():
        fan = rules.fan_running(values.get("fan"), values.get("fan_current"))
        if not fan:
            continue  # the kitchen is not operating (or nothing said): not owed
        purifier = rules.purifier_running(values.get("purifier"), values.get("purifier_current"))
        hour = _utc(when).replace(minute=0, second=0, microsecond=0)
        yield device_id, hour, 1, int(bool(purifier))


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:  # SQLite without tz support hands back naive UTC
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def hourly_values(devices, start: dt.datetime, end: dt.datetime) -> dict[int, dict]:
    """device id → {UTC hour → detectors.Hour} of its main pollutant in [start, end): count,
    mean, min and max of the values taken while the instrument ran, plus the PM2.5 and PM10
    means of dust monitors. The detectors' view of the data (rollups can answer it later)."""
    from django.db.models import Avg, Max, Min

    from monitoring.detectors import Hour
    from monitoring.models import Reading

    devices = list(devices)
    out: dict[int, dict] = defaultdict(dict)
    by_code = defaultdict(list)
    for device in devices:
        by_code[MAIN_CODES.get(device.kind, "")].append(device.pk)
    pm: dict[tuple[int, dt.datetime], dict[str, float]] = defaultdict(dict)
    dust = by_code.get("a34001", [])
    if dust:
        rows = (
            Reading.objects.filter(
                device_id__in=dust,
                code__in=("a34004", "a34002"),
                data_time__gte=start,
                data_time__lt=end,
                flag__in=("N", "T", ""),
            )
            .annotate(h=TruncHour("data_time", tzinfo=UTC))
            .values("device_id", "code", "h")
            .annotate(v=Avg("value"))
        )
        for row in rows:
            pm[(row["device_id"], _utc(row["h"]))][row["code"]] = row["v"]
    for code, ids in by_code.items():
        rows = (
            Reading.objects.filter(
                device_id__in=ids,
                code=code,
                data_time__gte=start,
                data_time__lt=end,
                flag__in=("N", "T", ""),
            )
            .annotate(h=TruncHour("data_time", tzinfo=UTC))
            .values("device_id", "h")
            .annotate(n=Count("data_time"), mean=Avg("value"), lo=Min("value"), hi=Max("value"))
        )
        for row in rows:
            hour = _utc(row["h"])
            extra = pm.get((row["device_id"], hour), {})
            out[row["device_id"]][hour] = Hour(
                row["n"],
                row["mean"],
                row["lo"],
                row["hi"],
                extra.get("a34004"),
                extra.get("a34002"),
            )
    return out
