"""The performance-grade register: history, counts per district, the target, the drives."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emergency import queries, services
from emergency.models import Enterprise
from emergency.tests.conftest import make_enterprises

pytestmark = pytest.mark.django_db


def test_a_grade_change_is_history_with_its_reason(city, world):
    enterprise = make_enterprises(city, 1)[0]
    Enterprise.objects.filter(pk=enterprise.pk).update(grade="C")
    enterprise.refresh_from_db()
    services.change_grade(
        enterprise,
        "B",
        effective_on=dt.date(2023, 11, 2),
        reason="陕环函〔2023〕1号",
        acting_user=world.office,
    )
    change = enterprise.grade_changes.get()
    assert (change.old_grade, change.new_grade, change.changed_by) == ("C", "B", world.office)
    assert enterprise.grade == "B" and enterprise.grade_since == dt.date(2023, 11, 2)
    with pytest.raises(ValidationError):
        services.change_grade(
            enterprise, "B", effective_on=dt.date(2023, 11, 3), reason="x", acting_user=world.office
        )
    with pytest.raises(ValidationError):
        services.change_grade(
            enterprise, "A", effective_on=dt.date(2023, 11, 3), reason=" ", acting_user=world.office
        )


def test_counts_per_district_add_up(city):
    make_enterprises(city, 300)
    table, total = queries.grade_table(Enterprise.objects.all())
    assert sum(total.values()) == 300
    assert sum(row["total"] for row in table) == 300
    huyi = next(row for row in table if row["district"] == "鄠邑区")
    assert huyi["total"] == Enterprise.objects.filter(district__name="鄠邑区").count()
    assert huyi["cells"][0] == Enterprise.objects.filter(district__name="鄠邑区", grade="A").count()


def test_the_drives_sort_enterprises_by_grade(city):
    make_enterprises(city, 200)
    drives = queries.proposals(Enterprise.objects.all())
    grades = {drive: {e.grade for e in items} for drive, items in drives.items()}
    assert grades["chong_a"] <= {"B", "non_leading"}
    assert grades["zeng_b"] == {"C"} and grades["qing_d"] == {"D"}
    assert grades["rate"] == {"ungraded"}
    assert (
        sum(len(v) for v in drives.values())
        == Enterprise.objects.exclude(grade__in=["A", "leading"]).count()
    )


def test_the_page_shows_progress_against_the_target_from_data(client, city, world):
    make_enterprises(city, 120)
    high = Enterprise.objects.filter(grade__in=["A", "B", "leading"]).count()
    client.force_login(world.office)
    body = client.get(reverse("emergency-grades")).content.decode()
    assert f"{high} / 40" in body
    assert "西安市专项督察整改方案2023-第27项" in body
    assert "冲A" in body and "清D" in body
