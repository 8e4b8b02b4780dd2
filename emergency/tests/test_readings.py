"""线上监控+线下核实 through the readings interface (monitoring plugs in here once merged)."""

import datetime as dt

import pytest
from django.urls import reverse

from emergency import readings
from emergency.models import Enterprise
from emergency.readings import Reading, compare
from emergency.tests.conftest import local

T0 = local(2024, 1, 11, 0)


def fake_provider(mns, start, end):
    out = []
    at = start
    while at < end:
        value = 40.0 if at < T0 else 36.0  # a 10 % drop once the episode starts
        out += [Reading(mn, "颗粒物", at, value, "mg/m³") for mn in mns]
        at += dt.timedelta(hours=6)
    return out


@pytest.fixture
def provider():
    previous = readings.set_provider(fake_provider)
    yield
    readings.set_provider(previous)


def test_compare_gives_means_and_change():
    base = [Reading("A1", "颗粒物", T0, v) for v in (40, 60)]
    during = [Reading("A1", "颗粒物", T0, v) for v in (20, 30)]
    (c,) = compare(base, during)
    assert (c.baseline_mean, c.episode_mean, c.change_pct) == (50, 25, -50.0)
    assert not c.falls_short(30) and c.falls_short(60)
    assert compare([], during)[0].change_pct is None


def test_without_a_provider_there_is_no_data(settings):
    settings.LANTIAN_EMERGENCY_READINGS = ""
    assert readings.readings_for(["A1"], T0, T0 + dt.timedelta(days=1)) == []


def test_the_provider_can_be_named_in_settings(settings):
    settings.LANTIAN_EMERGENCY_READINGS = "emergency.demo.demo_readings"
    got = readings.readings_for(["61010000000101"], T0, T0 + dt.timedelta(days=1))
    assert len(got) == 24 and got[0].mn == "61010000000101"


@pytest.mark.django_db
def test_the_enterprise_page_flags_a_reduction_short_of_what_is_owed(
    client, world, small_episode, provider
):
    enterprise = Enterprise.objects.filter(measures__level="orange").first()
    enterprise.device_mns = ["61010000000101"]
    enterprise.save()
    enterprise.measures.filter(level="orange").update(reduction_pct=30, stop_production=False)
    client.force_login(world.office)
    body = client.get(reverse("emergency-enterprise", args=[enterprise.pk])).content.decode()
    assert "-10.0%" in body and "降幅不足" in body
    enterprise.measures.filter(level="orange").update(reduction_pct=5)
    body = client.get(reverse("emergency-enterprise", args=[enterprise.pk])).content.decode()
    assert "-10.0%" in body and "降幅不足" not in body


@pytest.mark.django_db
def test_by_default_the_page_reads_what_the_hj212_gateway_stored(client, world, small_episode):
    """No provider set: the setting's default reads monitoring's readings by MN."""
    from accounts.models import District
    from monitoring import rollups
    from monitoring.ingest import insert_rows
    from monitoring.models import Device, Site

    enterprise = Enterprise.objects.filter(measures__level="orange").first()
    enterprise.measures.filter(level="orange").update(reduction_pct=30, stop_production=False)
    enterprise.device_mns = ["61019999999901"]
    enterprise.save()
    district = District.objects.filter(parent__name="西安市").first()
    site = Site.objects.create(name="排口", kind="emission", district=district)
    device = Device.objects.create(mn="61019999999901", password="1", kind="emission", site=site)
    rows, at = [], T0 - dt.timedelta(days=7)
    while at < T0 + dt.timedelta(days=2):
        value = 50.0 if at < T0 else 40.0  # a 20 % drop: short of the 30 % owed
        rows.append((device.pk, "a34013", at, 2061, value, "N", None, None, None, None))
        at += dt.timedelta(hours=1)
    insert_rows(rows)
    rollups.rebuild(T0 - dt.timedelta(days=7), T0 + dt.timedelta(days=2))  # the judge's job
    client.force_login(world.office)
    body = client.get(reverse("emergency-enterprise", args=[enterprise.pk])).content.decode()
    assert "61019999999901" in body and "-20.0%" in body and "降幅不足" in body
