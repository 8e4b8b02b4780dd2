"""The anomaly response loop: detection opens items, owners feed back, the office evaluates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404

from accounts.access import CHANGE, VIEW, can, get_for_user
from accounts.models import Notification
from airquality import detection, services
from airquality.choices import AnomalyKind, AnomalyScope, ResponseStatus, StepKind
from airquality.models import DailyValue, HourlyObservation, ResponseItem
from airquality.tests.conftest import district
from audit.models import AuditEvent
from lantian.lib.tz import LOCAL_TZ

AT = dt.datetime(2026, 10, 12, 11, tzinfo=LOCAL_TZ)
NOW = dt.datetime(2026, 10, 12, 11, 40, tzinfo=LOCAL_TZ)
H = dt.timedelta(hours=1)


def hours(stations, *, rising=("1001A",), peak=110.0, rise_hours=2, until=AT):
    """30 quiet hours (PM2.5 30) for every station, the last ``rise_hours`` high at ``rising``."""
    rows = []
    for code, station in stations.items():
        for k in range(30):
            time = until - k * H
            value = peak if code in rising and k < rise_hours else 30.0
            rows.append(HourlyObservation(station=station, time=time, pm25=value, pm10=60.0))
    HourlyObservation.objects.bulk_create(rows, ignore_conflicts=True)


@pytest.fixture
def rise(stations, world, django_capture_on_commit_callbacks):
    hours(stations)
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        return detection.run_detection(AT)


def station_item(stations) -> ResponseItem:
    return ResponseItem.objects.get(scope=AnomalyScope.STATION, station=stations["1001A"])


def test_a_local_rise_opens_items_for_the_station_and_its_district(rise, stations, world, xian):
    opened = {(i.scope, i.pollutant) for i in rise.opened}
    assert opened == {(AnomalyScope.STATION, "pm25"), (AnomalyScope.DISTRICT, "pm25")}
    item = station_item(stations)
    assert item.owner == world.unit("鄠邑区政府")
    assert item.district == district(xian, "鄠邑区")
    assert (item.value, item.baseline, item.status) == (110.0, 30.0, ResponseStatus.INVESTIGATING)
    assert item.deadline == item.opened_at + dt.timedelta(hours=24)  # feedback_hours (rise)
    assert item.steps.get().kind == StepKind.OPENED
    assert AuditEvent.objects.filter(action="airquality.response_opened").count() == 2
    note = Notification.objects.filter(user=world.huyi, title__contains="鄠邑草堂").get()
    assert note.url == f"/air/responses/{item.pk}/"
    assert not Notification.objects.filter(user=world.lintong).exists()


def test_quiet_stations_open_nothing(rise, stations):
    assert not ResponseItem.objects.filter(station=stations["1003A"]).exists()


def test_running_again_opens_nothing_and_an_ongoing_rise_extends_the_item(rise, stations):
    with time_machine.travel(NOW, tick=False):
        again = detection.run_detection(AT)
    assert again.opened == [] and ResponseItem.objects.count() == 2
    HourlyObservation.objects.create(station=stations["1001A"], time=AT + H, pm25=140.0)
    for code in ("1002A", "1003A", "1004A"):
        HourlyObservation.objects.create(station=stations[code], time=AT + H, pm25=30.0)
    with time_machine.travel(NOW + H, tick=False):
        later = detection.run_detection(AT + H)
    assert later.opened == [] and station_item(stations) in later.extended
    item = station_item(stations)
    assert (item.period_end, item.value) == (AT + 2 * H, 140.0)


def test_a_regional_episode_opens_nothing(stations):
    hours(stations, rising=tuple(stations))
    assert detection.run_detection(AT).opened == []


def test_latest_hour_is_found_without_at(stations):
    hours(stations)
    with time_machine.travel(NOW, tick=False):
        assert detection.latest_hour() == AT
        assert len(detection.run_detection().opened) == 2


@pytest.mark.parametrize(
    ("who", "view", "change"),
    [
        ("office", True, True),
        ("leader", True, False),
        ("huyi", True, True),
        ("lintong", False, False),
        ("inspector", False, False),
        ("outsider", False, False),
    ],
)
def test_who_sees_and_handles_an_item(rise, stations, world, who, view, change):
    item = station_item(stations)
    user = getattr(world, who)
    assert can(user, VIEW, item) is view
    assert can(user, CHANGE, item) is change


def test_the_full_loop_feedback_return_feedback_accept(
    rise, stations, world, django_capture_on_commit_callbacks
):
    item = station_item(stations)
    with (
        time_machine.travel(NOW + 3 * H, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.add_note(item, "已派人赴草堂周边巡查", acting_user=world.huyi)
        services.submit_feedback(
            item,
            cause="站点东侧道路施工扬尘",
            measures="停工洒水，加盖防尘网",
            acting_user=world.huyi,
        )
    item.refresh_from_db()
    assert item.status == ResponseStatus.FEEDBACK
    # 2026-10-12 is a Monday: three working days later is Thursday 10-15, end of day
    assert item.deadline == dt.datetime(2026, 10, 15, 23, 59, 59, 999999, tzinfo=LOCAL_TZ)
    assert Notification.objects.filter(user=world.office, title__contains="待评估").exists()
    with time_machine.travel(NOW + 30 * H, tick=False):
        services.evaluate(item, accepted=False, opinion="未说明复测结果", acting_user=world.office)
    item.refresh_from_db()
    assert (item.status, item.rounds) == (ResponseStatus.INVESTIGATING, 1)
    assert item.deadline == NOW + 30 * H + 24 * H
    services.submit_feedback(
        item, cause="同上", measures="复测 PM2.5 已回落至 35", acting_user=world.huyi
    )
    services.evaluate(item, accepted=True, opinion="", acting_user=world.office)
    item.refresh_from_db()
    assert item.status == ResponseStatus.CLOSED and item.closed_at is not None
    kinds = list(item.steps.values_list("kind", flat=True))
    assert kinds == ["opened", "note", "feedback", "returned", "feedback", "accepted"]
    actions = AuditEvent.objects.filter(
        object_id=str(item.pk), object_type="airquality.responseitem"
    )
    assert actions.filter(action="airquality.response_evaluated").count() == 2


def test_others_are_refused(rise, stations, world):
    item = station_item(stations)
    with pytest.raises(Http404):
        get_for_user(ResponseItem, world.lintong, item.pk)
    with pytest.raises(PermissionDenied):
        services.submit_feedback(item, cause="x", measures="y", acting_user=world.lintong)
    with pytest.raises(PermissionDenied):
        services.submit_feedback(item, cause="x", measures="y", acting_user=world.leader)
    services.submit_feedback(item, cause="x", measures="y", acting_user=world.huyi)
    with pytest.raises(PermissionDenied):
        services.evaluate(item, accepted=True, opinion="", acting_user=world.huyi)


def test_transitions_out_of_order_are_refused(rise, stations, world):
    item = station_item(stations)
    with pytest.raises(ValidationError):
        services.evaluate(item, accepted=True, opinion="", acting_user=world.office)
    with pytest.raises(ValidationError):
        services.submit_feedback(item, cause="", measures="y", acting_user=world.huyi)
    services.submit_feedback(item, cause="x", measures="y", acting_user=world.huyi)
    with pytest.raises(ValidationError):
        services.submit_feedback(item, cause="x", measures="y", acting_user=world.huyi)
    with pytest.raises(ValidationError, match="理由"):
        services.evaluate(item, accepted=False, opinion=" ", acting_user=world.office)


def test_the_office_can_dismiss_a_false_alarm_with_a_reason(rise, stations, world):
    item = station_item(stations)
    with pytest.raises(ValidationError):
        services.dismiss(item, reason="", acting_user=world.office)
    services.dismiss(item, reason="仪器校准期间数据漂移", acting_user=world.office)
    item.refresh_from_db()
    assert item.status == ResponseStatus.DISMISSED and not item.is_open


def test_overdue_items_are_urged_once_a_day(
    rise, stations, world, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOW + 25 * H, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.remind_overdue() == 2
        assert services.remind_overdue() == 0
    assert Notification.objects.filter(user=world.huyi, title__contains="超时").count() == 2
    with time_machine.travel(NOW + 49 * H, tick=False):
        assert services.remind_overdue() == 2


def test_a_persistently_high_station_opens_one_item(stations, world):
    last = dt.date(2026, 10, 11)
    rows = []
    for k in range(7):
        day = last - dt.timedelta(days=k)
        for code, station in stations.items():
            value = 80.0 if code == "1003A" and k != 2 and k != 4 else 50.0
            rows.append(DailyValue(station=station, date=day, pm25=value, pm10=90.0))
    DailyValue.objects.bulk_create(rows)
    with time_machine.travel(NOW, tick=False):
        report = detection.run_detection(AT)
        again = detection.run_detection(AT)
    [item] = [i for i in report.opened if i.kind == AnomalyKind.PERSISTENT]
    assert (item.station, item.owner) == (stations["1003A"], world.unit("临潼区政府"))
    assert len(item.detail["high_days"]) == 5 and item.value == 80.0
    # five working days from Monday 10-12: Monday 10-19
    assert item.deadline.date() == dt.date(2026, 10, 19)
    assert again.opened == []


def test_the_command_runs_one_pass(stations, world):
    hours(stations)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("detectanomalies", "--at", "2026-10-12T11:00", stdout=out)
    assert "新开响应单 2 件" in out.getvalue() and "鄠邑区政府" in out.getvalue()


def test_the_command_refuses_a_bad_time(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="无法识别"):
        call_command("detectanomalies", "--at", "yesterday")
