"""The gateway over a real socket: framing across reads, split packets, ack after commit,
duplicates, quarantine of unknown devices, back-pressure and shutdown."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from monitoring.hj212 import Cut, StreamDecoder, parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.models import Device, Quarantine, Reading
from monitoring.tests.conftest import PW

pytestmark = pytest.mark.django_db(transaction=True)


def upload(mn, minute, tsp=120.0, *, pw=PW, flag=5, qn=None, pnum=None, pno=None, values=None):
    data_time = f"20240601{10 + minute // 60:02d}{minute % 60:02d}00"
    values = values or {"a34001": {"Rtd": tsp, "Flag": "N"}, "a34002": {"Rtd": 40.0, "Flag": "N"}}
    seg = build_segment(
        cn="2011",
        mn=mn,
        pw=pw,
        st="39",
        qn=qn or f"{data_time}{minute % 1000:03d}",
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=data_cp(data_time, values),
    )
    return wrap(seg)


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.decoder = StreamDecoder()
        self.acks = []

    def send(self, data: bytes):
        self.sock.sendall(data)

    def read_acks(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.acks) < n and time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            for item in self.decoder.feed(data):
                if isinstance(item, Cut):
                    self.acks.append(parse_frame(item.raw, verified=True))
        return self.acks

    def close(self):
        self.sock.close()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_frames_split_across_reads_and_merged_in_one_read(devices, gateway_factory):
    frames = [upload("DUST0000", m) for m in range(6)]
    with gateway_factory() as gw:
        c = Client(gw.port)
        # three frames in one write, then three frames dribbled a few bytes at a time
        c.send(b"".join(frames[:3]))
        rest = b"".join(frames[3:])
        for i in range(0, len(rest), 7):
            c.send(rest[i : i + 7])
            time.sleep(0.001)
        acks = c.read_acks(6)
        c.close()
    assert sorted(a.qn for a in acks) == sorted(parse_frame(f).qn for f in frames)
    assert all(a.cn == "9014" and a.st == "91" and a.flag == 4 for a in acks)
    assert Reading.objects.filter(device=devices[0], code="a34001").count() == 6


def test_split_packets_are_reassembled_and_each_packet_acked(devices, gateway_factory):
    p1 = upload(
        "DUST0001",
        0,
        qn="20240601100000001",
        flag=7,
        pnum=2,
        pno=1,
        values={"a34001": {"Rtd": 100.0, "Flag": "N"}},
    )
    p2 = upload(
        "DUST0001",
        0,
        qn="20240601100000002",
        flag=7,
        pnum=2,
        pno=2,
        values={"a34002": {"Rtd": 30.0, "Flag": "N"}},
    )
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(p1)
        time.sleep(0.2)
        assert Reading.objects.filter(device=devices[1]).count() == 0  # waits for packet 2
        c.send(p2)
        acks = c.read_acks(2)
        c.close()
    assert sorted(a.qn for a in acks) == ["20240601100000001", "20240601100000002"]
    codes = set(Reading.objects.filter(device=devices[1]).values_list("code", flat=True))
    assert codes == {"a34001", "a34002"}


def test_ack_is_sent_only_after_the_batch_is_committed(devices, gateway_factory):
    from monitoring.gateway import _default_writer

    release = threading.Event()
    entered = threading.Event()

    def slow_writer(uploads, rejected, judge=None):
        entered.set()
        assert release.wait(10)
        return _default_writer(uploads, rejected, judge)

    with gateway_factory(writer=slow_writer) as gw:
        c = Client(gw.port)
        c.send(upload("DUST0002", 0))
        assert entered.wait(5)
        assert c.read_acks(1, timeout=0.5) == []  # not committed: no ack
        release.set()
        acks = c.read_acks(1)
        # the moment the ack is in hand, the readings are in the database
        assert Reading.objects.filter(device=devices[2]).count() == 2
        c.close()
    assert len(acks) == 1


def test_failed_write_is_never_acknowledged(devices, gateway_factory):
    def broken_writer(uploads, rejected, judge=None):
        raise RuntimeError("database is down")

    with gateway_factory(writer=broken_writer) as gw:
        c = Client(gw.port)
        c.send(upload("DUST0000", 0))
        assert c.read_acks(1, timeout=1.0) == []
        c.close()
    assert Reading.objects.count() == 0


def test_duplicates_are_dropped_but_acknowledged(devices, gateway_factory):
    frame = upload("DUST0000", 5)
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(frame)
        c.read_acks(1)
        c.send(frame + frame)  # a device that did not see the ack re-sends
        acks = c.read_acks(3)
        other = Client(gw.port)  # and after a reconnect, from another socket
        other.send(frame)
        assert len(other.read_acks(1)) == 1
        other.close()
        c.close()
        stats = gw.gateway.stats
    assert len(acks) == 3
    assert Reading.objects.filter(device=devices[0]).count() == 2  # TSP and PM10, once
    assert stats.duplicates >= 2


def test_unknown_mn_and_wrong_password_are_quarantined_not_acked(devices, gateway_factory):
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(upload("NOSUCHDEVICE", 0))
        c.send(upload("DUST0000", 1, pw="000000"))
        c.send(b"\x00\x01garbage##12")
        c.send(b"34 more garbage\r\n")
        c.send(upload("DUST0000", 2))
        acks = c.read_acks(3, timeout=1.5)
        c.close()
    assert [a.qn for a in acks] == [parse_frame(upload("DUST0000", 2)).qn]
    reasons = set(Quarantine.objects.values_list("reason", flat=True))
    assert {"unknown_mn", "bad_password", "garbage"} <= reasons
    assert bytes(Quarantine.objects.get(reason="unknown_mn").raw).startswith(b"##")
    assert Reading.objects.count() == 2


def test_bad_crc_frame_is_quarantined_and_the_next_frame_stored(devices, gateway_factory):
    good = upload("DUST0000", 3)
    bad = upload("DUST0000", 4)[:-6] + b"0000\r\n"
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(bad + good)
        acks = c.read_acks(1)
        c.close()
    assert [a.qn for a in acks] == [parse_frame(good).qn]
    assert Quarantine.objects.filter(reason="bad_crc").count() == 1


def test_connection_limit_and_idle_timeout(devices, gateway_factory):
    with gateway_factory(max_connections=1, idle_timeout=0.6) as gw:
        first = Client(gw.port)
        second = Client(gw.port)
        second.sock.settimeout(2)
        assert second.sock.recv(10) == b""  # refused: closed at once
        first.sock.settimeout(5)
        assert first.sock.recv(10) == b""  # idle: closed by the gateway
        first.close()
        second.close()


def test_back_pressure_stops_reading_until_the_writer_catches_up(devices, gateway_factory):
    from monitoring.gateway import _default_writer

    release = threading.Event()

    def slow_writer(uploads, rejected, judge=None):
        release.wait(10)
        return _default_writer(uploads, rejected, judge)

    with gateway_factory(writer=slow_writer, max_pending=5, batch_size=2) as gw:
        c = Client(gw.port)
        c.send(b"".join(upload("DUST0000", m) for m in range(20)))
        assert wait_for(lambda: gw.gateway.paused, 5)
        release.set()
        acks = c.read_acks(20)
        c.close()
        assert gw.gateway.stats.paused >= 1
    assert len(acks) == 20
    assert not gw.gateway.paused


def test_shutdown_flushes_and_acknowledges(devices, gateway_factory):
    from monitoring.gateway import _default_writer

    release = threading.Event()

    def held_writer(uploads, rejected, judge=None):
        release.wait(10)
        return _default_writer(uploads, rejected, judge)

    frames = b"".join(upload("DUST0001", m) for m in range(10))
    with gateway_factory(writer=held_writer) as gw:
        c = Client(gw.port)
        c.send(frames)
        assert wait_for(lambda: gw.gateway.stats.uploads == 10, 5)
        assert Reading.objects.count() == 0  # the first batch is held, the rest wait behind it
        gw.loop.call_soon_threadsafe(gw.gateway.stop)  # SIGTERM does the same
        release.set()
        acks = c.read_acks(10)
        c.close()
    assert len(acks) == 10
    assert Reading.objects.filter(device=devices[1], code="a34001").count() == 10


def test_last_seen_is_recorded(devices, gateway_factory):
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(upload("DUST0002", 0))
        c.read_acks(1)
        c.close()
    assert Device.objects.get(mn="DUST0002").last_seen_at is not None


def test_2005_device_without_flag_gets_no_ack_but_is_stored(site, gateway_factory):
    Device.objects.create(
        mn="0873HHMZWSLH02", password="123456", kind="dust", site=site, profile="legacy-2005"
    )
    seg = (
        "ST=32;CN=2011;PW=123456;MN=0873HHMZWSLH02;CP=&&DataTime=20240103133030;"
        "B03-Rtd=55.1,B03-Flag=N&&"
    )
    frame = wrap(seg)
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(frame)
        assert c.read_acks(1, timeout=1.0) == []
        c.close()
    assert Reading.objects.filter(code="LA").count() == 1  # 2005 code B03 → LA


def test_simulated_faults_are_survived(devices, gateway_factory):
    """Bad CRCs, TCP splits, split packets, duplicates and garbage from a simulated fleet: every
    upload is acknowledged and stored exactly once, the bad bytes are quarantined."""
    import asyncio
    import datetime as dt
    from zoneinfo import ZoneInfo

    from monitoring import simulator

    fleet = [simulator.SimDevice(d.mn, PW, "dust") for d in devices]
    opts = simulator.Options(
        rate=600,
        count=40,
        ack_timeout=1.0,
        linger=20,
        start=dt.datetime(2024, 6, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")),
        faults={"bad_crc": 0.1, "split": 0.2, "pnum": 0.2, "duplicate": 0.1, "garbage": 0.05},
    )
    out = {}
    with gateway_factory(quarantine_burst=10_000) as gw:  # every bad frame kept (no flood here)
        opts.port = gw.port
        thread = threading.Thread(
            target=lambda: out.setdefault("r", asyncio.run(simulator.simulate(fleet, opts)))
        )
        thread.start()
        thread.join(60)
    report = out["r"]
    assert report.acked == report.sent and report.bad_sent > 0
    assert Reading.objects.count() == 3 * 40 * 6  # six values per dust upload, none twice
    assert Quarantine.objects.filter(reason="bad_crc").count() >= report.bad_sent


def test_a_device_registered_while_running_is_known_after_a_resend(site, gateway_factory):
    import monitoring.gateway

    with gateway_factory() as gw:
        gw.gateway.directory.loaded_at -= monitoring.gateway.RELOAD_GAP  # as if loaded long ago
        Device.objects.create(mn="NEW0001", password=PW, kind="dust", site=site)
        c = Client(gw.port)
        c.send(upload("NEW0001", 0))  # unknown to the running gateway: quarantined, no ack
        assert c.read_acks(1, timeout=1.0) == []
        assert wait_for(lambda: "NEW0001" in gw.gateway.directory.devices, 5)
        c.send(upload("NEW0001", 0))  # the device re-sends
        assert len(c.read_acks(1)) == 1
        c.close()
    assert Quarantine.objects.filter(reason="unknown_mn", mn="NEW0001").count() == 1
    assert Reading.objects.filter(device__mn="NEW0001").count() == 2


# --- abuse (issue 11 item 3) -----------------------------------------------------------------


def closed_within(sock, seconds) -> bool:
    """True when the gateway closes ``sock`` within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def test_a_flood_of_bad_frames_fills_a_few_rows_and_is_counted(devices, gateway_factory):
    bad = upload("DUST0000", 1).replace(b"\r\n", b"")[:-4] + b"0000\r\n"  # wrong CRC
    with gateway_factory(quarantine_rate=0.01, quarantine_burst=5, summary_every=0.5) as gw:
        c = Client(gw.port)
        c.send(bad * 300)
        assert wait_for(lambda: Quarantine.objects.filter(reason="rate_limited").exists())
        time.sleep(1.0)  # the last summary
        c.close()
    rows = list(Quarantine.objects.exclude(reason="rate_limited"))
    assert len(rows) == 5  # the burst; the rest counted, not stored
    import re

    summaries = list(Quarantine.objects.filter(reason="rate_limited"))  # one per half second
    held = sum(int(re.search(r"另有 (\d+) 帧", row.detail)[1]) for row in summaries)
    assert held == 295 and {row.peer for row in summaries} == {"127.0.0.1"}
    assert all(len(bytes(r.raw)) <= 1024 for r in Quarantine.objects.all())


