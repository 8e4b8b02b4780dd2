"""``lantian hj212 key add|list|revoke``: the key register from the command line.

``add`` reads the key from standard input (one line; a terminal does not echo it), so it stays
out of the shell history and the process list; it is never printed back, only its fingerprint.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import TextIO

from django.core.exceptions import ValidationError

from lantian.lib import tz
from monitoring import keys
from monitoring.models import Device, DeviceKey

ACTOR = "命令行"


def run(options: dict, stdin: TextIO, out) -> None:
    """Raise ``ValueError`` with one line for the person at the terminal."""
    action = options["key_action"]
    if action == "add":
        _add(options, stdin, out)
    elif action == "list":
        _list(options.get("mn"), out)
    else:
        _revoke(options, out)


def _device(mn: str) -> Device:
    try:
        return Device.objects.get(mn=mn)
    except Device.DoesNotExist:
        raise ValueError(f"没有设备 {mn}") from None


def _add(options: dict, stdin: TextIO, out) -> None:
    device = _device(options["mn"])
    valid_from = None
    if options.get("valid_from"):
        try:
            local = dt.datetime.strptime(options["valid_from"], "%Y-%m-%d %H:%M")
        except ValueError:
            raise ValueError("--from 应为 YYYY-MM-DD HH:MM（北京时间）") from None
        valid_from = local.replace(tzinfo=tz.LOCAL_TZ)
    text = getpass.getpass("SM4 密钥：") if stdin.isatty() else stdin.readline()
    try:
        row = keys.register_key(device, text.strip(), acting_user=ACTOR, valid_from=valid_from)
    except ValidationError as err:
        raise ValueError("；".join(err.messages)) from None
    out.write(
        f"已登记 {device.mn} 的密钥 {row.fingerprint}，"
        f"{tz.to_local(row.valid_from):%Y-%m-%d %H:%M} 启用，"
        f"{tz.to_local(row.expires_at):%Y-%m-%d %H:%M} 到期"
    )


def _list(mn: str | None, out) -> None:
    rows = DeviceKey.objects.select_related("device").order_by("device__mn", "-valid_from")
    if mn:
        rows = rows.filter(device=_device(mn))
    now = tz.now()
    grace = keys.rules().grace
    for key in rows:
        out.write(
            f"{key.device.mn}\t{key.fingerprint}\t"
            f"{tz.to_local(key.valid_from):%Y-%m-%d %H:%M}\t"
            f"{tz.to_local(key.expires_at):%Y-%m-%d %H:%M}\t{keys.status_of(key, now, grace)}"
        )


def _revoke(options: dict, out) -> None:
    device = _device(options["mn"])
    key = DeviceKey.objects.filter(
        device=device, fingerprint=options["fingerprint"].upper()
    ).first()
    if key is None:
        raise ValueError(f"{device.mn} 没有指纹为 {options['fingerprint']} 的密钥")
    keys.revoke_key(key, acting_user=ACTOR, reason=options.get("reason", ""))
    out.write(f"已停用 {device.mn} 的密钥 {key.fingerprint}")
