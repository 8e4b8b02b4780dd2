"""Hourly and daily rollups per device, pollutant and CN, kept current as data lands.

The streaming judge collects the (device, hour) buckets the feed touched and refreshes them
every few seconds: each bucket is recomputed from its own raw rows (at most an hour of one
device) and upserted, then the day rows from their hours. Recomputing a bucket is idempotent, so
a notification seen twice or a judge restarted (it refreshes the last hours on start) never
counts a value twice; ``lantian monitoring maintain`` re-checks recent days as a safety net and
the archive verifies a month's rollups against its raw rows before the month is dropped.
Pages, charts and rates read these tables, never the raw rows of more than a day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.db import connection, transaction

from lantian.lib import tz
from monitoring.models import Device

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
VALUE_COLUMNS = "n, valid, total, vmin, vmax, exceed"
# Minutes one value stands for, by CN; real-time data (2011) lasts the device's interval.
CN_MINUTES = {2051: 1, 2061: 60, 2031: 1440}


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def day_start(moment: dt.datetime) -> dt.datetime:
    """The start of the Beijing day holding ``moment`` (an aware UTC instant)."""
    local = tz.to_local(moment)
    return tz.start_of_local_day(local.date()).astimezone(dt.UTC)


def limits_for(device_ids: Iterable[int], on: dt.date) -> list[tuple[int, str, float, float]]:
    """(device, code, limit, minutes per real-time value) for the exceedance minutes."""
    from monitoring.judge import rules_for

    out = []
    for device in Device.objects.filter(pk__in=list(device_ids)).select_related("site"):
        minutes = device.interval_seconds / 60
        for rule in rules_for(device, on):
            out.append((device.pk, rule.code, rule.limit, minutes))
    return out


def refresh(keys: Iterable[tuple[int, dt.datetime]], limits=None, *, values=True) -> int:
    """Recompute the hourly rows of the (device, hour start) ``keys`` and their days: the
    values per pollutant and the device states (``values=False``: the states only)."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    if limits is None and values:
        limits = limits_for({d for d, _ in keys}, tz.local_today())
    days = sorted({(d, day_start(h)) for d, h in keys})
    with transaction.atomic():
        if values:
            _refresh_hours(keys, limits)
            _refresh_days(days)
        _refresh_states(keys)
        _refresh_state_days(days)
    return len(keys)


def _valid(alias: str = "r") -> str:
    return f"{alias}.flag IN ('N', '')"


