"""Retention: months of raw data past the retention period move to Parquet files.

``monitoring_retention`` (regulation data) says how long raw minute data stays online (5 years,
排污许可管理条例 第十九条) and how long quarantined bytes do. For each month past it:

1. readings: the month's hourly rollups are verified against its raw rows (rebuilt from them
   when they differ, then verified again; a month that still differs is refused);
2. the rows are written to ``<dir>/<table>_YYYY_MM.parquet`` (zstd, row groups of
   ``CHUNK`` rows) next to ``….sha256``; the file is read back and its row count and value sum
   compared with the database;
3. the archive is recorded (``ArchivedMonth``), then the month is dropped: on PostgreSQL its
   partition is detached and dropped (well under a second), on SQLite its rows are deleted.

``unarchive`` puts a month back from its file (checksum checked first), e.g. for an inquiry.
``lantian monitoring archive`` runs it by hand, ``lantian monitoring maintain`` on schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from lantian.lib import tz
from monitoring import partitions, rollups

CHUNK = 500_000
TIME_COLUMN = partitions.TABLES


class ArchiveRefused(Exception):
    """The month cannot be archived safely; nothing was dropped."""


@dataclass
class Archived:
    table: str
    month: dt.date
    path: Path
    rows: int
    sha256: str


def _schema(table: str):
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    if table == "monitoring_reading":
        return pa.schema(
            [
                ("device_id", pa.int64()),
                ("mn", pa.string()),
                ("code", pa.string()),
                ("data_time", ts),
                ("cn", pa.int16()),
                ("value", pa.float64()),
                ("flag", pa.string()),
                ("vmin", pa.float64()),
                ("vmax", pa.float64()),
                ("cou", pa.float64()),
                ("zs", pa.float64()),
            ]
        )
    return pa.schema(
        [
            ("id", pa.int64()),
            ("received_at", ts),
            ("peer", pa.string()),
            ("mn", pa.string()),
            ("reason", pa.string()),
            ("detail", pa.string()),
            ("raw", pa.binary()),
        ]
    )


def _select(table: str) -> str:
    key = TIME_COLUMN[table]
    if table == "monitoring_reading":
        return (
            "SELECT r.device_id, d.mn, r.code, r.data_time, r.cn, r.value, r.flag, r.vmin, "
            "r.vmax, r.cou, r.zs FROM monitoring_reading r "
            "LEFT JOIN monitoring_device d ON d.id = r.device_id "
            f"WHERE r.{key} >= %s AND r.{key} < %s ORDER BY r.device_id, r.data_time, r.code, r.cn"
        )
    return (
        "SELECT id, received_at, peer, mn, reason, detail, raw FROM monitoring_quarantine "
        f"WHERE {key} >= %s AND {key} < %s ORDER BY id"
    )


def default_dir() -> Path:
    return Path(os.environ.get("LANTIAN_ARCHIVE_DIR", settings.VAR_DIR / "archive"))


def due_months(table: str, now: dt.datetime | None = None) -> list[dt.datetime]:
    """Starts of the months of ``table`` entirely before the retention period."""
    now = now or tz.now()
    cutoff = partitions.add_months(now, -partitions.retention_months(table, now.date()))
    if partitions.is_partitioned(table):
        return [start for _, start in partitions.partitions(table) if start < cutoff]
    key = TIME_COLUMN[table]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min({key}) FROM {table} WHERE {key} < %s", [_param(cutoff)])
        first = cursor.fetchone()[0]
    if first is None:
        return []
    if isinstance(first, str):
        first = dt.datetime.fromisoformat(first).replace(tzinfo=dt.UTC)
    months, month = [], partitions.add_months(first, 0)
    while month < cutoff:
        months.append(month)
        month = partitions.add_months(month, 1)
    return months


def _check_rollups(start: dt.datetime, end: dt.datetime) -> None:
    if not rollups.verify(start, end):
        return
    rollups.rebuild(start, end)  # recompute from the raw rows still here, then check again
    wrong = rollups.verify(start, end)
    if wrong:
        raise ArchiveRefused(f"{len(wrong)} 个小时统计与原始数据不符，未归档")


def archive_month(table: str, start: dt.datetime, directory: Path | None = None) -> Archived:
    """Export one month of ``table`` to Parquet, verify it, record it, drop the month."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from monitoring.models import ArchivedMonth

    start = partitions.add_months(start, 0)
    end = partitions.add_months(start, 1)
    month = tz.to_local(start).date()
    if ArchivedMonth.objects.filter(table=table, month=month).exists():
        raise ArchiveRefused(f"{month:%Y-%m} 已归档")
    if table == "monitoring_reading":
        _check_rollups(start, end)
    directory = Path(directory or default_dir())
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}_{month:%Y_%m}.parquet"
    partial = path.with_suffix(".parquet.partial")
    schema = _schema(table)
    rows = 0
    total = 0.0
    with connection.cursor() as cursor:
        cursor.execute(_select(table), [_param(start), _param(end)])
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            while True:
                chunk = cursor.fetchmany(CHUNK)
                if not chunk:
                    break
                columns = list(zip(*chunk, strict=True))
                arrays = [
                    pa.array(_column(values, field.type), type=field.type)
                    for values, field in zip(columns, schema, strict=True)
                ]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                rows += len(chunk)
                if table == "monitoring_reading":
                    total += sum(columns[5])
    os.replace(partial, path)
    digest = _sha256(path)
    path.with_suffix(".parquet.sha256").write_text(f"{digest}  {path.name}\n")
    _read_back(table, path, rows, total)
    with transaction.atomic():
        ArchivedMonth.objects.create(
            table=table,
            month=month,
            path=str(path),
            rows=rows,
            sha256=digest,
            archived_at=tz.now(),
        )
        _drop(table, start, end)
    if partitions.is_partitioned(table):
        # after the commit: the month's files go without a lock on the readings
        partitions.drop_detached(table)
    return Archived(table, month, path, rows, digest)


