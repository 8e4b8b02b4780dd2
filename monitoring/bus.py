"""The HJ 212 bus: gateways publish validated uploads to NATS JetStream, writers consume them.

Used when ``LANTIAN_BUS_URL`` is set (``nats://host:4222``, several servers separated by
commas); without it the gateway stores in-process as before. One stream (``HJ212`` by
default, file storage) holds two kinds of subject:

- ``hj212.up.<device kind>.<MN>``: one message per upload (split packets already merged), the
  parsed values as JSON plus the raw bytes; ``Nats-Msg-Id`` is (MN, CN, DataTime), so an upload
  re-sent by its device within the duplicate window is stored by JetStream once;
- ``hj212.bad.<MN>``: bytes for the quarantine table.

Retention is by interest: a message stays until every durable consumer made here has
acknowledged it (``lantian-writer`` for uploads, ``lantian-quarantine`` for bad bytes). The
consumers are created with the stream, before the first publish, so no message is published
while nobody holds interest in it. Limits (bytes, messages) reject new messages when reached
(discard "new"): the gateway then withholds the device's 9014 instead of anything being dropped.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from monitoring.ingest import Rejected

STREAM = "HJ212"
UPLOADS = "hj212.up"
BAD = "hj212.bad"
WRITER = "lantian-writer"
QUARANTINE = "lantian-quarantine"
MAX_IN_FLIGHT = 100_000  # publishes awaiting JetStream's acknowledgement, per gateway
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class BusConfig:
    """Where the bus is and the stream's limits, from the environment."""

    url: str
    stream: str = STREAM
    max_bytes: int = 4 * 1024**3
    max_msgs: int = -1
    replicas: int = 1
    ack_wait: float = 30.0
    duplicate_window: float = 120.0
    publish_timeout: float = 5.0

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.url.split(",") if s.strip()]

    @classmethod
    def from_env(cls, url: str | None = None) -> BusConfig | None:
        """The configuration, or None when no bus is configured (the in-process path)."""
        url = url if url is not None else os.environ.get("LANTIAN_BUS_URL", "")
        if not url.strip():
            return None
        env = os.environ.get
        return cls(
            url=url,
            stream=env("LANTIAN_BUS_STREAM", STREAM),
            max_bytes=int(env("LANTIAN_BUS_MAX_BYTES", 4 * 1024**3)),
            max_msgs=int(env("LANTIAN_BUS_MAX_MSGS", -1)),
            replicas=int(env("LANTIAN_BUS_REPLICAS", 1)),
            ack_wait=float(env("LANTIAN_BUS_ACK_WAIT", 30)),
            duplicate_window=float(env("LANTIAN_BUS_DUPLICATE_WINDOW", 120)),
            publish_timeout=float(env("LANTIAN_BUS_PUBLISH_TIMEOUT", 5)),
        )


def token(text: str) -> str:
    """A subject token: NATS separates tokens with dots and reserves * and >."""
    return _UNSAFE.sub("_", text) or "_"


def upload_subject(kind: str, mn: str) -> str:
    return f"{UPLOADS}.{token(kind)}.{token(mn)}"


def bad_subject(mn: str) -> str:
    return f"{BAD}.{token(mn)}"


# --- messages ------------------------------------------------------------------------------


@dataclass(slots=True)
class Carried:
    """An upload as it travels on the bus: what ``ingest.frame_rows`` and ``write_batch`` read."""

    mn: str
    cn: str
    data_time: str | None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: bytes = b""
    rf: bool = False  # HJ 212-2025 RF=1: back-filled (补传)
    fetched_by: int | None = None  # the history request this upload answers


def encode_upload(frame, raw: bytes) -> bytes:
    return json.dumps(
        {
            "mn": frame.mn,
            "cn": frame.cn,
            "t": frame.data_time,
            "v": frame.values,
            "raw": raw.decode("latin-1"),
            "rf": frame.rf,
            "f": frame.fetched_by,
        },
        separators=(",", ":"),
    ).encode()


def decode_upload(data: bytes) -> Carried:
    item = json.loads(data)
    raw = item["raw"].encode("latin-1")
    return Carried(
        item["mn"], item["cn"], item["t"], item["v"], raw, item.get("rf", False), item.get("f")
    )


def message_id(frame) -> str:
    """JetStream keeps one message per id within its duplicate window."""
    return f"{frame.mn}:{frame.cn}:{frame.data_time}"


