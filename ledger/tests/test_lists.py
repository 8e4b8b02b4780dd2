import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def test_the_task_list_shows_each_item_with_its_units_status(client, world, plan, huyi_line):
    client.force_login(world.office)
    body = client.get(reverse("ledger-task-list")).content.decode()
    for task in plan.tasks.all():
        assert f'id="task-{task.pk}"' in body
    assert "鄠邑区政府 · 未启动" in body and "临潼区政府 · 未启动" in body


def test_a_unit_sees_its_tasks_and_only_its_own_part_of_them(client, world, plan, huyi_line):
    client.force_login(world.huyi)
    body = client.get(reverse("ledger-task-list")).content.decode()
    assert f'id="task-{huyi_line.task_id}"' in body
    assert "鄠邑区政府 · " in body and "临潼区政府 · " not in body
    assert f'id="task-{plan.tasks.get(no=8).pk}"' not in body  # 市城管局's item


def test_filters_narrow_tasks_and_lines_alike(client, world, plan, huyi_line):
    with time_machine.travel(dt.datetime(2024, 3, 20, 9, tzinfo=LOCAL_TZ), tick=False):
        services.submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="进展",
            percent=10,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    client.force_login(world.office)
    tasks = client.get(reverse("ledger-task-list") + "?status=in_progress").content.decode()
    assert f'id="task-{huyi_line.task_id}"' in tasks
    assert f'id="task-{plan.tasks.get(no=8).pk}"' not in tasks
    lines = client.get(reverse("ledger-line-list") + "?status=in_progress").content.decode()
    assert f'id="line-{huyi_line.pk}"' in lines and lines.count('<tr id="line-') == 1
    found = client.get(reverse("ledger-line-list") + "?q=临潼区政府").content.decode()
    assert found.count('<tr id="line-') == 1
    htmx = client.get(reverse("ledger-task-list") + "?q=餐饮", headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and "餐饮" in htmx.content.decode()


def test_a_unit_files_its_detailed_plan_and_versions_are_kept(client, world, plan):
    client.force_login(world.huyi)
    url = reverse("ledger-detailed-plan", args=[plan.pk])
    unit = world.unit("鄠邑区政府")
    client.post(url, {"unit": unit.pk, "note": "初稿", "files": [pdf("细化方案.pdf")]})
    client.post(url, {"unit": unit.pk, "note": "修订", "files": [pdf("细化方案v2.pdf")]})
    filings = plan.detailed_plans.filter(unit=unit).order_by("version")
    assert [f.version for f in filings] == [1, 2]
    # 临潼区 cannot file for 鄠邑区.
    client.force_login(world.lintong)
    client.post(url, {"unit": unit.pk, "files": [pdf()]})
    assert plan.detailed_plans.count() == 2
    page = client.get(reverse("ledger-plan", args=[plan.pk])).content.decode()
    assert "细化方案.pdf" not in page  # another unit's filing is not shown to 临潼区
