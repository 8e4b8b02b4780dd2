"""Pages and API lists answer in a bounded number of queries, whatever the ledger's size."""

import copy

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantian.lib import tz
from ledger import services
from ledger.models import LedgerConfig
from ledger.tests.factories import ITEM_SIX, import_sample, unit
from regulations import lookup

pytestmark = pytest.mark.django_db


def many_items(count):
    items = []
    for n in range(1, count + 1):
        item = copy.deepcopy(ITEM_SIX)
        item["no"], item["title"] = n, f"问题 {n}"
        item["units"] = [
            unit("各区县党委", "responsible"),
            unit("各区县政府", "responsible"),
            unit("市住建局", "acceptance", "acceptance_lead"),
        ]
        items.append(item)
    return items


def queries_for(client, url):
    cache.clear()  # the cost of computing the page (a warm dashboard reads no lines at all)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


PAGES = [
    ("ledger-task-list", 14),
    ("ledger-line-list", 14),
    ("ledger-dashboard", 14),
    ("ledger-unit-list", 10),
    ("ledger-plan-list", 10),
    ("ledger-supervision-list", 12),
]


@pytest.mark.parametrize("who", ["office", "huyi"])
def test_list_pages_do_not_grow_with_the_ledger(client, world, who, django_assert_max_num_queries):
    client.force_login(getattr(world, who))
    LedgerConfig.get()  # created on first use; not part of any page's cost
    lookup.version("lamp_rules", on=tz.local_today())  # regulations are cached per process
    small = import_sample(world.office, *many_items(3), title="小方案", source=b"small").plan
    counts_small = {name: queries_for(client, reverse(name)) for name, _ in PAGES}
    import_sample(world.office, *many_items(30), title="大方案", source=b"big")
    for name, ceiling in PAGES:
        with django_assert_max_num_queries(ceiling):
            client.get(reverse(name))
        assert queries_for(client, reverse(name)) == counts_small[name], name
    plan_url = reverse("ledger-plan", args=[small.pk])
    with django_assert_max_num_queries(20):
        client.get(plan_url)


def test_detail_pages_and_api_have_ceilings(client, world, django_assert_max_num_queries):
    plan = import_sample(world.office, *many_items(20), source=b"x").plan
    services.publish_plan(plan, summary="公开", acting_user=world.office)
    client.force_login(world.office)
    task = plan.tasks.first()
    line = task.assignments.filter(works=True).first()
    for url, ceiling in [
        (reverse("ledger-task", args=[task.pk]), 30),
        (reverse("ledger-assignment", args=[line.pk]), 35),
        ("/api/v1/ledger/lines", 8),
        ("/api/v1/ledger/tasks", 8),
        ("/api/v1/ledger/dashboard", 11),  # cold: the figures are computed; warm: 4
    ]:
        with django_assert_max_num_queries(ceiling):
            assert client.get(url).status_code == 200
    client.logout()
    # cold cache: plan, page count, audit stamp, one page of tasks, their lines (warm: 3)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("disclosure-plan", args=[plan.pk])).status_code == 200
