"""The key register: keys sealed at rest and never shown again, rotation with a grace window,
alarms for keys about to expire and frames no valid key opens; the page and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from lantian.lib import tz
from monitoring import keys
from monitoring.choices import AlarmKind
from monitoring.keyvault import DEVELOPMENT_KEY_ID, VaultKeyError, parse
from monitoring.models import Alarm, DeviceKey, Quarantine

KEY_A = "00112233445566778899AABBCCDDEEFF"
KEY_B = "0123456789abcdef0123456789abcdef"
DAY = dt.timedelta(days=1)


def key_row(valid_from, *, superseded=None, revoked=None, pk=1):
    return DeviceKey(
        pk=pk,
        valid_from=valid_from,
        expires_at=valid_from + 90 * DAY,
        superseded_at=superseded,
        revoked_at=revoked,
    )


# --- which keys are tried (pure) -------------------------------------------------------------


def test_old_and_new_key_are_both_tried_in_the_grace_window_newest_first():
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    old = key_row(t0, superseded=t0 + 80 * DAY, pk=1)
    new = key_row(t0 + 80 * DAY, pk=2)
    grace = 7 * DAY
    assert keys.usable([old, new], t0 + 79 * DAY, grace) == [old]
    assert keys.usable([old, new], t0 + 81 * DAY, grace) == [new, old]
    assert keys.usable([old, new], t0 + 87 * DAY, grace) == [new]


def test_a_revoked_key_is_never_tried_and_an_expired_one_without_successor_still_is():
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    revoked = key_row(t0, revoked=t0 + DAY)
    assert keys.usable([revoked], t0 + 2 * DAY, 7 * DAY) == []
    lonely = key_row(t0)
    assert keys.usable([lonely], t0 + 200 * DAY, 7 * DAY) == [lonely]
    assert "已到期" in keys.status_of(lonely, t0 + 200 * DAY, 7 * DAY)


# --- registering ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_is_stored_sealed_audited_by_fingerprint_and_opened_for_the_gateway(devices, world):
    device = devices[0]
    row = keys.register_key(device, KEY_A, acting_user=world.office)
    raw = bytes.fromhex(KEY_A)
    assert raw not in bytes(row.sealed) and KEY_A.lower() not in bytes(row.sealed).hex()
    assert row.fingerprint == keys.fingerprint(raw) and len(row.fingerprint) == 8
    assert row.expires_at - row.valid_from == 90 * DAY  # hj212_keys rotation_days
    event = AuditEvent.objects.get(action="device_key.registered")
    assert event.changes["fingerprint"] == row.fingerprint
    assert KEY_A.lower() not in str(event.changes).lower()
    assert keys.keys_by_device()[device.pk] == (raw,)


@pytest.mark.django_db
def test_registering_a_new_key_supersedes_the_old_one_which_stays_usable_in_grace(devices, world):
    device = devices[0]
    old = keys.register_key(device, KEY_A, acting_user=world.office, valid_from=tz.now() - 85 * DAY)
    keys.register_key(device, KEY_B, acting_user=world.office)
    old.refresh_from_db()
    assert old.superseded_at is not None
    assert keys.keys_by_device()[device.pk] == (bytes.fromhex(KEY_B), bytes.fromhex(KEY_A))
    later = tz.now() + 8 * DAY  # past the 7-day grace window
    assert keys.keys_by_device(at=later)[device.pk] == (bytes.fromhex(KEY_B),)


@pytest.mark.django_db
def test_a_malformed_key_the_same_key_again_and_a_unit_officer_are_refused(devices, world):
    device = devices[0]
    with pytest.raises(ValidationError, match="32 位十六进制"):
        keys.register_key(device, "not-a-key", acting_user=world.office)
    keys.register_key(device, KEY_A, acting_user=world.office)
    with pytest.raises(ValidationError, match="相同"):
        keys.register_key(device, KEY_A.lower(), acting_user=world.office)
    with pytest.raises(PermissionDenied):
        keys.register_key(device, KEY_B, acting_user=world.huyi)
    assert DeviceKey.objects.count() == 1


@pytest.mark.django_db
def test_a_sealed_key_copied_onto_another_device_does_not_open(devices, world):
    row = keys.register_key(devices[0], KEY_A, acting_user=world.office)
    DeviceKey.objects.filter(pk=row.pk).update(device=devices[1])
    assert devices[1].pk not in keys.keys_by_device() or keys.keys_by_device()[devices[1].pk] == ()


def test_the_vault_key_comes_from_the_environment_with_old_ids_still_opening():
    dev = parse("")
    assert dev.is_development and dev.current == DEVELOPMENT_KEY_ID
    old = parse("k1:" + "a" * 40)
    key_id, sealed = old.seal(b"k" * 16, 7)
    rotated = parse("k2:" + "b" * 40 + ",k1:" + "a" * 40)
    assert rotated.current == "k2" and rotated.open(key_id, sealed, 7) == b"k" * 16
    with pytest.raises(VaultKeyError):
        parse("k2:" + "b" * 40).open(key_id, sealed, 7)
    with pytest.raises(VaultKeyError, match="过短"):
        parse("k1:short")


# --- alarms ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_about_to_expire_raises_an_alarm_and_a_fresh_one_does_not(devices, world):
    keys.register_key(devices[0], KEY_A, acting_user=world.office, valid_from=tz.now() - 80 * DAY)
    keys.register_key(devices[1], KEY_B, acting_user=world.office)
    alarms = keys.check_keys()
    assert [a.device_id for a in alarms] == [devices[0].pk]
    assert alarms[0].kind == AlarmKind.KEY_EXPIRING and "到期" in alarms[0].detail


@pytest.mark.django_db
def test_frames_no_key_opens_raise_an_alarm_unless_the_device_stored_data_since(devices):
    now = tz.now()
    for device in devices[:2]:
        Quarantine.objects.create(
            received_at=now - dt.timedelta(minutes=5),
            mn=device.mn,
            reason="sm4_failed",
            raw=b"##0100QN=...",
        )
    devices[1].last_seen_at = now - dt.timedelta(minutes=1)  # a resend decrypted after a reload
    devices[1].save()
    alarms = keys.check_keys(now=now)
    assert [(a.device_id, a.kind) for a in alarms] == [(devices[0].pk, AlarmKind.KEY_FAILED)]
    keys.check_keys(now=now)
    assert Alarm.objects.get(kind=AlarmKind.KEY_FAILED).count == 2  # extended, not a second


# --- the page and the command line -----------------------------------------------------------


@pytest.mark.django_db
def test_the_office_registers_a_key_on_the_page_and_never_sees_it_again(client, devices, world):
    device = devices[0]
    url = reverse("monitoring-device-keys", args=[device.pk])
    client.force_login(world.office)
    response = client.post(url, {"key": KEY_A, "valid_from": ""})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    fingerprint = DeviceKey.objects.get().fingerprint
    assert fingerprint in page and "使用中" in page
    assert KEY_A not in page and KEY_A.lower() not in page
    detail = client.get(reverse("monitoring-device", args=[device.pk])).content.decode()
    assert url in detail


@pytest.mark.django_db
def test_a_refused_key_keeps_what_was_typed_and_others_may_not_see_the_page(client, devices, world):
    url = reverse("monitoring-device-keys", args=[devices[0].pk])
    client.force_login(world.office)
    response = client.post(url, {"key": "12345", "valid_from": "2027-01-02T08:30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "32 位十六进制" in page and "2027-01-02T08:30" in page and 'value="12345"' in page
    assert DeviceKey.objects.count() == 0
    client.force_login(world.huyi)
    assert client.get(url).status_code == 403
    assert client.post(url, {"key": KEY_A}).status_code == 403


@pytest.mark.django_db
def test_the_command_line_reads_the_key_from_stdin_and_prints_only_its_fingerprint(
    devices, monkeypatch
):
    monkeypatch.setattr(sys, "stdin", io.StringIO(KEY_A + "\n"))
    out = io.StringIO()
    call_command("hj212", "key", "add", devices[0].mn, stdout=out)
    row = DeviceKey.objects.get()
    assert row.fingerprint in out.getvalue() and KEY_A not in out.getvalue()
    out = io.StringIO()
    call_command("hj212", "key", "list", stdout=out)
    assert row.fingerprint in out.getvalue() and "使用中" in out.getvalue()
    assert KEY_A not in out.getvalue()
    call_command("hj212", "key", "revoke", devices[0].mn, row.fingerprint, stdout=io.StringIO())
    assert keys.keys_by_device().get(devices[0].pk, ()) == ()


@pytest.mark.django_db
def test_the_sweep_runs_on_a_day_before_the_2025_edition_took_effect(devices, world):
    """checkdevices at a time before 2026-01-01 (a replayed or back-dated sweep) used to stop
    with 'no hj212_keys in force'."""
    import time_machine

    keys.register_key(devices[0], KEY_A, acting_user=world.office)
    with time_machine.travel(dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)):
        assert keys.check_keys() == []
        assert keys.rules().rotation == 90 * DAY
