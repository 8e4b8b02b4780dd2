"""Importing a plan costs a number of queries that does not grow with its tasks, units or
measures (issue 14: 2,153 queries for seed 000's 29 tasks, one per row): bulk writes."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.log import verify
from ledger.models import Assignment, Milestone, Target, Task
from ledger.tests.factories import ITEM_EIGHT, ITEM_SIX, ITEM_SIXTEEN, import_sample, unit

pytestmark = pytest.mark.django_db


def plan_of(count: int, tag: str) -> list[dict]:
    """``count`` tasks, each with district measures, milestones, a target, joint bodies, an
    open group and a unit the registry does not know (proposed)."""
    items = []
    for n in range(1, count + 1):
        for template in (ITEM_SIX, ITEM_EIGHT, ITEM_SIXTEEN):
            item = copy.deepcopy(template)
            item["no"] = len(items) + 1
            item["title"] = f"{tag} 问题 {item['no']}"
            item["units"] = [*item["units"], unit(f"{tag}新单位{n}", "responsible")]
            items.append(item)
    return items


def queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        result = callable_()
    return len(ctx), result


def test_a_small_and_a_large_plan_cost_the_same_number_of_queries(world):
    import_sample(world.office, title="先导入一个方案", source=b"warm")  # the audit head exists
    small, _ = queries(lambda: import_sample(world.office, *plan_of(1, "小"), title="小方案"))
    large, outcome = queries(
        lambda: import_sample(world.office, *plan_of(12, "大"), title="大方案", source=b"big")
    )
    plan = outcome.plan
    assert plan.tasks.count() == 36 and len(outcome.proposed_units) == 12
    assert large == small, (small, large)
    assert large < 60


def test_a_revision_costs_the_same_whatever_its_size(world):
    def revise(tag, count):
        first = import_sample(world.office, *plan_of(count, tag), title=f"{tag}方案", source=b"1")
        items = plan_of(count, tag)
        for item in items[::2]:
            item["title"] += "（修订）"
            item["measures"] = item["measures"][:1]
        items = items[:-1]  # the last task is dropped: withdrawn, not deleted
        n, second = queries(
            lambda: import_sample(world.office, *items, title=f"{tag}方案", source=b"2")
        )
        assert second.plan == first.plan and second.changes
        return n, second

    small, _ = revise("小", 2)
    large, second = revise("大", 10)
    assert large == small, (small, large)
    plan = second.plan
    assert plan.tasks.filter(withdrawn=True).count() == 1
    assert any(line.startswith("撤销任务") for line in second.changes)


def test_bulk_writes_keep_what_row_by_row_writes_kept(world):
    outcome = import_sample(world.office, *plan_of(2, "甲"), title="甲方案")
    plan = outcome.plan
    six = plan.tasks.get(no=1)
    committee = Assignment.objects.get(task=six, unit__name="鄠邑区委")
    assert committee.joint_with.unit.name == "鄠邑区政府" and not committee.works
    assert Milestone.objects.filter(task__plan=plan, measure__isnull=False).exists()
    assert Target.objects.filter(task__plan=plan).exists()
    assert Task.objects.filter(plan=plan, withdrawn=False).count() == 6
    # one audit event per task, and the chain still verifies
    assert not list(verify())
