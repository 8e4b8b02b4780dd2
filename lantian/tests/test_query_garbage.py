"""Every page a person can open answers garbage in its query string (and its forms) with a page
or a clear refusal, never a server error (a letter where a district id was due made /crosscheck/
a 500).

Each GET page without path arguments is opened as the office and as a unit officer with every
query parameter the code reads set to values a careless link or a hostile one would carry.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# every name the views and filters read from request.GET (grep GET.get / from_query / FilterSets)
PARAMS = (
    "alarm "
    "alarm page status kind year month day week city unit district plan q lamp overdue due_within "
    "closed_month ongoing rule severity level mine sort type proposal episode task rev p area "
    "term days date start end from to code pollutant device site metric"
).split()
GARBAGE = ("abc", "\x00", "²", "-1", "99999999999999999999999", "2026-13-45", "%", "'\"<x>", "")
SKIP_PREFIXES = ("admin/", "api/", "logout", "static", "media")


def _get_urls(resolver=None, prefix="") -> list[str]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _get_urls(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            url = prefix + route.lstrip("^").rstrip("$")
            if not url.startswith(SKIP_PREFIXES):
                found.append("/" + url)
    return sorted(set(found))


def test_the_url_list_is_not_empty():
    urls = _get_urls()
    assert "/monitoring/" in urls and "/crosscheck/" in urls and len(urls) > 30


@pytest.mark.parametrize("garbage", GARBAGE)
def test_no_page_answers_garbage_in_its_query_with_a_server_error(client, world, garbage):
    from urllib.parse import urlencode

    query = urlencode({name: garbage for name in PARAMS})
    failures = []
    for user in (world.office, world.huyi, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in _get_urls():
            try:
                status = client.get(f"{url}?{query}").status_code
            except Exception as exc:  # noqa: BLE001 - a raised error is the failure we look for
                status = f"{type(exc).__name__}: {exc}"
            if not isinstance(status, int) or status >= 500:
                failures.append((getattr(user, "username", "anonymous"), url, status))
    assert failures == [], "\n".join(map(str, failures))


FIELDS = (
    PARAMS
    + (
        "title name text file units tasks deadline due note reason body content mn password "
        "unit_id answer passed conclusion visit_date statement"
    ).split()
)


@pytest.mark.parametrize("garbage", ["abc", "²", "99999999999999999999999", ""])
def test_no_form_answers_garbage_with_a_server_error(client, world, garbage):
    """Posting garbage to every page: a form with errors, a refusal or a redirect; never a 5xx.
    A 23-digit id in 督办's unit picker made SQLite raise OverflowError inside the form."""
    failures = []
    for user in (world.office, world.huyi):
        client.force_login(user)
        for url in _get_urls():
            try:
                status = client.post(url, {name: garbage for name in FIELDS}).status_code
            except Exception as exc:  # noqa: BLE001
                status = f"{type(exc).__name__}: {exc}"
            if not isinstance(status, int) or status >= 500:
                failures.append((user.username, url, status))
    assert failures == [], "\n".join(map(str, failures))


def test_a_number_out_of_range_in_a_form_says_so(client, world):
    client.force_login(world.office)
    response = client.post("/ledger/supervision/new/", {"units": "99999999999999999999999"})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "数字超出允许范围" in response.content.decode()