def test_a_big_bad_frame_keeps_its_first_bytes(devices, gateway_factory):
    with gateway_factory(quarantine_bytes=100) as gw:
        c = Client(gw.port)
        c.send(b"garbage " * 1000 + b"\r\n")
        assert wait_for(lambda: Quarantine.objects.exists())
        c.close()
    row = Quarantine.objects.first()
    assert len(bytes(row.raw)) == 100 and "原长" in row.detail


def test_connections_per_address_are_capped(devices, gateway_factory):
    with gateway_factory(max_per_address=2) as gw:
        kept = [Client(gw.port), Client(gw.port)]
        third = Client(gw.port)
        assert closed_within(third.sock, 5)
        assert not closed_within(kept[0].sock, 0.3)
        kept[0].close()
        assert wait_for(lambda: gw.gateway.per_address.get("127.0.0.1") == 1)
        again = Client(gw.port)  # a freed place is given again
        again.send(upload("DUST0000", 2))
        assert len(again.read_acks(1)) == 1
        for c in (kept[1], third, again):
            c.close()


def test_idle_timeout_follows_whether_and_how_often_a_device_reports(devices, gateway_factory):
    Device.objects.filter(mn="DUST0001").update(interval_seconds=1)
    with gateway_factory(handshake_timeout=0.5, idle_timeout=0.5, idle_intervals=2.5) as gw:
        half = Client(gw.port)
        half.send(upload("DUST0000", 3)[:40])  # half a frame, then nothing
        device = Client(gw.port)
        device.send(upload("DUST0001", 3))
        assert len(device.read_acks(1)) == 1
        assert closed_within(half.sock, 3)  # unidentified: the handshake timeout
        assert not closed_within(device.sock, 1.5)  # identified: 2.5 × its 1 s interval
        assert closed_within(device.sock, 4)
        assert gw.gateway.stats.idle_closed == 2
