"""Judging against regulations, the alarm ladder, device health findings and the rates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from monitoring import rollups, workflow
from monitoring.health import check_devices
from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.ingest import write_batch
from monitoring.judge import judge_devices, rules_for
from monitoring.models import Alarm, Case, Device, Site
from monitoring.rates import case_rates, transmission
from monitoring.units import background_corrected

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING)


def feed(device, values_at, cn="2011"):
    """Store uploads: ``values_at`` is [(minute offset, {code: {field: value}})]."""
    uploads = []
    for minute, values in values_at:
        when = (T0 + dt.timedelta(minutes=minute)).strftime("%Y%m%d%H%M%S")
        seg = build_segment(cn=cn, mn=device.mn, pw=device.password, cp=data_cp(when, values))
        uploads.append((device.pk, parse_frame(wrap(seg))))
    return write_batch(uploads, received_at=T0 + dt.timedelta(minutes=values_at[-1][0]))


def tsp(v, pm10=None, flag="N"):
    out = {"a34001": {"Rtd": v, "Flag": flag}}
    if pm10 is not None:
        out["a34002"] = {"Rtd": pm10, "Flag": "N"}
    return out


# --- pure parts ------------------------------------------------------------------------------

LADDER = [
    {"level": 1, "consecutive": 2, "multiple": 1.0, "response_hours": 24},
    {"level": 2, "consecutive": 4, "multiple": 1.5, "response_hours": 4},
    {"level": 3, "consecutive": 6, "multiple": 2.0, "response_hours": 2},
]


@pytest.mark.parametrize(
    ("streak", "ratio", "level"),
    [(1, 3.0, 0), (2, 1.1, 1), (4, 1.4, 1), (4, 1.5, 2), (6, 1.9, 2), (6, 2.0, 3)],
)
def test_ladder_levels(streak, ratio, level):
    assert workflow.level_for(streak, ratio, LADDER) == level


def test_workflow_table():
    assert workflow.next_status("investigate", "dispatched") == "investigating"
    with pytest.raises(workflow.StepRefused):
        workflow.next_status("close", "investigating")
    assert workflow.allowed_steps("handled", office=False, unit=True) == ["reply"]
    assert "reopen" in workflow.allowed_steps("replied", office=True, unit=False)


def test_background_correction():
    rule = {"no_correction_ratio": 2.0, "subtract_factor": 1.3}
    assert background_corrected(900, 300, rule) == 900  # ≥ 2×PM10
    assert background_corrected(700, 400, rule) == pytest.approx(180)  # 1.3–2×PM10
    assert background_corrected(400, 400, rule) == 400


# --- judging ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rules_come_from_regulations_by_phase_and_size(site, devices):
    rule = rules_for(devices[0], dt.date(2024, 6, 1))[0]
    assert (rule.code, rule.limit, rule.window) == ("a34001", 800.0, dt.timedelta(minutes=60))
    site.phase = "structure"
    site.save()
    assert rules_for(Device.objects.get(pk=devices[0].pk), dt.date(2024, 6, 1))[0].limit == 700.0
    fume_site = Site.objects.create(
        name="饭店", kind="restaurant", district=site.district, size_class="large"
    )
    fume = Device.objects.create(mn="FUME1", password="1", kind="fume", site=fume_site)
    rule = rules_for(fume, dt.date(2024, 6, 1))[0]
    assert (rule.code, rule.limit, rule.window) == ("fume", 2.0, dt.timedelta(minutes=10))


@pytest.mark.django_db
def test_exceedances_level_up_and_extend_one_alarm(devices):
    device = devices[0]
    # 6 hours: 2 h at 1.1× the limit, then 4 h at 2.2× (earthworks limit 800 µg/m³)
    feed(device, [(m, tsp(880 if m < 120 else 1760)) for m in range(0, 360, 5)])
    judge_devices(now=T0 + dt.timedelta(hours=6, minutes=1))
    alarms = Alarm.objects.filter(device=device, kind="exceedance")
    assert alarms.count() == 1
    alarm = alarms.get()
    assert alarm.level == 3 and alarm.count == 5 and alarm.peak == pytest.approx(1760)
    assert list(alarm.actions.values_list("kind", flat=True)).count("level_up") == 2
    # judging again finds nothing new
    judge_devices(now=T0 + dt.timedelta(hours=6, minutes=1))
    alarm.refresh_from_db()
    assert alarm.count == 5


@pytest.mark.django_db
def test_a_clean_hour_breaks_the_streak_and_flagged_data_is_ignored(devices):
    device = devices[1]
    values = [(m, tsp(900)) for m in range(0, 60, 5)]
    values += [(m, tsp(100)) for m in range(60, 120, 5)]
    values += [(m, tsp(900)) for m in range(120, 180, 5)]
    values += [(m, tsp(5000, flag="C")) for m in range(180, 240, 5)]  # calibrating
    feed(device, values)
    judge_devices(now=T0 + dt.timedelta(hours=4))
    assert not Alarm.objects.filter(device=device, kind="exceedance").exists()


@pytest.mark.django_db
def test_background_correction_can_clear_an_exceedance(devices):
    device = devices[2]
    # TSP 900 with PM10 600 (1.5×): corrected 900 − 1.3×600 = 120, under the limit
    feed(device, [(m, tsp(900, pm10=600)) for m in range(0, 180, 5)])
    judge_devices(now=T0 + dt.timedelta(hours=3))
    assert not Alarm.objects.filter(device=device, kind="exceedance").exists()


# --- health ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_findings(site, devices):
    a, b, c = devices
    flat = [(m, tsp(123.0)) for m in range(40)]
    feed(a, flat)
    twin = [(m, tsp(100.0 + (m * 7) % 13)) for m in range(30)]
    feed(b, twin)
    feed(c, twin[:-1] + [(29, tsp(5000.0))])
    d = Device.objects.create(mn="TWIN", password="1", kind="dust", site=site)
    feed(d, twin)
    fume_site = Site.objects.create(name="饭店", kind="restaurant", district=site.district)
    fume = Device.objects.create(mn="FUME1", password="1", kind="fume", site=fume_site)
    off = {"fume": {"Rtd": 0.0}, "fan": {"Rtd": 1}, "purifier": {"Rtd": 0}}
    feed(fume, [(m, off) for m in range(12)])
    offline = Device.objects.create(mn="SILENT", password="1", kind="dust", site=site)
    check_devices(now=T0 + dt.timedelta(minutes=41))

    def kinds(device):
        return set(Alarm.objects.filter(device=device).values_list("kind", flat=True))

    assert "flatline" in kinds(a)
    assert "duplicate" in kinds(b) and "duplicate" in kinds(d)
    assert "duplicate" not in kinds(c)  # c's last value differs
    assert "jump" in kinds(c)
    assert {"purifier_off", "zero_negative"} <= kinds(fume)
    assert kinds(offline) == {"offline"}
    assert "offline" not in kinds(a)
    # a second sweep extends, never duplicates
    check_devices(now=T0 + dt.timedelta(minutes=42))
    assert Alarm.objects.filter(device=a, kind="flatline").count() == 1


@pytest.mark.django_db
def test_transmission_and_case_rates_recompute_from_rows(site, devices, world):
    a, b, _ = devices
    feed(a, [(m, tsp(100.0, flag="N" if m % 10 else "D")) for m in range(60)])
    start, end = T0, T0 + dt.timedelta(hours=1)
    rollups.rebuild(start, end)  # what the streaming judge keeps current as data lands
    lines = transmission(start, end, Device.objects.filter(pk__in=[a.pk, b.pk]))
    [line] = lines
    assert (line.devices, line.online, line.received, line.valid) == (2, 1, 60, 54)
    assert line.online_rate == 0.5
    assert line.effective_rate == pytest.approx(60 / 120 * 54 / 60)

    for i, level in enumerate([3, 3, 2]):
        alarm = Alarm.objects.create(
            device=a,
            site=site,
            kind="exceedance",
            code=f"x{i}",
            level=level,
            first_at=start,
            last_at=start,
        )
        if i == 0:
            Case.objects.create(
                alarm=alarm,
                number="C1",
                opened_on=start.date(),
                authority=world.unit("西安市生态环境局"),
            )
    [row] = case_rates(start, end)
    assert (row.district, row.alarms, row.with_case, row.rate) == ("鄠邑区", 2, 1, 0.5)


@pytest.mark.django_db
def test_a_resent_batch_stores_nothing_twice(devices):
    first = feed(devices[0], [(m, tsp(100.0)) for m in range(10)])
    again = feed(devices[0], [(m, tsp(100.0)) for m in range(12)])  # 10 old, 2 new
    assert (first["inserted"], again["rows"], again["inserted"]) == (10, 12, 2)
