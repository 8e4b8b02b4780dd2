"""Reminders with a pinned clock: month ends, public holidays and make-up working days.

Calendar facts used (State Council schedule, via chinese_calendar):
- 2023-09-29 … 2023-10-06 is the Mid-Autumn/National Day holiday; Saturday 2023-10-07 and
  Sunday 2023-10-08 are make-up working days.
- 2024-02-10 … 2024-02-17 is the Spring Festival; Sunday 2024-02-04 and Sunday 2024-02-18
  are make-up working days. 2024 is a leap year (February ends on the 29th).
"""

import datetime as dt
import os
import signal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.models import Notification
from conftest import make_user
from lantian.lib.tz import LOCAL_TZ
from ledger import reminders, schedule, services
from ledger.models import LedgerConfig, Proposal, ProposalItem
from ledger.tests.conftest import line_of
from ledger.tests.factories import ITEM_EIGHT, ITEM_SIX, import_sample

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour=8):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ), tick=False)


def run(day: dt.date):
    with at(day):
        return reminders.run(day)


def kinds_for(user):
    return sorted(n.kind for n in Notification.objects.filter(user=user))


@pytest.fixture
def august_plan(world):
    """A plan issued in August 2023 whose item 八 is due on 2023-09-30 (a holiday)."""
    eight = dict(ITEM_EIGHT, deadline="2023-09-30", deadline_raw="2023年9月底")
    outcome = import_sample(world.office, ITEM_SIX, eight, title="八月方案")
    plan = outcome.plan
    plan.issued = dt.date(2023, 8, 10)
    plan.save()
    world.huyi.email = "huyi@example.cn"
    world.huyi.save()
    make_user("chengguan", ("西安市城市管理和综合执法局", "unit_officer"))
    return plan


def test_report_reminder_goes_out_working_days_before_the_month_end(world, plan):
    # Issued 2023-10-09; November's report is due Thursday 2023-11-30.
    assert schedule.report_due(dt.date(2023, 11, 1), 0) == dt.date(2023, 11, 30)
    assert run(dt.date(2023, 11, 28)).by_kind.get("report_due", 0) == 0
    outcome = run(dt.date(2023, 11, 29))  # 1 working day before
    assert outcome.by_kind["report_due"] >= 1
    assert "ledger.report_due" in kinds_for(world.huyi)
    assert "ledger.report_due" in kinds_for(world.lintong)
    assert run(dt.date(2023, 11, 29)).sent == 0  # a second run that day sends nothing


