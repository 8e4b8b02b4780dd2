"""The readings emergency asks for: hourly means by MN, one source per device and pollutant."""

import datetime as dt

import pytest

from monitoring import rollups
from monitoring.episodes import readings_by_mn
from monitoring.ingest import insert_rows

T0 = dt.datetime(2024, 1, 10, 16, 0, tzinfo=dt.UTC)  # 2024-01-11 00:00 Beijing


def row(device, code, minutes, cn, value, flag="N"):
    return (device.pk, code, T0 + dt.timedelta(minutes=minutes), cn, value, flag, *[None] * 4)


@pytest.mark.django_db
def test_hourly_means_prefer_hourly_uploads_and_skip_flagged_data(devices):
    a, b, c = devices
    insert_rows(
        [
            # a: hourly upload and minute data of the same hour → the hourly upload only
            row(a, "a34013", 0, 2061, 10.0),
            row(a, "a34013", 0, 2051, 99.0),
            row(a, "a34013", 1, 2051, 99.0),
            # b: minute data only → averaged per hour; a calibration value is left out
            row(b, "a34013", 0, 2051, 4.0),
            row(b, "a34013", 30, 2051, 6.0),
            row(b, "a34013", 45, 2051, 500.0, flag="C"),
            row(b, "a34013", 60, 2051, 8.0),
            # flow is not a pollutant; after the window is outside it
            row(b, "a00000", 0, 2051, 30.0),
            row(b, "a34013", 180, 2051, 70.0),
            # c: not asked for
            row(c, "a34013", 0, 2061, 1.0),
        ]
    )
    rollups.rebuild(T0, T0 + dt.timedelta(hours=4))  # what the streaming judge keeps current
    got = readings_by_mn([a.mn, b.mn, "NOSUCHMN"], T0, T0 + dt.timedelta(hours=3))
    values = sorted((r.mn, r.at, r.value) for r in got)
    assert values == [
        (a.mn, T0, 10.0),
        (b.mn, T0, 5.0),
        (b.mn, T0 + dt.timedelta(hours=1), 8.0),
    ]
    assert {(r.pollutant, r.unit) for r in got} == {("颗粒物", "mg/m³")}


@pytest.mark.django_db
def test_no_known_device_gives_no_readings(devices):
    assert readings_by_mn(["NOSUCHMN"], T0, T0 + dt.timedelta(hours=1)) == []
