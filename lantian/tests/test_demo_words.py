"""What a person sees is words (issue 10): the demo's pages, as the office, a unit officer and
the public, and the main API lists hold no Python repr, no internal status code shown as a word
and no UTC time stamp.

The Django test client opens every page reachable from the menus (and each section's own
sub-menu) and a sample of the detail pages they link to (one per kind of link), and the main API
list endpoints; the visible text of each page (scripts, styles and attributes left out) and every
string of each API answer are checked. The browser walk (``test_walk_browser``) does the same in
Chromium for every role, behind ``LANTIAN_WALK=1``.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from accounts.demo import DEMO_PASSWORD
from lantian.tests.test_walk_browser import problems_in

API_LISTS = [
    "/api/v1/ledger/tasks",
    "/api/v1/ledger/lines",
    "/api/v1/ledger/supervisions",
    "/api/v1/monitoring/devices",
    "/api/v1/monitoring/alarms",
    "/api/v1/monitoring/cases",
    "/api/v1/emergency/episodes",
    "/api/v1/emergency/enterprises",
    "/api/v1/emergency/plans",
    "/api/v1/air/stations",
    "/api/v1/air/responses",
    "/api/v1/crosscheck/findings",
]
# In an API answer the codes are the contract; a repr or a UTC stamp never is.
API_WORDS = {
    "Python repr": re.compile(r"<[A-Z]\w*: |object at 0x|\{'|\['|QuerySet"),
    "UTC stamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)"),
}
# Not read as words: scripts and styles, and names a person types (placeholders shown as code).
HIDDEN = ("script", "style", "template", "code", "kbd")
DETAIL = re.compile(r"^/[\w/-]*?/\d+/(?:[\w-]+/)?$")
SKIP = re.compile(r"^/(?:admin|logout|api|static|media)/|/(?:export|source|download|file)\b")


class _Page(HTMLParser):
    """The visible text of a page and the links in it (by where they sit)."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.nav: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._in_nav = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        if tag == "nav" or "subnav" in (attrs.get("class") or ""):
            self._in_nav += 1
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("/") and not SKIP.search(href.split("?")[0]):
            (self.nav if self._in_nav else self.links).append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _read(client: Client, url: str, failures: list[str], who: str) -> _Page | None:
    response = client.get(url)
    if response.status_code in (301, 302, 403, 404):
        return None  # not this person's page
    if response.status_code != 200:
        failures.append(f"{who} {url}: status {response.status_code}")
        return None
    if "text/html" not in response.get("Content-Type", ""):
        return None
    page = _Page()
    page.feed(response.content.decode())
    failures += [f"{who} {url}: {p}" for p in problems_in(" \n".join(page.text))]
    return page


def _walk(client: Client, start: list[str], who: str, failures: list[str]) -> int:
    """Menu pages (and their sub-menus), then one detail page per kind of link."""
    seen: dict[str, _Page | None] = {}
    queue = list(start)
    while queue:  # the menus and sub-menus
        url = queue.pop(0)
        if url in seen:
            continue
        seen[url] = page = _read(client, url, failures, who)
        if page is not None:
            queue += [h for h in page.nav if h not in seen and not DETAIL.match(h.split("?")[0])]
    kinds: dict[str, str] = {}
    for page in list(seen.values()):
        for href in page.links if page else []:
            path = href.split("?")[0]
            if DETAIL.match(path):
                kinds.setdefault(re.sub(r"\d+", "N", path), href)
    for href in kinds.values():
        if href not in seen:
            seen[href] = _read(client, href, failures, who)
    return len(seen)


def _api_problems(data, where: str) -> list[str]:
    strings: list[str] = []

    def collect(value):
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, str):
            strings.append(value)

    collect(data)
    text = "\n".join(strings)
    return [
        f"{where}: {name}: {sorted(set(rx.findall(text)))[:5]}"
        for name, rx in API_WORDS.items()
        if rx.search(text)
    ]


@pytest.fixture
def demo(transactional_db):
    call_command("setup", "--demo", stdout=io.StringIO())


def _action_codes_in(text: str) -> list[str]:
    from audit.models import AuditEvent

    codes = set(AuditEvent.objects.values_list("action", flat=True))
    return sorted(c for c in codes if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", text))


def test_the_demo_shows_words_to_the_office_a_unit_and_the_public(demo):
    users = get_user_model().objects
    failures: list[str] = []
    # sign-ins through the real form: a failure and a success land in the audit log
    visitor = Client()
    visitor.post("/login/", {"username": "huyi", "password": "not-the-password"})
    visitor.post("/login/", {"username": "huyi", "password": DEMO_PASSWORD})
    office = Client()
    office.force_login(users.get(username="office"))
    audit = _Page()
    audit.feed(office.get("/audit/").content.decode())
    audit_text = " \n".join(audit.text)
    assert "登录失败" in audit_text and "登录" in audit_text
    assert _action_codes_in(audit_text) == []
    counts = {}
    for who in ("office", "huyi", None):
        client = Client()
        if who:
            client.force_login(users.get(username=who))
        start = ["/", "/audit/"] if who else ["/public/"]
        counts[who or "public"] = _walk(client, start, who or "public", failures)
        if who:
            for url in API_LISTS:
                response = client.get(url)
                if response.status_code == 200:
                    failures += _api_problems(response.json(), f"{who} {url}")
    assert counts["office"] > 30 and counts["huyi"] > 10 and counts["public"] > 3, counts
    assert not failures, "\n".join(failures)
