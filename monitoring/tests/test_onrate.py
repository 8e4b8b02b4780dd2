"""开机率 (issue 16 item 2): fume monitors from the fan and purifier state (status values or
currents), dust monitors from the hours the instrument ran; computed from device-hour counts."""

from __future__ import annotations

import datetime as dt

import pytest

from lantian.lib import tz
from monitoring import hours, onrate, rates, rollups
from monitoring.hours import HourCount, OnRules
from monitoring.ingest import insert_rows
from monitoring.models import Device, Site

H0 = dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)


def test_running_comes_from_the_status_else_the_current():
    rules = OnRules(status_on=1, fan_current=0.5, purifier_current=0.1)
    assert rules.fan_running(1, None) is True
    assert rules.fan_running(0, 3.0) is False  # a status says it directly
    assert rules.fan_running(None, 0.6) is True
    assert rules.purifier_running(None, 0.05) is False
    assert rules.purifier_running(None, None) is None


def test_fume_on_rate_is_both_running_over_fan_running():
    rows = [HourCount(1, H0, fan_on=6, both_on=6), HourCount(1, H0, fan_on=6, both_on=0)]
    rate = onrate.fume_on_rate(rows)
    assert (rate.on, rate.due, rate.rate) == (6, 12, 0.5)
    silent = onrate.fume_on_rate([HourCount(1, H0, samples=6)])
    assert silent.rate is None and silent.unknown == 1


def test_dust_on_rate_counts_running_hours_against_hours_due():
    start, end = H0, H0 + dt.timedelta(hours=24)
    rows = [
        HourCount(1, H0 + dt.timedelta(hours=k), samples=60, running=60 if k % 2 else 0)
        for k in range(10)
    ]
    assert onrate.hours_due(start, end) == 24
    installed = H0 + dt.timedelta(hours=12)
    assert onrate.hours_due(start, end, installed) == 12
    rate = onrate.dust_on_rate(rows, 24)
    assert (rate.on, rate.due) == (5, 24)


@pytest.fixture
def fleet(world):
    from accounts.models import District

    district = District.objects.get(parent__name="西安市", name="临潼区")
    fume_site = Site.objects.create(name="临潼区 演示酒楼", kind="restaurant", district=district)
    dust_site = Site.objects.create(name="临潼区 演示工地", kind="construction", district=district)
    fume = Device.objects.create(mn="F1", password="1", kind="fume", site=fume_site, profile="fume")
    amps = Device.objects.create(mn="F2", password="1", kind="fume", site=fume_site, profile="fume")
    dust = Device.objects.create(mn="D1", password="1", kind="dust", site=dust_site)
    return fume, amps, dust


def _row(device, code, when, value, flag="N"):
    return (device.pk, code, when, 2011, value, flag, None, None, None, None)


@pytest.mark.django_db
def test_hour_counts_and_the_rates_page_from_stored_readings(client, world, fleet):
    fume, amps, dust = fleet
    start = tz.start_of_local_day(dt.date(2026, 6, 1))
    rows = []
    for k in range(12):  # every 10 minutes for two hours; purifier off in the second hour
        when = start + dt.timedelta(hours=10, minutes=10 * k)
        second = k >= 6
        rows += [_row(fume, "fume", when, 1.0), _row(fume, "fan", when, 1)]
        rows.append(_row(fume, "purifier", when, 0 if second else 1))
        # the second monitor only sends currents: fan 2.1 A, purifier 0.3 A (running)
        rows += [_row(amps, "fan_current", when, 2.1), _row(amps, "purifier_current", when, 0.3)]
    for h in range(6):  # dust: 6 hours of data, the last two flagged maintenance
        for m in (0, 30):
            when = start + dt.timedelta(hours=h, minutes=m)
            rows.append(_row(dust, "a34001", when, 200.0, "M" if h >= 4 else "N"))
    insert_rows(rows)
    end = start + dt.timedelta(days=1)
    rollups.rebuild(start, end)  # what the streaming judge keeps current as data lands
    counts = hours.hour_counts([fume, amps, dust], start, end, OnRules())
    assert [(h.fan_on, h.both_on) for h in counts[fume.pk]] == [(6, 6), (6, 0)]
    assert sum(h.both_on for h in counts[amps.pk]) == 12
    assert [h.running for h in counts[dust.pk]] == [2, 2, 2, 2, 0, 0]
    lines = {line.kind: line.rate for line in rates.on_rates(start, end)}
    assert (lines["油烟"].on, lines["油烟"].due) == (18, 24)
    assert (lines["扬尘"].on, lines["扬尘"].due) == (4, 24)
    client.force_login(world.office)
    page = client.get("/monitoring/rates/?days=1").content.decode()
    assert "开机率 = 风机与净化器同时运行的数据条数 ÷ 风机运行的数据条数" in page
    assert 'id="on-rates"' in page


def _fleet_rows(fume, amps, dust, start):
    rows = []
    for k in range(12):  # every 10 minutes for two hours; purifier off in the second hour
        when = start + dt.timedelta(hours=10, minutes=10 * k)
        rows += [_row(fume, "fume", when, 1.0), _row(fume, "fan", when, 1)]
        rows.append(_row(fume, "purifier", when, 0 if k >= 6 else 1))
        rows += [_row(amps, "fan_current", when, 2.1), _row(amps, "purifier_current", when, 0.3)]
    for h in range(6):  # dust: 6 hours, flagged N, N, T, T, then maintenance
        for m in (0, 30):
            when = start + dt.timedelta(hours=h, minutes=m)
            rows.append(_row(dust, "a34001", when, 200.0, "NNTTMM"[h]))
    return rows


