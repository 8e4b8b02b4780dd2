"""HJ 212-2025 encrypted frames through the gateway over a real socket: decrypted with the
device's registered keys, keys rotated mid-stream, a wrong key, tails shorter than a block,
and the simulator sending encrypted frames."""

from __future__ import annotations

import datetime as dt

import pytest

from lantian.lib import tz
from monitoring import gateway as gateway_module
from monitoring import keys, simulator
from monitoring.choices import AlarmKind
from monitoring.hj212 import sm4
from monitoring.hj212.frame import build_segment, data_cp, wrap
from monitoring.models import Alarm, DeviceKey, Quarantine, Reading
from monitoring.tests.conftest import PW, run_async
from monitoring.tests.test_gateway import Client, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

KEY_A = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
KEY_B = bytes.fromhex("0123456789ABCDEF0123456789ABCDEF")
WRONG = bytes(range(16))


@pytest.fixture(autouse=True)
def reload_at_once(monkeypatch):
    """A frame no loaded key opens reloads the directory at once (5 s apart in production)."""
    monkeypatch.setattr(gateway_module, "RELOAD_GAP", 0.0)


def segment(mn, minute, *, tsp=120.0, values=None):
    data_time = f"20261201{10 + minute // 60:02d}{minute % 60:02d}00"
    values = values or {"a34001": {"Rtd": tsp, "Flag": "N"}, "a34002": {"Rtd": 40.0, "Flag": "N"}}
    return build_segment(
        cn="2011",
        mn=mn,
        pw=PW,
        st="39",
        qn=f"{data_time}{minute % 1000:03d}",
        flag=9,
        cp=data_cp(data_time, values),
    )


def sealed(mn, minute, key, **kw) -> bytes:
    return sm4.seal(segment(mn, minute, **kw), key)


def tsp_values(device):
    return sorted(
        Reading.objects.filter(device=device, code="a34001").values_list("value", flat=True)
    )


def register(device, key: bytes, world, **kw):
    return keys.register_key(device, key.hex(), acting_user=world.office, **kw)


def test_encrypted_frames_are_decrypted_stored_and_acknowledged_as_2025(
    devices, world, gateway_factory
):
    register(devices[0], KEY_A, world)
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(b"".join(sealed("DUST0000", m, KEY_A, tsp=100.0 + m) for m in range(3)))
        acks = c.read_acks(3)
        c.close()
    assert [a.cn for a in acks] == ["9014"] * 3
    assert {a.flag for a in acks} == {8}  # the version bits of the device's own edition
    assert tsp_values(devices[0]) == [100.0, 101.0, 102.0]


def test_a_key_rotated_mid_stream_is_picked_up_and_the_old_key_works_in_grace(
    devices, world, gateway_factory
):
    device = devices[0]
    register(device, KEY_A, world, valid_from=tz.now() - dt.timedelta(days=80))
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(sealed("DUST0000", 0, KEY_A, tsp=10.0))
        assert len(c.read_acks(1)) == 1
        # the operator registers key B; the device switches before the directory reloads
        register(device, KEY_B, world)
        c.send(sealed("DUST0000", 1, KEY_B, tsp=11.0))
        assert wait_for(lambda: Quarantine.objects.filter(reason="sm4_failed").exists())
        assert wait_for(lambda: len(gw.gateway.directory.get("DUST0000").keys) == 2)
        c.send(sealed("DUST0000", 1, KEY_B, tsp=11.0))  # the device resends: not acknowledged
        c.send(sealed("DUST0000", 2, KEY_A, tsp=12.0))  # an old-key frame still in flight
        assert len(c.read_acks(3)) == 3
        # the grace window ends: the old key is no longer tried
        DeviceKey.objects.filter(superseded_at__isnull=False).update(
            superseded_at=tz.now() - dt.timedelta(days=30)
        )
        gw.loop.call_soon_threadsafe(gw.gateway._reload_directory_soon)
        assert wait_for(lambda: len(gw.gateway.directory.get("DUST0000").keys) == 1)
        c.send(sealed("DUST0000", 3, KEY_A, tsp=13.0))
        c.send(sealed("DUST0000", 4, KEY_B, tsp=14.0))
        acks = c.read_acks(4)
        c.close()
    assert [a.qn[-3:] for a in acks] == ["000", "001", "002", "004"]
    assert tsp_values(device) == [10.0, 11.0, 12.0, 14.0]
    assert Quarantine.objects.filter(reason="sm4_failed", mn="DUST0000").count() == 2