def _param(moment: dt.datetime):
    """A time as the database compares it in raw SQL (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _column(values, arrow_type):
    import pyarrow as pa

    if pa.types.is_timestamp(arrow_type):
        return [_aware(v) for v in values]
    if pa.types.is_binary(arrow_type):
        return [bytes(v) if v is not None else None for v in values]
    return values


def _aware(value):
    if value is None or isinstance(value, dt.datetime) and value.tzinfo:
        return value
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_back(table: str, path: Path, rows: int, total: float) -> None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    stored = pq.read_metadata(path).num_rows
    if stored != rows:
        raise ArchiveRefused(f"归档文件 {path.name} 有 {stored} 行，数据库 {rows} 行")
    if table == "monitoring_reading" and rows:
        got = pc.sum(pq.read_table(path, columns=["value"])["value"]).as_py()
        if abs(got - total) > 1e-6 * max(1.0, abs(total)):
            raise ArchiveRefused(f"归档文件 {path.name} 数值之和与数据库不符")


def _drop(table: str, start: dt.datetime, end: dt.datetime) -> None:
    if partitions.is_partitioned(table):
        partitions.detach(table, start)
        return
    key = TIME_COLUMN[table]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {key} >= %s AND {key} < %s", [_param(start), _param(end)]
        )


def unarchive(path: Path) -> int:
    """Put an archived month back into the database; returns the rows restored."""
    import pyarrow.parquet as pq

    from monitoring.ingest import insert_rows
    from monitoring.models import ArchivedMonth, Device

    path = Path(path)
    record = ArchivedMonth.objects.filter(path=str(path)).first()
    if record is None:
        raise ArchiveRefused(f"{path} 不是已登记的归档文件")
    if _sha256(path) != record.sha256:
        raise ArchiveRefused(f"{path.name} 的校验值与归档记录不符，文件已改动")
    if record.table != "monitoring_reading":
        raise ArchiveRefused("只能恢复监测数据归档")
    start = partitions.month_start(record.month.year, record.month.month)
    devices = dict(Device.objects.values_list("mn", "pk"))
    restored = 0
    with transaction.atomic():
        if partitions.is_partitioned(record.table):
            with connection.cursor() as cursor:
                partitions.create_month(cursor, record.table, start)
        for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK):
            data = batch.to_pydict()
            rows = [
                (
                    devices.get(mn, device_id),
                    code,
                    when,
                    cn,
                    value,
                    flag,
                    vmin,
                    vmax,
                    cou,
                    zs,
                )
                for device_id, mn, code, when, cn, value, flag, vmin, vmax, cou, zs in zip(
                    *data.values(), strict=True
                )
            ]
            restored += insert_rows(rows)
        record.delete()
    partitions._bounds_cache.clear()
    rollups.rebuild(start, partitions.add_months(start, 1))
    return restored


def archive_due(directory: Path | None = None, now: dt.datetime | None = None) -> list:
    """Archive every month past retention, both tables; returns what was done or refused."""
    done = []
    for table in TIME_COLUMN:
        for start in due_months(table, now):
            try:
                done.append(archive_month(table, start, directory))
            except ArchiveRefused as err:
                done.append(err)
    return done
