"""Per device-hour counts: the small interface the rates (开机率, 安装联网率, 油烟安装进度) and the
device-health detectors read, instead of reading raw readings themselves.

``HourCount`` is what one device did in one hour; ``hour_counts`` builds them from the
device-hour states that ``rollups.refresh`` keeps as data lands (``HourlyState``), and
``totals`` sums a period per device in the database (``DailyState`` for whole days): no rate
reads the raw readings on a page view.

What the states store, and why a rule change needs no raw data:

- data flags: the main pollutant's values are counted *by flag*, and each hour keeps the set
  of flags it saw (``mask``); received, valid and instrument-running values or hours under any
  ``dust_running_flags`` are sums over them, so that rule is applied when read (as before).
- fan and purifier: a status sample is judged running when it lands, by the ``monitoring_rates``
  thresholds in force on the sample's Beijing date (``on_rules``), and counted. The thresholds
  are continuous (currents in A), so no finite set of counts answers every future threshold;
  judging each day by the version in force that day is what a version's ``effective_from``
  means, and a new version (dated from its day on) only concerns data that lands under it.
  A version changed retroactively needs ``rollups.rebuild`` of its days while their raw rows
  are kept (``monitoring_retention``). Before this, a page judged every sample of its period
  by the version in force on the period's last day; with one version the counts are the same.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncHour

from monitoring.choices import DeviceKind

UTC = dt.UTC
MAIN_CODES = {DeviceKind.DUST: "a34001", DeviceKind.FUME: "fume", DeviceKind.EMISSION: "a34013"}
VALID_FLAGS = ("N", "")
STATUS_CODES = ("fan", "purifier", "fan_current", "purifier_current")
# HJ 212-2017 表 C.1 data flags (and none sent), one bit each in ``HourlyState.mask``.
FLAG_BITS = {"N": 1, "": 2, "T": 4, "F": 8, "M": 16, "D": 32, "C": 64, "S": 128, "B": 256}
OTHER_FLAG_BIT = 512


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


def flag_mask(flags) -> int:
    """The bits of ``flags`` (``HourlyState.mask``); flags outside HJ 212 share one bit."""
    mask = 0
    for flag in flags:
        mask |= FLAG_BITS.get(flag, OTHER_FLAG_BIT)
    return mask


def hour_counts(devices, start: dt.datetime, end: dt.datetime, rules: OnRules) -> dict[int, list]:
    """device id → its ``HourCount`` rows in [start, end), hours with any data only, from the
    device-hour states kept with the rollups (``rollups.refresh``), never the raw readings.
    Received, valid and running counts follow ``rules`` (the flag counts are kept by flag);
    fume samples were judged running by the thresholds in force on their own date."""
    from monitoring.models import HourlyState

    ids = [d.pk for d in devices]
    rows = (
        HourlyState.objects.filter(device_id__in=ids, start__gte=start, start__lt=end)
        .order_by("device_id", "start")
        .values_list("device_id", "start", "flags", "fan_on", "both_on")
    )
    running = set(rules.running_flags)
    out: dict[int, list] = defaultdict(list)
    for device_id, hour, flags, fan_on, both_on in rows.iterator(chunk_size=10000):
        out[device_id].append(
            HourCount(
                device_id,
                _utc(hour),
                samples=sum(flags.values()),
                valid=sum(n for f, n in flags.items() if f in VALID_FLAGS),
                running=sum(n for f, n in flags.items() if f in running),
                fan_on=fan_on,
                both_on=both_on,
            )
        )
    return dict(out)


@dataclass(frozen=True)
class Totals:
    """One device over a period: hours with main-pollutant data taken while running, hours
    with valid data, and fume status samples with the fan / fan and purifier running."""

    running_hours: int = 0
    valid_hours: int = 0
    fan_on: int = 0
    both_on: int = 0


def totals(devices, start: dt.datetime, end: dt.datetime, rules: OnRules) -> dict[int, Totals]:
    """device id → its ``Totals`` over [start, end), summed by the database: from the day
    states for whole Beijing days (what the rates page asks), else from the hour states."""
    from django.db.models import Case, F, QuerySet, Sum, Value, When
    from django.db.models.lookups import GreaterThan

    from lantian.lib import tz
    from monitoring.models import DailyState, HourlyState

    # a queryset stays a subquery (a join in the database), cheaper than thousands of ids
    ids = devices.values("pk") if isinstance(devices, QuerySet) else [d.pk for d in devices]
    if _midnight(start) and _midnight(end):
        rows = DailyState.objects.filter(
            device_id__in=ids,
            day__gte=tz.to_local(start).date(),
            day__lt=tz.to_local(end).date(),
        )
        hours = F("hours")
    else:
        rows = HourlyState.objects.filter(device_id__in=ids, start__gte=start, start__lt=end)
        hours = Value(1)

    def hours_with(mask: int):
        return Sum(Case(When(GreaterThan(F("mask").bitand(mask), 0), then=hours), default=0))

    rows = (
        rows.order_by()
        .values("device_id")
        .annotate(
            run=hours_with(flag_mask(rules.running_flags)),
            ok=hours_with(flag_mask(VALID_FLAGS)),
            fan=Sum("fan_on"),
            both=Sum("both_on"),
        )
    )
    return {
        row["device_id"]: Totals(row["run"] or 0, row["ok"] or 0, row["fan"] or 0, row["both"] or 0)
        for row in rows
    }


def _midnight(moment: dt.datetime) -> bool:
    from lantian.lib import tz

    local = tz.to_local(moment)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


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
