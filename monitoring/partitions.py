"""Monthly partitions of the readings and quarantine tables on PostgreSQL.

Both tables are partitioned by range on their time column (``data_time``, ``received_at``), one
partition per Beijing calendar month named ``<table>_yYYYYmMM``. The primary key of readings is
(device, data time, code, CN): the dedupe key and the B-tree on device and time at once; a BRIN
index on the time column suits append-only data at a fraction of a B-tree's size. Partitions
exist from the start of the retention period (``monitoring_retention`` regulation) to
``AHEAD`` months ahead; ``lantian monitoring maintain`` creates them ahead of time. An upload
whose data time has no partition is quarantined (``out_of_range``), never lost.

SQLite keeps one table each; these functions do nothing there.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.db import connection

from lantian.lib import tz
from regulations import lookup
from regulations.lookup import RegulationNotFound

AHEAD = 3  # months of partitions created ahead of the current one
TABLES = {"monitoring_reading": "data_time", "monitoring_quarantine": "received_at"}
PRIMARY_KEYS = {
    "monitoring_reading": "device_id, data_time, code, cn",
    "monitoring_quarantine": "id, received_at",
}
NAME = re.compile(r"_y(\d{4})m(\d{2})$")


def month_start(year: int, month: int) -> dt.datetime:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return dt.datetime(year, month, 1, tzinfo=tz.LOCAL_TZ)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    local = tz.to_local(moment)
    return month_start(local.year, local.month + months)


def retention_months(table: str, on: dt.date) -> int:
    """How many months of raw data stay online, from the regulation."""
    try:
        if table == "monitoring_quarantine":
            return int(lookup.value("monitoring_retention", "quarantine_months", on=on).value)
        return int(lookup.value("monitoring_retention", "raw_years", on=on).value) * 12
    except RegulationNotFound:
        return 60


def partition_name(table: str, start: dt.datetime) -> str:
    local = tz.to_local(start)
    return f"{table}_y{local.year:04d}m{local.month:02d}"


def partitions(table: str, cursor=None) -> list[tuple[str, dt.datetime]]:
    """(name, month start) of a table's partitions, oldest first (PostgreSQL)."""
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    finally:
        if own:
            cursor.close()
    out = []
    for name in names:
        found = NAME.search(name)
        if found:
            out.append((name, month_start(int(found[1]), int(found[2]))))
    return sorted(out, key=lambda item: item[1])


def is_partitioned(table: str = "monitoring_reading", cursor=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table t JOIN pg_class c ON c.oid = "
            "t.partrelid WHERE c.relname = %s",
            [table],
        )
        return cursor.fetchone() is not None
    finally:
        if own:
            cursor.close()


def create_month(cursor, table: str, start: dt.datetime) -> bool:
    """Create the partition of ``table`` for the month starting at ``start`` if missing."""
    name = partition_name(table, start)
    end = add_months(start, 1)
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return False
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)", [start, end]
    )
    return True


def ensure(now: dt.datetime | None = None, cursor=None) -> list[str]:
    """Create every missing partition from the retention start to ``AHEAD`` months ahead."""
    if connection.vendor != "postgresql":
        return []
    now = now or tz.now()
    today = tz.to_local(now).date()
    own = cursor is None
    cursor = cursor or connection.cursor()
    created = []
    try:
        for table in TABLES:
            if not is_partitioned(table, cursor):
                continue
            archived = archived_months(table)  # archived months are not created again
            month = add_months(now, -retention_months(table, today))
            while month <= add_months(now, AHEAD):
                if tz.to_local(month).date() not in archived and create_month(cursor, table, month):
                    created.append(partition_name(table, month))
                month = add_months(month, 1)
    finally:
        if own:
            cursor.close()
    _bounds_cache.clear()
    return created


def archived_months(table: str) -> set[dt.date]:
    from monitoring.models import ArchivedMonth

    return set(ArchivedMonth.objects.filter(table=table).values_list("month", flat=True))


_bounds_cache: dict[str, tuple[float, tuple]] = {}


def bounds(table: str = "monitoring_reading") -> tuple[dt.datetime | None, dt.datetime | None]:
    """[first, end) of the months that have a partition (None, None: no limits, e.g. SQLite);
    cached for a minute."""
    if connection.vendor != "postgresql":
        return None, None
    cached = _bounds_cache.get(table)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    months = partitions(table)
    value = (months[0][1], add_months(months[-1][1], 1)) if months else (None, None)
    if not is_partitioned(table):
        value = (None, None)
    _bounds_cache[table] = (time.monotonic(), value)
    return value


def detach(table: str, start: dt.datetime) -> str:
    """Take a month out of ``table`` (milliseconds: a catalogue change); returns the detached
    table's name. The readings table is locked only for this, not for removing the month's
    files, which ``drop_detached`` does afterwards in a transaction of its own."""
    name = partition_name(table, start)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
    _bounds_cache.clear()
    return name


def drop_detached(table: str) -> int:
    """Drop the months of ``table`` that were detached and not dropped (an archive run cut off
    between the two steps leaves one); returns how many. Dropping a detached month removes its
    files (seconds for a city's month) and locks nothing that pages or the gateway use."""
    prefix = f"{table}_y"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE %s "
            "AND NOT c.relispartition",
            [prefix.replace("_", r"\_") + "%"],
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f"DROP TABLE {name}")
    return len(names)


def detach_and_drop(table: str, start: dt.datetime) -> None:
    detach(table, start)
    drop_detached(table)


def convert(cursor, now: dt.datetime | None = None, back_months: int = 60) -> None:
    """Turn the plain tables into partitioned ones, keeping every row (the migration).

    ``back_months``: partitions created before the current month (the regulation is not
    read here: during migrations its table may not exist yet; ``ensure`` follows it later)."""
    now = now or tz.now()
    for table, key in TABLES.items():
        old = f"{table}_unpartitioned"
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = [(n, d) for n, d in cursor.fetchall() if not n.endswith("_pkey")]
        cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
        cursor.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {table}_pkey TO {old}_pkey")
        for name, _ in indexes:
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_old"')
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE ({key})"
        )
        cursor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({PRIMARY_KEYS[table]})"
        )
        for _, definition in indexes:
            cursor.execute(definition.replace(f" ON public.{table} ", f" ON {table} "))
        if table == "monitoring_reading":  # append-only by time: BRIN is tiny and enough
            cursor.execute(f"CREATE INDEX {table}_{key}_brin ON {table} USING brin ({key})")
        cursor.execute(f"SELECT min({key}), max({key}) FROM {old}")
        low, high = cursor.fetchone()
        first = add_months(now, -back_months)
        month = add_months(min(first, low or first), 0)
        last = add_months(max(now, high or now), AHEAD)
        while month <= last:
            create_month(cursor, table, month)
            month = add_months(month, 1)
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
        cursor.execute(f"DROP TABLE {old}")
    # Quarantine ids: a sequence of its own (identity columns on a partitioned table need
    # PostgreSQL 17), continuing after the rows kept.
    cursor.execute("CREATE SEQUENCE IF NOT EXISTS monitoring_quarantine_id_seq")
    cursor.execute(
        "ALTER TABLE monitoring_quarantine ALTER COLUMN id "
        "SET DEFAULT nextval('monitoring_quarantine_id_seq')"
    )
    cursor.execute("ALTER SEQUENCE monitoring_quarantine_id_seq OWNED BY monitoring_quarantine.id")
    cursor.execute(
        "SELECT setval('monitoring_quarantine_id_seq', "
        "COALESCE((SELECT max(id) FROM monitoring_quarantine), 0) + 1, false)"
    )
    _bounds_cache.clear()
