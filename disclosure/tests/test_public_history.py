"""A published item's public page tells its story: dated status changes of each responsible
unit and the progress texts the office approved, without people or report texts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lantian.lib import tz
from ledger import services
from ledger.models import Assignment
from ledger.tests.factories import import_sample

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=tz.LOCAL_TZ))


def test_the_public_item_page_lists_dated_status_changes_and_approved_summaries(client, world):
    plan = import_sample(world.office).plan
    line = Assignment.objects.get(task__plan=plan, task__no=6, unit__name="鄠邑区政府")
    with at(dt.date(2024, 1, 20)):
        services.submit_report(
            line,
            period=dt.date(2024, 1, 1),
            narrative="内部进展：联系人张三 13800000000",
            percent=40,
            files=[SimpleUploadedFile("a.png", PNG)],
            acting_user=world.huyi,
        )
    with at(dt.date(2024, 2, 26)):
        services.apply_for_acceptance(line, note="申请验收", acting_user=world.huyi)
        services.set_task_public_summary(
            line.task, summary="鄠邑区已完成整改，待验收。", acting_user=world.office
        )
    services.publish_plan(plan, summary="公开", acting_user=world.office)

    page = client.get(reverse("disclosure-task", args=[line.task.pk])).content.decode()
    history = page[page.index('id="item-history"') :]
    assert "2024-01-20" in history and "鄠邑区政府、鄠邑区委：推进中" in history
    assert "2024-02-26" in history and "鄠邑区政府、鄠邑区委：申请验收" in history
    assert "公开进展说明：鄠邑区已完成整改，待验收。" in history
    assert "张三" not in page and "13800000000" not in page and "联络员" not in history
