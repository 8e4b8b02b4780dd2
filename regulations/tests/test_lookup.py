import datetime as dt

import pytest

from regulations import lookup
from regulations.loading import load_regulations
from regulations.models import Regulation, RegulatoryValue

D = dt.date


@pytest.fixture
def regs(db):
    load_regulations()
    yield
    lookup.clear_cache()


def test_aqi_tables_switch_on_1_march_2026(regs):
    old = lookup.breakpoints(on=D(2026, 2, 28))
    new = lookup.breakpoints(on=D(2026, 3, 1))
    assert old.code == "HJ 633-2012" and old.number("pm25_24h").value[2] == 75
    assert new.code == "HJ 633-2026" and new.number("pm25_24h").value[2] == 60
    assert new.number("pm10_24h").value[2] == 120
    assert new.number("so2_24h").value[3] == 475


def test_a_table_can_be_forced_by_code(regs):
    assert lookup.breakpoints("HJ633-2012", on=D(2026, 6, 1)).code == "HJ 633-2012"
    with pytest.raises(lookup.RegulationNotFound):
        lookup.breakpoints("HJ633-1999")


def test_auto_needs_a_date():
    with pytest.raises(ValueError):
        lookup.breakpoints("auto")


def test_construction_dust_limit_depends_on_phase(regs):
    earth = lookup.limit_for("construction_dust", "tsp", on=D(2024, 5, 1), variant="earthworks")
    structure = lookup.limit_for("construction_dust", "tsp", on=D(2024, 5, 1), variant="structure")
    assert (earth.value, structure.value, earth.unit) == (0.8, 0.7, "mg/m³")
    assert earth.code == "DB61/1078-2017" and earth.verified is False
    with pytest.raises(lookup.RegulationNotFound):
        lookup.limit_for("construction_dust", "tsp", on=D(2016, 1, 1), variant="earthworks")


def test_ambient_limits_follow_their_stages(regs):
    def pm25(day):
        return lookup.limit_for("ambient_limits", "pm25_24h", on=day).value

    assert (pm25(D(2025, 1, 1)), pm25(D(2027, 1, 1)), pm25(D(2031, 1, 1))) == (75, 60, 50)


def test_a_local_override_added_in_the_admin_wins(regs):
    local = Regulation.objects.create(
        family="restaurant_fume",
        code="DB61/地方油烟",
        title="地方标准",
        scope="陕西省",
        effective_from=D(2025, 1, 1),
        priority=1,
        source="测试",
        verified=False,
    )
    RegulatoryValue.objects.create(regulation=local, key="fume", variant="large", value=1.0)
    assert (
        lookup.limit_for("restaurant_fume", "fume", on=D(2024, 12, 31), variant="large").value
        == 2.0
    )
    assert (
        lookup.limit_for("restaurant_fume", "fume", on=D(2025, 1, 1), variant="large").value == 1.0
    )


def test_packaged_files_answer_before_the_database_is_loaded(db):
    lookup.clear_cache()
    assert lookup.breakpoints(on=D(2026, 3, 1)).code == "HJ 633-2026"
    lookup.clear_cache()


def test_loading_twice_creates_nothing_new(regs):
    count = (Regulation.objects.count(), RegulatoryValue.objects.count())
    load_regulations()
    assert (Regulation.objects.count(), RegulatoryValue.objects.count()) == count


def test_a_missing_key_is_a_clear_error(regs):
    with pytest.raises(lookup.RegulationNotFound, match="没有指标"):
        lookup.value("restaurant_fume", "nox", on=D(2024, 1, 1))


def test_an_administrator_adds_a_version_in_the_admin(client, regs, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/regulations/regulation/add/",
        {
            "family": "construction_dust",
            "code": "DB61/1078-2030",
            "title": "施工场界扬尘排放限值（修订）",
            "effective_from": "2030-01-01",
            "scope": "陕西省",
            "priority": "0",
            "source": "测试用修订版",
            "notes": "",
            "values-TOTAL_FORMS": "1",
            "values-INITIAL_FORMS": "0",
            "values-MIN_NUM_FORMS": "0",
            "values-MAX_NUM_FORMS": "1000",
            "values-0-key": "tsp",
            "values-0-variant": "earthworks",
            "values-0-value": "0.6",
            "values-0-unit": "mg/m³",
            "values-0-verified": "unknown",
            "values-0-note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    limit = lookup.limit_for("construction_dust", "tsp", on=D(2030, 6, 1), variant="earthworks")
    assert (limit.value, limit.code) == (0.6, "DB61/1078-2030")
    old = lookup.limit_for("construction_dust", "tsp", on=D(2029, 6, 1), variant="earthworks")
    assert old.value == 0.8


def test_a_database_holding_one_family_still_reads_the_packaged_others(db):
    """A flushed or fresh database where the office added one local target by hand: the AQI
    tables still come from the package (this was a 500 on /air/ and the start page)."""
    Regulation.objects.all().delete()
    lookup.clear_cache()
    target = Regulation.objects.create(
        family="local_targets",
        code="降尘目标（手工录入）",
        title="降尘量考核目标",
        effective_from=D(2026, 1, 1),
        scope="西安市",
        source="办公室录入",
    )
    target.values.create(key="dustfall", value=8, unit="t/(km²·30d)")
    lookup.clear_cache()
    try:
        assert lookup.breakpoints(on=D(2026, 10, 9)).code == "HJ 633-2026"
        assert [v.code for v in lookup.versions("local_targets")] == ["降尘目标（手工录入）"]
    finally:
        lookup.clear_cache()
