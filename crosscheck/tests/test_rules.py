"""Each cross-check finds the disagreement it is for, and stays quiet when the data agree."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crosscheck.models import Finding, Rule, Status
from crosscheck.sweep import sweep
from emergency import readings
from emergency.tests.conftest import local
from lantian.lib import tz
from ledger.services import ActualEntry, submit_report

pytestmark = pytest.mark.django_db
MONTH = dt.date(2024, 1, 1)


def report(line, user, *, actual=None, files=(), period=MONTH):
    target = line.task.targets.first() if actual is not None else None
    correction = line.reports.filter(period=period).exists()
    return submit_report(
        line,
        period=period,
        narrative="按计划推进",
        percent=40,
        acting_user=user,
        actuals=[ActualEntry(target, Decimal(actual))] if target else [],
        files=files,
        no_evidence_reason="" if files else "无佐证（测试）",
        correction_reason="更正" if correction else "",
    )


# --- reported values against the registry ---------------------------------------------------


def restaurants(n_online, n_silent):
    from accounts.models import District
    from monitoring.models import Device, Site

    district = District.objects.get(parent__name="西安市", name="雁塔区")
    for i in range(n_online + n_silent):
        site = Site.objects.create(
            name=f"餐馆{i}", kind="restaurant", district=district, size_class="large"
        )
        Device.objects.create(
            mn=f"FUME{i:04d}",
            password="1",
            kind="fume",
            site=site,
            last_seen_at=tz.now() if i < n_online else None,
        )


def test_a_claimed_count_the_registry_does_not_support_is_found(world, fume_line):
    restaurants(n_online=2, n_silent=1)
    report(fume_line, world.office, actual=287)
    result = sweep()
    (finding,) = Finding.objects.filter(rule=Rule.CLAIM)
    assert result.new == 1
    assert finding.facts["claimed"] == 287 and finding.facts["measured"] == 2
    assert "登记西安市餐饮单位油烟在线监测 3 家" in finding.detail
    assert finding.line == fume_line and finding.unit == fume_line.unit


def test_a_claim_the_data_support_is_not_a_finding(world, fume_line):
    restaurants(n_online=3, n_silent=0)
    report(fume_line, world.office, actual=3)
    sweep()
    assert not Finding.objects.exists()


def test_a_corrected_claim_clears_the_finding_and_sweeps_never_duplicate(world, fume_line):
    restaurants(n_online=2, n_silent=0)
    report(fume_line, world.office, actual=287)
    sweep()
    sweep()
    assert Finding.objects.count() == 1
    report(fume_line, world.office, actual=2)  # a correction of the same month
    result = sweep()
    assert result.cleared == 1
    assert Finding.objects.get().status == Status.CLEARED


# --- the same file in several reports --------------------------------------------------------


def photo(data: bytes, name: str):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + data, content_type="image/png")


def test_one_photo_as_evidence_of_two_districts_is_found(world, huyi_line, lintong_line):
    report(huyi_line, world.huyi, files=[photo(b"\x01" * 64, "鄠邑工地.png")])
    report(lintong_line, world.lintong, files=[photo(b"\x01" * 64, "临潼工地.png")])
    sweep()
    (finding,) = Finding.objects.filter(rule=Rule.EVIDENCE_REUSE)
    assert finding.severity == "high"
    assert "鄠邑区政府" in finding.detail and "临潼区政府" in finding.detail
    assert len(finding.facts["reports"]) == 2


def test_different_photos_and_a_correction_carrying_its_photo_are_not_findings(
    world, huyi_line, lintong_line
):
    report(huyi_line, world.huyi, files=[photo(b"\x01" * 64, "a.png")])
    report(huyi_line, world.huyi, files=[photo(b"\x01" * 64, "a.png")])  # same month, corrected
    report(lintong_line, world.lintong, files=[photo(b"\x02" * 64, "b.png")])
    sweep()
    assert not Finding.objects.filter(rule=Rule.EVIDENCE_REUSE).exists()


# --- exceedance alarms closed while the device still exceeds ---------------------------------


def closed_alarm_then(devices, after_values):
    from monitoring.ingest import insert_rows
    from monitoring.judge import rules_for
    from monitoring.models import Alarm

    device = devices[0]
    closed = dt.datetime(2024, 6, 1, 2, 0, tzinfo=dt.UTC)
    rule = next(r for r in rules_for(device, closed.date()) if r.code == "a34001")
    alarm = Alarm.objects.create(
        device=device,
        site=device.site,
        kind="exceedance",
        code="a34001",
        level=1,
        status="closed",
        first_at=closed - dt.timedelta(hours=3),
        last_at=closed - dt.timedelta(hours=2),
        closed_at=closed,
        limit=rule.limit,
    )
    rows = []
    for k, factor in enumerate(after_values):
        at = closed + k * rule.window + dt.timedelta(minutes=1)
        rows.append((device.pk, "a34001", at, 2011, rule.limit * factor, "N", *[None] * 4))
    insert_rows(rows)
    return alarm, closed


def test_an_alarm_closed_while_the_site_still_exceeds_is_found(devices):
    alarm, closed = closed_alarm_then(devices, [2.0, 0.5, 1.8, 2.5, 0.9])
    sweep(now=closed + dt.timedelta(days=2))
    (finding,) = Finding.objects.filter(rule=Rule.ALARM_REBOUND)
    assert finding.facts["windows_over"] == 3 and finding.subject_url.endswith(f"/{alarm.pk}/")


def test_an_alarm_closed_for_good_is_not_a_finding(devices):
    _, closed = closed_alarm_then(devices, [0.5, 0.8, 1.2, 0.7, 0.9])
    sweep(now=closed + dt.timedelta(days=2))
    assert not Finding.objects.filter(rule=Rule.ALARM_REBOUND).exists()


# --- emergency inspections recorded compliant against the online data ------------------------

T0 = local(2024, 1, 11, 0)


def provider_with_drop(drop):
    def provider(mns, start, end):
        out, at = [], start
        while at < end and at < T0 + dt.timedelta(days=2):
            value = 40.0 if at < T0 else 40.0 * (1 - drop)
            out += [readings.Reading(mn, "颗粒物", at, value, "mg/m³") for mn in mns]
            at += dt.timedelta(hours=1)
        return out

    return provider


def compliant_inspection(small_episode):
    from emergency.models import Inspection

    inspection = (
        Inspection.objects.filter(plan__round__episode=small_episode, plan__level="orange")
        .select_related("enterprise")
        .first()
    )
    enterprise = inspection.enterprise
    enterprise.device_mns = ["61019999999901"]
    enterprise.save()
    enterprise.measures.filter(level="orange").update(reduction_pct=30, stop_production=False)
    Inspection.objects.filter(pk=inspection.pk).update(result="compliant", status="done")
    return inspection


@pytest.mark.parametrize("drop, found", [(0.1, True), (0.4, False)])
def test_a_compliant_inspection_the_data_contradict_is_found(world, small_episode, drop, found):
    inspection = compliant_inspection(small_episode)
    previous = readings.set_provider(provider_with_drop(drop))
    try:
        sweep(now=local(2024, 1, 20, 0))
    finally:
        readings.set_provider(previous)
    findings = Finding.objects.filter(rule=Rule.INSPECTION_VS_DATA)
    assert findings.exists() is found
    if found:
        assert findings.get().facts == {
            "inspection": inspection.pk,
            "episode": small_episode.pk,
            "mn": "61019999999901",
            "change_pct": -10.0,
            "owed_pct": 30.0,
        }


# --- the sweep itself -------------------------------------------------------------------------


def test_a_broken_rule_does_not_stop_the_others(world, fume_line):
    restaurants(n_online=0, n_silent=0)
    report(fume_line, world.office, actual=5)

    def broken(now):
        raise RuntimeError("boom")

    from crosscheck.rules import check_claims

    result = sweep(rules={"broken": broken, Rule.CLAIM: check_claims})
    assert result.failed == ["broken"] and Finding.objects.filter(rule=Rule.CLAIM).count() == 1


# --- items closed out while the same kind of site keeps alarming ------------------------------


def alarms_after_closing(line, site, n, days_after=3):
    from ledger.models import Assignment
    from monitoring.models import Alarm

    closed_on = dt.date(2024, 5, 6)
    Assignment.objects.filter(pk=line.pk).update(status="closed", closed_on=closed_on)
    device = site.devices.first()
    start = tz.start_of_local_day(closed_on)
    for k in range(n):
        at = start + dt.timedelta(days=days_after, hours=k)
        Alarm.objects.create(
            device=device, site=site, kind="exceedance", code="a34001", level=1,
            status="raised", first_at=at, last_at=at,
        )  # fmt: skip
    return start


@pytest.mark.parametrize("n, found", [(3, True), (2, False)])
def test_a_dust_item_closed_while_its_sites_keep_exceeding_is_found(huyi_line, devices, n, found):
    site = devices[0].site  # a construction site in 鄠邑区
    start = alarms_after_closing(huyi_line, site, n)
    sweep(now=start + dt.timedelta(days=40))
    findings = Finding.objects.filter(rule=Rule.CLOSED_VS_ALARMS)
    assert findings.exists() is found
    if found:
        finding = findings.get()
        assert finding.line == huyi_line and finding.facts["alarms"] == 3
        assert finding.district.name == "鄠邑区"


def test_alarms_in_another_district_do_not_count(lintong_line, devices):
    site = devices[0].site  # in 鄠邑区, not 临潼区
    start = alarms_after_closing(lintong_line, site, 5)
    sweep(now=start + dt.timedelta(days=40))
    assert not Finding.objects.filter(rule=Rule.CLOSED_VS_ALARMS).exists()


def test_alarms_long_after_the_close_out_do_not_count(huyi_line, devices):
    start = alarms_after_closing(huyi_line, devices[0].site, 5, days_after=35)
    sweep(now=start + dt.timedelta(days=60))
    assert not Finding.objects.filter(rule=Rule.CLOSED_VS_ALARMS).exists()
