"""Shared fixtures: the small world of users with different rights, and a real browser.

The world always includes people who must be refused: ``outsider`` (logged in, no role) and
the anonymous public (healthchecks' "Charlie").
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.choices import Role


@pytest.fixture(autouse=True, scope="session")
def _short_demo_history():
    """``setup --demo`` in tests replays two months of reports per line, not the whole year."""
    from django.conf import settings

    settings.LANTIAN_DEMO_REPORT_MONTHS = 2


CHROMIUM = os.environ.get("LANTIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
GOLD_DIR = Path(__file__).parent / "testdata" / "gold"
EXAMPLES_DIR = Path(__file__).parent / "examples" / "plans"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANTIAN_AUDIT_CHECKPOINTS = tmp_path / "audit" / "checkpoints.jsonl"
    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rolled-back test data never fires the signals that clear the regulations cache.
    from regulations.lookup import clear_cache

    clear_cache()
    # Cached figures are keyed by the latest audit event, whose id a rolled-back test can
    # hand to the next one (SQLite reuses it): each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once; transactional tests that flush it reload it on demand."""
    from accounts.registry import load_registry
    from regulations.loading import load_regulations

    with django_db_blocker.unblock():
        load_registry()
        load_regulations()


@pytest.fixture
def registry(db):
    """The unit registry of both seed cities, loaded from the packaged data file."""
    from accounts.models import District
    from accounts.registry import load_registry

    if not District.objects.exists():
        load_registry()
    return {d.name: d for d in District.objects.filter(parent=None)}


@dataclass
class World:
    office: object
    leader: object
    huyi: object
    lintong: object
    reviewer: object
    inspector: object
    outsider: object

    def unit(self, name: str, city: str = "西安市"):
        from accounts.models import Unit

        return Unit.objects.get(city__name=city, name=name)


def make_user(username: str, *memberships: tuple[str, str], city: str = "西安市"):
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Unit

    user = get_user_model().objects.create_user(username, password="pw-" + username)
    for unit_name, role in memberships:
        unit = Unit.objects.get(city__name=city, name=unit_name)
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world(registry):
    return World(
        office=make_user("office", ("市生态环境保护督察整改工作领导小组办公室", Role.OFFICE_ADMIN)),
        leader=make_user("leader", ("西安市政府", Role.LEADER)),
        huyi=make_user("huyi", ("鄠邑区政府", Role.UNIT_OFFICER), ("鄠邑区委", Role.UNIT_OFFICER)),
        lintong=make_user("lintong", ("临潼区政府", Role.UNIT_OFFICER)),
        reviewer=make_user("reviewer", ("西安市住房和城乡建设局", Role.REVIEWER)),
        inspector=make_user("inspector", ("西安市生态环境局", Role.INSPECTOR)),
        outsider=make_user("outsider"),
    )


def chromium_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"Chromium not found at {CHROMIUM} (make test installs it with apt when run as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """``login(username, password)`` signs in through the real login form."""

    def sign_in(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)

    return sign_in


# Document readers run in a child process with a wall-clock limit (lantian/lib/safedocs.py,
# 15 s in production); a loaded test machine must not turn a large legitimate workbook into a
# refusal. The tests of the limit itself pass their own tight limits.
os.environ.setdefault("LANTIAN_DOC_SECONDS", "120")
