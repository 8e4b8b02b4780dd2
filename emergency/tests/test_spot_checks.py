"""Must show: quotas met for every district on every day of a 5-day orange episode over 4,467
enterprises, and re-running the draw from its recorded inputs gives the same plan."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import District
from emergency import draw, draws, services
from emergency.models import DrawRound, Inspection, InspectionPlan, Population
from emergency.rules import DISTRICT_GOVERNMENT, inspector_rules
from emergency.tests.conftest import EPISODE_DAYS as DAYS
from emergency.tests.conftest import draw_days, local, make_enterprises, orange_episode

LIST_SIZE = 4467  # seed 000 item 29: 全市共有 4467 家企业纳入重污染应急减排清单


@pytest.fixture
def drawn_episode(city, world):
    make_enterprises(city, LIST_SIZE)
    episode, rounds = orange_episode(city, world.office)
    draw_days(rounds, world.office)
    return episode


@pytest.mark.django_db
def test_quotas_are_met_for_every_district_on_every_day_and_the_draw_replays(
    city, world, drawn_episode
):
    rules = {r.unit: r for r in inspector_rules(city.name, DAYS[0], "orange")}
    per_district = rules[DISTRICT_GOVERNMENT].per_district
    bureau = rules["西安市工业和信息化局"]
    districts = list(District.objects.filter(parent=city))
    assert len(districts) == 20 and per_district == 10  # the seed's numbers, read from data
    assert (bureau.districts, bureau.per_district) == (3, 3)

    for day in DAYS:
        plans = InspectionPlan.objects.filter(day=day).select_related("unit")
        assert plans.count() == len(districts) + 1
        for plan in plans:
            assert plan.level == "orange" and plan.quota["shortfall"] == []
        for district in districts:
            checked = Inspection.objects.filter(
                plan__day=day, plan__unit__district=district, district=district
            ).count()
            assert checked >= per_district, (day, district.name)
        city_plan = plans.get(unit__name="西安市工业和信息化局")
        visits = Counter(city_plan.inspections.values_list("district_id", flat=True))
        assert len(visits) == bureau.districts
        assert all(n >= bureau.per_district for n in visits.values())

    for round_ in DrawRound.objects.filter(episode=drawn_episode):
        assert round_.committed_at < round_.drawn_at  # committed before it was drawn
        check = draws.verify_round(round_)
        assert check.ok, check.problems
        assert check.plans == len(districts) + 1


@pytest.mark.django_db
def test_the_plan_can_be_redrawn_from_the_published_inputs_alone(city, world, drawn_episode):
    """An outside auditor with the published record and the list redoes a plan by hand."""
    plan = InspectionPlan.objects.filter(unit__name="鄠邑区政府").select_related("round").first()
    inputs = plan.draw_inputs
    round_ = plan.round
    assert draw.commitment_of(round_.secret) == inputs["commitment"]
    seed = draw.round_seed(
        round_.secret, inputs["beacon"], dt.date.fromisoformat(inputs["day"]), inputs["drawn_at"]
    )
    codes = Population.objects.get(digest=inputs["populations"]["鄠邑区"]).codes
    assert draw.population_digest(codes) == inputs["populations"]["鄠邑区"]
    unit_seed = draw.sha256_hex(f"{seed}|鄠邑区政府")
    district_seed = draw.sha256_hex(f"{unit_seed}|鄠邑区")
    by_hand = sorted(codes, key=lambda c: draw.sha256_hex(f"{district_seed}|{c}"))[:10]
    assert [code for _, code in inputs["picks"]] == by_hand
    assert (
        list(
            plan.inspections.order_by("position").values_list("enterprise__credit_code", flat=True)
        )
        == by_hand
    )


@pytest.mark.django_db
def test_tampering_with_a_plan_or_its_inputs_is_detected(city, world, drawn_episode):
    round_ = DrawRound.objects.filter(episode=drawn_episode).order_by("day").first()
    plan = round_.plans.get(unit__name="临潼区政府")
    inspection = plan.inspections.order_by("position").first()
    other = (
        plan.inspections.model.objects.filter(district=inspection.district)
        .exclude(plan=plan)
        .exclude(enterprise__in=plan.inspections.values("enterprise"))
        .first()
    )
    swapped_from = inspection.enterprise_id
    Inspection.objects.filter(pk=inspection.pk).update(enterprise=other.enterprise)
    assert "临潼区政府：检查记录与公布的计划不一致" in draws.verify_round(round_).problems
    Inspection.objects.filter(pk=inspection.pk).update(enterprise_id=swapped_from)
    assert draws.verify_round(round_).ok
    DrawRound.objects.filter(pk=round_.pk).update(beacon=round_.beacon + "x")
    round_.refresh_from_db()
    problems = draws.verify_round(round_).problems
    assert "由公开输入重算的种子与记录的种子不符" in problems
    DrawRound.objects.filter(pk=round_.pk).update(secret="00" * 32)
    round_.refresh_from_db()
    assert "公布的秘密值与事先公布的承诺值不符" in draws.verify_round(round_).problems


@pytest.mark.django_db
def test_a_day_is_drawn_once_only_on_that_day_and_not_before_the_commitment(city, world):
    make_enterprises(city, 400)
    episode, rounds = orange_episode(city, world.office)
    with time_machine.travel(local(2024, 1, 10, 20, 0), tick=False):
        with pytest.raises(ValidationError):  # the day before
            services.run_draw(rounds[0], beacon="1", beacon_source="x", acting_user=world.office)
    with time_machine.travel(local(2024, 1, 11, 8, 0), tick=False):
        with pytest.raises(ValidationError):  # a beacon must be given, with its source
            services.run_draw(rounds[0], beacon="", beacon_source="", acting_user=world.office)
        services.run_draw(rounds[0], beacon="1", beacon_source="x", acting_user=world.office)
        with pytest.raises(ValidationError):  # never twice
            services.run_draw(rounds[0], beacon="2", beacon_source="x", acting_user=world.office)
        with pytest.raises(ValidationError):  # one commitment per day
            services.commit_round(episode, DAYS[0], acting_user=world.office)
        with pytest.raises(ValidationError):  # not for a day gone by
            services.commit_round(episode, dt.date(2024, 1, 10), acting_user=world.office)


@pytest.mark.django_db
def test_the_same_commitment_with_another_beacon_gives_another_plan(city, world):
    """The secret alone does not decide the plan: whoever knew it still could not predict it."""
    make_enterprises(city, 400)
    _, rounds = orange_episode(city, world.office)
    pops = draws.populations(city)
    secret = rounds[0].secret
    plans = {
        beacon: draw.draw_unit(
            draw.round_seed(secret, beacon, DAYS[0], "2024-01-11T00:00:17+00:00"),
            "鄠邑区政府",
            draw.Quota("own_district", 10, 1, "鄠邑区"),
            pops,
        )
        for beacon in ("4521337", "4521338")
    }
    assert plans["4521337"] != plans["4521338"]


@pytest.mark.django_db
def test_a_lifted_or_not_yet_started_episode_draws_nothing(city, world):
    make_enterprises(city, 100)
    episode, rounds = orange_episode(city, world.office)
    with time_machine.travel(local(2024, 1, 12, 9, 0), tick=False):
        services.lift_episode(
            episode, effective_at=local(2024, 1, 12, 0, 0), reason="好转", acting_user=world.office
        )
        with pytest.raises(ValidationError):
            services.run_draw(rounds[1], beacon="1", beacon_source="x", acting_user=world.office)
