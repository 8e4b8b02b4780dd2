"""The air-quality pages in a real browser: charts render, an owner answers a response item."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from airquality import detection, services
from airquality.choices import ResponseStatus
from airquality.models import ResponseItem
from airquality.tests.conftest import day_rows, hours_csv
from airquality.tests.test_responses import AT, NOW, hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_and_ranking_charts_render(page, live_server, login, world, stations, xian):
    rows = []
    for k in range(5):
        day = dt.date(2026, 10, 5) + dt.timedelta(days=k)
        for i, code in enumerate(stations):
            rows += day_rows(code, day, 25.0 + 30 * i)
    services.import_hours(hours_csv(rows), "h.csv", acting_user=world.office)
    services.import_dustfall(
        "区县,月份,降尘量\n鄠邑区,2026-10,6.2\n临潼区,2026-10,8.4\n".encode(),
        "d.csv",
        acting_user=world.office,
        city=xian,
    )
    # a dust-fall target of 西安's own (咸阳's 7 t never applies here: issue 16 item 7)
    from regulations.models import Regulation

    target = Regulation.objects.create(
        family="local_targets",
        code="西安市降尘目标（测试）",
        title="降尘量考核目标",
        effective_from=dt.date(2026, 1, 1),
        scope="西安市",
        priority=1,
        source="测试",
    )
    target.values.create(key="dustfall", value=8, unit="t/(km²·30d)")
    login("office", "pw-office")
    page.goto(f"{live_server.url}/air/?year=2026")
    page.wait_for_selector('#aqi-calendar[data-ready="1"] canvas')
    page.wait_for_selector('#district-bars[data-ready="1"] canvas')
    assert page.locator("nav.mainnav >> text=空气质量").is_visible()
    page.click("text=月度排名与降尘")
    page.wait_for_selector('#composite-bars[data-ready="1"] canvas')
    page.wait_for_selector('#dust-bars[data-ready="1"] canvas')
    assert page.locator("#ranking-table tbody tr").count() == 3
    assert page.locator("#dust-table >> text=超目标").count() == 1


def test_an_owner_answers_through_the_form(page, live_server, login, world, stations):
    hours(stations)
    with time_machine.travel(NOW, tick=False):
        detection.run_detection(AT)
    item = ResponseItem.objects.get(station=stations["1001A"])
    login("huyi", "pw-huyi")
    page.goto(f"{live_server.url}/air/responses/")
    page.click(f"a[href='/air/responses/{item.pk}/']")
    page.fill("#feedback textarea[name=cause]", "站点东侧道路施工扬尘")
    page.fill("#feedback textarea[name=measures]", "已停工洒水")
    page.click("#feedback button[type=submit]")
    page.wait_for_selector("text=已保存")
    item.refresh_from_db()
    assert item.status == ResponseStatus.FEEDBACK
    assert page.locator("#steps >> text=反馈").count() >= 1
