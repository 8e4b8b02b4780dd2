"""Fixtures for the air-quality app: a few stations in two districts, and file builders."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from accounts.models import District
from airquality.choices import StationKind
from airquality.models import Station


@pytest.fixture
def xian(registry):
    return registry["西安市"]


def district(city: District, name: str) -> District:
    return District.objects.get(parent=city, name=name)


@pytest.fixture
def stations(xian):
    """Two stations in 鄠邑区, one in 临潼区 and one in 雁塔区 (coordinates roughly real)."""
    huyi, lintong, yanta = (district(xian, n) for n in ("鄠邑区", "临潼区", "雁塔区"))
    specs = [
        ("1001A", "鄠邑草堂", huyi, 34.05, 108.60),
        ("1002A", "鄠邑城区", huyi, 34.11, 108.61),
        ("1003A", "临潼城区", lintong, 34.37, 109.21),
        ("1004A", "小寨", yanta, 34.22, 108.95),
    ]
    return {
        code: Station.objects.create(
            code=code,
            name=name,
            district=d,
            kind=StationKind.NATIONAL,
            latitude=lat,
            longitude=lon,
        )
        for code, name, d, lat, lon in specs
    }


def hours_csv(rows, header="站点编码,时间,SO2,NO2,CO,O3,PM10,PM2.5", title=None) -> bytes:
    """CSV bytes: ``rows`` are (code, local datetime, so2, no2, co, o3, pm10, pm25)."""
    out = io.StringIO()
    if title:
        out.write(title + "\n")
    out.write(header + "\n")
    for code, time, *values in rows:
        cells = ["" if v is None else str(v) for v in values]
        out.write(",".join([code, f"{time:%Y-%m-%d %H:%M}", *cells]) + "\n")
    return out.getvalue().encode("utf-8")


def day_rows(code: str, day: dt.date, pm25=75.0, *, valid_hours: int = 24, o3=100.0):
    """24 hours of one station-day; hours beyond ``valid_hours`` have no PM2.5."""
    start = dt.datetime.combine(day, dt.time())
    return [
        (
            code,
            start + dt.timedelta(hours=h),
            10,
            40,
            1.0,
            o3,
            100,
            pm25 if h < valid_hours else None,
        )
        for h in range(24)
    ]
