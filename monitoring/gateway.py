"""The HJ 212 gateway: an asyncio TCP server for thousands of long-lived device connections.

In the manner of healthchecks' ``smtpd`` command, but built for throughput:

1. each connection's bytes go through its own ``StreamDecoder`` (frames split or merged by TCP);
2. once per loop turn, the CRCs of every frame cut from every connection are checked together
   (``crc16_many``), then frames are parsed with their device's profile;
3. MN and PW are checked against the device directory; unknown or wrong → quarantine;
4. split packets are reassembled; uploads already stored recently are acknowledged at once;
5. uploads are handed in batches to one writer thread with its own database connection, or,
   with a bus (``monitoring.bus``, ``LANTIAN_BUS_URL``), published to NATS JetStream;
6. the 9014 acknowledgement goes out only after the writer's transaction has committed, or
   after JetStream has acknowledged storing the message.

Back-pressure: when more than ``max_pending`` uploads wait for the database, every connection
stops reading until the writer catches up. SIGTERM stops accepting, flushes, acknowledges and
closes.

Abuse (``limits.py``): each address may hold ``max_per_address`` connections; a connection that
has not sent one valid frame is closed after ``handshake_timeout``, an identified device after
``idle_intervals`` of its reporting interval without a byte; what an address gets quarantined is
rate-limited (a token bucket per address: the first bytes of each bad frame are kept, the rest
of a flood is counted in one summary row per address and minute).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from monitoring.choices import CommandKind
from monitoring.dispatch import Dispatcher
from monitoring.hj212 import Cut, FrameError, Junk, Reassembler, Upload, crc16_many, sm4
from monitoring.hj212 import errors as E
from monitoring.hj212.frame import build_segment, parse_verified, reply_flag
from monitoring.hj212.profiles import TOLERANT
from monitoring.hj212.stream import StreamDecoder
from monitoring.ingest import DATA_CNS, Directory, Rejected
from monitoring.limits import QuarantineBudget

log = logging.getLogger("lantian.hj212")
PUBLISH_BATCHES = 4  # bus batches awaiting JetStream's acknowledgements at once
RELOAD_GAP = 5.0  # seconds between device-directory reloads triggered by unknown MNs
SM4_REASONS = frozenset({E.SM4_FAILED, E.SM4_NO_KEY, "unknown_mn"})
# HJ 212-2025 notices a device sends, answered 9013 when Flag asks (Appendix C tables C2 and
# C54 as implemented in caoyiliang/HJ212, HJ212/Enum.cs: 1001 上传数采仪硬件序号, 9015 心跳包)
HARDWARE_SN = "1001"
NOTICES = frozenset({HARDWARE_SN, "9015"})


@dataclass
class Stats:
    connections: int = 0
    frames: int = 0
    uploads: int = 0
    duplicates: int = 0
    acked: int = 0
    quarantined: int = 0
    rows: int = 0
    inserted: int = 0
    batches: int = 0
    paused: int = 0
    write_errors: int = 0
    refused: int = 0  # connections over the per-address cap
    suppressed: int = 0  # bad frames counted, not stored, over an address's quarantine budget
    idle_closed: int = 0
    bus_refused: int = 0  # uploads the bus did not store (full or away): not acknowledged
    ack_latency: list[float] = field(default_factory=list)


class DeviceConnection(asyncio.Protocol):
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.decoder = StreamDecoder(opener=gateway.open_encrypted)
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.address = ""
        self.last_active = time.monotonic()
        self.idle_limit = gateway.handshake_timeout  # until a valid frame says who it is
        self.closed = False
        # the device's edition as its last frame showed it: version bits, ST, Flag sent at all,
        # data area encrypted (requests go out the same way)
        self.edition: tuple[int, str, bool, bool] = (1, "22", True, False)

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.address = peer[0] if peer else ""
        if not self.gateway.admit(self):
            transport.close()
            self.closed = True
            return
        if self.gateway.paused:
            transport.pause_reading()

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        self.gateway.incoming(self, data)

    def connection_lost(self, exc) -> None:
        self.closed = True
        self.gateway.forget(self)

    def send(self, data: bytes) -> bool:
        if self.closed or self.transport is None or self.transport.is_closing():
            return False
        self.transport.write(data)
        return True


@dataclass
class Pending:
    """An upload waiting for the database, with the packets to acknowledge after commit."""

    conn: DeviceConnection
    device_id: int
    upload: Upload
    received: float


class Gateway:
    def __init__(
        self,
        host: str = "0.0.0.0",
        port: int = 9212,
        *,
        max_connections: int = 20000,
        idle_timeout: float = 300.0,
        batch_size: int = 5000,
        batch_delay: float = 0.02,
        max_pending: int = 50000,
        reassembly_timeout: float = 60.0,
        dedupe_size: int = 200_000,
        writer=None,
        judge_every: float = 0.0,
        max_per_address: int = 256,
        handshake_timeout: float = 60.0,
        idle_intervals: float = 3.0,
        quarantine_rate: float = 2.0,
        quarantine_burst: int = 20,
        quarantine_bytes: int = 1024,
        summary_every: float = 60.0,
        bus=None,
        command_timeout: float = 10.0,
        command_retries: int = 3,
        command_execution: float = 60.0,
        command_poll: float = 1.0,
        clock_drift: float | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout  # the least an identified device is given
        self.max_per_address = max_per_address
        self.per_address: dict[str, int] = {}
        self.handshake_timeout = min(handshake_timeout, idle_timeout)
        self.idle_intervals = idle_intervals
        self.budget = QuarantineBudget(quarantine_rate, quarantine_burst, quarantine_bytes)
        self.summary_every = summary_every
        self.batch_size, self.batch_delay = batch_size, batch_delay
        self.max_pending = max_pending
        self.directory = Directory()
        self.reassembler = Reassembler(reassembly_timeout)
        self.recent: dict[tuple, None] = {}  # keys of committed uploads, oldest first
        self.dedupe_size = dedupe_size
        self.conns: set[DeviceConnection] = set()
        self.by_mn: dict[str, DeviceConnection] = {}
        self.stats = Stats()
        self.paused = False
        self.judge_every = judge_every
        self._writer = writer or _default_writer
        self.bus = bus  # a bus.Publisher: uploads go to JetStream instead of the database
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hj212-writer")
        self._inbox: list[tuple[DeviceConnection, bytes]] = []
        self._scheduled = False
        self._batch: list[Pending] = []
        self._rejected: list[Rejected] = []
        self._inflight = 0
        self._writing: asyncio.Future | None = None
        self._publishing: set[asyncio.Future] = set()  # bus batches awaiting JetStream
        self._flush_handle: asyncio.TimerHandle | None = None
        self._server: asyncio.AbstractServer | None = None
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._judge_due = time.monotonic() + judge_every
        self._seen_devices: set[int] = set()
        self._reloading = False
        self.dispatcher = Dispatcher(
            self,
            timeout=command_timeout,
            retries=command_retries,
            execution=command_execution,
            clock_drift=clock_drift,
            poll=command_poll,
        )

    @property
    def executor(self) -> ThreadPoolExecutor:
        return self._executor

    @staticmethod
    def in_writer(fn, *args):
        """``fn(*args)`` as a job for the writer thread, on its database connection."""
        return _in_writer(fn, *args)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, sock=None) -> None:
        """Listen on ``host:port``, or on an already bound socket shared by worker processes."""
        # Frames are short-lived, acyclic objects by the hundred thousand: the cyclic collector
        # would rescan the long-lived ones (dedupe keys, device directory) over and over.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, _in_writer(self.directory.load))
        if self.bus is not None:
            await self.bus.start()
        if sock is not None:
            self._server = await loop.create_server(
                lambda: DeviceConnection(self), sock=sock, backlog=4096
            )
        else:
            self._server = await loop.create_server(
                lambda: DeviceConnection(self),
                self.host,
                self.port,
                backlog=4096,
                reuse_address=True,
            )
        self.port = self._server.sockets[0].getsockname()[1]
        self._tasks.append(asyncio.create_task(self._housekeeping()))
        self._tasks.append(asyncio.create_task(self.dispatcher.run()))

    async def serve_until_stopped(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._stopping.set)
            except (NotImplementedError, RuntimeError):
                pass
        await self._stopping.wait()
        await self.shutdown()

    async def serve_until_stopped_quietly(self) -> None:
        """Like ``serve_until_stopped`` without signal handlers (for a gateway in a thread)."""
        await self._stopping.wait()
        await self.shutdown()

    def stop(self) -> None:
        self._stopping.set()

    async def shutdown(self) -> None:
        """Stop accepting, store and acknowledge what was received, close every connection."""
        if self._server is not None:
            self._server.close()
        for conn in list(self.conns):
            if conn.transport is not None:
                conn.transport.pause_reading()
        self._process()
        for upload in self.reassembler.expire(float("inf")):
            self._store_incomplete(upload)
        errors_before = self.stats.write_errors
        while self._batch or self._rejected or self._in_flight():
            if self._in_flight() and (self._busy() or not (self._batch or self._rejected)):
                await asyncio.wait(self._in_flight(), return_when=asyncio.FIRST_COMPLETED)
            elif self.stats.write_errors - errors_before >= 3:
                log.error("giving up: %d uploads not stored (not acknowledged)", len(self._batch))
                break
            else:
                if self._flush_handle is not None:
                    self._flush_handle.cancel()
                self._flush()
        for task in self._tasks:
            task.cancel()
        await self._settle_commands()
        for conn in list(self.conns):
            if conn.transport is not None:
                conn.transport.close()
        await asyncio.sleep(0)
        if self.bus is not None:
            await self.bus.close()
        await asyncio.get_running_loop().run_in_executor(self._executor, _close_db)
        self._executor.shutdown(wait=True)

    async def _settle_commands(self) -> None:
        """Record the commands' last answers; put those still in flight back in the queue."""
        events = self.dispatcher.final_events()
        if not events:
            return
        from monitoring.remote import apply_events

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, _in_writer(apply_events, events))
        except Exception:  # the database is away: the commands time out by their expiry
            log.exception("recording %d command events on shutdown failed", len(events))

    # --- connections -------------------------------------------------------------------------

    def admit(self, conn: DeviceConnection) -> bool:
        if len(self.conns) >= self.max_connections:
            log.warning("connection limit %d reached, refusing %s", self.max_connections, conn.peer)
            return False
        held = self.per_address.get(conn.address, 0)
        if held >= self.max_per_address:
            self.stats.refused += 1
            if self.stats.refused % 1000 == 1:
                log.warning("%s holds %d connections already, refusing", conn.address, held)
            return False
        self.per_address[conn.address] = held + 1
        self.conns.add(conn)
        self.stats.connections += 1
        return True

    def forget(self, conn: DeviceConnection) -> None:
        if conn in self.conns:
            self.conns.discard(conn)
            left = self.per_address.get(conn.address, 1) - 1
            if left > 0:
                self.per_address[conn.address] = left
            else:
                self.per_address.pop(conn.address, None)

    def incoming(self, conn: DeviceConnection, data: bytes) -> None:
        self._inbox.append((conn, data))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._process)

    # --- frames ------------------------------------------------------------------------------

    def _process(self) -> None:
        """Cut, check and parse everything received since the last loop turn."""
        self._scheduled = False
        inbox, self._inbox = self._inbox, []
        cuts: list[tuple[DeviceConnection, Cut]] = []
        for conn, data in inbox:
            for item in conn.decoder.feed(data, verify=False):
                self._route(conn, item, cuts)
        if cuts:
            self._verify(cuts)
        if len(self._batch) >= self.batch_size or (not self._busy() and self._batch):
            # The writer is idle: write now. While it is busy, uploads pile up and go in the
            # next batch, so batches grow with the load and latency stays low when it is light.
            self._flush()
        elif (self._batch or self._rejected) and self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self.batch_delay, self._flush)

    def open_encrypted(self, wire: bytes, crc: bytes, declared: int) -> tuple[bytes, int]:
        """Decrypt an HJ 212-2025 frame with its device's keys, newest first (the stream
        decoder's opener). A frame no key opens may be the first under a key registered since
        the directory was loaded: reload it soon; the device resends what was not acknowledged."""
        mn = _peek_mn(wire)
        device = self.directory.get(mn)
        if device is None:
            self._reload_directory_soon()
            raise FrameError("unknown_mn", "MN 未登记（加密报文）")
        try:
            return sm4.open_segment(wire, crc, device.keys, declared=declared)
        except FrameError as err:
            if err.reason in (E.SM4_FAILED, E.SM4_NO_KEY):
                self._reload_directory_soon()
            raise

    def _route(self, conn, item, cuts) -> None:
        if isinstance(item, Junk):
            mn = _peek_mn(item.raw) if item.reason in SM4_REASONS else ""
            self._reject(conn, item.raw, item.reason, item.detail, mn)
        elif item.verified:
            self._accept(conn, item)
        else:
            cuts.append((conn, item))

    def _verify(self, cuts: list[tuple[DeviceConnection, Cut]]) -> None:
        sums = crc16_many([cut.segment for _, cut in cuts])
        void: set[DeviceConnection] = set()
        for (conn, cut), crc in zip(cuts, sums, strict=True):
            if conn in void:
                continue
            if _crc_value(cut.crc) == crc:
                self._accept(conn, cut)
                continue
            void.add(conn)  # later cuts of this connection come back from the rescan
            for item in conn.decoder.reject(cut):
                if isinstance(item, Junk):
                    self._reject(conn, item.raw, item.reason, item.detail)
                else:
                    self._accept(conn, item)
        for conn, _ in cuts:
            conn.decoder.settle()

    def _accept(self, conn: DeviceConnection, cut: Cut) -> None:
        self.stats.frames += 1
        mn = _peek_mn(cut.segment)
        device = self.directory.get(mn)
        profile = device.profile if device else TOLERANT
        try:
            frame = parse_verified(cut.segment, cut.crc, profile)
            frame.raw = cut.raw
            frame.encrypted = cut.encrypted
        except FrameError as err:
            self._reject(conn, cut.raw, err.reason, err.detail, mn)
            return
        if device is None:
            self._reject(conn, cut.raw, "unknown_mn", "MN 未登记", frame.mn)
            self._reload_directory_soon()  # a device registered since the last load
            return
        if frame.pw != device.password:
            self._reject(conn, cut.raw, "bad_password", "PW 不符", frame.mn)
            return
        self.by_mn[frame.mn] = conn
        conn.idle_limit = max(self.idle_timeout, device.interval * self.idle_intervals)
        conn.edition = (frame.version_bits, frame.st or "22", frame.flag is not None, cut.encrypted)
        if frame.cn == "1013":  # the device asks for a time check: 9013, then a 1012
            conn.send(_reply(frame, "9013"))
            self.dispatcher.want(frame.mn, CommandKind.SET_TIME, "设备请求校时（1013）")
            return
        if frame.cn in NOTICES:  # HJ 212-2025: heartbeat, the data logger's hardware serial
            if frame.needs_ack:
                conn.send(_reply(frame, "9013"))
            if frame.cn == HARDWARE_SN:
                self.dispatcher.note_hardware(frame)
            return
        if self.dispatcher.on_frame(frame):
            return
        self.dispatcher.watch_clock(frame)
        if frame.cn not in DATA_CNS:
            if frame.cn not in ("9011", "9012", "9013", "9014"):
                self._reject(conn, cut.raw, "not_stored", f"CN={frame.cn} 不是数据上传", frame.mn)
            return
        upload = self.reassembler.add(frame, time.monotonic())
        if upload is not None:
            self._enqueue(conn, device.id, upload)

    def _reload_directory_soon(self) -> None:
        """Reload the device directory now, at most once per ``RELOAD_GAP`` seconds.

        The unknown frame itself stays quarantined and unacknowledged; the device sends it
        again and is then known.
        """
        if self._reloading or time.monotonic() - self.directory.loaded_at < RELOAD_GAP:
            return
        self._reloading = True
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, _in_writer(self.directory.load))
        future.add_done_callback(lambda f: setattr(self, "_reloading", False))

    def _enqueue(self, conn: DeviceConnection, device_id: int, upload: Upload) -> None:
        self.stats.uploads += 1
        merged = upload.merged
        key = (merged.mn, merged.cn, merged.data_time)
        if key in self.recent:  # stored and committed already: acknowledge again, store nothing
            self.stats.duplicates += 1
            _send_acks([(conn, p) for p in upload.packets if p.needs_ack], self.stats)
            return
        self._batch.append(Pending(conn, device_id, upload, time.monotonic()))
        if len(self._batch) + self._inflight > self.max_pending and not self.paused:
            self._pause()

    def _reject(self, conn, raw: bytes, reason: str, detail: str = "", mn: str = "") -> None:
        self.stats.quarantined += 1
        kept = self.budget.admit(conn.address if conn else "", raw, reason, detail)
        if kept is None:
            self.stats.suppressed += 1
            return
        raw, detail = kept
        self._rejected.append(Rejected(raw, reason, detail, conn.peer if conn else "", mn))

    # --- writing -----------------------------------------------------------------------------

    def _busy(self) -> bool:
        """No batch can start now: the writer thread is writing, or enough bus batches await
        JetStream (a few in flight at once hide the publish round trip)."""
        return self._writing is not None or len(self._publishing) >= PUBLISH_BATCHES

    def _in_flight(self) -> list[asyncio.Future]:
        return [self._writing] if self._writing is not None else list(self._publishing)

    def _flush(self) -> None:
        self._flush_handle = None
        if self._busy() or not (self._batch or self._rejected):
            return  # the running write's completion flushes again
        batch, self._batch = self._batch, []
        rejected, self._rejected = self._rejected, []
        self._inflight += len(batch)
        uploads = [(p.device_id, p.upload.merged) for p in batch]
        seen = {p.device_id for p in batch}
        judge = None
        if self.judge_every:
            self._seen_devices |= seen
            if time.monotonic() >= self._judge_due:
                judge, self._seen_devices = self._seen_devices, set()
                self._judge_due = time.monotonic() + self.judge_every
        loop = asyncio.get_running_loop()
        if self.bus is not None:
            future = asyncio.ensure_future(self._publish(batch, rejected))
            self._publishing.add(future)
        else:
            job = _in_writer(self._writer, uploads, rejected, judge)
            future = self._writing = loop.run_in_executor(self._executor, job)
        future.add_done_callback(lambda f: self._written(f, batch, rejected))

    async def _publish(self, batch: list[Pending], rejected: list[Rejected]) -> dict:
        """Publish to the bus; the uploads JetStream did not store come back as ``failed``."""
        uploads = []
        for pending in batch:
            device = self.directory.get(pending.upload.merged.mn)
            uploads.append((device.kind if device else "unknown", pending.upload))
        stored, kept = await self.bus.publish(uploads, rejected)
        failed = {i for i, ok in enumerate(stored) if not ok}
        if failed or not all(kept):
            log.warning(
                "the bus refused %d of %d uploads (not acknowledged; devices re-send)",
                len(failed),
                len(batch),
            )
            # bad bytes are kept for the next try, within the quarantine budget's bound
            self._rejected = [r for r, ok in zip(rejected, kept, strict=True) if not ok][
                :10_000
            ] + self._rejected
        return {"rows": len(batch) - len(failed), "inserted": 0, "failed": failed}

    def _written(self, future: asyncio.Future, batch: list[Pending], rejected) -> None:
        if future is self._writing:
            self._writing = None
        self._publishing.discard(future)
        self._inflight -= len(batch)
        error = future.exception()
        if error is not None:
            # Nothing is acknowledged; devices resend. Keep the rejected bytes for the next try.
            log.error("writing a batch of %d uploads failed: %s", len(batch), error)
            self._rejected = rejected + self._rejected
            self.stats.write_errors += 1
            for pending in batch:
                self._abandon(pending)
            if self.paused and len(self._batch) < self.max_pending // 2:
                self._resume()
            # Back off before the next try, so a database that is down is not hammered.
            loop = asyncio.get_running_loop()
            if self._flush_handle is None:
                self._flush_handle = loop.call_later(1.0, self._flush)
            return
        counts = future.result()
        failed = counts.get("failed", ())
        if failed:  # not acknowledged: each device re-sends after its own timeout
            self.stats.bus_refused += len(failed)
            self.stats.write_errors += 1
            batch = [p for i, p in enumerate(batch) if i not in failed]
        self.stats.batches += 1
        self.stats.rows += counts.get("rows", 0)
        self.stats.inserted += counts.get("inserted", 0)
        acks = []
        now = time.monotonic()
        for pending in batch:
            merged = pending.upload.merged
            self._remember((merged.mn, merged.cn, merged.data_time))
            acks += [(pending.conn, p) for p in pending.upload.packets if p.needs_ack]
            self.stats.ack_latency.append(now - pending.received)
        if len(self.stats.ack_latency) > 100_000:
            del self.stats.ack_latency[:50_000]
        _send_acks(acks, self.stats)
        if self.paused and len(self._batch) < self.max_pending // 2:
            self._resume()
        if failed:  # the bus is full or away: stop reading for a second (TCP pushes back)
            if not self.paused:
                self._pause()
            loop = asyncio.get_running_loop()
            loop.call_later(1.0, self._resume_after_refusal)
        elif self._batch or self._rejected:
            self._flush()

    def _resume_after_refusal(self) -> None:
        if self.paused:
            self._resume()
        if self._flush_handle is None and not self._busy():
            self._flush()

    def _abandon(self, pending: Pending) -> None:
        if pending.conn.transport is not None and not pending.conn.closed:
            pending.conn.transport.close()  # the device reconnects and resends

    def _remember(self, key: tuple) -> None:
        recent = self.recent
        recent[key] = None
        if len(recent) > self.dedupe_size:  # forget the oldest tenth in one go
            for old in list(itertools.islice(recent, self.dedupe_size // 10)):
                del recent[old]

    def _pause(self) -> None:
        self.paused = True
        self.stats.paused += 1
        for conn in self.conns:
            if conn.transport is not None and not conn.closed:
                conn.transport.pause_reading()

    def _resume(self) -> None:
        self.paused = False
        for conn in self.conns:
            if conn.transport is not None and not conn.closed:
                conn.transport.resume_reading()

    # --- housekeeping ------------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        period = max(0.2, min(self.handshake_timeout / 4, self.summary_every / 2, 10.0))
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for conn in list(self.conns):
                if now - conn.last_active > conn.idle_limit and conn.transport is not None:
                    self.stats.idle_closed += 1
                    conn.transport.close()
            for address, raw, detail in self.budget.summaries(now, self.summary_every):
                self._rejected.append(Rejected(raw, "rate_limited", detail, address, ""))
            if self._rejected and self._flush_handle is None and not self._busy():
                self._flush()
            for upload in self.reassembler.expire(now):
                self._store_incomplete(upload)
            if self.directory.stale():
                try:
                    await loop.run_in_executor(self._executor, _in_writer(self.directory.load))
                except Exception as err:  # the database is away: keep the directory held
                    log.warning("reloading the device directory failed: %s", err)
                    self.directory.loaded_at = time.monotonic()

    def _store_incomplete(self, upload: Upload) -> None:
        """A split upload whose other packets never came: store what arrived, flagged."""
        first = upload.packets[0]
        conn = self.by_mn.get(first.mn)
        device = self.directory.get(first.mn)
        if conn is None or device is None:
            self._rejected.append(_incomplete(upload))
            return
        self._batch.append(Pending(conn, device.id, upload, time.monotonic()))
        if self._flush_handle is None and not self._busy():
            self._flush()


def _in_writer(fn, *args):
    """Run ``fn`` in the writer thread, on its long-lived database connection.

    The connection is kept across batches (reconnecting per batch costs more than the batch);
    after a database error it is closed, so the next batch reconnects.
    """

    def job():
        from django.db import DatabaseError, connection

        try:
            return fn(*args)
        except DatabaseError:
            connection.close()
            raise

    return job


def _close_db() -> None:
    from django.db import connection

    connection.close()


def _default_writer(uploads, rejected, judge_ids=None):
    from monitoring.ingest import write_batch

    counts = write_batch(uploads, rejected)
    if judge_ids:
        from monitoring.judge import judge_devices

        try:
            judge_devices(judge_ids)
        except Exception:  # judging never blocks storing; the sweep catches up
            log.exception("judging after a batch failed")
    return counts


def _incomplete(upload: Upload) -> Rejected:
    first = upload.packets[0]
    raw = b"\r\n".join(p.raw for p in upload.packets)
    return Rejected(
        raw, "incomplete_split", f"PNUM={first.pnum} 仅收到 {len(upload.packets)} 包", "", first.mn
    )


def _crc_value(text: bytes) -> int:
    try:
        return int(text, 16) if len(text) == 4 else -1
    except ValueError:
        return -1


def _peek_mn(segment: bytes) -> str:
    start = segment.find(b"MN=")
    if start < 0:
        return ""
    end = segment.find(b";", start)
    return segment[start + 3 : end if end >= 0 else None].strip().decode("ascii", "replace")


def _reply(frame, cn: str) -> bytes:
    from monitoring.hj212.frame import wrap

    flag = reply_flag(frame.version) if frame.flag is not None else None
    return wrap(
        build_segment(qn=frame.qn, st="91", cn=cn, pw=frame.pw or "", mn=frame.mn, flag=flag)
    )


def _send_acks(acks, stats: Stats) -> None:
    """9014 for each packet, CRCs computed in one batch."""
    if not acks:
        return
    segments = []
    for _, frame in acks:
        if frame.flag is None:
            flag = ""
        else:
            flag = f"Flag={reply_flag(frame.version)};"
        qn = f"QN={frame.qn};" if frame.qn is not None else ""
        segments.append(
            f"{qn}ST=91;CN=9014;PW={frame.pw or ''};MN={frame.mn};{flag}CP=&&&&".encode()
        )
    sums = crc16_many(segments)
    per_conn: dict[DeviceConnection, list[bytes]] = {}
    for (conn, _), segment, crc in zip(acks, segments, sums, strict=True):
        frames = per_conn.get(conn)
        if frames is None:
            frames = per_conn[conn] = []
        frames.append(b"##%04d%s%04X\r\n" % (len(segment), segment, crc))
    for conn, frames in per_conn.items():
        if conn.send(b"".join(frames)):
            stats.acked += len(frames)


__all__ = ["Gateway", "Stats", "E"]
