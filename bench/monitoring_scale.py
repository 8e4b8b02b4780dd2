"""Years of monitoring data: pages over 100 million readings, and dropping a month.

Generates readings with ``generate_series`` straight into the monthly partitions of a fresh
PostgreSQL database (``--devices`` × ``--days`` of minute values of ``--codes`` pollutants: the
defaults make 2,000 × 35 days × 1 440 ≈ 100.8 million rows), rolls them up into the hourly and
daily tables as the streaming judge would, then measures what users pay, end to end through
Django (median of ``--runs``): one device's 30-day chart (the readings API), the rates page over
30 days (as the office), and dropping one month's partition.

    .venv/bin/python bench/monitoring_scale.py                        # ≈100 M rows (slow to build)
    .venv/bin/python bench/monitoring_scale.py --devices 50 --days 3  # small, proves the bench

The database (``--pg-url``, default ``lantian_bench_scale``) is dropped and created again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hj212_gateway import prepare_database  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_scale"
CODES = ["a34001", "a34002", "a34004", "LA", "a01001", "a01007"]


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--codes", type=int, default=1, help="pollutants per device (≤ 6)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {args.devices} devices × "
        f"{args.days} days × {args.codes} pollutants of minute data",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        env = prepare_database("postgresql", args.pg_url, Path(tmp), args.devices)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "lantian.settings"
        import django

        django.setup()
        run(args)


def run(args) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from lantian.lib import tz
    from monitoring import partitions, rollups
    from monitoring.models import Device

    end = tz.start_of_local_day(tz.local_today()) + dt.timedelta(days=1)
    start = end - dt.timedelta(days=args.days)
    partitions.ensure()
    ids = list(Device.objects.order_by("pk").values_list("pk", flat=True))
    codes = CODES[: args.codes]
    t0 = time.perf_counter()
    day = start
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        while day < end:  # one day per statement: each lands in its month's partition
            cursor.execute(
                "INSERT INTO monitoring_reading (device_id, code, data_time, cn, value, flag) "
                "SELECT d, c, t, 2011, 50 + (d * 7 + extract(minute FROM t))::int %% 400, 'N' "
                "FROM unnest(%s::bigint[]) AS d, unnest(%s::text[]) AS c, "
                "generate_series(%s::timestamptz, %s::timestamptz - interval '1 minute', "
                "interval '1 minute') AS t",
                [ids, codes, day, day + dt.timedelta(days=1)],
            )
            day += dt.timedelta(days=1)
        cursor.execute("SELECT count(*) FROM monitoring_reading")
        rows = cursor.fetchone()[0]
        built = time.perf_counter() - t0
        print(f"generated {rows:,} rows in {built:.0f} s", flush=True)
        t0 = time.perf_counter()
        cursor.execute(
            "INSERT INTO monitoring_hourlyrollup (device_id, code, cn, start, n, valid, total, "
            "vmin, vmax, exceed) SELECT device_id, code, cn, date_trunc('hour', data_time), "
            "count(*), count(*), sum(value), min(value), max(value), "
            "count(*) FILTER (WHERE value > 800) FROM monitoring_reading "
            "GROUP BY device_id, code, cn, date_trunc('hour', data_time)"
        )
        cursor.execute(
            "INSERT INTO monitoring_dailyrollup (device_id, code, cn, day, n, valid, total, "
            "vmin, vmax, exceed) SELECT device_id, code, cn, "
            "(start AT TIME ZONE 'Asia/Shanghai')::date, sum(n), sum(valid), sum(total), "
            "min(vmin), max(vmax), sum(exceed) FROM monitoring_hourlyrollup "
            "GROUP BY 1, 2, 3, 4"
        )
        # the device states 开机率 reads (rollups._refresh_states): main-pollutant values by flag
        cursor.execute(
            "INSERT INTO monitoring_hourlystate (device_id, start, samples, flags, mask, states, "
            "fan_on, both_on) SELECT device_id, h, sum(n), jsonb_object_agg(flag, n), "
            "sum(DISTINCT bit), 0, 0, 0 FROM ("
            f"SELECT r.device_id, date_trunc('hour', r.data_time) AS h, r.flag, count(*) AS n, "
            f"{rollups._flag_bit_sql()} AS bit FROM monitoring_reading r "
            "WHERE r.code = 'a34001' GROUP BY 1, 2, 3) AS x GROUP BY 1, 2"
        )
        cursor.execute(
            "INSERT INTO monitoring_dailystate (device_id, day, mask, hours, samples, states, "
            "fan_on, both_on) SELECT device_id, (start AT TIME ZONE 'Asia/Shanghai')::date, mask, "
            "count(*), sum(samples), sum(states), sum(fan_on), sum(both_on) "
            "FROM monitoring_hourlystate GROUP BY 1, 2, 3"
        )
        cursor.execute("ANALYZE")
        print(f"rolled up in {time.perf_counter() - t0:.0f} s", flush=True)

    office = User.objects.create_superuser("bench-office", password="bench-office-only")
    client = Client()
    client.force_login(office)
    device = ids[len(ids) // 2]
    url = f"/api/v1/monitoring/devices/{device}/readings?code=a34001&hours=720"
    points = len(client.get(url).json()["points"])
    chart = timed(lambda: client.get(url), args.runs)
    day_url = f"/api/v1/monitoring/devices/{device}/readings?code=a34001&hours=24"
    day_chart = timed(lambda: client.get(day_url), args.runs)
    status = client.get("/monitoring/rates/?days=30").status_code
    rates = timed(lambda: client.get("/monitoring/rates/?days=30"), args.runs)
    months = partitions.partitions("monitoring_reading")
    oldest_with_data = next((s for name, s in months if _count(name) > 0), months[0][1])
    name = partitions.partition_name("monitoring_reading", oldest_with_data)
    in_month = _count(name)
    t0 = time.perf_counter()
    partitions.detach("monitoring_reading", oldest_with_data)
    detached = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    partitions.drop_detached("monitoring_reading")
    removed = (time.perf_counter() - t0) * 1000
    dropped = detached + removed
    print(f"30-day chart ({points} hourly points): {chart:.0f} ms (median of {args.runs})")
    print(f"24-hour chart (raw minute values): {day_chart:.0f} ms")
    print(f"rates page, 30 days, {len(ids)} devices (HTTP {status}): {rates:.0f} ms")
    print(
        f"dropping {name} ({in_month:,} rows): {dropped:.0f} ms = detach {detached:.0f} ms "
        f"(the readings table is locked only for this) + removing the detached month's files "
        f"{removed:.0f} ms (no lock on the readings)"
    )
    print(
        f"rows={rows} chart_30d_ms={chart:.0f} rates_30d_ms={rates:.0f} "
        f"drop_month_ms={dropped:.0f} detach_ms={detached:.0f} load={os.getloadavg()[0]:.2f}"
    )


def _count(name: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {name}")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
