"""Commands to devices (反控) over their open connections: time calibration on a 1013 request
and on clock drift, gaps re-fetched without anyone's action, intervals, on-demand readings; a
simulated device that answers and one that never does; audited; from the page and the API."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from lantian.lib import tz
from monitoring import gaps, rollups, simulator
from monitoring import rates as rate_calc
from monitoring.choices import CommandKind, CommandStatus
from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.models import Backfill, Device, DeviceCommand, Reading
from monitoring.remote import request_command
from monitoring.tests.conftest import PW
from monitoring.tests.test_gateway import Client, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
FAST = {"command_timeout": 0.3, "command_retries": 3, "command_poll": 0.1, "command_execution": 3}


def requests_seen(client: Client, cn: str, timeout=5.0):
    """Frames the platform sent the raw client, other than acknowledgements."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client.read_acks(len(client.acks) + 1, timeout=0.2)
        found = [f for f in client.acks if f.cn == cn]
        if found:
            return found
    return []


def on_writer(gw, fn, *args, **kwargs):
    """Run ``fn`` in the gateway's writer thread: SQLite's shared in-memory test database
    refuses (rather than waits for) a write from one connection while another reads."""
    from monitoring.gateway import _in_writer

    return gw.gateway.executor.submit(_in_writer(lambda: fn(*args, **kwargs))).result(timeout=30)


def status_of(command, gw=None) -> str:
    if gw is not None:
        return on_writer(gw, status_of, command)
    command.refresh_from_db()
    return command.status


def run_fleet(fleet, opts):
    box = {}
    thread = threading.Thread(
        target=lambda: box.update(r=asyncio.run(simulator.simulate(fleet, opts)))
    )
    thread.start()
    return thread, box


def test_a_1013_request_is_answered_9013_then_the_time_is_set_and_audited(devices, gateway_factory):
    seg = build_segment(cn="1013", mn="DUST0000", pw=PW, st="39", qn="20261201100000123", flag=5)
    with gateway_factory(**FAST) as gw:
        c = Client(gw.port)
        c.send(wrap(seg))
        assert requests_seen(c, "9013")
        request = requests_seen(c, "1012")[0]
        assert request.flag == 5 and "SystemTime" in request.extra  # 2017 edition, answer wanted
        command = on_writer(gw, DeviceCommand.objects.get, kind=CommandKind.SET_TIME)
        assert command.reason == "设备请求校时（1013）" and command.qn == request.qn
        c.send(
            wrap(
                build_segment(
                    cn="9011", mn="DUST0000", pw=PW, st="91", qn=request.qn, flag=4, cp="QnRtn=1"
                )
            )
        )
        c.send(
            wrap(
                build_segment(
                    cn="9012", mn="DUST0000", pw=PW, st="91", qn=request.qn, flag=4, cp="ExeRtn=1"
                )
            )
        )
        assert wait_for(lambda: status_of(command, gw) == CommandStatus.DONE)
        c.close()
    event = AuditEvent.objects.get(action="device_command.finished")
    assert event.changes["status"] == "done" and event.changes["exe_rtn"] == 1


def test_clock_drift_is_recorded_and_the_device_is_calibrated(devices, gateway_factory):
    behind = tz.now() - dt.timedelta(minutes=7)
    with gateway_factory(clock_drift=120, **FAST) as gw:
        c = Client(gw.port)
        for k in range(3):  # three real-time uploads, each 7 minutes behind
            moment = tz.to_local(behind + dt.timedelta(seconds=k))
            stamp = moment.strftime("%Y%m%d%H%M%S")
            c.send(
                wrap(
                    build_segment(
                        cn="2011",
                        mn="DUST0000",
                        pw=PW,
                        st="39",
                        qn=stamp + "000",
                        flag=5,
                        cp=data_cp(stamp, {"a34001": {"Rtd": 50.0, "Flag": "N"}}),
                    )
                )
            )
            time.sleep(0.05)
        request = requests_seen(c, "1012")[0]
        c.close()
    command = DeviceCommand.objects.get(kind=CommandKind.SET_TIME)
    assert command.qn == request.qn
    assert command.drift_seconds == pytest.approx(-420, abs=5)  # its clock is 7 minutes behind
    assert "相差" in command.reason


