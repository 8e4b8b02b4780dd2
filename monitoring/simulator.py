"""A fleet of simulated HJ 212 devices: dust monitors, fume monitors and CEMS.

Each device keeps one TCP connection, sends uploads at its share of the fleet's rate, waits for
9014 acknowledgements and re-sends what is not acknowledged in time (as real devices do), and
reconnects when the gateway goes away. Exceedances and faults are injected on request.
Used by ``lantian hj212 simulate``, the tests, the demo and ``bench/hj212_gateway.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from monitoring.hj212 import sm4
from monitoring.hj212.frame import (
    build_segment,
    data_cp,
    execution_result,
    parse_verified,
    request_response,
    wrap,
)
from monitoring.hj212.stream import Cut, StreamDecoder

BEIJING = ZoneInfo("Asia/Shanghai")
MEMORY = 100_000  # measurements a simulated device keeps for history requests
FAULTS = ("bad_crc", "split", "pnum", "duplicate", "offline", "flatline", "garbage", "silent")


@dataclass
class SimDevice:
    mn: str
    password: str = "123456"
    kind: str = "dust"  # dust | fume | emission
    exceed: float = 1.0  # multiplier on the base concentration
    flatline: bool = False
    offline_after: int | None = None  # stop after this many uploads
    edition: str = "2017"  # 2017 (Flag=5) or 2025 (Flag=9)
    sm4_key: bytes | None = None  # HJ 212-2025: encrypt the data area with this key
    answers: bool = True  # answers the platform's requests (9011, uploads, 9012)
    clock_offset: float = 0.0  # seconds its clock is ahead (DataTime of its uploads)
    gap: tuple[int, int] | None = None  # uploads [a, b) measured but lost: kept, sent on request

    @property
    def flag(self) -> int:
        """Flag of an upload that asks for a 9014: version bits of the edition, bit 0 set."""
        return 9 if self.edition == "2025" or self.sm4_key else 5

    def values(self, rng: random.Random, k: int) -> tuple[str, str, dict]:
        """(ST, CN, values) of upload number ``k``."""
        wobble = 1.0 if self.flatline else rng.uniform(0.85, 1.15)
        if self.kind == "fume":
            conc = round(0.8 * self.exceed * wobble, 3)
            fields = {"CONC": {"Rtd": conc, "Flag": "N"}}
            fields["FANSTATUS"] = {"Rtd": 1}
            fields["PURIFYSTATUS"] = {"Rtd": 1}
            return "51", "2011", fields
        if self.kind == "emission":
            return (
                "31",
                "2051",
                {
                    "a34013": _agg(8.0 * self.exceed * wobble),
                    "a21026": _agg(25.0 * self.exceed * wobble),
                    "a21002": _agg(40.0 * self.exceed * wobble),
                    "a19001": _agg(11.0),
                    "a01012": _agg(85.0),
                },
            )
        tsp = round(300.0 * self.exceed * wobble, 1)
        return (
            "39",
            "2011",
            {
                "a34001": {"Rtd": tsp, "Flag": "N"},
                "a34002": {"Rtd": round(tsp * 0.3, 1), "Flag": "N"},
                "a34004": {"Rtd": round(tsp * 0.15, 1), "Flag": "N"},
                "LA": {"Rtd": round(55 + 10 * wobble, 1), "Flag": "N"},
                "a01001": {"Rtd": 18.5, "Flag": "N"},
                "a01007": {"Rtd": 2.1, "Flag": "N"},
            },
        )


def _agg(v: float) -> dict:
    return {"Min": round(v * 0.9, 2), "Avg": round(v, 2), "Max": round(v * 1.1, 2), "Flag": "N"}


def make_fleet(n: int, *, prefix: str = "SIM", mix: str = "dust", password: str = "123456"):
    """``n`` devices; ``mix`` is one kind or ``mixed`` (60 % dust, 30 % fume, 10 % CEMS)."""
    kinds = ["dust"] * 6 + ["fume"] * 3 + ["emission"] if mix == "mixed" else [mix]
    return [
        SimDevice(f"{prefix}{i:0{max(6, len(str(n)))}d}", password, kinds[i % len(kinds)])
        for i in range(n)
    ]


def frame_for(
    dev: SimDevice, k: int, when: dt.datetime, rng: random.Random, *, rf: bool = False, **kw
) -> bytes:
    """Upload number ``k`` with DataTime ``when``: plain, or sealed with the device's SM4 key
    (HJ 212-2025: CRC over the plaintext, then the data area encrypted); ``rf`` marks it
    back-filled (补传, RF=1)."""
    st, cn, values = dev.values(rng, k)
    data_time = when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
    qn = when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S") + f"{k % 1000:03d}"
    segment = build_segment(
        qn=qn,
        st=st,
        cn=cn,
        pw=dev.password,
        mn=dev.mn,
        flag=dev.flag,
        rf=rf,
        cp=data_cp(data_time, values),
    )
    return sm4.seal(segment, dev.sm4_key) if dev.sm4_key else wrap(segment)


def split_packets(dev: SimDevice, k: int, when: dt.datetime, rng: random.Random) -> list[bytes]:
    """The same upload as ``frame_for`` sent as PNUM=2 packets (Flag=7), each with its own QN."""
    st, cn, values = dev.values(rng, k)
    data_time = when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
    items = list(values.items())
    halves = [dict(items[: len(items) // 2]), dict(items[len(items) // 2 :])]
    out = []
    for pno, part in enumerate(halves, 1):
        qn = data_time + f"{(k * 2 + pno) % 1000:03d}"
        out.append(
            wrap(
                build_segment(
                    qn=qn,
                    st=st,
                    cn=cn,
                    pw=dev.password,
                    mn=dev.mn,
                    flag=7,
                    pnum=2,
                    pno=pno,
                    cp=data_cp(data_time, part),
                )
            )
        )
    return out


@dataclass
class Report:
    sent: int = 0
    resent: int = 0
    acked: int = 0
    bad_sent: int = 0
    latencies: list[float] = field(default_factory=list)
    acked_keys: set[tuple[str, str]] = field(default_factory=set)  # (mn, qn)
    connect_failures: int = 0
    commands: list[str] = field(default_factory=list)  # CNs of the requests answered
    encrypted_commands: int = 0  # requests that came SM4-encrypted (HJ 212-2025)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p / 100 * len(data)))]

    def summary(self) -> dict:
        return {
            "sent": self.sent,
            "resent": self.resent,
            "acked": self.acked,
            "bad_sent": self.bad_sent,
            "ack_p50_ms": round(self.percentile(50) * 1000, 2),
            "ack_p99_ms": round(self.percentile(99) * 1000, 2),
            "connect_failures": self.connect_failures,
        }


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 9212
    rate: float = 10.0  # uploads per second for the whole fleet
    count: int | None = None  # uploads per device, then stop (None: until duration)
    duration: float | None = None
    start: dt.datetime | None = None  # DataTime of the first upload
    step: float = 60.0  # seconds of DataTime between a device's uploads
    faults: dict[str, float] = field(default_factory=dict)
    ack_timeout: float = 10.0
    retries: int = 3
    seed: int = 212
    linger: float = 45.0  # wait this long for the last acknowledgements (re-sending meanwhile)
    hold: float = 0.0  # stay connected this long after the last upload (answering requests)


class DeviceClient:
    def __init__(self, dev: SimDevice, opts: Options, report: Report, index: int) -> None:
        self.dev, self.opts, self.report = dev, opts, report
        self.rng = random.Random(opts.seed * 100_003 + index)
        self.unacked: dict[str, tuple[bytes, float, int]] = {}  # qn → (frame, sent_at, tries)
        self.writer: asyncio.StreamWriter | None = None
        self.measured: dict[dt.datetime, int] = {}  # DataTime → upload number, for history
        self.serial = 0

    async def run(self, interval: float, stop_at: float | None) -> None:
        opts = self.opts
        start = opts.start or dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        await asyncio.sleep(self.rng.uniform(0, min(interval, 1.0)))
        k = 0
        reader_task = None
        last = None
        finished_at = None
        while True:
            if self.writer is None or self.writer.is_closing():
                reader_task = await self._connect(reader_task)
                if self.writer is None:
                    await asyncio.sleep(0.5)
                    if stop_at and time.monotonic() > stop_at:
                        break
                    continue
                self._resend_all()
            done_sending = (opts.count is not None and k >= opts.count) or (
                stop_at is not None and time.monotonic() > stop_at
            )
            offline = self.dev.offline_after is not None and k >= self.dev.offline_after
            if done_sending or offline:
                finished_at = finished_at or time.monotonic()
                held = time.monotonic() > finished_at + opts.hold
                if held and (not self.unacked or time.monotonic() > finished_at + opts.linger):
                    break
                await asyncio.sleep(0.1)
                self._resend_due()
                continue
            when = start + dt.timedelta(seconds=opts.step * k)
            last = self._send_upload(k, when, last)
            k += 1
            self._resend_due()
            await asyncio.sleep(interval)
        if reader_task:
            reader_task.cancel()
        if self.writer is not None:
            self.writer.close()

    async def _connect(self, reader_task):
        if reader_task:
            reader_task.cancel()
        try:
            reader, self.writer = await asyncio.open_connection(self.opts.host, self.opts.port)
        except OSError:
            self.report.connect_failures += 1
            self.writer = None
            return None
        return asyncio.create_task(self._read_acks(reader))

    def _send_upload(self, k: int, when: dt.datetime, last):
        faults, rng = self.opts.faults, self.rng
        when = when + dt.timedelta(seconds=self.dev.clock_offset)
        self.measured[when] = k
        if len(self.measured) > MEMORY:  # a long-running device keeps its recent history only
            del self.measured[next(iter(self.measured))]
        if self.dev.gap is not None and self.dev.gap[0] <= k < self.dev.gap[1]:
            return []  # lost on the way; the device keeps it for a history request
        if rng.random() < faults.get("garbage", 0):
            self.writer.write(bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))))
        if rng.random() < faults.get("pnum", 0):
            packets = split_packets(self.dev, k, when, rng)
        else:
            packets = [frame_for(self.dev, k, when, rng)]
        for frame in packets:
            if rng.random() < faults.get("bad_crc", 0):
                broken = frame[:-6] + (b"0000" if frame[-6:-2] != b"0000" else b"1111") + b"\r\n"
                self.report.bad_sent += 1
                self.writer.write(broken)
            qn = _qn_of(frame)
            self.unacked[qn] = (frame, time.monotonic(), 1)
            self.report.sent += 1
            if rng.random() < faults.get("split", 0):
                cut = rng.randint(1, len(frame) - 1)
                self.writer.write(frame[:cut])
                asyncio.get_running_loop().call_later(0.01, self._write_later, frame[cut:])
            else:
                self.writer.write(frame)
            if rng.random() < faults.get("duplicate", 0):
                self.writer.write(frame)
        return packets

    def _write_later(self, data: bytes) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(data)

    def _resend_due(self) -> None:
        now = time.monotonic()
        for qn, (frame, sent_at, tries) in list(self.unacked.items()):
            if now - sent_at > self.opts.ack_timeout:
                if tries > self.opts.retries:
                    continue  # given up for this connection; resent after a reconnect
                self.unacked[qn] = (frame, now, tries + 1)
                self.report.resent += 1
                self.writer.write(frame)

    def _resend_all(self) -> None:
        now = time.monotonic()
        for qn, (frame, _, _) in list(self.unacked.items()):
            self.unacked[qn] = (frame, now, 1)
            self.report.resent += 1
            self.writer.write(frame)

    async def _read_acks(self, reader: asyncio.StreamReader) -> None:
        decoder = StreamDecoder(opener=self._opener() if self.dev.sm4_key else None)
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for item in decoder.feed(data):
                    if isinstance(item, Cut) and b"CN=9014" not in item.segment:
                        if item.encrypted:
                            self.report.encrypted_commands += 1
                        self._answer(parse_verified(item.segment, item.crc))
                    elif isinstance(item, Cut):
                        qn = _qn_of(item.raw)
                        entry = self.unacked.pop(qn, None)
                        if entry is not None:
                            self.report.acked += 1
                            self.report.latencies.append(time.monotonic() - entry[1])
                            self.report.acked_keys.add((self.dev.mn, qn))
        except (ConnectionError, asyncio.CancelledError):
            pass
        if self.writer is not None:
            self.writer.close()

    # --- answering the platform's requests (反控) --------------------------------------------

    def _opener(self):
        key = self.dev.sm4_key

        def opener(wire, crc, declared):
            return sm4.open_segment(wire, crc, [key], declared=declared)

        return opener

    def _answer(self, request) -> None:
        """9011, what the request asks for, 9012 (HJ 212-2017 §6.6 request exchange)."""
        if not self.dev.answers or self.writer is None or self.writer.is_closing():
            return
        self.report.commands.append(request.cn)
        out = [request_response(request, 1)]
        code = 1
        if request.cn == "1012":
            self.dev.clock_offset = 0.0  # its clock now shows the platform's time
        elif request.cn == "1011":
            now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.dev.clock_offset)
            cp = "SystemTime=" + now.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
            out.append(self._frame(request.cn, request.qn, cp, flag=self.dev.flag - 1))
        elif request.cn in ("2051", "2061", "2031"):
            history = self._history(request)
            out += history
            code = 1 if history else 100
        elif request.cn == "2011":
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            out.append(frame_for(self.dev, len(self.measured), now, self.rng))
        out.append(execution_result(request, code))
        self.writer.write(b"".join(out))

    def _history(self, request) -> list[bytes]:
        """Minute data (CN of the request) of what it measured in [BeginTime, EndTime]."""
        begin = request.extra.get("BeginTime", "")
        end = request.extra.get("EndTime", "")
        out = []
        for when, k in sorted(self.measured.items()):
            stamp = when.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
            if begin <= stamp <= end:
                st, _, values = self.dev.values(random.Random(k), k)
                fields = {
                    code: {"Avg": v.get("Rtd", v.get("Avg")), "Flag": v.get("Flag", "N")}
                    for code, v in values.items()
                    if v.get("Rtd", v.get("Avg")) is not None
                }
                out.append(self._frame(request.cn, None, data_cp(stamp, fields), st=st))
        return out

    def _frame(self, cn: str, qn: str | None, cp: str, *, st: str = "39", flag=None) -> bytes:
        self.serial += 1
        qn = qn or dt.datetime.now(BEIJING).strftime("%Y%m%d%H%M%S") + f"{self.serial % 1000:03d}"
        segment = build_segment(
            qn=qn,
            st=st,
            cn=cn,
            pw=self.dev.password,
            mn=self.dev.mn,
            flag=self.dev.flag if flag is None else flag,
            cp=cp,
        )
        if self.dev.sm4_key and sm4.cn_is_encrypted(cn):
            return sm4.seal(segment, self.dev.sm4_key)
        return wrap(segment)


def _qn_of(frame: bytes) -> str:
    start = frame.find(b"QN=")
    if start < 0:
        return ""
    end = frame.find(b";", start)
    return frame[start + 3 : end].decode()


async def simulate(devices: list[SimDevice], opts: Options, report: Report | None = None) -> Report:
    """Run the fleet until every device has sent ``count`` uploads (or ``duration`` passes).

    Pass a ``report`` to watch progress from another thread.
    """
    report = report if report is not None else Report()
    interval = len(devices) / opts.rate if opts.rate > 0 else 1.0
    stop_at = time.monotonic() + opts.duration if opts.duration else None
    clients = [DeviceClient(d, opts, report, i) for i, d in enumerate(devices)]
    await asyncio.gather(*(c.run(interval, stop_at) for c in clients))
    return report


def apply_specs(devices: list[SimDevice], exceed: list[str], faults: list[str]) -> dict:
    """``--exceed SEL:FACTOR`` (SEL: index, a-b range, kind or all) and ``--faults k=p,…``."""
    for spec in exceed:
        selector, _, factor = spec.rpartition(":")
        for i in _select(devices, selector or "all"):
            devices[i].exceed = float(factor)
    rates: dict[str, float] = {}
    for spec in faults:
        for part in spec.split(","):
            name, _, p = part.partition("=")
            name = name.strip()
            if name not in FAULTS:
                raise ValueError(f"unknown fault {name!r}; choose from {', '.join(FAULTS)}")
            rates[name] = float(p or 1.0)
    rng = random.Random(7)
    for dev in devices:
        if rng.random() < rates.get("flatline", 0):
            dev.flatline = True
        if rng.random() < rates.get("offline", 0):
            dev.offline_after = rng.randint(1, 5)
        if rng.random() < rates.get("silent", 0):
            dev.answers = False
    return rates


def _select(devices: list[SimDevice], selector: str) -> list[int]:
    if selector == "all":
        return list(range(len(devices)))
    if selector in ("dust", "fume", "emission"):
        return [i for i, d in enumerate(devices) if d.kind == selector]
    if "-" in selector:
        a, b = selector.split("-")
        return list(range(int(a), min(int(b) + 1, len(devices))))
    return [int(selector)]
