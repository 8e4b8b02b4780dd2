"""Monthly assessment: every rate is recomputable from the counts, and the counts from rows."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from lantian.lib.tz import LOCAL_TZ
from ledger import scoring, services
from ledger.models import LedgerConfig, Proposal, UnitScore
from ledger.tests.conftest import line_of

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, 9, tzinfo=LOCAL_TZ), tick=False)


def test_rank_shares_places_on_equal_scores():
    assert scoring.rank({1: 90.0, 2: 80.0, 3: 90.0, 4: 70.0}) == {1: 1, 3: 1, 2: 3, 4: 4}


def test_a_rate_without_a_denominator_is_left_out_of_the_score():
    rates = {"on_time": 100.0, "overdue": 50.0, "completion": 0.0, "acceptance": None}
    weights = {"on_time": 30, "overdue": 30, "completion": 25, "acceptance": 15}
    assert scoring.weighted_score(rates, weights) == round((3000 + 1500) / 85, 2)


def test_scores_come_from_the_rows_and_the_bottom_units_are_proposed(world, plan):
    huyi = line_of(plan, 6, "鄠邑区政府")
    with at(2023, 12, 20):
        services.submit_report(
            huyi,
            period=dt.date(2023, 12, 1),
            narrative="按时",
            percent=30,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    config = LedgerConfig.get()
    config.bottom_count = 1
    config.save()
    with at(2024, 1, 5):
        rows = services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    by_unit = {r.unit.name: r for r in rows}
    h, t = by_unit["鄠邑区政府"], by_unit["临潼区政府"]
    assert (h.reports_due, h.reports_on_time, h.on_time_rate) == (1, 1, 100.0)
    assert (t.reports_due, t.reports_on_time, t.on_time_rate) == (1, 0, 0.0)
    assert h.score > t.score and h.rank < t.rank
    # The score is the weighted mean of the stored counts' rates: recompute it.
    counts = scoring.Counts(
        lines=t.lines,
        reports_due=t.reports_due,
        reports_on_time=t.reports_on_time,
        overdue_lines=t.overdue_lines,
        closed_lines=t.closed_lines,
        acceptances_decided=t.acceptances_decided,
        acceptances_passed=t.acceptances_passed,
    )
    assert scoring.weighted_score(counts.rates(), t.weights) == t.score
    # December is a quarter end: the last unit gets both a notice and an interview proposal.
    last = max(rows, key=lambda r: (r.rank, r.unit_id))
    kinds = set(Proposal.objects.filter(unit=last.unit).values_list("kind", flat=True))
    assert kinds == {"notice", "interview"}


def test_recomputing_replaces_the_months_rows(world, plan):
    with at(2024, 1, 5):
        services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
        services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    assert UnitScore.objects.filter(month=dt.date(2023, 12, 1)).count() == len(
        {s.unit_id for s in UnitScore.objects.all()}
    )


def test_the_ranking_page_shows_each_rate_with_its_counts(client, world, plan):
    with at(2024, 1, 5):
        services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    client.force_login(world.huyi)
    body = client.get(reverse("ledger-ranking") + "?month=2023-12").content.decode()
    assert "按时报送率 = " in body and "(0/1)" in body
    client.force_login(world.huyi)
    assert client.post(reverse("ledger-ranking-compute"), {"month": "2023-12"}).status_code == 403


# --- issue 16 item 7: rank within a city, the quarter's 约谈, the monthly schedule -------------


def test_ranks_restart_in_each_city():
    scores = {1: 90.0, 2: 80.0, 3: 70.0, 4: 60.0}
    city = {1: "西安市", 2: "咸阳市", 3: "西安市", 4: "咸阳市"}
    assert scoring.rank_within(scores, city) == {1: 1, 3: 2, 2: 1, 4: 2}


def test_quarter_score_is_the_mean_of_the_quarters_months():
    assert scoring.quarter_months(dt.date(2023, 12, 1)) == [
        dt.date(2023, 10, 1),
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
    ]
    monthly = {dt.date(2023, 10, 1): {1: 0.0}, dt.date(2023, 11, 1): {1: 30.0, 2: 90.0}}
    monthly[dt.date(2023, 12, 1)] = {1: 90.0, 2: 60.0}
    assert scoring.quarter_scores(monthly) == {1: 40.0, 2: 75.0}


def _xianyang_plan(user):
    from ledger.tests.factories import ITEM_SIXTEEN, import_sample, unit

    item = dict(ITEM_SIXTEEN, units=[unit("市生态环境局", "responsible")])
    plan = import_sample(user, item, city="咸阳市", title="咸阳市蓝天保卫战工作方案").plan
    plan.issued = dt.date(2023, 10, 9)
    plan.save()
    return plan


def test_units_of_two_cities_are_ranked_apart(client, world, plan):
    _xianyang_plan(world.office)
    with at(2024, 1, 5):
        rows = services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    by_city = {}
    for row in rows:
        by_city.setdefault(row.unit.city.name, []).append(row.rank)
    assert set(by_city) == {"西安市", "咸阳市"}
    assert min(by_city["咸阳市"]) == 1 and min(by_city["西安市"]) == 1
    assert max(by_city["西安市"]) <= len(by_city["西安市"])
    client.force_login(world.office)
    body = client.get(reverse("ledger-ranking") + "?month=2023-12").content.decode()
    assert "咸阳市生态环境局" not in body and "鄠邑区政府" in body
    xianyang = rows[0].unit.city.__class__.objects.get(name="咸阳市", parent=None)
    body = client.get(reverse("ledger-ranking") + f"?month=2023-12&city={xianyang.pk}")
    assert "咸阳市生态环境局" in body.content.decode()


def test_quarterly_interview_looks_at_the_whole_quarter(world, plan):
    huyi = line_of(plan, 6, "鄠邑区政府")
    with at(2023, 12, 20):
        services.submit_report(
            huyi,
            period=dt.date(2023, 12, 1),
            narrative="按时",
            percent=30,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    config = LedgerConfig.get()
    config.bottom_count = 1
    config.save()
    with at(2024, 1, 5):
        december = services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
        # October and November were scored earlier: 鄠邑区政府 was last in both.
        for month in (dt.date(2023, 10, 1), dt.date(2023, 11, 1)):
            for row in december:
                UnitScore.objects.update_or_create(
                    month=month,
                    unit=row.unit,
                    defaults={
                        "score": 0.0 if row.unit.name == "鄠邑区政府" else 100.0,
                        "rank": 1,
                        "computed_at": row.computed_at,
                    },
                )
        Proposal.objects.all().delete()
        services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    xian_rows = [r for r in december if r.unit.city.name == "西安市"]
    december_last = max(xian_rows, key=lambda r: (r.rank, r.unit_id)).unit
    assert december_last.name != "鄠邑区政府"
    interviews = Proposal.objects.filter(kind="interview")
    assert [p.unit.name for p in interviews] == ["鄠邑区政府"]
    assert "季内三个月平均" in interviews[0].reason
    assert Proposal.objects.filter(kind="notice", unit=december_last).exists()


def test_scores_are_computed_monthly_without_a_click(world, plan):
    from django.core.management import call_command

    from audit.models import AuditEvent

    with at(2023, 12, 15):  # a click mid-month: not final
        services.compute_scores(dt.date(2023, 12, 1), acting_user=world.office)
    with at(2024, 1, 2):
        rows = services.score_last_month_if_due(dt.date(2024, 1, 2))
        assert rows and {r.month for r in rows} == {dt.date(2023, 12, 1)}
        assert services.score_last_month_if_due(dt.date(2024, 1, 2)) is None
    event = AuditEvent.objects.filter(action="assessment.computed").order_by("-id").first()
    assert event.actor_name == "系统"
    with at(2024, 2, 1):
        call_command("computescores")
    assert UnitScore.objects.filter(month=dt.date(2024, 1, 1)).exists()
