"""Notices name people and telephone numbers (责任人/联系人/联系电话): the import keeps them
with the task for the office, never on public pages; the completion claim and the place are
kept too (issue 14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledger import services
from ledger.models import Task
from plans.extract import parse_text

pytestmark = pytest.mark.django_db

NOTICE = """关于城区道路扬尘问题整改情况的公示
【点位名称】中江大道路段
【所属区域】弋江区
【主管单位】市城管局
【存在问题】此路段道路积尘严重，车过尘起。
【整改要求】道路常态化做好保洁工作。
【整改期限】立行立改
整改完成情况：已完成冲洗保洁。
责任人：张三
联系电话：13912345678
"""


def test_contacts_stay_inside_and_the_public_sees_none_of_them(client, world):
    extraction = parse_text(NOTICE, year=2024)
    (item,) = extraction["items"]
    assert [c["value"] for c in item["contacts"]] == ["张三", "13912345678"]
    outcome = services.import_plan_extraction(
        extraction, source_name="公示.txt", source_bytes=NOTICE.encode(), acting_user=world.office
    )
    task = Task.objects.get(plan=outcome.plan)
    assert task.claim == "已完成冲洗保洁。"
    assert dict(task.where)["点位名称"] == "中江大道路段"
    assert [c["value"] for c in task.contacts] == ["张三", "13912345678"]

    client.force_login(world.office)
    inside = client.get(reverse("ledger-task", args=[task.pk])).content.decode()
    assert "13912345678" in inside and "个人信息，不公开" in inside and "中江大道路段" in inside

    services.publish_plan(outcome.plan, summary="整改情况公开。", acting_user=world.office)
    client.logout()
    for url in (
        reverse("disclosure-index"),
        reverse("disclosure-plan", args=[outcome.plan.pk]),
        reverse("disclosure-task", args=[task.pk]),
    ):
        body = client.get(url).content.decode()
        assert "13912345678" not in body and "张三" not in body, url
