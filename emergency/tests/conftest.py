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