def seen(device) -> bool:
    return Device.objects.get(pk=device.pk).last_seen_at is not None


def test_a_device_that_never_answers_times_out_after_the_retries(devices, world, gateway_factory):
    device = devices[0]
    with gateway_factory(**FAST) as gw:
        c = Client(gw.port)
        c.send(
            wrap(
                build_segment(
                    cn="2011",
                    mn=device.mn,
                    pw=PW,
                    st="39",
                    qn="1",
                    flag=4,
                    cp=data_cp("20261201100000", {"a34001": {"Rtd": 1.0}}),
                )
            )
        )
        assert wait_for(lambda: on_writer(gw, seen, device))
        command = on_writer(
            gw,
            request_command,
            device,
            CommandKind.SET_RTD_INTERVAL,
            acting_user=world.office,
            params={"seconds": 60},
        )
        assert wait_for(lambda: status_of(command, gw) == CommandStatus.TIMEOUT)
        sent = requests_seen(c, "1062", timeout=0.5)
        c.close()
    assert command.tries == 4 and len(sent) == 4  # first send and three retries, one QN
    assert {f.qn for f in sent} == {command.qn} and "未收到请求应答" in command.detail
    assert AuditEvent.objects.filter(action="device_command.finished").count() == 1


def readings(device) -> int:
    return Reading.objects.filter(device=device, code="a34001").count()


def rate_of(device, start, end):
    return rate_calc.transmission(start, end, Device.objects.filter(pk=device.pk))[0]


def test_a_gap_is_refetched_without_anyone_and_the_rate_rises(devices, gateway_factory):
    """A simulated device loses minutes 70–109 of 180 (40 of its second hour); the sweep asks
    for that hour, the device answers with its minute data, and the rate of the three hours
    goes from 140/180 to 180/180 without anyone's action."""
    device = devices[0]
    start = (
        (tz.now() - dt.timedelta(hours=3))
        .astimezone(dt.UTC)
        .replace(minute=0, second=0, microsecond=0)
    )
    fleet = [simulator.SimDevice(device.mn, PW, "dust", gap=(70, 110))]
    opts = simulator.Options(rate=2000, count=180, start=start, step=60, linger=5, hold=8)
    with gateway_factory(**FAST) as gw:
        opts.port = gw.port
        thread, box = run_fleet(fleet, opts)
        assert wait_for(lambda: on_writer(gw, readings, device) == 140)
        end = start + dt.timedelta(hours=3)
        on_writer(gw, rollups.rebuild, start, end)
        before = on_writer(gw, rate_of, device, start, end)
        queued = on_writer(gw, gaps.request_refetch)  # what checkdevices does each sweep
        assert [(c.params["cn"], c.params["begin"]) for c in queued] == [
            ("2051", (start + dt.timedelta(hours=1)).isoformat())
        ]
        command = queued[0]
        assert wait_for(lambda: status_of(command, gw) == CommandStatus.DONE, timeout=15)
        thread.join(30)
    # the whole gap hour comes back as minute data; only the 40 missing minutes count again
    assert command.result["uploads"] == 60 and "60" in command.detail
    assert box["r"].commands == ["2051"]
    assert Backfill.objects.filter(device=device, source="fetched").count() == 60
    rollups.rebuild(start, end)
    after = rate_of(device, start, end)
    assert before.received == 140 and after.received == 180
    assert after.rate_before_backfill == pytest.approx(140 / 180)
    assert after.transmission_rate == pytest.approx(1.0)
    # asked once: the next sweep finds nothing new to ask
    assert gaps.request_refetch() == []


