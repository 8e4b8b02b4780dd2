"""Traffic lights: the pure rule (``ledger.lamps``) and its feed from the ledger (``lighting``)."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from lantian.lib.tz import LOCAL_TZ
from ledger import lamps, lighting, schedule, workflow
from ledger.choices import Status
from ledger.services import submit_report
from regulations import lookup
from regulations.loading import load_regulations
from regulations.models import Regulation, RegulatoryValue

D = dt.date
RULES = lamps.Rules(due_soon_days=30, overdue_grace_days=0, report_grace_days=0)
TODAY = D(2026, 12, 5)


def lamp(status=workflow.IN_PROGRESS, deadline=None, today=TODAY, **kw):
    return lamps.line_lamp(status=status, deadline=deadline, today=today, rules=RULES, **kw)


def test_closed_out_is_grey_whatever_the_dates():
    assert lamp(workflow.CLOSED, deadline=D(2020, 1, 1)).colour == lamps.GREY


def test_past_the_deadline_is_red_and_says_by_how_many_days():
    result = lamp(deadline=D(2026, 11, 30))
    assert result.colour == lamps.RED
    assert result.reasons == (lamps.Reason(lamps.OVERDUE, days=5),)


def test_the_deadline_day_itself_is_still_in_time():
    assert lamp(deadline=D(2026, 12, 5)).colour == lamps.YELLOW


def test_returned_is_red_even_long_before_the_deadline():
    result = lamp(workflow.RETURNED, deadline=D(2027, 6, 30))
    assert result.colour == lamps.RED and result.reasons[0].kind == lamps.RETURNED


def test_due_within_the_threshold_is_yellow_beyond_it_green():
    assert lamp(deadline=D(2027, 1, 4)).colour == lamps.YELLOW  # 30 days left
    assert lamp(deadline=D(2027, 1, 5)).colour == lamps.GREEN  # 31 days left
    assert lamp(deadline=None).colour == lamps.GREEN


def test_a_missing_report_is_yellow_only_after_its_due_date():
    owed = D(2026, 11, 1)
    assert lamp(latest_owed=owed, last_reported=D(2026, 10, 1), report_day=25).colour == (
        lamps.YELLOW
    )
    assert lamp(latest_owed=owed, last_reported=owed, report_day=25).colour == lamps.GREEN
    # due 2026-12-05 (report day 5): the due day itself is still in time
    due_today = lamps.line_lamp(
        status=workflow.IN_PROGRESS,
        deadline=None,
        today=D(2026, 12, 5),
        rules=RULES,
        latest_owed=D(2026, 12, 1),
        report_day=5,
    )
    assert due_today.colour == lamps.GREEN  # due today: not missing yet
    grace = lamps.Rules(report_grace_days=15)
    late = lamps.line_lamp(
        status=workflow.IN_PROGRESS,
        deadline=None,
        today=D(2026, 12, 5),
        rules=grace,
        latest_owed=D(2026, 11, 1),
        report_day=25,
    )
    assert late.colour == lamps.GREEN  # 10 days late, 15 days of grace


def test_the_thresholds_change_the_colour():
    strict = lamps.Rules(due_soon_days=3, overdue_grace_days=10)
    in_grace = lamps.line_lamp(
        status=workflow.IN_PROGRESS, deadline=D(2026, 11, 30), today=D(2026, 12, 5), rules=strict
    )
    assert in_grace.colour == lamps.YELLOW and in_grace.reasons[0].days == 5
    far = lamps.line_lamp(
        status=workflow.IN_PROGRESS, deadline=D(2026, 12, 20), today=D(2026, 12, 5), rules=strict
    )
    assert far.colour == lamps.GREEN


def test_an_item_shows_its_worst_line_and_is_grey_only_when_all_are_closed():
    red, green, grey = lamp(deadline=D(2026, 1, 1)), lamp(), lamp(workflow.CLOSED)
    assert lamps.item_lamp([green, red, grey]).colour == lamps.RED
    assert lamps.item_lamp([grey, green]).colour == lamps.GREEN
    assert lamps.item_lamp([grey, grey]).colour == lamps.GREY
    assert lamps.item_lamp([]) is None
    assert lamps.counts([red, green, grey, green, None]) == {
        "red": 1,
        "yellow": 0,
        "green": 2,
        "grey": 1,
    }


def test_latest_owed_period_walks_back_to_the_last_due_date_passed():
    start = D(2026, 3, 10)  # reports from April on
    assert lamps.latest_owed_period(start, today=D(2026, 12, 5), report_day=25) == D(2026, 11, 1)
    assert lamps.latest_owed_period(start, today=D(2026, 12, 26), report_day=25) == D(2026, 12, 1)
    assert lamps.latest_owed_period(start, today=D(2026, 4, 25), report_day=25) is None
    assert lamps.latest_owed_period(start, today=D(2026, 4, 26), report_day=25) == D(2026, 4, 1)
    # 长期坚持: quarterly review months only
    assert lamps.latest_owed_period(
        start, today=D(2026, 12, 5), report_day=0, sustained=True, interval=3
    ) == D(2026, 9, 1)


DAYS = st.dates(min_value=D(2023, 1, 1), max_value=D(2027, 12, 31))


@given(DAYS, DAYS, st.integers(0, 28), st.booleans(), st.integers(1, 6))
def test_latest_owed_period_agrees_with_the_schedule(start, today, report_day, sustained, every):
    owed = schedule.owed_periods(
        start,
        until=today - dt.timedelta(days=1),
        report_day=report_day,
        sustained=sustained,
        interval=every,
    )
    latest = lamps.latest_owed_period(
        start, today=today, report_day=report_day, sustained=sustained, interval=every
    )
    assert latest == (owed[-1] if owed else None)


@given(
    st.sampled_from(workflow.STATUSES),
    st.one_of(st.none(), DAYS),
    DAYS,
    st.one_of(st.none(), DAYS),
    st.integers(0, 90),
    st.integers(0, 30),
)
def test_every_line_gets_exactly_one_colour_consistent_with_overdue(
    status, deadline, today, last, soon, grace
):
    rules = lamps.Rules(due_soon_days=soon, overdue_grace_days=grace)
    result = lamps.line_lamp(
        status=status,
        deadline=deadline,
        today=today,
        rules=rules,
        latest_owed=schedule.period_of(today),
        last_reported=last,
    )
    assert result.colour in lamps.COLOURS and result.reasons
    if status == workflow.CLOSED:
        assert result.colour == lamps.GREY
    elif workflow.days_overdue(status, deadline, today) > grace or status == workflow.RETURNED:
        assert result.colour == lamps.RED
    else:
        assert result.colour in (lamps.YELLOW, lamps.GREEN)


# --- thresholds as regulation data ------------------------------------------------------


@pytest.fixture
def regs(db):
    load_regulations()
    yield
    lookup.clear_cache()


def test_the_thresholds_come_from_the_regulation_in_force(regs):
    rules = lighting.rules_on(D(2026, 12, 5))
    assert rules.due_soon_days == 30 and rules.code == "LANTIAN-红黄绿灯-默认"
    assert rules.source and rules.verified is False and rules.effective_from == D(2020, 1, 1)
    stricter = Regulation.objects.create(
        family="lamp_rules",
        code="西安市督办亮灯办法",
        title="地方规定",
        scope="本市",
        priority=1,
        effective_from=D(2026, 7, 1),
        source="测试",
    )
    for key, value in (("due_soon_days", 3), ("overdue_grace_days", 0), ("report_grace_days", 5)):
        RegulatoryValue.objects.create(regulation=stricter, key=key, value=value)
    lookup.clear_cache()
    assert lighting.rules_on(D(2026, 12, 5)).due_soon_days == 3
    assert lighting.rules_on(D(2026, 6, 30)).due_soon_days == 30


def test_a_negative_threshold_is_refused():
    version = lookup.version_from_spec(
        {
            "family": "lamp_rules",
            "code": "x",
            "title": "x",
            "effective_from": "2020-01-01",
            "source": "x",
            "values": [
                {"key": "due_soon_days", "value": -1},
                {"key": "overdue_grace_days", "value": 0},
                {"key": "report_grace_days", "value": 0},
            ],
        }
    )
    with pytest.raises(ValueError):
        lamps.Rules.from_version(version)


# --- from the ledger --------------------------------------------------------------------


def at(*args):
    return time_machine.travel(dt.datetime(*args, 10, 0, tzinfo=LOCAL_TZ), tick=False)


def test_lines_in_the_ledger_light_up_from_their_reports_and_status(regs, world, plan, fume_line):
    # plan issued 2023-10-09, reports due each month's end; item 8 due 2024-12-31
    from ledger.models import Assignment

    today = D(2024, 3, 15)
    lines = Assignment.objects.filter(pk=fume_line.pk)
    assert lighting.lamps_by_line(lines, today)[fume_line.pk].reasons == (
        lamps.Reason(lamps.REPORT_MISSING, period=D(2024, 2, 1)),
    )
    with at(2024, 3, 15):
        submit_report(
            fume_line,
            period=D(2024, 2, 1),
            narrative="已建立台账",
            percent=30,
            acting_user=world.office,
            no_evidence_reason="无佐证（测试）",
        )
    by_line = lighting.lamps_by_line(lines, today)
    assert by_line[fume_line.pk].colour == lamps.GREEN
    assert lighting.line_lamp(fume_line, today).colour == lamps.GREEN
    assert lighting.lamps_by_line(lines, D(2024, 12, 10))[fume_line.pk].colour == lamps.YELLOW
    assert lighting.lamps_by_line(lines, D(2025, 1, 2))[fume_line.pk].colour == lamps.RED
    Assignment.objects.filter(pk=fume_line.pk).update(status=Status.CLOSED, closed_on=today)
    assert lighting.lamps_by_line(lines, D(2025, 1, 2))[fume_line.pk].colour == lamps.GREY
    assert lighting.ids_with(lines, lamps.GREY, D(2025, 1, 2)) == [fume_line.pk]


def test_lamps_for_a_whole_ledger_take_one_query(regs, plan, django_assert_max_num_queries):
    from ledger.models import Assignment

    lines = Assignment.objects.lines()
    lighting.rules_on(D(2024, 3, 15))
    from ledger.models import LedgerConfig

    LedgerConfig.get()
    with django_assert_max_num_queries(3):
        found = lighting.lamps_by_line(lines, D(2024, 3, 15))
    assert len(found) == lines.count() > 3


# --- where lamps are shown --------------------------------------------------------------


def test_lists_show_lamps_with_a_legend_and_filter_by_colour(client, world, plan, fume_line):
    from django.urls import reverse

    from ledger.models import Assignment

    client.force_login(world.office)
    with at(2025, 1, 10):  # item 8 (fume monitors) is past its 2024-12-31 deadline
        body = client.get(reverse("ledger-line-list")).content.decode()
        assert "红灯：超过整改时限" in body  # the legend
        assert 'class="lamp lamp-red" title="逾期 10 天' in body
        red = client.get(reverse("ledger-line-list") + "?lamp=red").content.decode()
        red_count = Assignment.objects.lines().filter(task__deadline__lt=D(2025, 1, 10)).count()
        assert f"共 {red_count} 项" in red and f'id="line-{fume_line.pk}"' in red
        grey = client.get(reverse("ledger-line-list") + "?lamp=grey").content.decode()
        assert f'id="line-{fume_line.pk}"' not in grey and "没有符合条件的事项" in grey
        tasks = client.get(reverse("ledger-task-list") + "?lamp=red").content.decode()
        assert f'id="task-{fume_line.task_id}"' in tasks
        units = client.get(reverse("ledger-unit-list")).content.decode()
        assert f"?unit={fume_line.unit_id}&lamp=red" in units
        detail = client.get(reverse("ledger-assignment", args=[fume_line.pk])).content.decode()
        assert "逾期 10 天" in detail and "lamp-red" in detail


def test_public_pages_show_each_items_lamp_with_the_legend(client, world, plan, fume_line):
    from django.urls import reverse

    from ledger.services import publish_plan

    publish_plan(plan, summary="公开", acting_user=world.office)
    with at(2025, 1, 10):
        body = client.get(reverse("disclosure-plan", args=[plan.pk])).content.decode()
        item = client.get(reverse("disclosure-task", args=[fume_line.task_id])).content.decode()
    assert "红黄绿灯图例" in body and 'lamp lamp-red" title="逾期 10 天' in body
    assert "lamp-red" in item and "灰灯：已验收销号" in item
