"""Who sees and changes what: the office everything; inspectors their own inspections; unit
officers their district's enterprises and cases; the public nothing but the commitments."""

import pytest
import time_machine
from django.urls import reverse

from accounts.access import CHANGE, VIEW, restrict
from emergency import services
from emergency.models import Case, Enterprise, Episode, ImportRun, Inspection, InspectionPlan
from emergency.tests.conftest import local

pytestmark = pytest.mark.django_db


def record(item, user, result="non_compliant"):
    finding = services.Finding(
        result=result,
        measures_in_place=result == "compliant",
        facilities_running=True,
        ledger_ok=True,
        findings="" if result == "compliant" else "未停产",
    )
    with time_machine.travel(local(2024, 1, 11, 14), tick=False):
        return services.record_inspection(item, finding, acting_user=user)


def huyi_items():
    return Inspection.objects.filter(plan__unit__name="鄠邑区政府", plan__day="2024-01-11")


def test_the_office_sees_and_leaders_read_everything(world, small_episode):
    for user in (world.office, world.leader):
        assert restrict(Enterprise.objects.all(), user).count() == 400
        assert restrict(Inspection.objects.all(), user).count() == Inspection.objects.count()
    assert restrict(Episode.objects.all(), world.leader, CHANGE).count() == 0
    assert restrict(Episode.objects.all(), world.office, CHANGE).count() == 1


def test_unit_officers_see_their_districts_enterprises_and_cases_only(
    world, small_episode, inspectors
):
    huyi_enterprises = restrict(Enterprise.objects.all(), world.huyi)
    assert huyi_enterprises.count() == Enterprise.objects.filter(district__name="鄠邑区").count()
    assert set(huyi_enterprises.values_list("district__name", flat=True)) == {"鄠邑区"}
    record(huyi_items()[0], inspectors["huyi"])
    lintong_item = Inspection.objects.filter(plan__unit__name="临潼区政府").first()
    record(lintong_item, inspectors["lintong"])
    assert list(
        restrict(Case.objects.all(), world.huyi).values_list("district__name", flat=True)
    ) == ["鄠邑区"]
    assert restrict(Case.objects.all(), world.huyi, CHANGE).count() == 1
    assert restrict(Case.objects.all(), world.lintong).get().district.name == "临潼区"
    assert restrict(Enterprise.objects.all(), world.huyi, CHANGE).count() == 0


def test_an_inspector_sees_the_open_items_of_their_unit_and_their_own_records(
    world, small_episode, inspectors
):
    mine, colleague = inspectors["huyi"], inspectors["huyi2"]
    open_items = huyi_items()
    assert (
        restrict(Inspection.objects.all(), mine).count()
        == Inspection.objects.filter(plan__unit__name="鄠邑区政府").count()
    )
    first = open_items[0]
    record(first, mine, "compliant")
    assert first.pk in restrict(Inspection.objects.all(), mine).values_list("pk", flat=True)
    assert first.pk not in restrict(Inspection.objects.all(), colleague).values_list(
        "pk", flat=True
    )
    assert first.pk not in restrict(Inspection.objects.all(), mine, CHANGE).filter(
        status="pending"
    ).values_list("pk", flat=True)
    # other units' plans are not theirs
    assert not restrict(Inspection.objects.filter(plan__unit__name="临潼区政府"), mine).exists()
    assert set(
        restrict(InspectionPlan.objects.all(), mine).values_list("unit__name", flat=True)
    ) == {"鄠邑区政府"}
    # the enterprises they may look at are those of their visible items
    visible = restrict(Enterprise.objects.all(), mine)
    assert set(visible.values_list("pk", flat=True)) == set(
        restrict(Inspection.objects.all(), mine).values_list("enterprise_id", flat=True)
    )


def test_the_field_inspector_of_the_ecology_bureau_has_no_plan(world, small_episode):
    assert not restrict(Inspection.objects.all(), world.inspector).exists()
    assert not restrict(InspectionPlan.objects.all(), world.inspector).exists()


@pytest.mark.parametrize("who", ["outsider", "reviewer", "anonymous"])
def test_people_without_a_part_see_nothing(client, world, small_episode, who):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else getattr(world, who)
    for model in (Enterprise, Inspection, InspectionPlan, Case, ImportRun):
        assert not restrict(model.objects.all(), user, VIEW).exists(), model
    if who == "anonymous":
        assert not restrict(Episode.objects.all(), user).exists()


def test_refused_lookups_answer_404_and_pages_403(client, world, small_episode, inspectors):
    lintong_item = Inspection.objects.filter(plan__unit__name="临潼区政府").first()
    client.force_login(inspectors["huyi"])
    assert client.get(reverse("emergency-inspection", args=[lintong_item.pk])).status_code == 404
    enterprise = Enterprise.objects.exclude(district__name="鄠邑区").first()
    client.force_login(world.huyi)
    assert client.get(reverse("emergency-enterprise", args=[enterprise.pk])).status_code == 404
    ok = Enterprise.objects.filter(district__name="鄠邑区").first()
    assert client.get(reverse("emergency-enterprise", args=[ok.pk])).status_code == 200
    episode = small_episode
    response = client.post(
        reverse("emergency-episode-lift", args=[episode.pk]),
        {"effective_at": "2024-01-12T00:00", "reason": "x"},
    )
    assert response.status_code == 404
    assert client.get(reverse("emergency-import")).status_code == 403
    client.force_login(world.leader)
    assert client.post(reverse("emergency-issue"), {}).status_code == 403
    client.force_login(world.outsider)
    for name in ("emergency-home", "emergency-enterprises", "emergency-stats", "emergency-grades"):
        assert client.get(reverse(name)).status_code == 403, name


def test_an_inspector_cannot_record_another_units_item_through_the_page(
    client, world, small_episode, inspectors
):
    item = Inspection.objects.filter(plan__unit__name="临潼区政府").first()
    client.force_login(inspectors["huyi"])
    response = client.post(
        reverse("emergency-inspection", args=[item.pk]),
        {
            "measures_in_place": "1",
            "facilities_running": "1",
            "ledger_ok": "1",
            "result": "compliant",
        },
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == "pending"


def test_a_unit_officer_moves_their_case_on_but_not_anothers(
    client, world, small_episode, inspectors
):
    record(huyi_items()[0], inspectors["huyi"])
    case = Case.objects.get()
    client.force_login(world.lintong)
    assert client.get(reverse("emergency-case", args=[case.pk])).status_code == 404
    client.force_login(world.huyi)
    client.post(reverse("emergency-case", args=[case.pk]), {"status": "closed", "handling": ""})
    case.refresh_from_db()
    assert case.status == "open"  # closing needs what was done
    client.post(
        reverse("emergency-case", args=[case.pk]), {"status": "closed", "handling": "已处罚"}
    )
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None


def test_photos_of_an_inspection_are_served_only_to_those_who_see_it(
    client, world, small_episode, inspectors
):
    from emergency.tests.conftest import photo
    from evidence.services import evidence_for

    item = huyi_items()[0]
    finding = services.Finding("non_compliant", False, True, True, "未停产")
    with time_machine.travel(local(2024, 1, 11, 14), tick=False):
        services.record_inspection(item, finding, photos=[photo()], acting_user=inspectors["huyi"])
    evidence = evidence_for(item).get()
    url = reverse("evidence-download", args=[evidence.pk])
    for user, status in (
        (inspectors["huyi"], 200),
        (world.huyi, 200),
        (world.office, 200),
        (inspectors["huyi2"], 404),
        (world.lintong, 404),
        (world.outsider, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