def test_a_gap_of_a_silent_device_is_asked_once_and_times_out(devices, gateway_factory):
    device = devices[0]
    start = (
        (tz.now() - dt.timedelta(hours=2))
        .astimezone(dt.UTC)
        .replace(minute=0, second=0, microsecond=0)
    )
    fleet = [simulator.SimDevice(device.mn, PW, "dust", gap=(10, 50), answers=False)]
    opts = simulator.Options(rate=2000, count=120, start=start, step=60, linger=5, hold=5)
    with gateway_factory(**FAST) as gw:
        opts.port = gw.port
        thread, box = run_fleet(fleet, opts)
        assert wait_for(lambda: on_writer(gw, readings, device) == 80)
        on_writer(gw, rollups.rebuild, start, start + dt.timedelta(hours=2))
        [command] = on_writer(gw, gaps.request_refetch)
        assert wait_for(lambda: status_of(command, gw) == CommandStatus.TIMEOUT, timeout=15)
        thread.join(30)
    assert command.tries == 4 and box["r"].commands == []
    assert not Backfill.objects.exists()
    assert gaps.request_refetch() == []


def test_on_demand_readings_and_settings_reach_an_answering_device(devices, world, gateway_factory):
    device = devices[0]
    fleet = [simulator.SimDevice(device.mn, PW, "dust", clock_offset=-30)]
    opts = simulator.Options(rate=100, count=2, linger=5, hold=6)
    with gateway_factory(**FAST) as gw:
        opts.port = gw.port
        thread, box = run_fleet(fleet, opts)
        assert wait_for(lambda: on_writer(gw, seen, device))
        made = [
            on_writer(gw, request_command, device, kind, acting_user=world.office, params=params)
            for kind, params in [
                (CommandKind.GET_TIME, {}),
                (CommandKind.REALTIME, {}),
                (CommandKind.SET_MIN_INTERVAL, {"minutes": 5}),
            ]
        ]
        assert wait_for(
            lambda: all(status_of(c, gw) == CommandStatus.DONE for c in made), timeout=15
        )
        thread.join(30)
    get_time = made[0]
    assert get_time.drift_seconds == pytest.approx(-30, abs=3) and "偏差" in get_time.detail
    assert sorted(box["r"].commands) == ["1011", "1064", "2011"]
    assert made[1].result["uploads"] == 1


def test_commands_from_the_page_and_the_api_office_only(client, devices, world):
    device = devices[0]
    page = reverse("monitoring-device-commands", args=[device.pk])
    client.force_login(world.office)
    response = client.post(
        page,
        {"kind": "history", "begin": "2026-12-01T08:00", "end": "2026-12-01T10:00", "cn": "2051"},
    )
    assert response.status_code == 302
    command = DeviceCommand.objects.get()
    assert command.params["begin"].startswith("2026-12-01T08:00:00+08:00")
    assert command.created_by == world.office and command.reason == "人工下发"
    assert AuditEvent.objects.get(action="device_command.requested").actor == world.office
    bad = client.post(page, {"kind": "rtd_interval", "seconds": "5"})
    assert bad.status_code == 400 and "30" in bad.content.decode()
    detail = client.get(reverse("monitoring-device", args=[device.pk])).content.decode()
    assert "提取历史数据" in detail and "待发送" in detail
    api = f"/api/v1/monitoring/devices/{device.pk}/commands"
    made = client.post(api, {"kind": "get_time"}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["status"], made.json()["status_label"]) == ("queued", "待发送")
    listed = client.get(api).json()
    assert [c["kind_label"] for c in listed] == ["提取现场机时间", "提取历史数据（补采）"]
    client.force_login(world.huyi)
    assert client.post(page, {"kind": "get_time"}).status_code == 403
    assert (
        client.post(api, {"kind": "get_time"}, content_type="application/json").status_code == 403
    )
    assert DeviceCommand.objects.count() == 2


