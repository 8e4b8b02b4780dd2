"""Storing uploads: frames → reading rows → one bulk insert per batch, duplicates ignored.

The gateway's writer thread calls ``write_batch``; tests and the demo call it directly. On
PostgreSQL the rows go in as arrays through one ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO
NOTHING``; on SQLite through ``executemany`` with ``INSERT OR IGNORE``. Either way the primary key
(device, code, data_time, cn) makes a re-sent upload a no-op.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from monitoring.hj212 import Frame, Profile, get_profile
from monitoring.hj212.profiles import with_overrides

DEVICE_TZ = ZoneInfo("Asia/Shanghai")  # DataTime on the wire is Beijing time
UTC = dt.UTC
# Uploads that carry readings; DataTime is the sample instant (2011, 2021) or interval start.
DATA_CNS = frozenset({"2011", "2021", "2031", "2041", "2051", "2061"})
MAIN_FIELD = ("Rtd", "Avg", "RS", "RT", "Data", "ZsRtd", "Cou")
COLUMNS = ("device_id", "code", "data_time", "cn", "value", "flag", "vmin", "vmax", "cou", "zs")


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What the gateway needs to know about a device, cached in memory."""

    id: int
    mn: str
    password: str
    kind: str
    profile: Profile
    interval: int = 60  # seconds between uploads
    keys: tuple[bytes, ...] = ()  # SM4 keys to try on its encrypted frames, newest first


@dataclass
class Directory:
    """MN → device, reloaded from the database every ``ttl`` seconds."""

    ttl: float = 30.0
    devices: dict[str, DeviceInfo] = field(default_factory=dict)
    loaded_at: float = -1e9

    def load(self) -> None:
        from monitoring.keys import keys_by_device
        from monitoring.models import Device

        rows = Device.objects.filter(is_active=True).values_list(
            "id", "mn", "password", "kind", "profile", "strict", "interval_seconds"
        )
        keys = keys_by_device()
        self.devices = {
            mn: DeviceInfo(
                pk,
                mn,
                pw,
                kind,
                with_overrides(get_profile(prof), strict=strict),
                interval,
                keys.get(pk, ()),
            )
            for pk, mn, pw, kind, prof, strict, interval in rows
        }
        self.loaded_at = time.monotonic()

    def get(self, mn: str) -> DeviceInfo | None:
        return self.devices.get(mn)

    def stale(self) -> bool:
        return time.monotonic() - self.loaded_at > self.ttl


_time_cache: dict[str, dt.datetime] = {}


def data_time_utc(text: str) -> dt.datetime:
    """DataTime (Beijing time text) as an aware UTC datetime; cached, uploads share minutes."""
    value = _time_cache.get(text)
    if value is None:
        if len(_time_cache) > 100_000:
            _time_cache.clear()
        local = dt.datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            tzinfo=DEVICE_TZ,
        )
        value = _time_cache[text] = local.astimezone(UTC)
    return value


def frame_rows(frame: Frame, device_id: int) -> list[tuple]:
    """Reading rows of one (merged) upload; values without a number are skipped.

    Numeric fields are floats and text fields (Flag …) strings by construction of the parser,
    so no type checks are needed here: this runs for every value the gateway stores.
    """
    if frame.cn not in DATA_CNS or not frame.data_time:
        return []
    when = data_time_utc(frame.data_time)
    cn = int(frame.cn)
    rows = []
    append = rows.append
    for code, fields in frame.values.items():
        get = fields.get
        value = get("Rtd")
        if value is None:
            value = get("Avg")
            if value is None:
                value = next((get(n) for n in MAIN_FIELD if get(n) is not None), get("Max"))
                if value is None:
                    continue
        flag = get("Flag", "")
        zs = get("ZsRtd")
        append(
            (
                device_id,
                code if len(code) <= 16 else code[:16],
                when,
                cn,
                value,
                flag if len(flag) <= 2 else flag[:2],
                get("Min"),
                get("Max"),
                get("Cou"),
                zs if zs is not None else get("ZsAvg"),
            )
        )
    return rows


def insert_rows(rows: list[tuple]) -> int:
    """Insert reading rows, ignoring ones already stored. Returns the number inserted.

    On PostgreSQL the judge is told (``feed.announce``, delivered on commit) which uploads
    were stored; on SQLite it follows the table itself.
    """
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        inserted, keys = _insert_postgresql(rows)
        if inserted:
            from monitoring.feed import announce

            with connection.cursor() as cursor:
                announce(cursor, keys)
        return inserted
    return _insert_generic(rows)


