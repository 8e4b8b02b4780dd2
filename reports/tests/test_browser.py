"""The office generates an issue in a real browser, previews it with its charts and publishes
it; the page fits a phone (390×844) without sideways scrolling of the page itself."""

from __future__ import annotations

import pytest

from reports.tests.conftest import ISSUE_DAY


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_generates_previews_and_publishes(page, live_server, login, december, quick_charts):
    import time_machine

    with time_machine.travel(ISSUE_DAY.isoformat() + " 09:00 +08:00", tick=True):
        login("office", "pw-office")
        page.goto(f"{live_server.url}/reports/")
        page.fill("#id_month", "2023-12")
        page.click("#generate-form button[type=submit]")
        page.wait_for_selector("#preview")
        assert "2023年第1期" in page.inner_text("h1")
        assert page.locator("#preview img.report-chart").count() >= 2
        page.wait_for_function(
            "[...document.querySelectorAll('#preview img.report-chart')]"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        page.click("#publish-form button[type=submit]")
        page.wait_for_selector(".messages")
        assert "已印发" in page.inner_text("h1")
