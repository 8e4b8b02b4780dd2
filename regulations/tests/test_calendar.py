"""Calendars as data (issue 16 item 6): the holiday table lives in regulation data, loaded
from the calendar package and overridable by the office; 2027 (unknown to the package) no
longer silently treats the Spring Festival as working days; a deadline or clock in a year
without an official arrangement raises a notice; each alarm-ladder step says its clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Notification
from lantian.lib import workdays
from regulations import calendars, lookup

BEIJING = ZoneInfo("Asia/Shanghai")
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"""


def test_the_package_years_are_regulation_versions():
    version = lookup.version("workday_calendar", on=dt.date(2026, 7, 1))
    assert version.code == "节假日安排-2026" and version.verified
    holidays = version.number("holidays").value
    assert holidays["2026-02-17"] == "春节" and "2026-02-14" in version.number("workdays").value


def test_the_2027_spring_festival_is_no_longer_a_working_week():
    """The package does not know 2027; it used to give 2027-02-05…08 as working days."""
    for day in (5, 8):
        assert not workdays.is_workday(dt.date(2027, 2, day))
    assert workdays.is_workday(dt.date(2027, 2, 9))
    assert not workdays.is_known_year(2027)  # make-up days unpublished: still a gap
    assert workdays.calendar_gaps(dt.date(2026, 12, 30), dt.date(2027, 2, 10)) == [2027]
    assert "调休安排尚未发布" in workdays.gap_notice(2027)
    assert workdays.calendar_for(2031) is None
    assert "尚未录入" in workdays.gap_notice(2031)


def test_the_notice_text_is_read_into_holidays_and_make_up_days():
    holidays, made_up, problems = calendars.parse_notice(NOTICE_2026, 2026)
    assert problems == []
    package = {d.isoformat() for d in workdays._from_package(2026).holidays}
    assert set(holidays) == package
    assert made_up == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert calendars.parse_notice("这不是通知", 2026)[2]


def test_working_hours_skip_holidays_and_weekends():
    friday_evening = dt.datetime(2026, 9, 30, 20, tzinfo=BEIJING)  # the eve of National Day
    due = workdays.add_hours(friday_evening, 8, "working", BEIJING)
    assert due == dt.datetime(2026, 10, 8, 4, tzinfo=BEIJING)  # 4 h on the 30th, 4 h on the 8th
    natural = workdays.add_hours(friday_evening, 8, "natural", BEIJING)
    assert natural == dt.datetime(2026, 10, 1, 4, tzinfo=BEIJING)


@pytest.mark.django_db
def test_the_office_enters_2027_and_it_wins(client, world):
    text = (
        "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。\n"
        "二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月20日（周六）上班。"
    )
    client.force_login(world.office)
    page = client.get("/regulations/calendar/").content.decode()
    assert "2027" in page and "调休未发布" in page
    preview = client.post(
        "/regulations/calendar/", {"year": 2027, "title": "演示", "text": text, "preview": "1"}
    )
    assert "2月20日" in preview.content.decode()
    client.post(
        "/regulations/calendar/", {"year": 2027, "title": "演示", "text": text, "save": "1"}
    )
    assert workdays.is_known_year(2027)
    assert not workdays.is_workday(dt.date(2027, 2, 11))
    assert workdays.is_workday(dt.date(2027, 2, 20))  # a Saturday made a working day
    bad = client.post("/regulations/calendar/", {"year": 2028, "text": "随便写写", "save": "1"})
    assert "没有找到" in bad.content.decode()
    client.force_login(world.huyi)
    assert client.post("/regulations/calendar/", {"year": 2027, "text": text}).status_code == 403


@pytest.mark.django_db
def test_a_deadline_in_an_unknown_year_notifies_the_office_once(world):
    from regulations.notices import warn_calendar_gaps

    texts = warn_calendar_gaps([dt.date(2027, 3, 1)], context="督办办理时限")
    warn_calendar_gaps([dt.date(2027, 5, 1)], context="台账期限")
    assert texts and "2027" in texts[0]
    sent = Notification.objects.filter(user=world.office, kind="calendar.gap")
    assert sent.count() == 1 and "2027" in sent.get().title


@pytest.mark.django_db
def test_each_alarm_ladder_step_says_its_clock(world, devices_factory=None):
    from monitoring import workflow

    for kind in ("dust", "fume", "emission"):
        ladder = lookup.value("alarm_ladder", "levels", on=dt.date(2026, 6, 1), variant=kind).value
        assert all(rung["clock"] in ("natural", "working") for rung in ladder)
        assert workflow.response_clock(1, ladder) == "natural"
    assert (
        lookup.value("device_health", "response_clock", on=dt.date(2026, 6, 1)).value == "natural"
    )


@settings(max_examples=80, deadline=None)
@given(
    st.text(
        alphabet="一二三四五六七八九十、：:月日至年放假调休上班（）()，。0123456789\n 春节元旦",
        max_size=200,
    )
)
def test_any_pasted_text_is_read_or_refused_without_crashing(text):
    holidays, made_up, problems = calendars.parse_notice(text, 2027)
    assert all(d.startswith(("20", "19")) for d in holidays) or problems