def _insert_postgresql(rows: list[tuple]) -> tuple[int, list[tuple]]:
    """COPY straight into the table; if any row is already stored (a re-sent upload the
    gateway did not remember), COPY into a staging table and insert with ON CONFLICT DO NOTHING.
    COPY is about twice as fast as INSERT … ON CONFLICT, and duplicates are rare.

    Returns the count inserted and the (device, data time, CN) of the uploads they belong to."""
    from psycopg.errors import UniqueViolation

    columns = ", ".join(COLUMNS)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, f"COPY monitoring_reading ({columns}) FROM STDIN", rows)
        return len(rows), [(r[0], r[2], r[3]) for r in rows]
    except UniqueViolation:  # raised by psycopg's COPY, not wrapped by Django
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS reading_stage "
            "(LIKE monitoring_reading INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE reading_stage")
        _copy(cursor, f"COPY reading_stage ({columns}) FROM STDIN", rows)
        cursor.execute(
            f"INSERT INTO monitoring_reading ({columns}) SELECT {columns} FROM reading_stage "
            "ON CONFLICT DO NOTHING RETURNING device_id, data_time, cn"
        )
        keys = cursor.fetchall()
        return len(keys), keys


def _copy(cursor, sql: str, rows: list[tuple]) -> None:
    """COPY in text format, built here in one string: cheaper than a call per row."""
    raw = cursor.cursor  # psycopg's cursor under Django's wrapper
    with raw.copy(sql) as copy:
        copy.write(_copy_text(rows))


NULL = "\\N"
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def _copy_text(rows: list[tuple]) -> str:
    stamps: dict[dt.datetime, str] = {}
    lines = []
    append = lines.append
    for device_id, code, when, cn, value, flag, vmin, vmax, cou, zs in rows:
        stamp = stamps.get(when)
        if stamp is None:
            stamp = stamps[when] = when.isoformat()
        if not _SAFE.issuperset(code):
            code = _escape(code)
        if flag and not _SAFE.issuperset(flag):
            flag = _escape(flag)
        append(
            f"{device_id}\t{code}\t{stamp}\t{cn}\t{value!r}\t{flag}\t"
            f"{NULL if vmin is None else repr(vmin)}\t{NULL if vmax is None else repr(vmax)}\t"
            f"{NULL if cou is None else repr(cou)}\t{NULL if zs is None else repr(zs)}\n"
        )
    return "".join(lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert_generic(rows: list[tuple]) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    cache: dict[dt.datetime, str] = {}
    prepared = []
    for row in rows:
        when = row[2]
        text = cache.get(when)
        if text is None:
            text = cache[when] = adapt(when)
        prepared.append((*row[:2], text, *row[3:]))
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT OR IGNORE INTO monitoring_reading ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        before = connection.connection.total_changes
        cursor.executemany(sql, prepared)
        return connection.connection.total_changes - before


@dataclass
class Rejected:
    """Bytes for the quarantine table."""

    raw: bytes
    reason: str
    detail: str = ""
    peer: str = ""
    mn: str = ""


def write_batch(
    uploads: Iterable[tuple[int, Frame]],
    rejected: Iterable[Rejected] = (),
    *,
    received_at: dt.datetime | None = None,
) -> dict[str, int]:
    """Store a batch in one transaction: readings, quarantined bytes, devices' last-seen time.

    Returns counts. When this returns, everything in the batch is committed, so the caller may
    acknowledge the uploads (9014).
    """
    from monitoring.models import Backfill, Device, Quarantine
    from monitoring.partitions import bounds

    now = received_at or timezone.now()
    rows: list[tuple] = []
    marks = []  # back-filled uploads (补传)
    seen: set[int] = set()
    first, end = bounds()
    rejected = list(rejected)
    for device_id, frame in uploads:
        new = frame_rows(frame, device_id)
        if new and first is not None and not first <= new[0][2] < end:
            # no partition holds it: older than the retention period or far in the future
            rejected.append(
                Rejected(
                    getattr(frame, "raw", b"") or b"",
                    "out_of_range",
                    f"数据时间 {frame.data_time} 不在在线保存期内",
                    "",
                    frame.mn or "",
                )
            )
            continue
        rows += new
        seen.add(device_id)
        if new and (frame.rf or frame.fetched_by is not None):
            marks.append(
                Backfill(
                    device_id=device_id,
                    cn=new[0][3],
                    data_time=new[0][2],
                    received_at=now,
                    source="rf" if frame.rf else "fetched",
                )
            )
    quarantined = [
        Quarantine(
            received_at=now,
            peer=r.peer[:64],
            mn=r.mn[:32],
            reason=r.reason[:32],
            detail=r.detail[:300],
            raw=r.raw[:20000],
        )
        for r in rejected
    ]
    with transaction.atomic():
        inserted = insert_rows(rows)
        if quarantined:
            Quarantine.objects.bulk_create(quarantined)
        if marks:
            Backfill.objects.bulk_create(marks, ignore_conflicts=True)
        if seen:
            Device.objects.filter(pk__in=seen).update(last_seen_at=now)
    return {"rows": len(rows), "inserted": inserted, "quarantined": len(quarantined)}
