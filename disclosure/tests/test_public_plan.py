"""The public plan page: a page of items at a time, the item table cached until the ledger
changes (any audited change) or the day turns."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import Task
from ledger.tests.factories import ITEM_EIGHT, import_sample


@pytest.fixture
def published(world, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    items = [dict(ITEM_EIGHT, no=n, title=f"第{n}项问题") for n in range(1, 26)]
    plan = import_sample(world.office, *items).plan
    plan.published = True
    plan.save()
    return plan


def table(html: str) -> str:
    return html[html.index('id="public-items"') : html.index("</table>")]


def item_rows(html: str) -> int:
    return html.count('<tr id="item-')


def test_a_long_plan_is_shown_a_page_at_a_time(client, published, monkeypatch):
    from disclosure import views

    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 10)
    total = Task.objects.filter(plan=published, withdrawn=False).count()
    assert total > 20
    first = client.get(f"/public/plans/{published.pk}/").content.decode()
    assert item_rows(first) == 10
    assert f"共 {total} 项任务" in first and "下一页" in first
    pages = -(-total // 10)
    last = client.get(f"/public/plans/{published.pk}/?page={pages}").content.decode()
    assert item_rows(last) == total - 10 * (pages - 1) and "上一页" in last
    # a page past the end shows the last page, not an error
    assert client.get(f"/public/plans/{published.pk}/?page=999").status_code == 200


def test_the_item_table_is_served_from_cache_until_the_ledger_changes(client, published):
    from audit.log import record

    url = f"/public/plans/{published.pk}/"
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url).content.decode()
    assert table(again) == table(first)
    assert len(warm) < len(cold) and not [q for q in warm if 'FROM "ledger_assignment"' in q["sql"]]

    task = Task.objects.filter(plan=published, withdrawn=False).order_by("no").first()
    task.title = "已更新的公开标题"
    task.save()
    record(None, "task.updated", task, changes={"title": ["旧", task.title]})
    assert "已更新的公开标题" in client.get(url).content.decode()
