"""A real browser walks the demo as every role: the start page and every page reachable from the
menus (and each section's own sub-menu), at desktop width and at 390×844.

Every page answers < 400; its visible text holds no snake_case identifiers, English status words,
Python reprs, HJ 212 codes or ISO/UTC time stamps; on the phone no page is wider than the screen.
Each role's start page is saved as a screenshot (``var/test-artefacts/``) to look at.
The whole walk runs with ``LANTIAN_WALK=1`` (it loads the whole demo and opens ~700 pages);
the suite always runs a shorter one: a small demo (accounts, one plan's story, monitoring), every
role's start page and main-menu pages at 390×844, with the same checks.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

ROLES = ["office", "airoffice", "huyi", "chengguan", "zhujian", "inspector", "leader"]
ARTEFACTS = Path(settings.BASE_DIR) / "var" / "test-artefacts"

WORDS = {
    # a file name such as xian_2023_plan.txt is a name, not an identifier
    "snake_case": re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-]*\.\w{2,4}\b)\b"),
    "English status": re.compile(
        r"\b(?:open|closed|pending|draft|raised|dispatched|replied|handled|in_progress|returned|"
        r"applied|not_started|sustained|None|True|False)\b"
    ),
    "Python repr": re.compile(r"<[A-Z]\w*: |object at 0x|\{'|\['|QuerySet"),
    "HJ 212 code": re.compile(r"\b[a]\d{5}\b"),
    "UTC stamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|\bUTC\b"),
}


def problems_in(text: str) -> list[str]:
    return [
        f"{name}: {sorted(set(rx.findall(text)))[:5]}"
        for name, rx in WORDS.items()
        if rx.search(text)
    ]


def test_the_word_checks_catch_what_they_should():
    assert problems_in("状态 in_progress") and problems_in("状态 open") and problems_in("a34001")
    assert problems_in("<User: office>") and problems_in("2026-12-05T08:00") and problems_in("None")
    assert not problems_in(
        "鄠邑区 · 已验收销号 · 2026-12-05 16:00 · xian_2023_rectification_plan.txt"
    )


@pytest.fixture
def demo_site(transactional_db, live_server):
    call_command("setup", "--demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def small_demo(transactional_db, live_server, tmp_path, monkeypatch):
    """The demo's accounts, seed 000's ledger story (a sample plan, derived and replayed) and
    the monitoring demo: every menu page has something to show, in seconds."""
    import plans.demo
    from accounts.demo import load_demo as load_accounts
    from ledger.demo import SEED_TITLE
    from ledger.demo import load_demo as load_ledger
    from ledger.tests.factories import import_sample
    from monitoring.demo import load_demo as load_monitoring

    monkeypatch.setattr(plans.demo, "EXAMPLES", tmp_path)  # no full seed plans: seconds
    out = io.StringIO()
    load_accounts(out)
    import_sample(None, title=SEED_TITLE)
    load_ledger(out)
    load_monitoring(out)
    return live_server


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not h.startswith("/admin")]


def _words(page) -> str:
    """The page's visible text without its <code> elements: a placeholder a template author
    types (``{{ by_kind }}``) or a raw HJ 212 frame is shown as-is on purpose. The elements are
    emptied in the live page (innerText needs the layout); the walk navigates away after."""
    page.evaluate("() => document.querySelectorAll('code').forEach(e => { e.textContent = ''; })")
    return page.inner_text("body")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.browser
@pytest.mark.skipif(
    not os.environ.get("LANTIAN_WALK"),
    reason="loads the whole demo and walks ~700 pages (minutes): run with LANTIAN_WALK=1",
)
def test_every_role_walks_every_menu_page_in_words_and_on_a_phone(browser, demo_site):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    base = demo_site.url
    failures: list[str] = []
    for username in ROLES:
        for label, viewport in (("desktop", (1366, 900)), ("phone", (390, 844))):
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            _sign_in(page, base, username)
            page.goto(f"{base}/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTEFACTS / f"home-{username}-{label}.png"), full_page=True)
            pages = ["/", *_links(page, "#mainnav a")]
            for href in list(pages[1:]):
                page.goto(base + href)
                pages += [h for h in _links(page, "main .subnav a") if h not in pages]
            for href in dict.fromkeys(pages):
                response = page.goto(base + href)
                where = f"{username} {label} {href}"
                if response is None or response.status >= 400:
                    failures.append(f"{where}: status {response and response.status}")
                    continue
                if label == "phone":
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > viewport[0]:
                        failures.append(f"{where}: {width}px wide")
                else:
                    failures += [f"{where}: {p}" for p in problems_in(_words(page))]
            context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_every_role_sees_its_menu_in_words_on_a_phone(browser, small_demo):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    base = small_demo.url
    failures: list[str] = []
    for username in ROLES:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        _sign_in(page, base, username)
        page.goto(f"{base}/")
        page.screenshot(path=str(ARTEFACTS / f"home-{username}-phone-small.png"), full_page=True)
        for href in dict.fromkeys(["/", *_links(page, "#mainnav a")]):
            response = page.goto(base + href)
            where = f"{username} {href}"
            if response is None or response.status >= 400:
                failures.append(f"{where}: status {response and response.status}")
                continue
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                failures.append(f"{where}: {width}px wide")
            failures += [f"{where}: {p}" for p in problems_in(_words(page))]
        context.close()
    assert not failures, "\n".join(failures)