def _refresh_hours(keys, limits) -> None:
    minutes = (
        "CASE r.cn WHEN 2051 THEN 1 WHEN 2061 THEN 60 WHEN 2031 THEN 1440 "
        "ELSE COALESCE(l.minutes, 1) END"
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS.split(", "))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO monitoring_hourlyrollup (device_id, code, cn, start, "
                f"{VALUE_COLUMNS}) "
                "SELECT r.device_id, r.code, r.cn, k.h, count(*), "
                f"count(*) FILTER (WHERE {_valid()}), "
                f"COALESCE(sum(r.value) FILTER (WHERE {_valid()}), 0), "
                f"min(r.value) FILTER (WHERE {_valid()}), max(r.value) FILTER (WHERE {_valid()}), "
                f"COALESCE(sum({minutes}) FILTER (WHERE {_valid()} AND r.value > l.lim), 0) "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS k(d, h) "
                "JOIN monitoring_reading r ON r.device_id = k.d AND r.data_time >= k.h "
                "AND r.data_time < k.h + interval '1 hour' "
                "LEFT JOIN unnest(%s::bigint[], %s::text[], %s::float8[], %s::float8[]) "
                "AS l(d, code, lim, minutes) ON l.d = r.device_id AND l.code = r.code "
                "GROUP BY r.device_id, r.code, r.cn, k.h "
                f"ON CONFLICT (device_id, code, cn, start) DO UPDATE SET {updates}",
                [
                    [d for d, _ in keys],
                    [h for _, h in keys],
                    [x[0] for x in limits],
                    [x[1] for x in limits],
                    [x[2] for x in limits],
                    [x[3] for x in limits],
                ],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(
            "INSERT INTO monitoring_hourlyrollup (device_id, code, cn, start, "
            f"{VALUE_COLUMNS}) "
            "SELECT r.device_id, r.code, r.cn, k.h, count(*), "
            f"sum({_valid()}), COALESCE(sum(CASE WHEN {_valid()} THEN r.value END), 0), "
            f"min(CASE WHEN {_valid()} THEN r.value END), "
            f"max(CASE WHEN {_valid()} THEN r.value END), "
            f"COALESCE(sum(CASE WHEN {_valid()} AND r.value > l.lim THEN {minutes} END), 0) "
            "FROM (SELECT json_extract(value, '$[0]') AS d, json_extract(value, '$[1]') AS h, "
            "json_extract(value, '$[2]') AS h2 FROM json_each(%s)) AS k "
            "JOIN monitoring_reading r ON r.device_id = k.d AND r.data_time >= k.h "
            "AND r.data_time < k.h2 "
            "LEFT JOIN (SELECT json_extract(value, '$[0]') AS d, "
            "json_extract(value, '$[1]') AS code, json_extract(value, '$[2]') AS lim, "
            "json_extract(value, '$[3]') AS minutes FROM json_each(%s)) AS l "
            "ON l.d = r.device_id AND l.code = r.code "
            "WHERE true GROUP BY r.device_id, r.code, r.cn, k.h "
            f"ON CONFLICT (device_id, code, cn, start) DO UPDATE SET {updates}",
            [
                json.dumps([[d, adapt(h), adapt(h + HOUR)] for d, h in keys]),
                json.dumps([list(x) for x in limits]),
            ],
        )


def _refresh_days(days) -> None:
    sums = "sum(n), sum(valid), sum(total), min(vmin), max(vmax), sum(exceed)"
    updates = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS.split(", "))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO monitoring_dailyrollup (device_id, code, cn, day, {VALUE_COLUMNS}) "
                f"SELECT h.device_id, h.code, h.cn, (k.s AT TIME ZONE 'Asia/Shanghai')::date, "
                f"{sums} FROM unnest(%s::bigint[], %s::timestamptz[]) AS k(d, s) "
                "JOIN monitoring_hourlyrollup h ON h.device_id = k.d AND h.start >= k.s "
                "AND h.start < k.s + interval '1 day' "
                "GROUP BY h.device_id, h.code, h.cn, k.s "
                f"ON CONFLICT (device_id, code, cn, day) DO UPDATE SET {updates}",
                [[d for d, _ in days], [s for _, s in days]],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(
            f"INSERT INTO monitoring_dailyrollup (device_id, code, cn, day, {VALUE_COLUMNS}) "
            f"SELECT h.device_id, h.code, h.cn, k.day, {sums} "
            "FROM (SELECT json_extract(value, '$[0]') AS d, json_extract(value, '$[1]') AS s, "
            "json_extract(value, '$[2]') AS e, json_extract(value, '$[3]') AS day "
            "FROM json_each(%s)) AS k "
            "JOIN monitoring_hourlyrollup h ON h.device_id = k.d AND h.start >= k.s "
            "AND h.start < k.e WHERE true GROUP BY h.device_id, h.code, h.cn, k.day "
            f"ON CONFLICT (device_id, code, cn, day) DO UPDATE SET {updates}",
            [
                json.dumps(
                    [
                        [d, adapt(s), adapt(s + DAY), tz.to_local(s).date().isoformat()]
                        for d, s in days
                    ]
                )
            ],
        )


# --- device-hour states: what 开机率 and the roster read (``hours.py``) -----------------------

_STATE_COLUMNS = ("samples", "flags", "mask", "states", "fan_on", "both_on")
_STATE_SQL = """
WITH k AS ({keys}),
main AS (
    SELECT k.d, k.h, r.flag, count(*) AS n, {bit} AS bit
    FROM k JOIN monitoring_reading r ON r.device_id = k.d AND r.code = k.code
    AND r.data_time >= k.h AND r.data_time < k.h2
    GROUP BY k.d, k.h, r.flag
),
m AS (
    SELECT d, h, sum(n) AS samples, {object_agg}(flag, n) AS flags, sum(DISTINCT bit) AS mask
    FROM main GROUP BY d, h
),
st AS (
    SELECT k.d, k.h, k.s_on, k.fan_c, k.pur_c, r.data_time,
    max(r.value) FILTER (WHERE r.code = 'fan') AS fan,
    max(r.value) FILTER (WHERE r.code = 'fan_current') AS fan_a,
    max(r.value) FILTER (WHERE r.code = 'purifier') AS pur,
    max(r.value) FILTER (WHERE r.code = 'purifier_current') AS pur_a
    FROM k JOIN monitoring_reading r ON r.device_id = k.d
    AND r.code IN ('fan', 'fan_current', 'purifier', 'purifier_current')
    AND r.data_time >= k.h AND r.data_time < k.h2
    GROUP BY k.d, k.h, k.s_on, k.fan_c, k.pur_c, r.data_time
),
run AS (
    SELECT d, h,
    CASE WHEN fan IS NOT NULL THEN fan >= s_on WHEN fan_a IS NOT NULL THEN fan_a >= fan_c END
        AS fan_run,
    CASE WHEN pur IS NOT NULL THEN pur >= s_on WHEN pur_a IS NOT NULL THEN pur_a >= pur_c END
        AS pur_run
    FROM st
),
f AS (
    SELECT d, h, count(*) AS states, count(*) FILTER (WHERE fan_run) AS fan_on,
    count(*) FILTER (WHERE fan_run AND pur_run) AS both_on
    FROM run GROUP BY d, h
)
INSERT INTO monitoring_hourlystate (device_id, start, samples, flags, mask, states, fan_on, both_on)
SELECT k.d, k.h, COALESCE(m.samples, 0), COALESCE(m.flags, {empty}), COALESCE(m.mask, 0),
COALESCE(f.states, 0), COALESCE(f.fan_on, 0), COALESCE(f.both_on, 0)
FROM k LEFT JOIN m ON m.d = k.d AND m.h = k.h LEFT JOIN f ON f.d = k.d AND f.h = k.h
WHERE m.d IS NOT NULL OR f.d IS NOT NULL
ON CONFLICT (device_id, start) DO UPDATE SET {updates}
"""


