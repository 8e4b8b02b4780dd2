"""Findings show their evidence side by side; weak signals on the item; shares by the ranking."""

import datetime as dt

import pytest
from django.urls import reverse

from crosscheck import services
from crosscheck.models import Finding, Rule, Signal
from crosscheck.scenarios import build, narratives
from crosscheck.scenarios.build import NOW, local
from crosscheck.sweep import sweep
from lantian.lib import tz
from ledger.models import UnitScore

pytestmark = pytest.mark.django_db


def test_a_copied_narrative_is_shown_beside_its_source_with_the_differences_marked(client, world):
    b = build.Builder(seed=8)
    line = b.line(deadline=dt.date(2025, 9, 1))
    text = narratives.narrative(b.rng, 5, b.area(line))
    b.report(line, dt.date(2025, 5, 1), narrative=text, percent=30)
    b.report(line, dt.date(2025, 6, 1), narrative=narratives.renumber(b.rng, text, 6), percent=40)
    sweep(now=NOW)
    finding = Finding.objects.get(rule=Rule.TEXT_COPY)
    client.force_login(world.office)
    body = client.get(reverse("crosscheck-finding", args=[finding.pk])).content.decode()
    assert "文本比对" in body and "<del>" in body and "<ins>" in body
    assert body.count('class="diff"') == 2


def test_an_inspectors_day_is_shown_on_a_map_and_a_clock(client, world):
    b = build.Builder(seed=9)
    inspector = b.inspector()
    at = local(dt.date(2025, 1, 9), 15, 0)
    for k in range(3):
        b.visit(b.enterprise(), inspector, at + dt.timedelta(seconds=k))
    sweep(now=NOW)
    finding = Finding.objects.get(rule=Rule.INSPECTION_CLONE)
    client.force_login(world.leader)
    body = client.get(reverse("crosscheck-finding", args=[finding.pk])).content.decode()
    assert 'data-cc-chart="route"' in body and "crosscheck/charts.js" in body
    assert body.count("15:00") >= 3 and "照片比对" not in body
    client.force_login(world.huyi)  # a unit officer does not see the cross-checks
    assert client.get(reverse("crosscheck-finding", args=[finding.pk])).status_code in (403, 404)


def test_a_weak_signal_shows_on_the_item_for_the_office_only(client, world):
    b = build.Builder(seed=10)
    scenario = b.air_scenario("fake_air_worsening")
    b.write_air()
    sweep(now=NOW)
    line_id = next(iter(scenario.lines))
    assert Signal.objects.filter(line_id=line_id).exists()
    client.force_login(world.office)
    body = client.get(reverse("ledger-assignment", args=[line_id])).content.decode()
    assert "数据提示（弱信号）" in body and 'data-cc-chart="ranks"' in body


def test_each_units_share_of_confirmed_findings_is_beside_its_rank(client, world):
    month = dt.date(2025, 6, 1)
    huyi, lintong = world.unit("鄠邑区政府"), world.unit("临潼区政府")
    for rank, unit in enumerate((huyi, lintong), start=1):
        UnitScore.objects.create(
            month=month, unit=unit, score=90 - rank, rank=rank, computed_at=tz.now()
        )
    found = local(dt.date(2025, 6, 3))
    for k, unit in enumerate((huyi, huyi, huyi, lintong)):
        f = Finding.objects.create(
            rule=Rule.TEXT_COPY, key=f"k{k}", severity="medium", title="t", detail="d",
            unit=unit, first_found_at=found, last_found_at=found,
        )  # fmt: skip
        services.confirm(f, note="属实", acting_user=world.office)
    client.force_login(world.office)
    body = client.get(reverse("ledger-ranking") + "?month=2025-06").content.decode()
    assert "核实疑点占比" in body and "75.0%" in body and "25.0%" in body


def test_the_finding_list_pages_past_its_first_fifty_with_its_filter(client, world):
    """It showed the newest 500 and no more; now 50 a page, every finding reachable."""
    now = tz.now()
    Finding.objects.bulk_create(
        Finding(
            rule=Rule.TEXT_COPY,
            key=f"page{k}",
            severity="medium",
            title=f"疑点{k:03d}",
            detail="d",
            first_found_at=now,
            last_found_at=now - dt.timedelta(minutes=k),
        )
        for k in range(51)
    )
    client.force_login(world.office)
    first = client.get("/crosscheck/?rule=text_copy").content.decode()
    assert "共 51 条" in first and "疑点000" in first and "疑点050" not in first
    assert "rule=text_copy&amp;page=2" in first
    second = client.get("/crosscheck/?rule=text_copy&page=2").content.decode()
    assert "疑点050" in second and "疑点000" not in second
