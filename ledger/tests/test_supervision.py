import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.log import history
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.models import Proposal, Supervision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2023, 9, 27, 9, tzinfo=LOCAL_TZ), tick=False):
        yield


def test_an_order_gets_a_working_day_due_date_and_tells_the_units(world, huyi_line):
    order = services.issue_supervision(
        "order",
        title="督办：扬尘超标报警未处置",
        units=[huyi_line.unit],
        tasks=[huyi_line.task],
        acting_user=world.office,
    )
    # 10 working days from Wed 27 Sep 2023: 28 Sep, the make-up weekend of 7–8 Oct (the
    # National Day week is skipped), 9–13 Oct, 16–17 Oct.
    assert order.due == dt.date(2023, 10, 17)
    assert world.huyi.notifications.filter(kind="ledger.order").exists()
    assert not world.lintong.notifications.exists()
    assert history(order).get().action == "supervision.order"


def test_accountability_names_its_ground(world, huyi_line):
    with pytest.raises(ValidationError):
        services.issue_supervision(
            "accountability", title="问责", units=[huyi_line.unit], acting_user=world.office
        )
    referral = services.issue_supervision(
        "accountability",
        title="移交纪检监察机关",
        ground="fake",
        units=[huyi_line.unit],
        tasks=[huyi_line.task],
        acting_user=world.office,
    )
    assert referral.get_ground_display() == "虚假整改"


def test_only_the_office_issues_and_only_named_units_reply(world, huyi_line):
    for user in (world.huyi, world.leader, world.reviewer):
        with pytest.raises(PermissionDenied):
            services.issue_supervision("urge", title="x", units=[huyi_line.unit], acting_user=user)
    order = services.issue_supervision(
        "order", title="督办", units=[huyi_line.unit], acting_user=world.office
    )
    with pytest.raises(PermissionDenied):
        services.reply_to_supervision(order, huyi_line.unit, text="代答", acting_user=world.lintong)
    with pytest.raises(ValidationError):
        services.reply_to_supervision(
            order, world.unit("临潼区政府"), text="不相关", acting_user=world.office
        )
    services.reply_to_supervision(
        order, huyi_line.unit, text="已安排专人处置", acting_user=world.huyi
    )
    order.refresh_from_db()
    assert order.state == "answered"


def test_adopting_a_proposal_issues_the_supervision(world, huyi_line):
    proposal = services.propose_supervision(
        "order", reason="逾期 20 天，建议督办", line=huyi_line, key="order:overdue:test"
    )
    assert (
        services.propose_supervision(
            "order", reason="again", line=huyi_line, key="order:overdue:test"
        )
        is None
    )
    supervision = services.adopt_proposal(proposal, acting_user=world.office)
    proposal.refresh_from_db()
    assert proposal.state == "adopted" and proposal.supervision == supervision
    assert list(supervision.units.all()) == [huyi_line.unit]
    with pytest.raises(ValidationError):
        services.adopt_proposal(proposal, acting_user=world.office)


def test_the_supervision_pages(client, world, huyi_line):
    client.force_login(world.office)
    response = client.post(
        reverse("ledger-supervision-new") + f"?task={huyi_line.task_id}",
        {
            "kind": "order",
            "title": "督办：平台值守",
            "text": "请于时限内回复",
            "units": [huyi_line.unit_id],
            "tasks": "6",
            "due": "2023-10-20",
            "ground": "",
        },
    )
    supervision = Supervision.objects.get()
    assert response.status_code == 302 and supervision.due == dt.date(2023, 10, 20)
    assert list(supervision.tasks.all()) == [huyi_line.task]
    client.force_login(world.huyi)
    page = client.get(reverse("ledger-supervision", args=[supervision.pk]))
    assert "请于时限内回复" in page.content.decode()
    client.post(
        reverse("ledger-supervision-reply", args=[supervision.pk]),
        {"unit": huyi_line.unit_id, "text": "已整改"},
    )
    assert supervision.replies.get().text == "已整改"
    client.force_login(world.lintong)
    assert client.get(reverse("ledger-supervision", args=[supervision.pk])).status_code == 404
    assert client.get(reverse("ledger-proposals")).status_code == 403
    assert not Proposal.objects.exists()