def _flag_bit_sql() -> str:
    from monitoring.hours import FLAG_BITS, OTHER_FLAG_BIT

    whens = " ".join(f"WHEN '{flag}' THEN {bit}" for flag, bit in FLAG_BITS.items())
    return f"CASE r.flag {whens} ELSE {OTHER_FLAG_BIT} END"


def _state_keys(keys) -> list[tuple]:
    """(device, hour, main code, status-on value, fan current, purifier current) per key: the
    thresholds are those in force on the hour's Beijing date."""
    from monitoring.hours import MAIN_CODES, on_rules

    kinds = dict(Device.objects.filter(pk__in={d for d, _ in keys}).values_list("pk", "kind"))
    rules = {}
    out = []
    for device_id, hour in keys:
        on = tz.to_local(hour).date()
        if on not in rules:
            rules[on] = on_rules(on)
        r = rules[on]
        code = MAIN_CODES.get(kinds.get(device_id), "")
        out.append((device_id, hour, code, r.status_on, r.fan_current, r.purifier_current))
    return out


def _refresh_states(keys) -> None:
    rows = _state_keys(keys)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = _STATE_SQL.format(
                keys="SELECT d, h, h + interval '1 hour' AS h2, code, s_on, fan_c, pur_c FROM "
                "unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::float8[], "
                "%s::float8[], %s::float8[]) AS k(d, h, code, s_on, fan_c, pur_c)",
                bit=_flag_bit_sql(),
                object_agg="jsonb_object_agg",
                empty="'{}'::jsonb",
                updates=updates,
            )
            cursor.execute(sql, [[row[i] for row in rows] for i in range(6)])
            return
        adapt = connection.ops.adapt_datetimefield_value
        names = ("d", "h", "h2", "code", "s_on", "fan_c", "pur_c")
        sql = _STATE_SQL.format(
            keys="SELECT "
            + ", ".join(f"json_extract(value, '$[{i}]') AS {n}" for i, n in enumerate(names))
            + " FROM json_each(%s)",
            bit=_flag_bit_sql(),
            object_agg="json_group_object",
            empty="'{}'",
            updates=updates,
        )
        cursor.execute(
            sql, [json.dumps([[d, adapt(h), adapt(h + HOUR), *rest] for d, h, *rest in rows])]
        )