def test_a_frame_parsed_by_the_device_matches_the_request(world, devices):
    """The request builder's frames are ones the codec reads back (answer wanted, 2025 bits)."""
    from monitoring.hj212 import commands as C

    seg = C.request(
        "1012", mn="M", pw=PW, qn="20261201100000001", version_bits=2, cp=C.system_time_cp(tz.now())
    )
    frame = parse_frame(wrap(seg))
    assert frame.flag == 9 and frame.version == "2025" and frame.needs_ack


def test_a_command_for_a_whole_site_goes_to_each_device_or_to_none(client, devices, world):
    site = devices[0].site
    api = f"/api/v1/monitoring/sites/{site.pk}/commands"
    client.force_login(world.office)
    made = client.post(api, {"kind": "set_time"}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert sorted(c["device"] for c in made.json()) == ["DUST0000", "DUST0001", "DUST0002"]
    # one device still has an open time calibration: the whole request is refused
    DeviceCommand.objects.exclude(device=devices[1]).delete()
    again = client.post(api, {"kind": "set_time"}, content_type="application/json")
    assert again.status_code == 422 and "DUST0001" in again.json()["detail"]
    assert DeviceCommand.objects.count() == 1
    page = reverse("monitoring-device-commands", args=[devices[0].pk])
    response = client.post(page, {"kind": "get_time", "whole_site": "on"})
    assert response.status_code == 302
    assert DeviceCommand.objects.filter(kind=CommandKind.GET_TIME).count() == 3


def test_the_sweep_looks_for_gaps_every_ten_minutes_not_every_minute(devices, monkeypatch):
    calls = []
    monkeypatch.setattr(gaps, "request_refetch", lambda now: calls.append(now) or [])
    monkeypatch.setattr(gaps, "_last", {})
    t0 = tz.now()
    for minute in range(21):
        gaps.refetch_due(t0 + dt.timedelta(minutes=minute))
    assert [int((c - t0).total_seconds() // 60) for c in calls] == [0, 10, 20]


def test_2025_heartbeats_and_the_hardware_serial_are_answered_9013_not_quarantined(
    devices, gateway_factory
):
    """HJ 212-2025 adds a heartbeat (9015) and the data logger's hardware serial (1001), both
    answered 9013 when Flag asks; they used to land in the quarantine as 'not stored'."""
    from monitoring.models import Quarantine

    def notice(cn, qn, flag, cp=""):
        return wrap(build_segment(cn=cn, mn="DUST0000", pw=PW, st="39", qn=qn, flag=flag, cp=cp))

    serial = "i23005-Info=DL2025001;i23006-Info=CPU0A1B2C;i23007-Info=00-1A-2B-3C-4D-5E"
    with gateway_factory(**FAST) as gw:
        c = Client(gw.port)
        c.send(notice("9015", "20261201100000001", 9))  # wants an answer
        c.send(notice("9015", "20261201100000002", 8))  # does not
        c.send(notice("1001", "20261201100000003", 9, serial))
        answers = []
        deadline = time.monotonic() + 5
        while len(answers) < 2 and time.monotonic() < deadline:
            answers = requests_seen(c, "9013", timeout=0.5)
        assert wait_for(lambda: on_writer(gw, lambda: Device.objects.get(mn="DUST0000").hardware))
        c.close()
    assert sorted(a.qn for a in c.acks if a.cn == "9013") == [
        "20261201100000001",
        "20261201100000003",
    ]
    assert {a.flag for a in answers} == {8}
    device = Device.objects.get(mn="DUST0000")
    assert device.hardware == {
        "logger": "DL2025001",
        "cpu": "CPU0A1B2C",
        "mac1": "00-1A-2B-3C-4D-5E",
        "mac2": "",
    }
    assert not Quarantine.objects.exists()
    assert AuditEvent.objects.filter(action="device.hardware_reported").count() == 1
