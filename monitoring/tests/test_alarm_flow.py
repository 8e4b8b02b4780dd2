"""End to end: a simulated dust exceedance over the gateway → a level-1 alarm → escalation by
the ladder → an officer handles and replies → the office closes → the ledger shows it all."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import Notification
from monitoring import services, simulator
from monitoring.models import Alarm, AlarmAction, Reading
from monitoring.tests.conftest import run_async

BEIJING = ZoneInfo("Asia/Shanghai")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def stream(port, mn, *, hours, start_hour, exceed):
    dev = simulator.SimDevice(mn, "123456", "dust", exceed=exceed)
    opts = simulator.Options(
        port=port,
        rate=2000,
        count=60 * hours,
        step=60,
        linger=20,
        start=dt.datetime(2024, 6, 1, start_hour, 0, tzinfo=BEIJING),
    )
    report = run_async(lambda: simulator.simulate([dev], opts))
    assert report.acked == 60 * hours
    return report


@pytest.mark.django_db(transaction=True)
def test_dust_exceedance_alarm_end_to_end(world, devices, gateway_factory, client):
    device = devices[0]  # earthworks site: DB61/1078 TSP 0.8 mg/m³, hourly mean
    with gateway_factory(judge_every=0) as gw:
        stream(gw.port, device.mn, hours=3, start_hour=8, exceed=3.0)  # ≈900 µg/m³
    assert Reading.objects.filter(device=device, code="a34001").count() == 180

    noon = dt.datetime(2024, 6, 1, 12, 0, tzinfo=BEIJING)
    with time_machine.travel(noon, tick=False):
        call_command("checkdevices", stdout=io.StringIO())
    alarm = Alarm.objects.get(device=device, kind="exceedance")
    assert (alarm.level, alarm.status, alarm.dispatched_to.name) == (1, "dispatched", "鄠邑区政府")
    assert alarm.limit == pytest.approx(800.0) and alarm.peak > 800
    assert "DB61/1078-2017" in alarm.basis
    assert alarm.due_at == noon + dt.timedelta(hours=24)
    assert Notification.objects.filter(user=world.huyi, kind="alarm").exists()

    # the site keeps exceeding: the same alarm is extended, no new alarm
    with gateway_factory(judge_every=0) as gw:
        stream(gw.port, device.mn, hours=1, start_hour=11, exceed=3.0)
    with time_machine.travel(noon + dt.timedelta(hours=1), tick=False):
        call_command("checkdevices", stdout=io.StringIO())
    assert Alarm.objects.filter(device=device, kind="exceedance").count() == 1
    alarm.refresh_from_db()
    assert alarm.count == 3 and alarm.level == 1  # 09–10, 10–11, then 11–12 once it came

    # nobody acts within the level-1 response time: escalated by the ladder to level 2 (4 h)
    late = noon + dt.timedelta(hours=25)
    with time_machine.travel(late, tick=False):
        call_command("checkdevices", stdout=io.StringIO())
    alarm.refresh_from_db()
    assert (alarm.level, alarm.escalations) == (2, 1)
    assert alarm.due_at == late + dt.timedelta(hours=4)

    # another district's officer may not touch it
    with pytest.raises(PermissionDenied):
        services.investigate_alarm(alarm, acting_user=world.lintong)
    with pytest.raises(PermissionDenied):
        services.close_alarm(alarm, acting_user=world.huyi)

    with time_machine.travel(late + dt.timedelta(hours=1), tick=False):
        services.investigate_alarm(alarm, acting_user=world.huyi, note="到场核查")
        services.handle_alarm(
            alarm,
            acting_user=world.huyi,
            measures="裸土覆盖、雾炮降尘、停止土方作业",
            evidence=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        )
        services.reply_alarm(alarm, acting_user=world.huyi, reply="已整改，复测达标")
        services.open_case(
            alarm,
            acting_user=world.office,
            number="鄠环罚〔2024〕12号",
            opened_on=dt.date(2024, 6, 2),
            authority=world.unit("西安市生态环境局"),
        )
        services.close_alarm(alarm, acting_user=world.office, note="复核通过")
    alarm.refresh_from_db()
    assert alarm.status == "closed" and alarm.closed_at is not None

    kinds = list(AlarmAction.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds == [
        "raise",
        "dispatch",
        "escalate",
        "investigate",
        "handle",
        "reply",
        "case",
        "close",
    ]

    client.force_login(world.office)
    response = client.get("/monitoring/alarms/ledger.xlsx?status=all&kind=exceedance")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    ledger = list(book["报警台账"].iter_rows(values_only=True))
    assert ledger[1][:8] == (
        alarm.pk,
        "鄠邑区",
        device.site.name,
        device.mn,
        "超标",
        "总悬浮颗粒物 TSP",  # a name, never the HJ 212 code
        2,
        "已办结",
    )
    assert ledger[1][-1] == "鄠环罚〔2024〕12号"
    steps = [row[2] for row in book["处置过程"].iter_rows(min_row=2, values_only=True)]
    assert steps == ["报警", "派发", "超时升级", "核查", "处置", "答复", "立案", "办结"]

    page = client.get(f"/monitoring/alarms/{alarm.pk}/")
    assert "裸土覆盖" in page.content.decode() and "现场.png" in page.content.decode()
    client.force_login(world.outsider)
    assert client.get(f"/monitoring/alarms/{alarm.pk}/").status_code in (403, 404)
    client.force_login(world.lintong)
    assert client.get(f"/monitoring/alarms/{alarm.pk}/").status_code == 404
    assert client.get("/monitoring/alarms/ledger.xlsx?status=all").status_code == 200
