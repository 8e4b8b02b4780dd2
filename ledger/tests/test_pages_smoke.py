"""Every page renders for the office; a quick net for template errors."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_render_for_the_office(client, world, plan, huyi_line):
    client.force_login(world.office)
    task = huyi_line.task
    for url in [
        reverse("ledger-task-list"),
        reverse("ledger-line-list") + "?overdue=1&q=扬尘",
        reverse("ledger-dashboard"),
        reverse("ledger-plan-list"),
        reverse("ledger-plan", args=[plan.pk]),
        reverse("ledger-task", args=[task.pk]),
        reverse("ledger-assignment", args=[huyi_line.pk]),
        reverse("ledger-report-new", args=[huyi_line.pk]),
        reverse("ledger-supervision-list"),
        reverse("ledger-supervision-new") + f"?task={task.pk}",
        reverse("ledger-proposals"),
        reverse("ledger-unit-list"),
        reverse("ledger-ranking"),
        reverse("ledger-import"),
        reverse("ledger-export"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_dashboard_charts_are_drawn_when_there_are_lines(client, world, plan):
    client.force_login(world.office)
    page = client.get(reverse("ledger-dashboard")).content.decode()
    assert 'id="chart-status"' in page and 'id="chart-units"' in page
    assert 'id="chart-burnup"' in page  # nothing closed yet, but the schedule is there


def test_a_dashboard_without_lines_says_why(client, world):
    client.force_login(world.office)
    page = client.get(reverse("ledger-dashboard")).content.decode()
    assert "导入整改方案或工作方案后" in page and 'id="chart-units"' not in page
    assert "事项到期或销号后，这里按月累计" in page and 'id="chart-burnup"' not in page