def test_a_wrong_key_is_quarantined_unacknowledged_and_alarmed_the_next_frame_survives(
    devices, world, gateway_factory
):
    register(devices[0], KEY_A, world)
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(sealed("DUST0000", 0, WRONG) + sealed("DUST0000", 1, KEY_A, tsp=55.0))
        acks = c.read_acks(2, timeout=3)
        c.close()
    assert [a.qn[-3:] for a in acks] == ["001"]
    assert tsp_values(devices[0]) == [55.0]
    row = Quarantine.objects.get(reason="sm4_failed")
    assert row.mn == "DUST0000" and "有效密钥" in row.detail
    # the sweep: failures after the last stored upload raise the alarm
    Quarantine.objects.filter(pk=row.pk).update(received_at=tz.now())
    alarms = keys.check_keys()
    assert [(a.device_id, a.kind) for a in alarms] == [(devices[0].pk, AlarmKind.KEY_FAILED)]


def test_a_device_without_a_key_and_tails_shorter_than_a_block(devices, world, gateway_factory):
    register(devices[0], KEY_A, world)
    # a data area whose length is not a multiple of 16: the tail goes plain
    long_values = {"a34001": {"Rtd": 123.4, "Flag": "N"}, "LA": {"Rtd": 56.7, "Flag": "N"}}
    odd = segment("DUST0000", 0, values=long_values)
    cp = odd[odd.index("CP=&&") + 5 : odd.rindex("&&")]
    assert len(cp) % 16 and len(cp) > 16
    # a data area shorter than one block: nothing to encrypt, sent as is with Flag 9
    short = build_segment(
        cn="2011", mn="DUST0000", pw=PW, st="39", qn="20261201110000001", flag=9, cp="a34001-Rtd=9"
    )
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(sm4.seal(odd, KEY_A) + sm4.seal(short, KEY_A) + sealed("DUST0001", 5, KEY_B))
        acks = c.read_acks(2, timeout=3)
        c.close()
    assert sm4.seal(short, KEY_A) == wrap(short)
    assert [a.qn for a in acks] == ["20261201100000000", "20261201110000001"]
    assert Reading.objects.get(device=devices[0], code="LA").value == 56.7
    assert Quarantine.objects.get(mn="DUST0001").reason == "sm4_no_key"


def test_the_simulator_sends_encrypted_frames_the_gateway_stores(devices, world, gateway_factory):
    register(devices[0], KEY_A, world)
    register(devices[1], KEY_B, world)
    fleet = [
        simulator.SimDevice("DUST0000", PW, "dust", sm4_key=KEY_A),
        simulator.SimDevice("DUST0001", PW, "dust", sm4_key=KEY_B),
    ]
    with gateway_factory() as gw:
        opts = simulator.Options(
            port=gw.port,
            rate=200,
            count=5,
            start=dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC),
            linger=5,
        )
        report = run_async(lambda: simulator.simulate(fleet, opts))
    assert report.acked == 10 and report.resent == 0
    assert Reading.objects.filter(code="a34001").count() == 10
    assert not Quarantine.objects.exists()
    assert not Alarm.objects.filter(kind=AlarmKind.KEY_FAILED).exists()


def test_a_2025_device_gets_its_history_request_encrypted_and_its_answer_is_stored(
    devices, world, gateway_factory
):
    """A history request (CN 2051) to a device that encrypts goes out encrypted in its edition;
    the simulated device opens it with its key and answers with encrypted minute data."""
    from monitoring.choices import CommandKind, CommandStatus
    from monitoring.models import Backfill, DeviceCommand
    from monitoring.remote import request_command
    from monitoring.tests.test_commands import FAST, on_writer, run_fleet, status_of

    device = devices[0]
    register(device, KEY_A, world)
    start = (tz.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    fleet = [simulator.SimDevice(device.mn, PW, "dust", sm4_key=KEY_A, gap=(5, 10))]
    opts = simulator.Options(rate=500, count=20, start=start, step=60, linger=5, hold=6)
    with gateway_factory(**FAST) as gw:
        opts.port = gw.port
        thread, box = run_fleet(fleet, opts)
        assert wait_for(lambda: on_writer(gw, lambda: Reading.objects.count()) == 15 * 6)
        command = on_writer(
            gw,
            request_command,
            device,
            CommandKind.HISTORY,
            acting_user=world.office,
            params={"begin": start, "end": start + dt.timedelta(minutes=20)},
        )
        assert wait_for(lambda: status_of(command, gw) == CommandStatus.DONE, timeout=15)
        thread.join(30)
    assert box["r"].commands == ["2051"] and box["r"].encrypted_commands == 1
    assert DeviceCommand.objects.get().result["uploads"] == 20
    assert Backfill.objects.filter(source="fetched").count() == 20
    assert not Quarantine.objects.exists()
