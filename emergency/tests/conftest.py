"""Fixtures of the emergency tests: a city, a generated reduction list, an inspector per unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.models import District
from conftest import make_user
from emergency import listfile, sample
from emergency.models import Enterprise, ReductionMeasure
from lantian.lib.tz import LOCAL_TZ


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


@pytest.fixture
def city(registry):
    return registry["西安市"]


def district_names(city) -> list[str]:
    return list(District.objects.filter(parent=city).order_by("id").values_list("name", flat=True))


def workbook_upload(rows, name="list.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, listfile.write_workbook(rows))


def make_enterprises(city, count: int, *, seed: int = 7) -> list[Enterprise]:
    """``count`` listed enterprises spread over every district, inserted in bulk."""
    districts = dict(District.objects.filter(parent=city).values_list("name", "pk"))
    rows = sample.generate(count, list(districts), seed=seed)
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                city=city,
                name=r["name"],
                credit_code=r["code"],
                district_id=districts[r["district"]],
                industry=r["industry"],
                address=r["address"],
                grade=r["grade"],
                device_mns=r["mns"],
            )
            for r in rows
        ],
        batch_size=1000,
    )
    ReductionMeasure.objects.bulk_create(
        [
            ReductionMeasure(
                enterprise=e,
                level=level,
                measures=r[f"{level}_measures"],
                reduction_pct=r[f"{level}_pct"] or None,
                stop_production=r[f"{level}_stop"],
                limit_production=r[f"{level}_limit"],
            )
            for e, r in zip(enterprises, rows, strict=True)
            for level in ("yellow", "orange", "red")
        ],
        batch_size=2000,
    )
    return enterprises


@pytest.fixture
def inspectors(world):
    """Field inspectors of 鄠邑区政府, 临潼区政府 and 市工信局."""
    return {
        "huyi": make_user("jc_huyi", ("鄠邑区政府", Role.INSPECTOR)),
        "huyi2": make_user("jc_huyi2", ("鄠邑区政府", Role.INSPECTOR)),
        "lintong": make_user("jc_lintong", ("临潼区政府", Role.INSPECTOR)),
        "gxj": make_user("jc_gxj", ("西安市工业和信息化局", Role.INSPECTOR)),
    }


def photo(name="site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0" + b"\x00" * 64, content_type="image/jpeg")


def bytes_upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


EPISODE_DAYS = [dt.date(2024, 1, 11) + dt.timedelta(days=i) for i in range(5)]


def orange_episode(city, office, days=EPISODE_DAYS):
    """An orange episode issued the day before ``days``, with each day's commitment published."""
    import time_machine

    from emergency import services

    first = days[0] - dt.timedelta(days=1)
    with time_machine.travel(local(first.year, first.month, first.day, 16, 0), tick=False):
        episode = services.issue_episode(
            city=city,
            level="orange",
            starts_at=local(days[0].year, days[0].month, days[0].day, 0, 0),
            expected_end_at=local(days[0].year, days[0].month, days[0].day, 0, 0)
            + dt.timedelta(days=len(days)),
            basis_note="测试",
            acting_user=office,
        )
        rounds = [services.commit_round(episode, day, acting_user=office) for day in days]
    return episode, rounds


def draw_days(rounds, office, days=EPISODE_DAYS):
    import time_machine

    from emergency import services

    for n, (day, round_) in enumerate(zip(days, rounds, strict=True)):
        with time_machine.travel(local(day.year, day.month, day.day, 8, 0, 17), tick=False):
            services.run_draw(
                round_,
                beacon=f"{4521337 + n * 2880:d}:9f3c{n}e",
                beacon_source=f"drand mainnet round {4521337 + n * 2880}",
                acting_user=office,
            )


@pytest.fixture
def small_episode(city, world):
    """400 listed enterprises and a drawn two-day orange episode (2024-01-11/12)."""
    make_enterprises(city, 400)
    days = EPISODE_DAYS[:2]
    episode, rounds = orange_episode(city, world.office, days)
    draw_days(rounds, world.office, days)
    return episode
