"""The HJ 212 bus over a real nats-server: the gateway acknowledges what JetStream stored, writers
store each message once, a full stream withholds acknowledgements and drops nothing."""

from __future__ import annotations

import asyncio
import threading

import pytest

from monitoring import bus
from monitoring.hj212 import parse_frame
from monitoring.ingest import frame_rows
from monitoring.models import Quarantine, Reading
from monitoring.tests.conftest import run_async
from monitoring.tests.test_gateway import Client, upload, wait_for


class RunningWriter:
    """A bus writer consuming in a background thread with its own event loop."""

    def __init__(self, config: bus.BusConfig, **kwargs) -> None:
        from monitoring.bus_writer import BusWriter

        self.writer = BusWriter(config, **kwargs)
        self.stopping = False
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.writer.run(lambda: self.stopping)), daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(20)


def rows() -> int:
    """Readings stored so far. The SQLite test database is shared in memory between threads,
    where a read while the writer thread writes fails at once instead of waiting."""
    from django.db import OperationalError

    try:
        return Reading.objects.count()
    except OperationalError:
        return -1


def config_for(server, **kwargs) -> bus.BusConfig:
    return bus.BusConfig(url=server.url, ack_wait=2.0, publish_timeout=1.0, **kwargs)


def stream_messages(config: bus.BusConfig) -> int:
    async def count():
        nc = await bus.connect(config)
        try:
            info = await nc.jetstream().stream_info(config.stream)
            return info.state.messages
        finally:
            await nc.close()

    return run_async(count)


def test_an_upload_carried_on_the_bus_gives_the_same_rows():
    frame = parse_frame(upload("DUST0001", 3, tsp=81.5))
    carried = bus.decode_upload(bus.encode_upload(frame, frame.raw))
    assert frame_rows(carried, 7) == frame_rows(frame, 7)
    assert carried.raw == frame.raw
    assert (carried.rf, carried.fetched_by) == (False, None)
    frame.rf, frame.fetched_by = True, 12  # a back-filled upload stays marked as one
    carried = bus.decode_upload(bus.encode_upload(frame, frame.raw))
    assert (carried.rf, carried.fetched_by) == (True, 12)
    assert bus.message_id(frame) == "DUST0001:2011:20240601100300"


def test_subjects_carry_kind_and_mn_as_safe_tokens():
    assert bus.upload_subject("dust", "DUST0001") == "hj212.up.dust.DUST0001"
    assert bus.upload_subject("fume", "A.B*C>D E") == "hj212.up.fume.A_B_C_D_E"
    assert bus.bad_subject("") == "hj212.bad._"


def test_bad_bytes_survive_the_bus_whatever_they_are():
    raw = bytes(range(256))
    back = bus.decode_rejected(
        bus.encode_rejected(bus.Rejected(raw, "bad_crc", "CRC 不符", "1.2.3.4:5", "MN1"))
    )
    assert (back.raw, back.reason, back.detail, back.peer, back.mn) == (
        raw,
        "bad_crc",
        "CRC 不符",
        "1.2.3.4:5",
        "MN1",
    )


def test_no_bus_configured_keeps_the_in_process_path(monkeypatch):
    monkeypatch.delenv("LANTIAN_BUS_URL", raising=False)
    assert bus.BusConfig.from_env() is None
    monkeypatch.setenv("LANTIAN_BUS_URL", "nats://a:4222, nats://b:4222")
    monkeypatch.setenv("LANTIAN_BUS_MAX_MSGS", "1000")
    config = bus.BusConfig.from_env()
    assert config.servers == ["nats://a:4222", "nats://b:4222"]
    assert config.max_msgs == 1000


