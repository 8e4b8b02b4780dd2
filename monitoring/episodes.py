"""Monitoring data for the heavy-pollution response (线上监控+线下核实).

``emergency`` asks for the readings of an enterprise's devices by HJ 212 MN over an episode
and the baseline before it (``emergency.readings``); this is the provider it is configured
with by default (``LANTIAN_EMERGENCY_READINGS``). Values come back as hourly means of valid
data (flag N), one source per device and pollutant: the device's hourly uploads (2061) when
it sends them, else its minute (2051) or real-time (2011) data averaged per hour, so that an
hour is never counted twice. They come from the hourly rollups (``rollups.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from emergency.readings import Reading
from monitoring import codes
from monitoring.models import Device, HourlyRollup

PREFERENCE = (2061, 2051, 2011)  # hourly uploads, minute data, real-time data


def readings_by_mn(mns: Sequence[str], start: dt.datetime, end: dt.datetime) -> list[Reading]:
    """Hourly means of valid data from the hourly rollups (never the raw minute rows)."""
    devices = dict(Device.objects.filter(mn__in=list(mns)).values_list("pk", "mn"))
    if not devices:
        return []
    hourly = HourlyRollup.objects.filter(
        device_id__in=list(devices),
        code__in=codes.POLLUTANTS,
        cn__in=PREFERENCE,
        start__gte=start,
        start__lt=end,
        valid__gt=0,
    ).values_list("device_id", "code", "cn", "start", "total", "valid")
    by_source: dict[tuple[int, str], dict[int, list[tuple[dt.datetime, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for device_id, code, cn, hour, total, valid in hourly:
        by_source[(device_id, code)][cn].append((hour, total / valid))
    out = []
    for (device_id, code), sources in by_source.items():
        best = next(cn for cn in PREFERENCE if cn in sources)
        name, unit = codes.name(code), codes.unit(code)
        mn = devices[device_id]
        out += [
            Reading(mn, name, hour, round(mean, 4), unit) for hour, mean in sorted(sources[best])
        ]
    return out
