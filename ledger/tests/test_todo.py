"""My to-do list (``lantian.todo``): computed from the data per role, each entry linking to the
form that settles it, counted as badges in the menu."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from lantian import todo
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.models import Proposal
from ledger.services import MemberEntry

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 5, 20)  # the sample plan was issued 2023-10-09; reports due at month end


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        yield


def titled(user):
    return {t.title: t for t in todo.todos_for(user, TODAY)}


def test_a_unit_officer_is_asked_for_this_months_reports_until_they_are_in(world, huyi_line):
    due = titled(world.huyi)["本月进展待报送"]
    assert due.count == 1 and due.tone == "warn"
    assert due.entries[0].url == reverse("ledger-report-new", args=[huyi_line.pk])
    assert due.entries[0].note == "5月31日 前报送"
    services.submit_report(
        huyi_line,
        period=TODAY,
        narrative="进展",
        percent=20,
        acting_user=world.huyi,
        no_evidence_reason="现场推进中",
    )
    assert "本月进展待报送" not in titled(world.huyi)
    assert "本月进展待报送" not in titled(world.office)  # the office reports for nobody


def test_a_returned_line_and_an_unanswered_order_are_on_the_officers_list(world, huyi_line):
    services.submit_report(
        huyi_line,
        period=TODAY,
        narrative="已完成",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="现场推进中",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="申请", acting_user=world.huyi)
    waiting = titled(world.reviewer)["验收申请待办理"]
    assert waiting.count == 1
    assert waiting.entries[0].url == reverse("ledger-acceptance", args=[acceptance.pk])
    services.form_review_group(
        acceptance,
        members=[MemberEntry("张工", "leader", "市住建局", world.reviewer)],
        visit_date=TODAY,
        acting_user=world.reviewer,
    )
    services.sign_acceptance(acceptance.members.get(), acting_user=world.reviewer)
    services.conclude_acceptance(
        acceptance, passed=False, conclusion="保洁人员不足", acting_user=world.reviewer
    )
    assert "验收申请待办理" not in titled(world.reviewer)
    returned = titled(world.huyi)["验收退回，需继续整改"]
    assert returned.count == 1 and returned.tone == "bad"

    order = services.issue_supervision(
        "order",
        title="督办：扬尘整治",
        units=[huyi_line.unit],
        tasks=[huyi_line.task],
        due=dt.date(2024, 5, 31),
        acting_user=world.office,
    )
    reply = titled(world.huyi)["督查督办待回复"]
    assert reply.count == 1 and reply.entries[0].url == reverse(
        "ledger-supervision", args=[order.pk]
    )
    assert "督查督办待回复" not in titled(world.lintong)
    services.reply_to_supervision(order, huyi_line.unit, text="已整改", acting_user=world.huyi)
    assert "督查督办待回复" not in titled(world.huyi)
    assert titled(world.office)["督办已回复待办结"].count == 1


def test_the_office_decides_proposals_and_chases_late_replies(world, huyi_line):
    services.propose_supervision(
        "urge", reason="逾期未报", line=huyi_line, key=f"test:{huyi_line.pk}"
    )
    assert Proposal.objects.count() == 1
    assert titled(world.office)["督办建议待决定"].count == 1
    services.issue_supervision(
        "order",
        title="督办：逾期",
        units=[huyi_line.unit],
        due=dt.date(2024, 5, 10),
        acting_user=world.office,
    )
    late = titled(world.office)["督办逾期未回复"]
    assert late.count == 1 and late.tone == "bad"


def test_the_leader_sees_red_items(world, plan, fume_line):
    assert "红灯事项" not in titled(world.leader)
    later = {t.title: t for t in todo.todos_for(world.leader, dt.date(2025, 1, 10))}
    red = later["红灯事项"]  # item 8 was due 2024-12-31
    assert red.count >= 1 and red.url.endswith("?lamp=red") and red.tone == "bad"
    assert any(e.url == reverse("ledger-assignment", args=[fume_line.pk]) for e in red.entries)


def test_nothing_to_do_says_so_and_the_menu_carries_the_counts(client, world, huyi_line):
    client.force_login(world.outsider)
    assert "暂无待办事项" in client.get("/").content.decode()
    assert client.get(reverse("todo-badges")).json() == {}
    client.force_login(world.huyi)
    page = client.get("/").content.decode()
    assert 'id="todo"' in page and "本月进展待报送" in page
    assert 'data-badge="ledger-task-list"' in page
    count = sum(t.count for t in todo.todos_for(world.huyi, TODAY) if t.menu == "ledger-task-list")
    assert client.get(reverse("todo-badges")).json()["ledger-task-list"] == count > 0
