"""Back-filled data (补传) in the rates: which values arrived too late to count.

A back-filled upload (``Backfill``: RF=1 from the device, or fetched by the platform) is stored
and charted like any other, marked 补传. Whether it counts towards 数据传输率 depends on how late
it came: within ``monitoring_rates`` ``backfill_days`` of its data time it counts (the data
exists, and the assessment lets missing data be supplied within that window); later it does
not. Daily statistics (the rollups) hold every stored value, back-filled or not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from lantian.lib import tz
from monitoring.models import Backfill, Reading
from regulations import lookup

VALID_FLAGS = ("N", "")


def deadline(on: dt.date) -> dt.timedelta:
    """How long after its data time a back-filled value still counts (regulation data)."""
    days = lookup.version("monitoring_rates", on=on).number("backfill_days").value
    return dt.timedelta(days=float(days))


@dataclass
class Counts:
    """One device's back-filled uploads in a period: all, those too late to count, and the
    late values of each (code, CN) to take out of the received and valid counts."""

    uploads: int = 0
    late: int = 0
    late_values: dict[tuple[str, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )


def counts(devices, start: dt.datetime, end: dt.datetime, codes) -> dict[int, Counts]:
    """device id → ``Counts`` over data times in [start, end)."""
    late_after = deadline(tz.to_local(end - dt.timedelta(microseconds=1)).date())
    rows = Backfill.objects.filter(device__in=devices, data_time__gte=start, data_time__lt=end)
    out: dict[int, Counts] = defaultdict(Counts)
    late_keys = []
    for device_id, cn, when, is_late in rows.annotate(
        is_late=ExpressionWrapper(
            Q(received_at__gt=F("data_time") + late_after), output_field=BooleanField()
        )
    ).values_list("device_id", "cn", "data_time", "is_late"):
        out[device_id].uploads += 1
        if is_late:
            out[device_id].late += 1
            late_keys.append((device_id, cn, when))
    for chunk in range(0, len(late_keys), 300):
        keys = late_keys[chunk : chunk + 300]
        match = reduce(or_, (Q(device_id=d, cn=c, data_time=t) for d, c, t in keys))
        for device_id, code, cn, flag in (
            Reading.objects.filter(match, code__in=list(codes))
            .values_list("device_id", "code", "cn", "flag")
            .order_by()
        ):
            slot = out[device_id].late_values[(code, cn)]
            slot[0] += 1
            slot[1] += flag in VALID_FLAGS
    return dict(out)


def backfilled_times(device_id: int, since: dt.datetime, until: dt.datetime) -> set[dt.datetime]:
    """Data times of a device's back-filled uploads in [since, until) (the readings chart)."""
    return set(
        Backfill.objects.filter(
            device_id=device_id, data_time__gte=since, data_time__lt=until
        ).values_list("data_time", flat=True)
    )