def test_no_reminder_for_a_month_already_reported(world, plan):
    huyi = line_of(plan, 6, "鄠邑区政府")
    with at(dt.date(2023, 11, 20)):
        services.submit_report(
            huyi,
            period=dt.date(2023, 11, 1),
            narrative="已报",
            percent=20,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    run(dt.date(2023, 11, 29))
    assert "ledger.report_due" not in kinds_for(world.huyi)
    assert "ledger.report_due" in kinds_for(world.lintong)


def test_a_month_end_on_a_holiday_is_reminded_on_the_last_working_day_before(
    world, august_plan, django_capture_on_commit_callbacks
):
    # September's report is due 2023-09-30, inside the National Day holiday.
    assert run(dt.date(2023, 9, 29)).sent == 0  # holiday: nothing goes out at all
    assert "ledger.report_due" not in kinds_for(world.huyi)
    with django_capture_on_commit_callbacks(execute=True):
        run(dt.date(2023, 9, 28))
    titles = list(Notification.objects.filter(user=world.huyi).values_list("title", flat=True))
    assert any("2023-09-30" in t and "月报" in t for t in titles)
    assert mail.outbox and "huyi@example.cn" in mail.outbox[0].to


def test_overdue_chasing_starts_on_the_make_up_saturday(world, august_plan):
    chengguan_line = line_of(august_plan, 8, "西安市城市管理和综合执法局")
    assert chengguan_line.deadline == dt.date(2023, 9, 30)
    for holiday in (dt.date(2023, 10, 1), dt.date(2023, 10, 6)):
        assert run(holiday).by_kind.get("overdue", 0) == 0
    # Saturday 7 October is a working day: the first chase (and the missing-report chase).
    outcome = run(dt.date(2023, 10, 7))
    assert outcome.by_kind["overdue"] == 1
    chased = Notification.objects.filter(kind="ledger.overdue", title__contains="逾期 7 天")
    assert chased.exists()
    assert Notification.objects.filter(kind="ledger.report_missing", user=world.huyi).exists()
    # The next chase is a week later, not the next day; a week later is Saturday 14 October,
    # an ordinary weekend, so it moves to Monday the 16th.
    assert run(dt.date(2023, 10, 9)).by_kind.get("overdue", 0) == 0
    assert run(dt.date(2023, 10, 14)).by_kind.get("overdue", 0) == 0
    assert run(dt.date(2023, 10, 16)).by_kind["overdue"] == 1


def test_reminders_skip_the_spring_festival_and_use_its_make_up_sundays(world, plan):
    # A 督办 due Monday 2024-02-19: one working day before is the make-up Sunday 2024-02-18.
    with at(dt.date(2024, 2, 5)):
        supervision = services.issue_supervision(
            "order",
            title="督办：扬尘平台",
            units=[world.unit("鄠邑区政府")],
            due=dt.date(2024, 2, 19),
            acting_user=world.office,
        )
    assert run(dt.date(2024, 2, 17)).by_kind.get("supervision_due", 0) == 0  # holiday
    outcome = run(dt.date(2024, 2, 18))
    assert outcome.by_kind["supervision_due"] == 1
    # February 2024 ends on the 29th; the report reminder for it is on the 28th.
    assert schedule.report_due(dt.date(2024, 2, 1), 0) == dt.date(2024, 2, 29)
    assert run(dt.date(2024, 2, 28)).by_kind["report_due"] >= 1
    services.reply_to_supervision(
        supervision, world.unit("鄠邑区政府"), text="已整改", acting_user=world.huyi
    )
    assert run(dt.date(2024, 2, 26)).by_kind.get("supervision_overdue", 0) == 0


def test_overdue_lines_produce_urge_then_order_proposals(world, august_plan):
    config = LedgerConfig.get()
    config.propose_order_after_days = 10
    config.save()
    run(dt.date(2023, 10, 7))
    assert Proposal.objects.filter(kind="urge").exists()
    assert not ProposalItem.objects.filter(key__startswith="order:overdue").exists()
    run(dt.date(2023, 10, 12))  # 12 days overdue > 10
    order = ProposalItem.objects.get(key__startswith="order:overdue").proposal
    assert "超过 10 天" in order.reason and order.unit.name == "西安市城市管理和综合执法局"
    run(dt.date(2023, 10, 13))
    assert ProposalItem.objects.filter(key__startswith="order:overdue").count() == 1


def test_months_of_missing_reports_propose_an_order(world, august_plan):
    run(dt.date(2023, 11, 1))  # September and October missing (2 = the default N)
    assert ProposalItem.objects.filter(key__startswith="order:missing").exists()


def test_the_office_gets_one_digest_a_day_and_none_when_all_is_well(world, plan):
    run(dt.date(2023, 10, 10))
    assert not Notification.objects.filter(user=world.office, kind="ledger.digest").exists()
    run(dt.date(2024, 1, 2))
    run(dt.date(2024, 1, 2))
    assert Notification.objects.filter(user=world.office, kind="ledger.digest").count() == 1


def test_the_command_runs_once_for_cron(world, plan):
    out = StringIO()
    call_command("sendreminders", "--date", "2023-11-29", stdout=out)
    assert "2023-11-29: 发送" in out.getvalue()


def test_the_loop_stops_on_sigterm(world, plan, monkeypatch):
    from ledger.management.commands.sendreminders import Command

    command = Command(stdout=StringIO())
    runs = []

    def fake_sleep(seconds):
        runs.append(seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr("lantian.lib.daemon.time.sleep", fake_sleep)
    # The loop drops stale connections between runs; inside the test's transaction that would
    # drop the test database connection itself.
    monkeypatch.setattr("lantian.lib.daemon.close_old_connections", lambda: None)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        command.handle(loop=True, interval=5, date="2023-11-29")
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert len(runs) == 1 and 0 < runs[0] <= 5  # one run, then stopped while waiting
    assert "已停止" in command.stdout.getvalue()


def test_a_deadline_is_announced_working_days_ahead(world, plan):
    make_user("chengguan", ("西安市城市管理和综合执法局", "unit_officer"))
    # Item 八 is due Tuesday 2024-12-31: reminders on 12-20 (7), 12-26 (3) and 12-30 (1).
    assert run(dt.date(2024, 12, 27)).by_kind.get("deadline_near", 0) == 0
    for day in (dt.date(2024, 12, 20), dt.date(2024, 12, 26), dt.date(2024, 12, 30)):
        assert run(day).by_kind["deadline_near"] == 1, day
    assert Notification.objects.filter(kind="ledger.deadline_near").count() == 3


def test_units_without_a_detailed_plan_are_reminded_before_its_due_date(world, plan):
    from ledger.tests.conftest import pdf

    due = plan.detailed_plan_due  # 30 working days after 2023-10-09
    assert due == dt.date(2023, 11, 20)
    services.file_detailed_plan(
        plan, world.unit("鄠邑区政府"), files=[pdf()], acting_user=world.huyi
    )
    run(schedule.workdays_before(due, 1))
    reminded = Notification.objects.filter(kind="ledger.detailed_plan_due")
    assert reminded.filter(user=world.lintong).exists()
    assert not reminded.filter(user=world.huyi).exists()


def test_order_proposals_are_grouped_per_unit(world, client):
    """Seed 000 flooded the office with 1,145 per-line rows: one proposal per unit instead."""
    items = []
    for no in (31, 32, 33, 34):
        item = dict(ITEM_EIGHT, no=no, title=f"第{no}项逾期任务", deadline="2023-09-01")
        items.append(item)
    other = dict(ITEM_SIX, no=40, deadline="2023-09-01", ongoing=False, immediate=False)
    plan = import_sample(world.office, *items, other, title="逾期方案").plan
    plan.issued = dt.date(2023, 8, 1)
    plan.save()
    config = LedgerConfig.get()
    config.propose_order_after_days = 10
    config.save()
    run(dt.date(2023, 10, 9))
    orders = Proposal.objects.filter(kind="order", state="pending")
    by_unit = {p.unit.name: p for p in orders}
    assert len(orders) == len(by_unit)  # one per unit
    city = by_unit["西安市城市管理和综合执法局"]
    assert city.items.count() == 4 and "共 4 项建议督办" in city.reason
    run(dt.date(2023, 10, 10))  # nothing new: the same lines are not proposed again
    assert ProposalItem.objects.filter(proposal=city).count() == 4
    client.force_login(world.office)
    page = client.get("/ledger/proposals/").content.decode()
    assert "涉及 4 项事项" in page and page.count("第31项逾期任务") >= 1
    supervision = services.adopt_proposal(city, acting_user=world.office)
    assert sorted(t.no for t in supervision.tasks.all()) == [31, 32, 33, 34]
    assert [u.name for u in supervision.units.all()] == ["西安市城市管理和综合执法局"]
