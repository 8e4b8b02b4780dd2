"""The dashboard's figures are cached: a warm view reads no lines, and every change that moves a
figure — a status, an extension, a new day, an admin fix, whom the user acts for — shows on the
next view, each viewer seeing only figures of the lines they may see."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.models import Membership
from ledger import queries, services
from ledger.models import LedgerConfig, Task

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def figures(client):
    response = client.get("/api/v1/ledger/dashboard")
    assert response.status_code == 200
    return response.json()


def status_n(data, status):
    return next(row["n"] for row in data["by_status"] if row["status"] == status)


def test_a_warm_dashboard_reads_no_lines(client, world, plan, huyi_line):
    client.force_login(world.office)
    cold = client.get(reverse("ledger-dashboard")).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        warm = client.get(reverse("ledger-dashboard")).content.decode()
    lines = [q["sql"] for q in ctx.captured_queries if "ledger_assignment" in q["sql"]]
    assert lines == []
    assert warm.split("<h1>")[1] == cold.split("<h1>")[1]  # the same figures and lists


def test_a_status_change_shows_on_the_next_view(client, world, plan, huyi_line):
    client.force_login(world.office)
    before = figures(client)
    assert figures(client) == before  # warm
    services.transition(huyi_line, "start", acting_user=world.huyi)
    after = figures(client)
    assert status_n(after, "in_progress") == status_n(before, "in_progress") + 1
    assert status_n(after, "not_started") == status_n(before, "not_started") - 1


def test_an_extension_moves_a_line_out_of_overdue(client, world, plan, fume_line):
    with time_machine.travel(dt.datetime(2025, 3, 1, 2, tzinfo=UTC), tick=False):
        client.force_login(world.office)
        page = client.get(reverse("ledger-dashboard")).content.decode()
        assert f'href="{reverse("ledger-assignment", args=[fume_line.pk])}"' in page
        overdue = figures(client)["overdue_count"]
        services.extend_deadline(
            fume_line, to=dt.date(2025, 6, 30), reason="工程量大", acting_user=world.office
        )
        assert figures(client)["overdue_count"] == overdue - 1
        page = client.get(reverse("ledger-dashboard")).content.decode()
        assert page.count(f'href="{reverse("ledger-assignment", args=[fume_line.pk])}"') == 0


def test_a_new_day_in_beijing_turns_a_line_overdue(client, world, plan, fume_line):
    # 市城管局's item is due 2024-12-31: on that day it is due soon, the next it is overdue.
    client.force_login(world.office)
    with time_machine.travel(dt.datetime(2024, 12, 31, 15, 59, tzinfo=UTC), tick=False):
        last_day = figures(client)  # 23:59 in Beijing
    with time_machine.travel(dt.datetime(2024, 12, 31, 16, 1, tzinfo=UTC), tick=False):
        next_day = figures(client)  # 00:01 on 1 January in Beijing
    assert next_day["overdue_count"] == last_day["overdue_count"] + 1
    assert next_day["due_soon_count"] == last_day["due_soon_count"] - 1


def test_each_scope_gets_the_figures_of_its_own_lines(client, world, plan):
    today = dt.date(2025, 3, 1)
    seen = {}
    for name in ("huyi", "office", "lintong", "leader"):  # a unit officer fills the cache first
        user = getattr(world, name)
        seen[name] = queries.dashboard(user, today)
        assert seen[name] == queries.compute_dashboard(user, today), name
    assert seen["huyi"]["total"] < seen["office"]["total"] == seen["leader"]["total"]
    huyi_units = {r["unit__name"] for r in seen["huyi"]["by_unit"]}
    lintong_units = {r["unit__name"] for r in seen["lintong"]["by_unit"]}
    assert "临潼区政府" not in huyi_units and "临潼区政府" in lintong_units


def test_acting_for_another_unit_widens_the_next_view(client, world, plan):
    client.force_login(world.lintong)
    before = figures(client)
    Membership.objects.create(
        user=world.lintong, unit=world.unit("鄠邑区政府"), role=Role.UNIT_OFFICER
    )
    after = figures(client)
    assert after["total"] > before["total"]


def test_a_fix_made_in_the_admin_shows_on_the_next_view(client, world, plan):
    # The admin edits reference data outside the services (no audit event) but logs each edit.
    client.force_login(world.office)
    task = Task.objects.get(plan=plan, no=8)
    with time_machine.travel(dt.datetime(2025, 3, 1, 2, tzinfo=UTC), tick=False):
        overdue = figures(client)["overdue_count"]
        Task.objects.filter(pk=task.pk).update(deadline=dt.date(2025, 12, 31))
        LogEntry.objects.create(
            user=world.office,
            content_type=ContentType.objects.get_for_model(Task),
            object_id=str(task.pk),
            object_repr=str(task)[:200],
            action_flag=CHANGE,
        )
        assert figures(client)["overdue_count"] == overdue - 1


def test_the_api_counts_due_soon_lines_within_the_offices_window(client, world, plan, fume_line):
    config = LedgerConfig.get()
    config.due_soon_days = 7
    config.save()
    client.force_login(world.office)
    with time_machine.travel(dt.datetime(2024, 12, 11, 2, tzinfo=UTC), tick=False):
        page = client.get(reverse("ledger-dashboard")).context
        data = figures(client)  # 市城管局's item is due in 20 days: not within 7
    assert data["due_soon_count"] == page["due_soon_count"] == 0
