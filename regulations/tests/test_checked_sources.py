"""What issue 16 item 7 asked to check is recorded with the data: no Shaanxi catering-fume
standard was found (GB 18483 applies, with the search noted); the 2024 national warning
thresholds were not found (the 2018 baseline stays, unverified; the 2024 version disabled)."""

from __future__ import annotations

import datetime as dt

import pytest

from regulations import lookup
from regulations.models import Regulation

pytestmark = pytest.mark.django_db


def test_fume_limits_are_the_national_standard_with_the_search_recorded():
    version = lookup.version("restaurant_fume", on=dt.date(2026, 12, 5))
    assert version.code == "GB 18483-2001" and version.number("fume", "large").value == 2.0
    notes = Regulation.objects.get(family="restaurant_fume", code="GB 18483-2001").notes
    assert "DB61" in notes and "未找到" in notes


def test_the_2024_warning_thresholds_stay_disabled_until_their_table_is_entered():
    version = lookup.version("warning_rules", on=dt.date(2026, 12, 5))
    assert version.code == "环办大气函〔2018〕875号" and not version.verified
    pending = Regulation.objects.get(family="warning_rules", code="环大气〔2024〕6号")
    assert pending.effective_to == pending.effective_from and not pending.values.exists()
    assert "2026-12-05" in pending.notes