def _refresh_state_days(days) -> None:
    """Regroup the hours of each (device, Beijing day) by their flags (``DailyState``)."""
    sums = "count(*), sum(samples), sum(states), sum(fan_on), sum(both_on)"
    insert = "INSERT INTO monitoring_dailystate (device_id, day, mask, hours, samples, states, "
    insert += "fan_on, both_on) "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            params = [[d for d, _ in days], [s for _, s in days]]
            keys = "unnest(%s::bigint[], %s::timestamptz[]) AS k(d, s)"
            cursor.execute(
                f"DELETE FROM monitoring_dailystate x USING {keys} WHERE x.device_id = k.d "
                "AND x.day = (k.s AT TIME ZONE 'Asia/Shanghai')::date",
                params,
            )
            cursor.execute(
                f"{insert} SELECT h.device_id, (k.s AT TIME ZONE 'Asia/Shanghai')::date, "
                f"h.mask, {sums} FROM {keys} JOIN monitoring_hourlystate h "
                "ON h.device_id = k.d AND h.start >= k.s AND h.start < k.s + interval '1 day' "
                "GROUP BY h.device_id, k.s, h.mask",
                params,
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        keys = (
            "(SELECT json_extract(value, '$[0]') AS d, json_extract(value, '$[1]') AS s, "
            "json_extract(value, '$[2]') AS e, json_extract(value, '$[3]') AS day "
            "FROM json_each(%s)) AS k"
        )
        param = json.dumps(
            [[d, adapt(s), adapt(s + DAY), tz.to_local(s).date().isoformat()] for d, s in days]
        )
        cursor.execute(
            f"DELETE FROM monitoring_dailystate WHERE EXISTS (SELECT 1 FROM {keys} "
            "WHERE k.d = monitoring_dailystate.device_id AND k.day = monitoring_dailystate.day)",
            [param],
        )
        cursor.execute(
            f"{insert} SELECT h.device_id, k.day, h.mask, {sums} FROM {keys} "
            "JOIN monitoring_hourlystate h ON h.device_id = k.d AND h.start >= k.s "
            "AND h.start < k.e GROUP BY h.device_id, k.day, h.mask",
            [param],
        )


def buckets(start: dt.datetime, end: dt.datetime, device_ids=None) -> list[tuple]:
    """(device, hour start) of every hour in [start, end) holding raw rows."""
    from django.db.models.functions import TruncHour

    from monitoring.models import Reading

    rows = Reading.objects.filter(data_time__gte=start, data_time__lt=end)
    if device_ids is not None:
        rows = rows.filter(device_id__in=list(device_ids))
    return list(
        rows.annotate(hour=TruncHour("data_time", tzinfo=dt.UTC))
        .values_list("device_id", "hour")
        .distinct()
        .order_by()
    )


def rebuild(
    start: dt.datetime,
    end: dt.datetime,
    device_ids=None,
    *,
    limits=None,
    chunk=20_000,
    values=True,
) -> int:
    """Recompute every rollup of [start, end) from the raw rows (hours aligned); with
    ``values=False`` only the device states (``HourlyState``, ``DailyState``)."""
    keys = buckets(start, end, device_ids)
    if limits is None and values:
        limits = limits_for({d for d, _ in keys}, tz.to_local(start).date())
    for i in range(0, len(keys), chunk):
        refresh(keys[i : i + chunk], limits, values=values)
    return len(keys)


def verify(start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """Hourly rollups of [start, end) whose count differs from the raw rows: [(device, code,
    cn, hour, raw count, rollup count)]. Empty means the rollups hold every raw value."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncHour

    from monitoring.models import HourlyRollup, Reading

    raw = {
        (d, c, cn, h): n
        for d, c, cn, h, n in Reading.objects.filter(data_time__gte=start, data_time__lt=end)
        .annotate(hour=TruncHour("data_time", tzinfo=dt.UTC))
        .values_list("device_id", "code", "cn", "hour")
        .annotate(n=Count("*"))
        .order_by()
    }
    rolled = {
        (d, c, cn, h): n
        for d, c, cn, h, n in HourlyRollup.objects.filter(start__gte=start, start__lt=end)
        .values_list("device_id", "code", "cn", "start")
        .annotate(total_n=Sum("n"))
        .order_by()
    }
    wrong = [
        (*key, raw.get(key, 0), rolled.get(key, 0))
        for key in sorted(set(raw) | set(rolled), key=str)
        if raw.get(key, 0) != rolled.get(key, 0)
    ]
    return wrong + _verify_states(start, end, raw)


def _verify_states(start, end, raw: dict) -> list[tuple]:
    """The device states hold every main-pollutant value of the raw rows (what 开机率 reads
    once the month's raw rows are archived): [(device, "state", 0, hour, raw, state count)]."""
    from monitoring.hours import MAIN_CODES
    from monitoring.models import HourlyState

    kinds = dict(Device.objects.filter(pk__in={k[0] for k in raw}).values_list("pk", "kind"))
    expected: dict[tuple, int] = {}
    for (device_id, code, _, hour), n in raw.items():
        if code == MAIN_CODES.get(kinds.get(device_id)):
            key = (device_id, _aware(hour))
            expected[key] = expected.get(key, 0) + n
    stored = {
        (d, _aware(h)): n
        for d, h, n in HourlyState.objects.filter(
            start__gte=start, start__lt=end, samples__gt=0
        ).values_list("device_id", "start", "samples")
    }
    return [
        (d, "state", 0, h, expected.get((d, h), 0), stored.get((d, h), 0))
        for d, h in sorted(set(expected) | set(stored))
        if expected.get((d, h), 0) != stored.get((d, h), 0)
    ]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
