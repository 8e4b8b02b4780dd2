"""The landing feed: which readings were just stored, for the streaming judge.

- PostgreSQL: the writer sends ``NOTIFY lantian_landed`` inside its transaction, so the judge
  hears of a batch exactly when it commits; the payload names the uploads stored (device, data
  time, CN) and the judge reads their values back by primary key (device, data time, …).
- SQLite (the embedded default): the judge follows the readings table by ``rowid``, a cursor
  that only grows (SQLite has one writer at a time, so rows commit in rowid order).

Notifications are not kept while no judge listens: the judge rebuilds its windows from the
database when it starts, after it has begun listening, so nothing falls between the two.
"""

from __future__ import annotations

import datetime as dt
import select
import time
from collections.abc import Iterable

from django.db import connection

CHANNEL = "lantian_landed"
PAYLOAD_LIMIT = 7800  # PostgreSQL refuses notification payloads of 8000 bytes and more
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
Row = tuple[int, str, dt.datetime, int, float, str]  # device, code, data time, CN, value, flag


def announce(cursor, keys: Iterable[tuple[int, dt.datetime, int]]) -> None:
    """Tell listeners (on commit) which uploads this transaction stored. PostgreSQL only."""
    chunks, current, size = [], [], 0
    for device_id, when, cn in set(keys):
        item = f"{device_id},{int((when - EPOCH).total_seconds())},{cn}"
        if size + len(item) + 1 > PAYLOAD_LIMIT:
            chunks.append(";".join(current))
            current, size = [], 0
        current.append(item)
        size += len(item) + 1
    if current:
        chunks.append(";".join(current))
    if chunks:
        cursor.execute("SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p", [CHANNEL, chunks])


def parse_payload(payload: str) -> list[tuple[int, dt.datetime, int]]:
    keys = []
    for item in payload.split(";"):
        device_id, seconds, cn = item.split(",")
        keys.append((int(device_id), EPOCH + dt.timedelta(seconds=int(seconds)), int(cn)))
    return keys


class Feed:
    """What the judge polls: rows stored since the last poll, waiting up to ``timeout``."""

    def start(self) -> None:
        """Begin following; call before rebuilding from the database."""

    def poll(self, timeout: float) -> list[Row]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop following."""


class CursorFeed(Feed):
    """SQLite: rows with a rowid above the cursor."""

    def __init__(self, codes: Iterable[str] | None = None, batch: int = 50_000) -> None:
        self.cursor = 0
        self.batch = batch

    def start(self) -> None:
        with connection.cursor() as c:
            c.execute("SELECT COALESCE(MAX(rowid), 0) FROM monitoring_reading")
            self.cursor = c.fetchone()[0]

    def poll(self, timeout: float) -> list[Row]:
        rows = self._fetch()
        if not rows and timeout > 0:
            time.sleep(min(timeout, 0.05))
            rows = self._fetch()
        return rows

    def _fetch(self) -> list[Row]:
        with connection.cursor() as c:
            c.execute(
                "SELECT rowid, device_id, code, data_time, cn, value, flag "
                "FROM monitoring_reading WHERE rowid > %s ORDER BY rowid LIMIT %s",
                [self.cursor, self.batch],
            )
            raw = c.fetchall()
        if raw:
            self.cursor = raw[-1][0]
        return [(d, code, _utc(when), cn, v, f) for _, d, code, when, cn, v, f in raw]


def _utc(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


class NotifyFeed(Feed):
    """PostgreSQL: LISTEN on the landing channel, read the announced uploads back.

    Notifications reach a handler whenever psycopg reads from the socket, during any query
    too, so none is lost between polls."""

    def __init__(self, codes: Iterable[str] = ()) -> None:
        self.pending: list[str] = []

    def start(self) -> None:
        connection.ensure_connection()
        raw = connection.connection
        raw.add_notify_handler(lambda note: self.pending.append(note.payload))
        raw.execute(f"LISTEN {CHANNEL}")

    def poll(self, timeout: float) -> list[Row]:
        raw = connection.connection
        if not self.pending and timeout > 0:
            ready, _, _ = select.select([raw.fileno()], [], [], timeout)
            if ready:
                raw.execute("SELECT 1")  # lets psycopg read the notifications waiting
        payloads, self.pending = self.pending, []
        keys = [key for payload in payloads for key in parse_payload(payload)]
        return self.read(keys) if keys else []

    def read(self, keys) -> list[Row]:
        devices, times, cns = zip(*keys, strict=True)
        with connection.cursor() as c:
            c.execute(
                "SELECT r.device_id, r.code, r.data_time, r.cn, r.value, r.flag "
                "FROM unnest(%s::int[], %s::timestamptz[], %s::int[]) AS k(d, t, c) "
                "JOIN monitoring_reading r ON r.device_id = k.d AND r.data_time = k.t "
                "AND r.cn = k.c",
                [list(devices), list(times), list(cns)],
            )
            return c.fetchall()

    def close(self) -> None:
        try:
            connection.connection.execute(f"UNLISTEN {CHANNEL}")
        except Exception:  # the connection is already gone
            pass


def feed_for(codes: Iterable[str]) -> Feed:
    return NotifyFeed(codes) if connection.vendor == "postgresql" else CursorFeed()
