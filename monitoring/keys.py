"""The key register: each device's SM4 keys (HJ 212-2025), their rotation and their alarms.

- ``register_key`` seals an operator's key (``keyvault``) and makes it the device's current key;
  the previous key stays usable for the grace window, so frames already on their way, or a
  device switched a little late, still decrypt.
- ``usable`` (pure) says which keys to try at a moment, newest first: the gateway's directory
  loads them (``keys_by_device``) and tries them in that order.
- ``check_keys`` (the device sweep) raises ``key_expiring`` for a key within ``warn_days`` of its
  end, or past it with no successor, and ``key_failed`` for a device whose encrypted frames no
  valid key opened and that has stored nothing since (a stale directory is reloaded and the
  device's resend then succeeds, so a rotation does not alarm).

An expired key without a successor is still tried: refusing the data would lose it; the alarm
asks for a new key instead. Rules (rotation period, grace, warning) are the ``hj212_keys``
regulation family.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max

from accounts import access
from audit.log import record
from lantian.lib import tz
from monitoring.choices import AlarmKind
from monitoring.hj212 import errors as E
from monitoring.hj212.sm4 import parse_key
from monitoring.keyvault import VaultKeyError, vault
from monitoring.models import Alarm, Device, DeviceKey, Quarantine
from regulations import lookup

FAILURE_REASONS = (E.SM4_FAILED, E.SM4_NO_KEY)


@dataclass(frozen=True)
class Rules:
    rotation: dt.timedelta
    grace: dt.timedelta
    warn: dt.timedelta
    code: str


def rules(on: dt.date | None = None) -> Rules:
    """The rules in force on ``on``; before the 2025 edition took effect, its first version
    (a key registered for a device that encrypts early follows the same rotation)."""
    try:
        version = lookup.version("hj212_keys", on=on or tz.local_today())
    except lookup.RegulationNotFound:
        version = min(lookup.versions("hj212_keys"), key=lambda v: v.effective_from)

    def days(key: str) -> dt.timedelta:
        return dt.timedelta(days=float(version.number(key).value))

    return Rules(days("rotation_days"), days("grace_days"), days("warn_days"), version.code)


def fingerprint(key: bytes) -> str:
    """Eight hex digits naming a key on pages and in the audit log (not enough to guess it)."""
    return hashlib.sha256(b"lantian-sm4-fingerprint\0" + key).hexdigest()[:8].upper()


# --- which keys are tried ----------------------------------------------------------------------


def usable(keys: Iterable[DeviceKey], at: dt.datetime, grace: dt.timedelta) -> list[DeviceKey]:
    """The keys to try at ``at``, newest first: started, not revoked, and either not superseded
    or superseded less than ``grace`` ago."""
    found = [
        k
        for k in keys
        if k.valid_from <= at
        and (k.revoked_at is None or at < k.revoked_at)
        and (k.superseded_at is None or at < k.superseded_at + grace)
    ]
    return sorted(found, key=lambda k: (k.valid_from, k.pk or 0), reverse=True)


def status_of(key: DeviceKey, at: dt.datetime, grace: dt.timedelta) -> str:
    """The key's state in words, for the register page and the CLI."""
    if key.revoked_at is not None and key.revoked_at <= at:
        return f"已停用（{tz.to_local(key.revoked_at):%Y-%m-%d %H:%M}）"
    if key.valid_from > at:
        return f"待启用（{tz.to_local(key.valid_from):%Y-%m-%d %H:%M} 起）"
    if key.superseded_at is not None:
        end = key.superseded_at + grace
        if at < end:
            return f"过渡期，与新密钥并行至 {tz.to_local(end):%Y-%m-%d %H:%M}"
        return "已被新密钥替换"
    if at >= key.expires_at:
        return "已到期，尚无新密钥（仍在尝试）"
    return "使用中"


def keys_by_device(device_ids: Iterable[int] | None = None, *, at=None) -> dict[int, tuple]:
    """device id → the usable keys (bytes), newest first; for the gateway's directory.

    A key the vault cannot open (an unknown vault key id, an altered row) is left out."""
    at = at or tz.now()
    grace = rules(tz.to_local(at).date()).grace
    rows = DeviceKey.objects.filter(revoked_at__isnull=True, valid_from__lte=at).exclude(
        superseded_at__lte=at - grace
    )
    if device_ids is not None:
        rows = rows.filter(device_id__in=list(device_ids))
    per_device: dict[int, list[DeviceKey]] = {}
    for row in rows:
        per_device.setdefault(row.device_id, []).append(row)
    box = vault()
    out: dict[int, tuple] = {}
    for device_id, found in per_device.items():
        opened = []
        for key in usable(found, at, grace):
            try:
                opened.append(box.open(key.vault_key_id, key.sealed, device_id))
            except VaultKeyError:
                continue
        out[device_id] = tuple(opened)
    return out


# --- writes --------------------------------------------------------------------------------------


def _check_office(user) -> None:
    if isinstance(user, str) or user is None:
        return  # the system or the command line (whoever runs it holds the server)
    if not access.is_office(user):
        raise PermissionDenied("只有整改办、专项办可以登记设备密钥")


