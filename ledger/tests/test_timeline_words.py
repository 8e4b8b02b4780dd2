"""Timelines show words, not data: units by name with their roles, statuses by label, people
by name and unit, Beijing time (issue 10, reproduction 6)."""

import re

import pytest
from django.urls import reverse

from ledger import services
from ledger.tests.conftest import line_of

pytestmark = pytest.mark.django_db

REPR = re.compile(r"\{'|\['|': \[|\bNone\b|\bnot_started\b|\bin_progress\b|\bresponsible\b")


def test_a_tasks_timeline_names_units_and_roles(client, world, plan):
    task = plan.tasks.get(no=6)
    client.force_login(world.office)
    html = client.get(reverse("ledger-task", args=[task.pk])).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert "临潼区政府（整改责任单位）" in timeline
    assert not REPR.search(timeline), REPR.search(timeline)


def test_a_lines_timeline_shows_status_labels_and_the_persons_name(client, world, plan):
    world.huyi.first_name = "胡晓东"
    world.huyi.save()
    line = line_of(plan, 6, "鄠邑区政府")
    services.transition(line, "start", acting_user=world.huyi)
    client.force_login(world.huyi)
    html = client.get(reverse("ledger-assignment", args=[line.pk])).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert "未启动 → 推进中" in timeline
    assert "胡晓东（鄠邑区政府）" in timeline
    assert not REPR.search(timeline), REPR.search(timeline)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", timeline)