def encode_rejected(r: Rejected) -> bytes:
    return json.dumps(
        {
            "raw": r.raw.decode("latin-1"),
            "reason": r.reason,
            "detail": r.detail,
            "peer": r.peer,
            "mn": r.mn,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def decode_rejected(data: bytes) -> Rejected:
    item = json.loads(data)
    return Rejected(
        item["raw"].encode("latin-1"), item["reason"], item["detail"], item["peer"], item["mn"]
    )


# --- the stream ----------------------------------------------------------------------------


async def connect(config: BusConfig, **options):
    """A NATS connection that keeps reconnecting (a restarted server is found again)."""
    import nats

    return await nats.connect(
        servers=config.servers,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=2,
        allow_reconnect=True,
        **options,
    )


async def ensure_stream(js, config: BusConfig) -> None:
    """Create or update the stream and its durable consumers. Safe to call from every process."""
    from nats.js.api import (
        AckPolicy,
        ConsumerConfig,
        DeliverPolicy,
        DiscardPolicy,
        RetentionPolicy,
        StorageType,
        StreamConfig,
    )
    from nats.js.errors import BadRequestError, NotFoundError

    stream = StreamConfig(
        name=config.stream,
        subjects=[f"{UPLOADS}.>", f"{BAD}.>"],
        retention=RetentionPolicy.INTEREST,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        max_bytes=config.max_bytes,
        max_msgs=config.max_msgs,
        num_replicas=config.replicas,
        duplicate_window=config.duplicate_window,
    )
    try:
        await js.stream_info(config.stream)
    except NotFoundError:
        try:
            await js.add_stream(stream)
        except BadRequestError:  # another process created it meanwhile
            pass
    else:
        await js.update_stream(stream)
    for durable, subject in ((WRITER, UPLOADS), (QUARANTINE, BAD)):
        try:
            await js.consumer_info(config.stream, durable)
            continue  # kept as it is: changing a live consumer is an operator's decision
        except NotFoundError:
            pass
        await js.add_consumer(
            config.stream,
            ConsumerConfig(
                durable_name=durable,
                filter_subject=f"{subject}.>",
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=config.ack_wait,
                max_ack_pending=-1,
                max_deliver=-1,
            ),
        )


class Publisher:
    """The gateway's side: publish a batch, report which messages JetStream stored."""

    def __init__(self, config: BusConfig) -> None:
        self.config = config
        self.nc = None
        self.js = None

    async def start(self) -> None:
        self.nc = await connect(self.config)
        self.js = self.nc.jetstream(
            timeout=self.config.publish_timeout, publish_async_max_pending=MAX_IN_FLIGHT
        )
        await ensure_stream(self.js, self.config)

    async def publish(self, uploads, rejected: list[Rejected]) -> tuple[list[bool], list[bool]]:
        """Publish uploads (``(kind, upload)`` pairs) and rejected bytes, all in flight at once.

        Returns, for each, whether JetStream acknowledged storing it within the publish timeout.
        Only those may be acknowledged to their device; the others are re-sent by it.
        """
        import asyncio

        sent: list = []
        for kind, upload in uploads:
            merged = upload.merged
            raw = b"\r\n".join(p.raw for p in upload.packets)
            subject = upload_subject(kind, merged.mn)
            headers = {"Nats-Msg-Id": message_id(merged)}
            sent.append(await self._send(subject, encode_upload(merged, raw), headers))
        for r in rejected:
            sent.append(await self._send(bad_subject(r.mn), encode_rejected(r), None))
        waiting = [f for f in sent if f is not None]
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=self.config.publish_timeout)
            for future in late:
                future.cancel()
        ok = [f is not None and not f.cancelled() and f.exception() is None for f in sent]
        return ok[: len(uploads)], ok[len(uploads) :]

    async def _send(self, subject: str, payload: bytes, headers):
        try:
            return await self.js.publish_async(
                subject, payload, wait_stall=self.config.publish_timeout, headers=headers
            )
        except Exception:  # not connected, or too many in flight: not stored
            return None

    async def close(self) -> None:
        if self.nc is not None:
            await close(self.nc)


async def close(nc) -> None:
    """Send what is buffered (acknowledgements), then close. Draining pull subscriptions would
    wait for their pending requests to expire."""
    try:
        await nc.flush(timeout=2)
    except Exception:  # the server is gone: what was not sent is delivered again later
        pass
    await nc.close()