@transaction.atomic
def register_key(
    device: Device, text: str, *, acting_user, valid_from: dt.datetime | None = None
) -> DeviceKey:
    """Seal and store a new key for ``device``, in use from ``valid_from`` (default now).

    Keys registered before it are superseded from ``valid_from`` (tried for the grace window
    after). Refuses (``ValidationError``) a malformed key and the key already in use. The key
    itself goes nowhere else: not in the audit log, not in any page.
    """
    _check_office(acting_user)
    try:
        key = parse_key(text)
    except ValueError as err:
        raise ValidationError(str(err)) from None
    now = tz.now()
    valid_from = valid_from or now
    found = rules(tz.to_local(valid_from).date())
    mark = fingerprint(key)
    earlier = list(
        DeviceKey.objects.select_for_update().filter(
            device=device, revoked_at__isnull=True, superseded_at__isnull=True
        )
    )
    if any(k.fingerprint == mark for k in earlier):
        raise ValidationError("该密钥与设备现用密钥相同，更换时须登记新密钥")
    key_id, sealed = vault().seal(key, device.pk)
    row = DeviceKey.objects.create(
        device=device,
        vault_key_id=key_id,
        sealed=sealed,
        fingerprint=mark,
        valid_from=valid_from,
        expires_at=valid_from + found.rotation,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    for old in earlier:
        if old.valid_from < valid_from:
            old.superseded_at = valid_from
            old.save(update_fields=["superseded_at"])
    record(
        acting_user,
        "device_key.registered",
        row,
        changes={
            "device": device.mn,
            "fingerprint": mark,
            "valid_from": tz.to_local(valid_from).isoformat(),
            "expires_at": tz.to_local(row.expires_at).isoformat(),
            "superseded": [k.fingerprint for k in earlier if k.superseded_at == valid_from],
        },
        reason=found.code,
    )
    return row


@transaction.atomic
def revoke_key(key: DeviceKey, *, acting_user, reason: str = "") -> DeviceKey:
    """Stop trying ``key`` at once (entered by mistake, or known to have leaked)."""
    _check_office(acting_user)
    if key.revoked_at is None:
        key.revoked_at = tz.now()
        key.save(update_fields=["revoked_at"])
        record(
            acting_user,
            "device_key.revoked",
            key,
            changes={"device": key.device.mn, "fingerprint": key.fingerprint},
            reason=reason,
        )
    return key


# --- alarms ----------------------------------------------------------------------------------


def check_keys(*, now: dt.datetime | None = None) -> list[Alarm]:
    """Raise or extend the key alarms (see the module docstring); returns them."""
    now = now or tz.now()
    found = rules(tz.to_local(now).date())
    return _expiring(now, found) + _failing(now, found)


def _expiring(now: dt.datetime, found: Rules) -> list[Alarm]:
    current = DeviceKey.objects.filter(
        revoked_at__isnull=True,
        superseded_at__isnull=True,
        valid_from__lte=now,
        expires_at__lte=now + found.warn,
        device__is_active=True,
    ).select_related("device__site")
    alarms = []
    for key in current:
        end = tz.to_local(key.expires_at)
        if key.expires_at <= now:
            detail = f"密钥 {key.fingerprint} 已于 {end:%Y-%m-%d %H:%M} 到期，请登记新密钥"
        else:
            days = (key.expires_at - now).days
            detail = f"密钥 {key.fingerprint} 将于 {end:%Y-%m-%d %H:%M} 到期（{days} 天后），请更换"
        alarms.append(_raise(key.device, AlarmKind.KEY_EXPIRING, detail, now, found))
    return alarms


def _failing(now: dt.datetime, found: Rules) -> list[Alarm]:
    since = now - dt.timedelta(hours=24)
    rows = (
        Quarantine.objects.filter(reason__in=FAILURE_REASONS, received_at__gte=since)
        .exclude(mn="")
        .values("mn")
        .annotate(last=Max("received_at"), n=Count("id"))
    )
    failures = {row["mn"]: (row["last"], row["n"]) for row in rows}
    if not failures:
        return []
    alarms = []
    for device in Device.objects.filter(mn__in=failures, is_active=True).select_related("site"):
        last, count = failures[device.mn]
        if device.last_seen_at is not None and device.last_seen_at > last:
            continue  # decrypted and stored since: the directory had not loaded a new key yet
        detail = (
            f"最近 24 小时 {count} 帧加密报文无法用有效密钥解密"
            f"（最近 {tz.to_local(last):%m-%d %H:%M}），此后无数据入库"
        )
        alarms.append(_raise(device, AlarmKind.KEY_FAILED, detail, now, found))
    return alarms


def _raise(device: Device, kind: str, detail: str, now, found: Rules) -> Alarm:
    from monitoring import services
    from monitoring.health import thresholds

    alarm, _ = services.raise_or_extend(
        device,
        kind=kind,
        level=1,
        at=now,
        basis=found.code,
        detail=detail,
        response_hours=thresholds(tz.to_local(now).date())["response_hours"],
    )
    return alarm


def summary(device: Device, at: dt.datetime | None = None) -> list[tuple[DeviceKey, str]]:
    """The device's keys with their state, newest first (the register page)."""
    at = at or tz.now()
    grace = rules(tz.to_local(at).date()).grace
    return [(k, status_of(k, at, grace)) for k in device.keys.all()]
