"""Every menu entry and the start page, for every demo role, on the demo data: no errors.

The public (not logged in) reaches only the public pages; every internal page sends it to login.
"""

import io

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_USERS
from lantian.navigation import items_for

PUBLIC_PAGES = ["/public/", "/emergency/public/draws/", "/login/"]


@pytest.fixture
def demo(db):
    call_command("setup", "--demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_every_menu_entry_opens_for_every_role(client, demo, django_user_model):
    for username, *_ in DEMO_USERS:
        user = django_user_model.objects.get(username=username)
        client.force_login(user)
        home = client.get("/")
        assert home.status_code == 200, username
        entries = items_for(user)
        assert entries, username
        for entry in entries:
            response = client.get(entry["url"])
            assert response.status_code == 200, (username, entry["url"])
            assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_the_public_sees_public_pages_only(client, demo):
    for url in PUBLIC_PAGES:
        assert client.get(url).status_code == 200, url
    for url in [
        "/",
        "/ledger/",
        "/ledger/dashboard/",
        "/monitoring/",
        "/air/",
        "/emergency/",
        "/plans/import/",
        "/units/",
        "/audit/",
        "/notifications/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url


@pytest.mark.django_db
def test_the_start_page_shows_each_role_its_own_work(
    client, demo, django_user_model, django_assert_max_num_queries
):
    office = django_user_model.objects.get(username="office")
    huyi = django_user_model.objects.get(username="huyi")
    client.force_login(office)
    with django_assert_max_num_queries(70):  # the cards and the to-do list with its first rows
        page = client.get("/").content.decode()
    assert "已逾期" in page and "三级超标报警" in page and "重污染天气预警" in page
    client.force_login(huyi)
    mine = client.get("/").content.decode()
    assert "已逾期" in mine
    outsider = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert "暂无需要您处理的事项" in page
    assert "已逾期" not in page


@pytest.mark.django_db
def test_the_login_page_is_titled_with_the_platform_not_the_host(client):
    body = client.get("/login/").content.decode()
    assert "<title>登录 · 蓝天</title>" in body
    assert ">蓝天 <small>" in body