@pytest.mark.django_db(transaction=True)
def test_the_gateway_acknowledges_once_jetstream_stored_and_writers_store(
    devices, gateway_factory, nats_server
):
    config = config_for(nats_server)
    with gateway_factory(bus=bus.Publisher(config)) as gw:
        c = Client(gw.port)
        c.send(b"".join(upload("DUST0000", m) for m in range(5)))
        c.send(upload("NOSUCHMN", 0))  # quarantined, through the bus too
        assert len(c.read_acks(5)) == 5
        assert Reading.objects.count() == 0  # the gateway itself stores nothing
        assert wait_for(lambda: stream_messages(config) == 6, 5)
        with RunningWriter(config):
            assert wait_for(lambda: rows() == 10, 10)
            assert wait_for(lambda: stream_messages(config) == 0, 5)  # acknowledged: removed
        assert Quarantine.objects.filter(reason="unknown_mn").exists()
        c.close()
    assert gw.gateway.stats.acked == 5
    assert Reading.objects.filter(device=devices[0]).count() == 10


@pytest.mark.django_db(transaction=True)
def test_no_acknowledgement_while_the_bus_is_away(devices, gateway_factory, nats_server):
    config = config_for(nats_server)
    with gateway_factory(bus=bus.Publisher(config)) as gw:
        c = Client(gw.port)
        c.send(upload("DUST0001", 0))
        assert len(c.read_acks(1)) == 1
        nats_server.kill()
        c.send(upload("DUST0001", 1))
        assert len(c.read_acks(2, timeout=2.5)) == 1  # not stored by JetStream: no 9014
        nats_server.start()  # same port, same file store
        assert wait_for(lambda: gw.gateway.bus.nc.is_connected, 10)
        c.send(upload("DUST0001", 1))  # the device re-sends
        assert len(c.read_acks(2, timeout=10)) == 2
        c.close()
    assert gw.gateway.stats.bus_refused >= 1
    assert stream_messages(config) == 2


@pytest.mark.django_db(transaction=True)
def test_a_full_stream_withholds_acknowledgements_and_drops_nothing(
    devices, gateway_factory, nats_server
):
    config = config_for(nats_server, max_msgs=3)
    frames = [upload("DUST0002", m) for m in range(6)]
    with gateway_factory(bus=bus.Publisher(config)) as gw:
        c = Client(gw.port)
        c.send(b"".join(frames))
        acks = c.read_acks(6, timeout=2.0)
        assert len(acks) == 3  # the stream holds 3; the other uploads are not acknowledged
        assert stream_messages(config) == 3
        assert gw.gateway.stats.bus_refused == 3
        with RunningWriter(config):
            assert wait_for(lambda: stream_messages(config) == 0, 10)
            acked = {a.qn for a in acks}
            for frame in frames:  # the device re-sends what was not acknowledged
                if parse_frame(frame).qn not in acked:
                    c.send(frame)
            assert len(c.read_acks(6, timeout=10)) == 6
            assert wait_for(lambda: rows() == 12, 10)
        c.close()
    assert Reading.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_redelivered_and_republished_uploads_are_stored_once(devices, nats_server):
    config = config_for(nats_server)
    frames = [parse_frame(upload("DUST0000", m)) for m in range(4)]

    async def publish_twice():
        nc = await bus.connect(config)
        js = nc.jetstream()
        await bus.ensure_stream(js, config)
        for round_ in range(2):
            for frame in frames:  # a new message id each round: JetStream keeps both copies
                await js.publish(
                    bus.upload_subject("dust", frame.mn),
                    bus.encode_upload(frame, frame.raw),
                    headers={"Nats-Msg-Id": f"{bus.message_id(frame)}:{round_}"},
                )
        await nc.close()

    run_async(publish_twice)
    assert stream_messages(config) == 8
    with RunningWriter(config, batch=3), RunningWriter(config, batch=3):  # two writers share
        assert wait_for(lambda: stream_messages(config) == 0, 10)
    assert Reading.objects.count() == 4 * 2
    assert set(Reading.objects.values_list("code", flat=True)) == {"a34001", "a34002"}
