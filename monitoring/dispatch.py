"""The gateway's side of commands to devices (反控): send over the device's open connection,
follow the answers by QN, resend on silence, give up after the retries.

Every ``poll`` seconds the dispatcher hands the writer thread what happened since the last turn
(``remote.apply_events``), the platform's own requests (a 1013 time request, clock drift) and
the MNs connected to this worker, and gets back the commands to send (``remote.claim``). A
request goes out in the device's own edition (version bits, ST, with or without Flag; a 2025
device's history request SM4-encrypted like its uploads). HJ 212-2017 Table 1: no 9011 within
``timeout`` (10 s on GPRS/4G) → sent again, ``retries`` times (3); after a 9011, the 9012 must
come within ``execution`` seconds of the last thing the device sent for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass

from monitoring.choices import CommandKind
from monitoring.hj212 import commands as C
from monitoring.hj212 import sm4
from monitoring.hj212.frame import Frame, wrap
from monitoring.ingest import data_time_utc

HARDWARE = "hardware"  # not a command: a device's hardware serial to record
HARDWARE_FIELDS = {"logger": "i23005", "cpu": "i23006", "mac1": "i23007", "mac2": "i23008"}
DRIFT_FRAMES = 3  # consecutive real-time uploads showing the same clock error
ASK_AGAIN = 3600.0  # seconds before the platform asks the same device for a time check again


@dataclass
class InFlight:
    id: int
    mn: str
    kind: str
    qn: str
    cn: str
    frame: bytes
    conn: object
    tries: int
    deadline: float
    accepted: bool = False
    begin: dt.datetime | None = None
    end: dt.datetime | None = None


class Dispatcher:
    def __init__(
        self,
        gateway,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        execution: float = 60.0,
        clock_drift: float | None = None,
        poll: float = 1.0,
    ) -> None:
        self.gateway = gateway
        self.timeout, self.retries, self.execution = timeout, retries, execution
        self.clock_drift = clock_drift  # seconds; None: do not calibrate on drift
        self.poll = poll
        self.inflight: dict[tuple[str, str], InFlight] = {}
        self.events: list[tuple] = []
        self.wants: list[tuple] = []
        self._busy = False
        self._drifts: dict[str, list[float]] = {}
        self._asked: dict[str, float] = {}

    # --- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            self.tick()

    def tick(self) -> None:
        self._expire(time.monotonic())
        if self._busy:
            return
        mns = [mn for mn, conn in self.gateway.by_mn.items() if not conn.closed]
        events, self.events = self.events, []
        wants, self.wants = self.wants, []
        self._busy = True
        job = self.gateway.in_writer(_sync, events, wants, mns)
        future = asyncio.get_running_loop().run_in_executor(self.gateway.executor, job)
        future.add_done_callback(lambda f: self._claimed(f, events, wants))

    def _claimed(self, future, events, wants) -> None:
        self._busy = False
        if future.exception() is not None:  # the database is away: try again next turn
            self.events = events + self.events
            self.wants = wants + self.wants
            return
        for out in future.result():
            self._send(out)

    def final_events(self) -> list[tuple]:
        """On shutdown: what happened, and the commands in flight put back in the queue."""
        now = _now()
        return self.events + [("requeue", f.id, now, "") for f in self.inflight.values()]

    # --- sending -------------------------------------------------------------------------------

    def _send(self, out) -> None:
        conn = self.gateway.by_mn.get(out.mn)
        device = self.gateway.directory.get(out.mn)
        if conn is None or device is None:
            self.events.append(("requeue", out.id, _now(), ""))
            return
        bits, st, has_flag, encrypted = conn.edition
        segment = C.request(
            out.cn,
            mn=out.mn,
            pw=device.password,
            qn=out.qn,
            st=st,
            version_bits=bits,
            cp=out.cp,
            flag=has_flag,
        )
        if encrypted and device.keys and sm4.cn_is_encrypted(out.cn):
            frame = sm4.seal(segment, device.keys[0])
        else:
            frame = wrap(segment)
        flight = InFlight(
            out.id,
            out.mn,
            out.kind,
            out.qn,
            out.cn,
            frame,
            conn,
            out.tries,
            time.monotonic() + self.timeout,
        )
        if out.kind == CommandKind.HISTORY:
            flight.begin = dt.datetime.fromisoformat(out.params["begin"])
            flight.end = dt.datetime.fromisoformat(out.params["end"])
        self.inflight[(out.mn, out.qn)] = flight
        conn.send(frame)

    def _expire(self, now: float) -> None:
        for key, flight in list(self.inflight.items()):
            if flight.deadline > now:
                continue
            if not flight.accepted and flight.tries <= self.retries and not flight.conn.closed:
                flight.tries += 1
                flight.deadline = now + self.timeout
                flight.conn.send(flight.frame)
                self.events.append(("resent", flight.id, _now(), flight.tries))
                continue
            del self.inflight[key]
            if flight.accepted:
                words = "设备已应答，但未在规定时间内报告执行结果"
            else:
                words = f"发送 {flight.tries} 次均未收到请求应答"
            self.events.append(("timeout", flight.id, _now(), words))

    # --- what devices send -----------------------------------------------------------------------

    def on_frame(self, frame: Frame) -> bool:
        """Take a device's answer (9011, 9012, a 1011 time); True if it was one. Data uploads
        that answer a history request get ``fetched_by`` and count towards it."""
        cn = frame.cn
        if cn in ("9011", "9012", "1011", "1061", "1063"):
            flight = self.inflight.get((frame.mn, frame.qn or ""))
            if flight is None:
                return cn in ("9011", "9012")
            answer = C.answer_of(frame)
            now = time.monotonic()
            if cn == "9011":
                self.events.append(("qn_rtn", flight.id, _now(), answer.code))
                if answer.ok:
                    flight.accepted = True
                    flight.deadline = now + self.execution
                else:
                    del self.inflight[(frame.mn, flight.qn)]
            elif cn == "9012":
                self.events.append(("exe_rtn", flight.id, _now(), answer.code))
                del self.inflight[(frame.mn, flight.qn)]
            else:
                moment = C.device_time(frame)
                if moment is not None:
                    self.events.append(("device_time", flight.id, _now(), moment))
                flight.deadline = now + self.execution
            return True
        self._fetched(frame)
        return False

    def _fetched(self, frame: Frame) -> None:
        if not self.inflight or not frame.data_time:
            return
        for flight in self.inflight.values():
            if flight.mn != frame.mn or flight.cn != frame.cn:
                continue
            if flight.kind == CommandKind.REALTIME or (
                flight.begin is not None
                and flight.begin <= data_time_utc(frame.data_time) < flight.end
            ):
                frame.fetched_by = flight.id if flight.kind == CommandKind.HISTORY else None
                flight.deadline = time.monotonic() + self.execution
                self.events.append(("data", flight.id, _now(), 1))
                return

    def note_hardware(self, frame: Frame) -> None:
        """A 2025 data logger's hardware serial (1001: i23005 logger id, i23006 CPU id,
        i23007/i23008 MAC addresses), recorded on the device on the next turn."""
        info = {
            key: frame.values.get(code, {}).get("Info", "") for key, code in HARDWARE_FIELDS.items()
        }
        self.wants.append((frame.mn, HARDWARE, info, None))

    def want(self, mn: str, kind: str, reason: str, drift: float | None = None) -> None:
        """The platform's own request (queued on the next turn; joins an open one)."""
        self.wants.append((mn, kind, reason, drift))

    def watch_clock(self, frame: Frame) -> None:
        """Real-time uploads whose DataTime is off the receipt time by more than
        ``clock_drift`` seconds, the same way ``DRIFT_FRAMES`` times in a row (a resent
        backlog has growing offsets, a wrong clock a steady one): ask for a time check once."""
        if self.clock_drift is None or frame.cn != "2011" or frame.rf or not frame.data_time:
            return
        drift = time.time() - data_time_utc(frame.data_time).timestamp()
        seen = self._drifts.setdefault(frame.mn, [])
        if abs(drift) <= self.clock_drift:
            seen.clear()
            return
        seen.append(drift)
        del seen[:-DRIFT_FRAMES]
        if len(seen) < DRIFT_FRAMES or max(seen) - min(seen) > max(10.0, self.clock_drift / 4):
            return
        seen.clear()
        now = time.monotonic()
        if now - self._asked.get(frame.mn, -ASK_AGAIN) < ASK_AGAIN:
            return
        self._asked[frame.mn] = now
        # receipt minus DataTime: the device's clock is behind by this much (negative: ahead)
        lag = round(drift, 1)
        words = f"数据时间与接收时间相差 {-lag:+.0f} 秒（连续 {DRIFT_FRAMES} 帧）"
        self.want(frame.mn, CommandKind.SET_TIME, words, -lag)


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _sync(events, wants, mns):
    """In the writer thread: record what happened, queue the platform's requests, claim."""
    from monitoring import remote

    remote.apply_events(events)
    for mn, kind, reason, drift in wants:
        if kind == HARDWARE:
            remote.record_hardware(mn, reason)
        else:
            remote.request_for_mn(mn, kind, reason=reason, drift_seconds=drift)
    return remote.claim(mns)
