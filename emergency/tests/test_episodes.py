"""Issuing, upgrading, downgrading and lifting episodes; the rules read from regulations."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.choices import Role
from accounts.models import Notification
from audit.log import history
from conftest import make_user
from emergency import services
from emergency.rules import grade_target, inspector_rules, warning_rules
from emergency.tests.conftest import local
from emergency.warnings import propose
from regulations.models import Regulation, RegulatoryValue

pytestmark = pytest.mark.django_db


def test_the_national_baseline_is_read_from_regulations(city):
    rules = warning_rules("西安市", dt.date(2024, 1, 1))
    assert rules.code == "环办大气函〔2018〕875号" and rules.merge_gap_days == 1
    assert [lv.level for lv in rules.levels] == ["red", "orange", "yellow"]


def test_a_local_override_wins_in_its_city_only(city):
    local_rules = Regulation.objects.create(
        family="warning_rules",
        code="西安市重污染天气应急预案（测试）",
        title="西安市预警分级（测试）",
        scope="西安市",
        priority=1,
        effective_from=dt.date(2023, 12, 26),
        source="测试",
    )
    RegulatoryValue.objects.create(
        regulation=local_rules,
        key="levels",
        value=[
            {"level": "red", "any_of": [{"all_of": [{"aqi_over": 200, "min_days": 3}]}]},
            {"level": "orange", "any_of": [{"all_of": [{"aqi_over": 150, "min_days": 2}]}]},
            {"level": "yellow", "any_of": [{"all_of": [{"aqi_over": 150, "min_days": 1}]}]},
        ],
    )
    days = [(dt.date(2024, 1, 12), 160), (dt.date(2024, 1, 13), 170)]
    xian = warning_rules("西安市", dt.date(2024, 1, 12))
    xianyang = warning_rules("咸阳市", dt.date(2024, 1, 12))
    assert xian.code == "西安市重污染天气应急预案（测试）" and xian.merge_gap_days == 0
    assert propose(xian, daily=days).level == "orange"
    assert xianyang.code == "环办大气函〔2018〕875号"
    assert propose(xianyang, daily=days).level is None
    # before the local plan took effect the baseline applies in 西安市 too
    assert warning_rules("西安市", dt.date(2023, 12, 25)).code == "环办大气函〔2018〕875号"


def test_quotas_and_targets_are_data_with_their_source(city):
    rules = inspector_rules("西安市", dt.date(2024, 1, 12), "red")
    assert {(r.unit, r.kind, r.per_district, r.districts) for r in rules} == {
        ("@district_government", "own_district", 10, 1),
        ("西安市工业和信息化局", "districts", 3, 3),
    }
    assert all("第二十九项" in r.source for r in rules)
    with pytest.raises(LookupError):
        inspector_rules("西安市", dt.date(2023, 1, 1), "red")  # before the plan
    target = grade_target("西安市", dt.date(2024, 1, 1))
    assert (target.at_least, target.grades, target.by) == (
        40,
        ("A", "B", "leading"),
        dt.date(2023, 12, 31),
    )
    assert target.baseline == {"A": 4, "B": 16}
    assert grade_target("咸阳市", dt.date(2022, 6, 1)).at_least == 8


@pytest.fixture
def recipients(world):
    """An officer of a district government and of a bureau that is told; one who is not."""
    return {
        "gxj": make_user("gxj_officer", ("西安市工业和信息化局", Role.UNIT_OFFICER)),
        "xixian": make_user("xixian_officer", ("西咸新区管委会", Role.UNIT_OFFICER)),
        "water": make_user("water_officer", ("西安市水务局", Role.UNIT_OFFICER)),
    }


def test_issue_upgrade_downgrade_and_lift_are_steps_with_times_authors_and_notices(
    city, world, recipients, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(local(2024, 1, 11, 16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        episode = services.issue_episode(
            city=city,
            level="yellow",
            starts_at=local(2024, 1, 12, 0),
            expected_end_at=local(2024, 1, 14, 0),
            basis={"level": "yellow"},
            basis_note="会商",
            acting_user=world.office,
        )
    assert episode.number == "2024-01" and episode.issued_at == local(2024, 1, 11, 16)
    assert episode.status(local(2024, 1, 11, 20)) == "pending"
    with (
        time_machine.travel(local(2024, 1, 12, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.change_level(
            episode,
            "red",
            effective_at=local(2024, 1, 12, 12),
            reason="AQI 将达 500",
            acting_user=world.office,
        )
        services.change_level(
            episode,
            "orange",
            effective_at=local(2024, 1, 13, 12),
            reason="转好",
            acting_user=world.office,
        )
        services.lift_episode(
            episode, effective_at=local(2024, 1, 14, 6), reason="解除", acting_user=world.office
        )
    episode.refresh_from_db()
    steps = list(episode.steps.values_list("kind", "level_before", "level_after", "effective_at"))
    assert steps == [
        ("issue", "", "yellow", local(2024, 1, 12, 0)),
        ("upgrade", "yellow", "red", local(2024, 1, 12, 12)),
        ("downgrade", "red", "orange", local(2024, 1, 13, 12)),
        ("lift", "orange", "", local(2024, 1, 14, 6)),
    ]
    assert episode.level_at(local(2024, 1, 12, 11)) == "yellow"
    assert episode.level_at(local(2024, 1, 13, 0)) == "red"
    assert episode.level_at(local(2024, 1, 14, 7)) is None
    assert episode.local_days() == [dt.date(2024, 1, d) for d in (12, 13, 14)]
    actions = list(history(episode).order_by("id").values_list("action", flat=True))
    assert actions == [
        "emergency.episode_issued",
        "emergency.episode_upgraded",
        "emergency.episode_downgraded",
        "emergency.episode_lifted",
    ]
    for user in (world.huyi, world.lintong, recipients["gxj"], recipients["xixian"]):
        assert Notification.objects.filter(user=user, kind="emergency").count() == 4, user
    assert not Notification.objects.filter(user=recipients["water"]).exists()
    assert not Notification.objects.filter(user=world.outsider).exists()


def test_steps_are_refused_out_of_order_or_after_the_lift(city, world):
    with time_machine.travel(local(2024, 1, 11, 16), tick=False):
        episode = services.issue_episode(
            city=city, level="orange", starts_at=local(2024, 1, 12), acting_user=world.office
        )
        with pytest.raises(ValidationError):  # a city has one open episode
            services.issue_episode(
                city=city, level="red", starts_at=local(2024, 1, 13), acting_user=world.office
            )
        with pytest.raises(ValidationError):  # before the issue took effect
            services.change_level(
                episode,
                "red",
                effective_at=local(2024, 1, 11),
                reason="x",
                acting_user=world.office,
            )
        with pytest.raises(ValidationError):  # the same level
            services.change_level(
                episode,
                "orange",
                effective_at=local(2024, 1, 13),
                reason="x",
                acting_user=world.office,
            )
        services.lift_episode(
            episode, effective_at=local(2024, 1, 13), reason="x", acting_user=world.office
        )
        with pytest.raises(ValidationError):
            services.lift_episode(
                episode, effective_at=local(2024, 1, 14), reason="x", acting_user=world.office
            )
        with pytest.raises(ValidationError):
            services.issue_episode(
                city=city,
                level="red",
                starts_at=local(2024, 1, 15),
                expected_end_at=local(2024, 1, 14),
                acting_user=world.office,
            )
        second = services.issue_episode(
            city=city, level="red", starts_at=local(2024, 1, 15), acting_user=world.office
        )
    assert second.number == "2024-02"
