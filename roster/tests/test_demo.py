"""The demo shows 开机率 and the roster's 安装联网率 on the rates page (issue 16, done-when)."""

from __future__ import annotations

import io
import re

import pytest

from roster.models import Rollout, Roster

pytestmark = pytest.mark.django_db


def test_the_rates_page_shows_on_rate_and_roster_coverage_on_the_demo(client, world):
    from monitoring import demo as monitoring_demo
    from roster import demo

    monitoring_demo.load_demo(io.StringIO())
    demo.load_demo(io.StringIO())
    demo.load_demo(io.StringIO())  # idempotent
    assert Roster.objects.count() == 1 and Rollout.objects.count() == 1
    client.force_login(world.office)
    page = client.get("/monitoring/rates/").content.decode()
    table = page[page.index('id="on-rates"') : page.index('id="roster-coverage"')]
    assert "油烟" in table and "扬尘" in table and re.search(r"\d+%", table)
    rate = re.search(r'id="roster-rate">(\d+)%', page)
    assert rate and 0 < int(rate.group(1)) < 100
    assert "未达标单位清单" in page and "油烟在线监测安装推进" in page
