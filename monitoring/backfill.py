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
    """One device's back-filled uploads in a period: how many, how many too late to count, and
    their main-pollutant values ``(code, cn, data_time, flag, late)``."""

    uploads: int = 0
    late: int = 0
    values: list[tuple[str, int, dt.datetime, str, bool]] = field(default_factory=list)

    def late_values(self) -> dict[tuple[str, int], list[int]]:
        """(code, cn) → [values, valid values] received too late to count."""
        out: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        for code, cn, _, flag, late in self.values:
            if late:
                out[(code, cn)][0] += 1
                out[(code, cn)][1] += flag in VALID_FLAGS
        return out


def counts(devices, start: dt.datetime, end: dt.datetime, codes) -> dict[int, Counts]:
    """device id → ``Counts`` over data times in [start, end)."""
    late_after = deadline(tz.to_local(end - dt.timedelta(microseconds=1)).date())
    rows = Backfill.objects.filter(device__in=devices, data_time__gte=start, data_time__lt=end)
    out: dict[int, Counts] = defaultdict(Counts)
    lateness: dict[tuple, bool] = {}
    for device_id, cn, when, is_late in rows.annotate(
        is_late=ExpressionWrapper(
            Q(received_at__gt=F("data_time") + late_after), output_field=BooleanField()
        )
    ).values_list("device_id", "cn", "data_time", "is_late"):
        out[device_id].uploads += 1
        out[device_id].late += bool(is_late)
        lateness[(device_id, cn, when)] = bool(is_late)
    keys = list(lateness)
    for chunk in range(0, len(keys), 300):
        match = reduce(or_, (Q(device_id=d, cn=c, data_time=t) for d, c, t in keys[chunk:][:300]))
        for device_id, code, cn, when, flag in (
            Reading.objects.filter(match, code__in=list(codes))
            .values_list("device_id", "code", "cn", "data_time", "flag")
            .order_by()
        ):
            out[device_id].values.append((code, cn, when, flag, lateness[(device_id, cn, when)]))
    return dict(out)


def filled(device, code: str, cn: int, found: Counts) -> tuple[int, int, int]:
    """What the back-filled values add to a device's count of ``cn`` values (the CN its
    rate counts): ``(values, valid, of which back-filled)``.

    Back-filled values of that CN are in its count already (the third number says how many).
    Values of another CN fill the minutes the counted CN lacks: history fetched as minute data
    (2051) for a gap in real-time data (2011) counts one value per ``interval`` of the minutes
    it covers that the real-time data does not, so no minute counts twice."""
    same = [v for v in found.values if v[0] == code and v[1] == cn and not v[4]]
    others = [v for v in found.values if v[0] == code and v[1] != cn and not v[4]]
    if not others:
        return 0, 0, len(same)
    covered = _covered_minutes(device, code, cn, others)
    per_minute = 60 / device.interval_seconds
    n = valid = 0.0
    for _, other_cn, when, flag, _ in others:
        span = MINUTES.get(other_cn, 1)
        first = _minute(when)
        uncovered = sum(1 for k in range(span) if first + k not in covered)
        n += uncovered * per_minute
        valid += uncovered * per_minute if flag in VALID_FLAGS else 0
        covered.update(range(first, first + span))
    return int(n), int(valid), len(same) + int(n)


MINUTES = {2051: 1, 2061: 60, 2031: 1440}


def _minute(moment: dt.datetime) -> int:
    return int(moment.timestamp() // 60)


def _covered_minutes(device, code: str, cn: int, others) -> set[int]:
    """Minutes (since the epoch) holding a value of ``cn`` within the spans ``others`` cover."""
    first = min(v[2] for v in others)
    last = max(v[2] + dt.timedelta(minutes=MINUTES.get(v[1], 1)) for v in others)
    times = Reading.objects.filter(
        device=device, code=code, cn=cn, data_time__gte=first, data_time__lt=last
    ).values_list("data_time", flat=True)
    return {_minute(t) for t in times}


def backfilled_times(device_id: int, since: dt.datetime, until: dt.datetime) -> set[dt.datetime]:
    """Data times of a device's back-filled uploads in [since, until) (the readings chart)."""
    return set(
        Backfill.objects.filter(
            device_id=device_id, data_time__gte=since, data_time__lt=until
        ).values_list("data_time", flat=True)
    )
