"""Commands to devices (反控): queueing them, and the database side of sending and answers.

A person (the device page, the API) or the platform (a 1013 time request, clock drift, a gap the
sweep found) queues a ``DeviceCommand`` with ``request_command`` (audited). The gateway worker
holding the device's connection claims it (``claim``: a conditional UPDATE, so two workers
never both send it), sends it and reports what happens (``apply_events``): the 9011 and 9012
answers, a device time, history uploads received, a resend, a timeout. Finishing writes the
answer to the audit log. The frames themselves are built by ``monitoring.hj212.commands``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from accounts import access
from audit.log import record
from lantian.lib import tz
from monitoring.choices import CommandKind, CommandStatus
from monitoring.hj212 import commands as C
from monitoring.models import Device, DeviceCommand

SYSTEM = "系统"
OPEN = (CommandStatus.QUEUED, CommandStatus.SENT, CommandStatus.ACCEPTED)
CN_OF = {
    CommandKind.SET_TIME: "1012",
    CommandKind.GET_TIME: "1011",
    CommandKind.SET_RTD_INTERVAL: "1062",
    CommandKind.SET_MIN_INTERVAL: "1064",
    CommandKind.REALTIME: "2011",
}
HISTORY_CNS = ("2051", "2061", "2031")
LIFETIME = dt.timedelta(hours=1)  # a command not sent by then (device not connected) times out


def cn_of(kind: str, params: dict) -> str:
    return params.get("cn", "2051") if kind == CommandKind.HISTORY else CN_OF[kind]


def cp_of(kind: str, params: dict, now: dt.datetime) -> str:
    """The request's CP, built when it is sent (a time to set is the moment of sending)."""
    if kind == CommandKind.SET_TIME:
        return C.system_time_cp(now)
    if kind == CommandKind.HISTORY:
        return C.history_cp(dt.datetime.fromisoformat(params["begin"]), _end(params))
    if kind == CommandKind.SET_RTD_INTERVAL:
        return C.rtd_interval_cp(int(params["seconds"]))
    if kind == CommandKind.SET_MIN_INTERVAL:
        return C.min_interval_cp(int(params["minutes"]))
    return ""


def _end(params: dict) -> dt.datetime:
    """The history request's EndTime: the last second of the span (the span is [begin, end))."""
    return dt.datetime.fromisoformat(params["end"]) - dt.timedelta(seconds=1)


def check_params(kind: str, params: dict) -> dict:
    """Validated, normalised parameters; ``ValidationError`` with words otherwise."""
    if kind not in CommandKind.values:
        raise ValidationError("未知的命令")
    if kind == CommandKind.HISTORY:
        try:
            begin, end = params["begin"], params["end"]
            begin = begin if isinstance(begin, dt.datetime) else dt.datetime.fromisoformat(begin)
            end = end if isinstance(end, dt.datetime) else dt.datetime.fromisoformat(end)
        except (KeyError, TypeError, ValueError):
            raise ValidationError("补采须给出起止时间") from None
        if begin.tzinfo is None or end.tzinfo is None or not begin < end:
            raise ValidationError("补采的开始时间应早于结束时间")
        if end - begin > dt.timedelta(days=31):
            raise ValidationError("一次补采至多 31 天")
        cn = str(params.get("cn", "2051"))
        if cn not in HISTORY_CNS:
            raise ValidationError("补采的数据类型应为分钟、小时或日数据")
        return {"begin": begin.isoformat(), "end": end.isoformat(), "cn": cn}
    try:
        if kind == CommandKind.SET_RTD_INTERVAL:
            C.rtd_interval_cp(int(params.get("seconds", 0)))
            return {"seconds": int(params["seconds"])}
        if kind == CommandKind.SET_MIN_INTERVAL:
            C.min_interval_cp(int(params.get("minutes", 0)))
            return {"minutes": int(params["minutes"])}
    except (TypeError, ValueError) as err:
        raise ValidationError(str(err)) from None
    return {}


