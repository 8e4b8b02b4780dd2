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
            huyi, period=dt.date(2023, 12, 1), narrative="按时", percent=30, acting_user=world.huyi
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
