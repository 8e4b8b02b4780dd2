"""400/403/404/500 pages are Chinese and in the site's layout (menu, stylesheet), never Django's
English defaults."""

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_chinese_in_the_sites_layout(client, world):
    client.force_login(world.huyi)
    response = client.get("/ledger/lines/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and 'id="mainnav"' in body and "Not Found" not in body
    anonymous = client.__class__().get("/no-such-page/").content.decode()
    assert "页面不存在" in anonymous and "信息公开" in anonymous


def test_a_refused_action_says_so_in_chinese(client, world):
    client.force_login(world.outsider)
    response = client.get("/units/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_a_server_error_page_needs_no_context_and_says_what_happened():
    response = defaults.server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in body and "lantian.css" in body and "Server Error" not in body


def test_bad_request_and_expired_form_pages_are_chinese():
    from django.contrib.auth.models import AnonymousUser
    from django.views.csrf import csrf_failure

    def request(method):
        made = getattr(RequestFactory(), method)("/")
        made.user = AnonymousUser()  # both run after the authentication middleware
        return made

    assert "请求有误" in defaults.bad_request(request("get"), None).content.decode()
    expired = csrf_failure(request("post"), reason="CSRF token missing")
    assert expired.status_code == 403 and "页面已过期" in expired.content.decode()
