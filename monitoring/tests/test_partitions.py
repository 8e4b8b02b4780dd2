"""Monthly partitions on PostgreSQL: rows land in their month, queries read only the months
they name, out-of-range data is quarantined, partitions are created ahead and dropped fast."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from monitoring import partitions
from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.ingest import write_batch
from monitoring.models import ArchivedMonth, Quarantine, Reading

BEIJING = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def upload(device, when: dt.datetime, value=100.0):
    stamp = when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
    seg = build_segment(
        cn="2011", mn=device.mn, pw=device.password, cp=data_cp(stamp, {"a34001": {"Rtd": value}})
    )
    frame = parse_frame(wrap(seg))
    frame.raw = wrap(seg)
    return device.pk, frame


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("partitions are a PostgreSQL feature; SQLite keeps one table")


def test_rows_land_in_their_month(devices):
    postgres_only()
    assert partitions.is_partitioned("monitoring_reading")
    assert partitions.is_partitioned("monitoring_quarantine")
    # 2024-06-30 23:30 Beijing is still June in Beijing (15:30 UTC)
    write_batch([upload(devices[0], dt.datetime(2024, 6, 30, 23, 30, tzinfo=BEIJING))])
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM monitoring_reading")
        assert cursor.fetchone()[0] == "monitoring_reading_y2024m06"


def test_data_outside_the_partitions_is_quarantined_not_lost(devices):
    postgres_only()
    counts = write_batch(
        [
            upload(devices[0], dt.datetime(2001, 1, 1, 8, 0, tzinfo=BEIJING)),
            upload(devices[0], dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING)),
        ]
    )
    assert counts["inserted"] == 1
    row = Quarantine.objects.get(reason="out_of_range")
    assert row.mn == devices[0].mn and b"20010101080000" in bytes(row.raw)


def test_partitions_are_created_ahead_and_a_month_drops_at_once(devices):
    postgres_only()
    now = dt.datetime(2026, 12, 5, 12, 0, tzinfo=BEIJING)
    partitions.ensure(now=now)
    names = [name for name, _ in partitions.partitions("monitoring_reading")]
    assert "monitoring_reading_y2027m03" in names  # three months ahead
    write_batch([upload(devices[0], dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING))])
    partitions.detach_and_drop("monitoring_reading", partitions.month_start(2024, 6))
    assert Reading.objects.count() == 0
    assert "monitoring_reading_y2024m06" not in [
        name for name, _ in partitions.partitions("monitoring_reading")
    ]
    ArchivedMonth.objects.create(
        table="monitoring_reading",
        month=dt.date(2024, 6, 1),
        path="x",
        rows=1,
        sha256="0",
        archived_at=now,
    )
    partitions.ensure(now=now)  # an archived month is not created again
    assert "monitoring_reading_y2024m06" not in [
        name for name, _ in partitions.partitions("monitoring_reading")
    ]


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_chart_query_reads_only_the_months_it_names(devices):
    postgres_only()
    since = dt.datetime(2024, 6, 10, tzinfo=BEIJING)
    plan = explain(
        Reading.objects.filter(
            device=devices[0],
            code="a34001",
            data_time__gte=since,
            data_time__lt=since + dt.timedelta(days=1),
        ).values_list("data_time", "value")
    )
    scanned = {line.split(" on ")[1].split()[0] for line in plan.splitlines() if " on " in line}
    assert scanned == {"monitoring_reading_y2024m06"}, plan


def test_rates_and_long_charts_read_the_rollups_not_the_raw_rows(client, world, devices):
    """Pages never aggregate raw minute rows: the rates page and a 30-day chart read rollups
    (on both databases); where raw rows are read, the query names a time range."""
    import time_machine
    from django.test.utils import CaptureQueriesContext

    from monitoring import rollups

    start = dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING)
    write_batch([upload(devices[0], start + dt.timedelta(minutes=m)) for m in range(30)])
    rollups.rebuild(start, start + dt.timedelta(hours=1))
    client.force_login(world.office)
    url = f"/api/v1/monitoring/devices/{devices[0].pk}/readings?code=a34001"
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        with CaptureQueriesContext(connection) as queries:
            chart = client.get(url + "&hours=720").json()
        with CaptureQueriesContext(connection) as rates:
            assert client.get("/monitoring/rates/?days=30").status_code == 200
        with CaptureQueriesContext(connection) as raw:
            assert client.get(url + "&hours=24").status_code == 200
    assert not [q["sql"] for q in queries if "monitoring_reading" in q["sql"]]
    assert [p["value"] for p in chart["points"]] == [100.0]  # one hourly mean
    assert [q for q in rates if "monitoring_dailyrollup" in q["sql"]]  # 联网率, 有效传输率
    # 开机率 too reads the device states kept with the rollups: the rates page never reads raw rows
    assert not [q["sql"] for q in rates if "monitoring_reading" in q["sql"]]
    assert [q for q in rates if "monitoring_dailystate" in q["sql"]]
    # the 24-hour chart shows raw minute values: its query names a time range
    reads = [q["sql"] for q in raw if '"monitoring_reading"' in q["sql"]]
    assert reads and all('"data_time" >=' in q and '"data_time" <' in q for q in reads)


def test_archiving_detaches_the_month_first_and_drops_its_files_after_the_commit(devices):
    """The archive held the lock on the readings through the DROP of a whole month's files
    (seconds at a city's scale); now the commit that records the archive only detaches."""
    postgres_only()
    now = dt.datetime(2026, 12, 5, 12, 0, tzinfo=BEIJING)
    partitions.ensure(now=now)
    write_batch([upload(devices[0], dt.datetime(2024, 7, 1, 8, 0, tzinfo=BEIJING))])
    name = partitions.detach("monitoring_reading", partitions.month_start(2024, 7))
    assert Reading.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM " + name)
        assert cursor.fetchone()[0] == 1  # detached, still there: a cut-off run leaves this
    assert partitions.drop_detached("monitoring_reading") == 1
    assert partitions.drop_detached("monitoring_reading") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        assert cursor.fetchone()[0] is None
    attached = [n for n, _ in partitions.partitions("monitoring_reading")]
    assert "monitoring_reading_y2026m12" in attached  # the attached months are untouched
