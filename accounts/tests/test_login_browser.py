import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _Quiet:
    def write(self, text):
        pass


def test_the_login_page_is_chinese_and_the_demo_login_works(page, live_server, login):
    load_demo(_Quiet())
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    page.fill("#id_username", "office")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    # The click starts a navigation; page.content() read mid-navigation is "" (a CI flake).
    # expect() waits for the new page to carry the message.
    expect(page.locator("body")).to_contain_text("用户名或密码不正确")

    login("office", DEMO_PASSWORD)
    assert "欢迎" in page.locator("h1").inner_text()
    assert page.locator("nav.mainnav >> text=单位名录").is_visible()
    page.click("nav.mainnav >> text=单位名录")
    expect(page.locator("text=西安市发展和改革委员会").first).to_be_visible()