@pytest.mark.django_db
def test_on_rates_come_from_the_rollups_not_the_raw_readings(world, fleet):
    """The rollups keep what 开机率 needs: with the raw rows gone (archived), the rates, hour
    counts and the flag rule applied to them are the same."""
    from monitoring.models import HourlyState, Reading

    fume, amps, dust = fleet
    start = tz.start_of_local_day(dt.date(2026, 6, 1))
    end = start + dt.timedelta(days=1)
    insert_rows(_fleet_rows(fume, amps, dust, start))
    rollups.rebuild(start, end)

    def seen():
        lines = {line.kind: (line.rate.on, line.rate.due) for line in rates.on_rates(start, end)}
        counts = hours.hour_counts([fume, amps, dust], start, end, OnRules())
        strict = hours.hour_counts([dust], start, end, OnRules(running_flags=("N",)))
        return lines, counts, [h.running for h in strict[dust.pk]]

    before = seen()
    Reading.objects.all().delete()
    assert seen() == before
    lines, counts, strict = before
    assert lines == {"油烟": (18, 24), "扬尘": (4, 24)}
    assert [(h.samples, h.valid, h.running) for h in counts[dust.pk]][:3] == [
        (2, 2, 2),
        (2, 2, 2),
        (2, 0, 2),
    ]
    assert strict == [2, 2, 0, 0, 0, 0]  # a stricter running rule, read from the flag counts
    assert HourlyState.objects.get(device=dust, start=start).flags == {"N": 2}


@pytest.mark.django_db
def test_totals_of_whole_days_and_of_hours_agree(world, fleet):
    fume, amps, dust = fleet
    start = tz.start_of_local_day(dt.date(2026, 6, 1))
    insert_rows(_fleet_rows(fume, amps, dust, start))
    rollups.rebuild(start, start + dt.timedelta(days=1))
    rules = OnRules()
    days = hours.totals([fume, amps, dust], start, start + dt.timedelta(days=1), rules)
    part = hours.totals([fume, amps, dust], start, start + dt.timedelta(hours=23), rules)
    assert days == part
    assert days[dust.pk] == hours.Totals(running_hours=4, valid_hours=2)
    assert days[fume.pk] == hours.Totals(running_hours=2, valid_hours=2, fan_on=12, both_on=6)
    assert days[amps.pk] == hours.Totals(fan_on=12, both_on=12)
    strict = hours.totals(
        [dust], start, start + dt.timedelta(days=1), OnRules(running_flags=("T",))
    )
    assert strict[dust.pk].running_hours == 2


@pytest.mark.django_db
def test_a_late_value_refreshes_the_day_groups(world, fleet):
    """A bucket refreshed again (data landing late) regroups its day: no hour counts twice."""
    fume, amps, dust = fleet
    start = tz.start_of_local_day(dt.date(2026, 6, 1))
    insert_rows([_row(dust, "a34001", start, 10.0, "M")])
    rollups.refresh([(dust.pk, start)])
    rules = OnRules()
    end = start + dt.timedelta(days=1)
    assert hours.totals([dust], start, end, rules)[dust.pk].running_hours == 0
    insert_rows([_row(dust, "a34001", start + dt.timedelta(minutes=5), 10.0, "N")])
    rollups.refresh([(dust.pk, start)])
    assert hours.totals([dust], start, end, rules)[dust.pk] == hours.Totals(1, 1)


@pytest.mark.django_db
def test_a_fume_sample_is_judged_by_the_thresholds_in_force_on_its_date(world, fleet):
    """The fan threshold is regulation data with dates: the states count each sample by the
    version in force on its own day, so a later version leaves earlier days as they were."""
    from regulations import lookup
    from regulations.loading import load_regulations
    from regulations.models import Regulation, RegulatoryValue

    _, amps, _ = fleet
    load_regulations()
    stricter = Regulation.objects.create(
        family="monitoring_rates",
        code="测试-风机电流3A",
        title="测试",
        scope="本市",
        priority=1,
        effective_from=dt.date(2026, 6, 2),
        source="测试",
    )
    for key, value in (
        ("dust_running_flags", ["N", "T", ""]),
        ("status_on_value", 1),
        ("fan_on_current", 3.0),  # the monitor's 2.1 A no longer counts as the fan running
        ("purifier_on_current", 0.1),
    ):
        RegulatoryValue.objects.create(regulation=stricter, key=key, value=value)
    lookup.clear_cache()
    try:
        first = tz.start_of_local_day(dt.date(2026, 6, 1))
        rows = []
        for day in range(2):
            when = first + dt.timedelta(days=day, hours=12)
            rows.append(_row(amps, "fan_current", when, 2.1))
            rows.append(_row(amps, "purifier_current", when, 0.3))
        insert_rows(rows)
        end = first + dt.timedelta(days=2)
        rollups.rebuild(first, end)
        counts = hours.hour_counts([amps], first, end, OnRules())
        assert [(h.hour.day, h.fan_on, h.both_on) for h in counts[amps.pk]] == [
            (1, 1, 1),
            (2, 0, 0),
        ]
    finally:
        lookup.clear_cache()


@pytest.mark.django_db
def test_verify_finds_missing_states_so_no_month_is_archived_without_them(world, fleet):
    from monitoring.models import HourlyState

    fume, amps, dust = fleet
    start = tz.start_of_local_day(dt.date(2026, 6, 1))
    end = start + dt.timedelta(days=1)
    insert_rows(_fleet_rows(fume, amps, dust, start))
    rollups.rebuild(start, end)
    assert rollups.verify(start, end) == []
    HourlyState.objects.filter(device=dust).delete()
    wrong = rollups.verify(start, end)
    assert {(w[0], w[1]) for w in wrong} == {(dust.pk, "state")} and len(wrong) == 6
    rollups.rebuild(start, end)
    assert rollups.verify(start, end) == []
