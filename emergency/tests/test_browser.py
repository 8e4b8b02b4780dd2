"""Browser flows: the office turns a pasted forecast into a warning; a field inspector records a
visit with a photo on a phone-sized screen."""

import datetime as dt

import pytest

from accounts.choices import Role
from conftest import make_user
from emergency import services
from emergency.models import Case, Episode
from emergency.tests.conftest import make_enterprises
from lantian.lib import tz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_pastes_a_forecast_and_issues_the_proposed_warning(
    page, live_server, login, world
):
    login("office", "pw-office")
    page.goto(f"{live_server.url}/emergency/warning/")
    page.fill("#id_text", "2030-01-12,180\n2030-01-13,230\n2030-01-14,320\n2030-01-15,260\n")
    page.click("button:has-text('研判')")
    level = page.locator("#proposed-level")
    level.wait_for()
    assert level.get_attribute("data-level") == "orange"
    page.locator("#forecast-chart canvas").wait_for()
    assert page.input_value("#id_starts_at") == "2030-01-13T00:00"
    page.click("button:has-text('发布预警并通知各单位')")
    page.wait_for_url("**/emergency/episodes/*/")
    assert "橙色" in page.locator("h1").inner_text()
    page.locator("#timeline canvas").wait_for()
    episode = Episode.objects.get()
    assert episode.level == "orange" and episode.issued_by == world.office


def test_a_field_inspector_records_a_visit_on_a_phone(browser, live_server, world, tmp_path, city):
    make_enterprises(city, 300)
    inspector = make_user("jc_phone", ("鄠邑区政府", Role.INSPECTOR))
    now = tz.now()
    episode = services.issue_episode(
        city=city, level="orange", starts_at=now - dt.timedelta(hours=2), acting_user=world.office
    )
    round_ = services.commit_round(episode, tz.local_today(), acting_user=world.office)
    services.run_draw(round_, beacon="123", beacon_source="测试信标", acting_user=world.office)

    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "jc_phone")
    page.fill("#id_password", "pw-jc_phone")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{live_server.url}/emergency/inspections/")
    links = page.locator("table a")
    assert links.count() == 10  # the unit's quota, all still open
    links.first.click()
    page.wait_for_url("**/emergency/inspections/*/")
    page.check("input[name=measures_in_place][value='0']")
    page.check("input[name=facilities_running][value='1']")
    page.check("input[name=ledger_ok][value='0']")
    page.check("input[name=result][value='non_compliant']")
    page.fill("#id_findings", "喷涂工序未停产，台账与现场不符")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    page.set_input_files("#id_photos", str(photo))
    button = page.locator("button.primary")
    assert button.bounding_box()["width"] > 300  # a full-width button on a phone
    button.click()
    page.wait_for_selector("text=检查记录已保存")
    assert "未落实" in page.content() and "site.jpg" in page.content()
    case = Case.objects.get()
    assert case.inspection.inspector == inspector and case.owner_unit.name == "鄠邑区政府"
    context.close()
