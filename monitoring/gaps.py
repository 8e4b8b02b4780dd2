"""Gaps in a device's data, fetched again without anyone's action (提取历史数据).

The device sweep (``checkdevices``) looks at the last ``lookback_hours`` of hourly rollups: an
hour of a device's main pollutant below ``hour_min_coverage`` of what was due (the same rule as
the 数据缺失 alarm) is a gap, once the device has reported again after it (a device still
silent has nothing to answer with). Consecutive gap hours become one history request in the
device's own kind of data (minute data for real-time and minute devices, hourly or daily data
for the others); each hour is asked for once, so a device that cannot answer is not asked
forever. What comes back is stored as back-filled (``Backfill``, 平台补采) and counts in the
rates (``backfill.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from lantian.lib import tz
from monitoring import remote
from monitoring.choices import CommandKind
from monitoring.health import MAIN_CODE, thresholds
from monitoring.models import Device, DeviceCommand, HourlyRollup

HOUR = dt.timedelta(hours=1)
# CN a device sends most → CN of the history request that fills its gaps, minutes per value
REQUEST_CN = {2011: "2051", 2051: "2051", 2061: "2061", 2031: "2031"}
MINUTES = {2051: 1, 2061: 60, 2031: 1440}


EVERY = dt.timedelta(minutes=10)  # gaps are hours: looking every sweep (a minute) gains nothing
_last: dict[str, dt.datetime] = {}


def refetch_due(now: dt.datetime | None = None) -> list[DeviceCommand]:
    """``request_refetch`` at most every ``EVERY`` (the sweep calls this every minute)."""
    now = now or tz.now()
    last = _last.get("at")
    if last is not None and last <= now < last + EVERY:
        return []
    _last["at"] = now
    return request_refetch(now=now)


def request_refetch(*, now: dt.datetime | None = None, device_ids=None) -> list[DeviceCommand]:
    """Queue a history request for each run of gap hours not asked for before."""
    now = now or tz.now()
    limits = thresholds(tz.to_local(now).date())
    devices = Device.objects.filter(is_active=True, last_seen_at__isnull=False)
    if device_ids is not None:
        devices = devices.filter(pk__in=list(device_ids))
    devices = [d for d in devices if d.kind in MAIN_CODE]
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(hours=int(limits["lookback_hours"]))
    cover = _coverage(devices, start, end)
    asked = _asked(devices, start)
    queued = []
    for device in devices:
        seen = cover.get(device.pk)
        if not seen:
            continue  # no data in the window at all: offline, not a gap
        cn = max(seen["count"], key=seen["count"].get)
        share = limits["hour_min_coverage"]
        gaps = [
            hour
            for hour in _hours(min(seen["minutes"]), end)
            if seen["minutes"].get(hour, 0) < 60 * share
            and device.last_seen_at >= hour + HOUR
            and hour not in asked.get(device.pk, set())
        ]
        for begin, stop in _runs(gaps):
            queued.append(
                remote.request_command(
                    device,
                    CommandKind.HISTORY,
                    acting_user=remote.SYSTEM,
                    params={"begin": begin, "end": stop, "cn": REQUEST_CN.get(cn, "2051")},
                    reason=_reason(begin, stop),
                )
            )
    return queued


def _reason(begin: dt.datetime, stop: dt.datetime) -> str:
    hours = (stop - begin) // HOUR
    return f"数据缺失：{tz.to_local(begin):%m-%d %H}时起 {hours} 小时，自动补采"


def _coverage(devices, start, end) -> dict[int, dict]:
    """device → {"minutes": hour → minutes of main-pollutant data (the CN covering most),
    "count": cn → values}."""
    interval = {d.pk: d.interval_seconds / 60 for d in devices}
    rows = HourlyRollup.objects.filter(
        device__in=devices,
        code__in=set(MAIN_CODE.values()),
        start__gte=start,
        start__lt=end,
    ).values_list("device_id", "code", "cn", "start", "n")
    main = {d.pk: MAIN_CODE[d.kind] for d in devices}
    out: dict[int, dict] = defaultdict(lambda: {"minutes": {}, "count": defaultdict(int)})
    for device_id, code, cn, hour, n in rows:
        if code != main[device_id]:
            continue
        minutes = n * MINUTES.get(cn, interval[device_id])
        slot = out[device_id]
        slot["minutes"][hour] = max(slot["minutes"].get(hour, 0), min(60, minutes))
        slot["count"][cn] += n
    return out


def _asked(devices, start) -> dict[int, set]:
    """device → hours already asked for by a history request (whatever became of it)."""
    out: dict[int, set] = defaultdict(set)
    for command in DeviceCommand.objects.filter(
        device__in=devices, kind=CommandKind.HISTORY, created_at__gte=start - dt.timedelta(days=1)
    ):
        begin = dt.datetime.fromisoformat(command.params["begin"])
        stop = dt.datetime.fromisoformat(command.params["end"])
        out[command.device_id].update(_hours(begin, stop))
    return out


def _hours(begin: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    hour = begin.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    out = []
    while hour < end:
        out.append(hour)
        hour += HOUR
    return out


def _runs(hours: list[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Consecutive hours as [begin, end) spans of at most a day."""
    runs: list[list[dt.datetime]] = []
    for hour in sorted(hours):
        if runs and runs[-1][1] == hour and hour - runs[-1][0] < dt.timedelta(days=1):
            runs[-1][1] = hour + HOUR
        else:
            runs.append([hour, hour + HOUR])
    return [(a, b) for a, b in runs]
