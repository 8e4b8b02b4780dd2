"""Retention: a month past the retention period goes to Parquet with its checksum, only after
its rollups are verified, and comes back from the file unchanged."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from monitoring import archive, partitions, rollups
from monitoring.ingest import write_batch
from monitoring.models import ArchivedMonth, HourlyRollup, Reading
from monitoring.tests.test_partitions import upload

BEIJING = ZoneInfo("Asia/Shanghai")
JUNE = dt.datetime(2024, 6, 1, 0, 0, tzinfo=BEIJING)
pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        Reading.objects.values_list("device_id", "code", "data_time", "cn", "value", "flag")
    )


def test_archive_round_trip(devices, tmp_path):
    a, b = devices[:2]
    write_batch([upload(a, JUNE + dt.timedelta(minutes=m), 100.0 + m) for m in range(90)])
    write_batch([upload(b, JUNE + dt.timedelta(days=29, hours=23, minutes=30), 7.5)])
    write_batch([upload(a, JUNE + dt.timedelta(days=30, minutes=1), 1.0)])  # July: stays
    rollups.rebuild(JUNE, JUNE + dt.timedelta(days=31))
    HourlyRollup.objects.filter(device=a).first().delete()  # a stale rollup: rebuilt first
    june = [r for r in rows() if r[2] < JUNE + dt.timedelta(days=30)]
    assert len(june) == 91

    # 5 years of retention: on 2029-08-01 June 2024 is due, July 2024 too, August not
    due = archive.due_months("monitoring_reading", dt.datetime(2029, 8, 1, tzinfo=BEIJING))
    assert JUNE in due and partitions.month_start(2024, 8) not in due

    done = archive.archive_month("monitoring_reading", JUNE, tmp_path)
    assert done.rows == 91 and done.path.exists()
    assert done.path.with_suffix(".parquet.sha256").read_text().split()[0] == done.sha256
    assert [r[2] for r in rows()] == [JUNE + dt.timedelta(days=30, minutes=1)]  # July only
    assert HourlyRollup.objects.filter(device=a, start__lt=JUNE + dt.timedelta(days=1)).count() == 2
    assert ArchivedMonth.objects.get(month=dt.date(2024, 6, 1)).rows == 91
    with pytest.raises(archive.ArchiveRefused):
        archive.archive_month("monitoring_reading", JUNE, tmp_path)  # not twice

    assert archive.unarchive(done.path) == 91
    assert sorted(june + [r for r in rows() if r not in june]) == rows()
    assert [r for r in rows() if r[2] < JUNE + dt.timedelta(days=30)] == june
    assert not ArchivedMonth.objects.exists()


def test_a_changed_archive_file_is_refused(devices, tmp_path):
    write_batch([upload(devices[0], JUNE + dt.timedelta(minutes=m)) for m in range(5)])
    done = archive.archive_month("monitoring_reading", JUNE, tmp_path)
    data = bytearray(done.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    done.path.write_bytes(bytes(data))
    with pytest.raises(archive.ArchiveRefused, match="校验值"):
        archive.unarchive(done.path)
    assert Reading.objects.count() == 0 and ArchivedMonth.objects.count() == 1