@transaction.atomic
def request_command(
    device: Device,
    kind: str,
    *,
    acting_user,
    params: dict | None = None,
    reason: str = "",
    drift_seconds: float | None = None,
) -> DeviceCommand:
    """Queue a command for ``device``. A person needs the office's rights; the platform passes a
    string (``"系统"``). If the same kind of command is still open for the device, the system's
    request joins it (returned as is) and a person's is refused."""
    if not isinstance(acting_user, str) and not access.is_office(acting_user):
        raise PermissionDenied("只有整改办、专项办可以向设备下发命令")
    params = check_params(kind, params or {})
    same = DeviceCommand.objects.filter(device=device, kind=kind, status__in=OPEN)
    pending = next((c for c in same if kind != CommandKind.HISTORY or c.params == params), None)
    if pending is not None:
        if isinstance(acting_user, str):
            return pending
        raise ValidationError("该设备已有同类命令在执行，请等待其完成")
    now = tz.now()
    person = None if isinstance(acting_user, str) else acting_user
    command = DeviceCommand.objects.create(
        device=device,
        kind=kind,
        params=params,
        reason=reason[:200],
        drift_seconds=drift_seconds,
        created_by=person,
        requested_by=acting_user if person is None else (person.get_full_name() or person.username),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    record(
        acting_user,
        "device_command.requested",
        command,
        changes={"device": device.mn, "kind": kind, "params": params},
        reason=reason,
    )
    return command


@transaction.atomic
def request_for_site(
    site, kind: str, *, acting_user, params: dict | None = None, reason: str = ""
) -> list[DeviceCommand]:
    """The same command for every active device of ``site``, all or none (a device with the
    same command still open refuses the lot, naming it)."""
    devices = list(site.devices.filter(is_active=True).order_by("mn"))
    if not devices:
        raise ValidationError("该点位没有在用设备")
    made = []
    for device in devices:
        try:
            made.append(
                request_command(device, kind, acting_user=acting_user, params=params, reason=reason)
            )
        except ValidationError as err:
            raise ValidationError(f"{device.mn}：{'；'.join(err.messages)}") from None
    return made


# --- the gateway's side (run in its writer thread) --------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """A claimed command for the gateway to send: the request's QN, CN and CP."""

    id: int
    mn: str
    kind: str
    qn: str
    cn: str
    cp: str
    tries: int
    params: dict


def claim(mns, *, now: dt.datetime | None = None, limit: int = 200) -> list[Outgoing]:
    """Commands queued for the connected devices ``mns``, each marked sent with a new QN.

    Expired ones (their device never connected in time) time out here."""
    now = now or tz.now()
    expired = DeviceCommand.objects.filter(status=CommandStatus.QUEUED, expires_at__lt=now)
    for command in expired.select_related("device"):
        _finish(command, CommandStatus.TIMEOUT, now, "有效期内设备未连接，未能发送")
    lost = DeviceCommand.objects.filter(status__in=OPEN[1:], expires_at__lt=now - LIFETIME)
    for command in lost.select_related("device"):  # its gateway stopped without a word
        _finish(command, CommandStatus.TIMEOUT, now, "发送后长时间无结果（网关曾中断）")
    if not mns:
        return []
    out = []
    queued = DeviceCommand.objects.filter(
        status=CommandStatus.QUEUED, device__mn__in=list(mns)
    ).select_related("device")
    for command in queued.order_by("created_at", "id")[:limit]:
        qn = C.qn_at(now, command.pk % 997)
        claimed = DeviceCommand.objects.filter(pk=command.pk, status=CommandStatus.QUEUED).update(
            status=CommandStatus.SENT, qn=qn, tries=F("tries") + 1, sent_at=now
        )
        if claimed:
            out.append(
                Outgoing(
                    command.pk,
                    command.device.mn,
                    command.kind,
                    qn,
                    cn_of(command.kind, command.params),
                    cp_of(command.kind, command.params, now),
                    command.tries + 1,
                    command.params,
                )
            )
    return out


def apply_events(events: list[tuple]) -> None:
    """What the gateway saw, in order: ``(kind, command id, at, value)`` with kind one of
    ``qn_rtn`` (9011 code), ``exe_rtn`` (9012 code), ``device_time`` (aware datetime),
    ``data`` (history uploads received, a count), ``resent`` (sent again, try number),
    ``timeout`` (no answer after the retries; value: the words), ``requeue`` (not sent after
    all: the connection went, or the gateway stopped)."""
    for kind, command_id, at, value in events:
        command = DeviceCommand.objects.select_related("device").filter(pk=command_id).first()
        if command is None or command.status not in OPEN:
            continue
        _APPLY[kind](command, at, value)


def _qn_rtn(command: DeviceCommand, at: dt.datetime, code: int | None) -> None:
    command.qn_rtn = code
    command.answered_at = at
    if code == 1:
        command.status = CommandStatus.ACCEPTED
        command.save(update_fields=["qn_rtn", "answered_at", "status"])
        return
    command.save(update_fields=["qn_rtn", "answered_at"])
    _finish(command, CommandStatus.FAILED, at, "设备拒绝：" + C.Answer("9011", code).text)


def _exe_rtn(command: DeviceCommand, at: dt.datetime, code: int | None) -> None:
    command.exe_rtn = code
    command.answered_at = command.answered_at or at
    text = C.Answer("9012", code).text
    if code == 1:
        _finish(command, CommandStatus.DONE, at, _done_words(command) or text)
    elif code == 100 and command.kind == CommandKind.HISTORY:
        _finish(command, CommandStatus.DONE, at, "设备无该时段数据")
    else:
        _finish(command, CommandStatus.FAILED, at, text)


def _done_words(command: DeviceCommand) -> str:
    if command.kind == CommandKind.HISTORY:
        return f"执行成功，收到补采数据 {command.result.get('uploads', 0)} 条"
    if command.kind == CommandKind.GET_TIME and command.drift_seconds is not None:
        return f"现场机时间偏差 {command.drift_seconds:+.0f} 秒"
    if command.kind == CommandKind.SET_TIME and command.drift_seconds is not None:
        return f"已校时（校前偏差 {command.drift_seconds:+.0f} 秒）"
    return "执行成功"


def _device_time(command: DeviceCommand, at: dt.datetime, value: dt.datetime) -> None:
    command.result = {**command.result, "device_time": tz.to_local(value).isoformat()}
    command.drift_seconds = round((value - at).total_seconds(), 1)
    command.save(update_fields=["result", "drift_seconds"])


def _data(command: DeviceCommand, at: dt.datetime, count: int) -> None:
    command.result = {**command.result, "uploads": command.result.get("uploads", 0) + count}
    command.save(update_fields=["result"])


def _resent(command: DeviceCommand, at: dt.datetime, tries: int) -> None:
    command.tries = max(command.tries, tries)
    command.sent_at = at
    command.save(update_fields=["tries", "sent_at"])


def _timeout(command: DeviceCommand, at: dt.datetime, words: str) -> None:
    _finish(command, CommandStatus.TIMEOUT, at, words)


def _requeue(command: DeviceCommand, at: dt.datetime, _value) -> None:
    """Back to the queue (the gateway stopped, or the connection went): sent again later."""
    command.status = CommandStatus.QUEUED
    command.save(update_fields=["status"])


_APPLY: dict[str, Any] = {
    "requeue": _requeue,
    "qn_rtn": _qn_rtn,
    "exe_rtn": _exe_rtn,
    "device_time": _device_time,
    "data": _data,
    "resent": _resent,
    "timeout": _timeout,
}


@transaction.atomic
def _finish(command: DeviceCommand, status: str, at: dt.datetime, detail: str) -> None:
    command.status = status
    command.finished_at = at
    command.detail = detail[:300]
    command.save(update_fields=["status", "finished_at", "detail"])
    record(
        SYSTEM,
        "device_command.finished",
        command,
        changes={
            "device": command.device.mn,
            "kind": command.kind,
            "status": status,
            "qn": command.qn,
            "tries": command.tries,
            "qn_rtn": command.qn_rtn,
            "exe_rtn": command.exe_rtn,
            "drift_seconds": command.drift_seconds,
            "result": command.result,
        },
        reason=detail,
    )


@transaction.atomic
def record_hardware(mn: str, info: dict) -> None:
    """The hardware serial a 2025 data logger reported (1001), kept on its device; a change
    (another logger behind the same MN) is audited."""
    device = Device.objects.select_for_update().filter(mn=mn).first()
    if device is None or device.hardware == info:
        return
    before, device.hardware = device.hardware, info
    device.save(update_fields=["hardware"])
    record(SYSTEM, "device.hardware_reported", device, changes={"hardware": [before, info]})


def request_for_mn(mn: str, kind: str, *, reason: str, drift_seconds=None, params=None) -> None:
    """The platform's own request for the device with MN ``mn`` (from the gateway)."""
    device = Device.objects.filter(mn=mn, is_active=True).first()
    if device is not None:
        request_command(
            device,
            kind,
            acting_user=SYSTEM,
            params=params,
            reason=reason,
            drift_seconds=drift_seconds,
        )
