import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest
from ninja import Router
from pydantic import Field, StringConstraints

from accounts import access
from accounts.models import Unit
from api.fields import Id, Limit, Offset, Year, page
from lantian.lib import tz
from monitoring import names, remote, services
from monitoring.backfill import backfilled_times
from monitoring.choices import AlarmStatus, CaseStatus, CommandKind, DeviceKind, Penalty
from monitoring.judge import rules_for
from monitoring.models import Alarm, Case, Device, HourlyRollup, Reading, Site
from monitoring.schemas import (
    AlarmOut,
    BulkCaseIn,
    CaseIn,
    CaseOut,
    ClosureIn,
    CommandIn,
    CommandOut,
    DecisionIn,
    DeviceOut,
    ErrorOut,
    ReadingsOut,
)
from monitoring.units import reading_unit

try:  # django-ninja ≥ 1.5 deprecates returning (status, body) tuples
    from ninja.responses import Status
except ImportError:  # pragma: no cover - older django-ninja

    def Status(status_code, value):  # noqa: N802 - mirrors the class it stands in for
        return status_code, value


router = Router(tags=["在线监测"])
RAW_HOURS = 48  # longer charts show hourly means from the rollups
HOUR = dt.timedelta(hours=1)
PREFIX = "monitoring"
Code = Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9_-]*$")]
Hours = Annotated[int, Field(ge=1, le=24 * 31, description="最近多少小时（至多 31 天）")]


@router.get("/devices", response=list[DeviceOut])
def list_devices(
    request: HttpRequest,
    kind: DeviceKind | None = None,
    offset: Offset = 0,
    limit: Limit = 2000,
):
    """Devices the caller may see."""
    devices = access.restrict(Device.objects.select_related("site__district"), request.user)
    if kind:
        devices = devices.filter(kind=kind)
    return page(devices.order_by("id"), offset, limit)


@router.get("/devices/{pk}/readings", response=ReadingsOut, url_name="monitoring_readings")
def device_readings(request: HttpRequest, pk: Id, code: Code = "", hours: Hours = 24):
    """One pollutant's values over the last ``hours`` (at most 31 days), with the limit: each
    value up to 48 hours, hourly means of valid data beyond."""
    device = access.get_for_user(Device.objects.select_related("site"), request.user, pk)
    rules = rules_for(device, tz.local_today())
    code = code or (rules[0].code if rules else "a34001")
    now = tz.now()
    since = now - dt.timedelta(hours=hours)
    if hours <= RAW_HOURS:  # each value as sent
        rows = list(
            Reading.objects.filter(
                device=device, code=code, data_time__gte=since, data_time__lt=now + HOUR
            )
            .order_by("data_time")
            .values_list("data_time", "value", "flag")[:50000]
        )
    else:  # hourly means of valid data, from the rollups
        rows = [
            (start, round(total / valid, 4), "N")
            for start, total, valid in HourlyRollup.objects.filter(
                device=device, code=code, start__gte=since, start__lt=now + HOUR, valid__gt=0
            )
            .values("start")
            .annotate(total=Sum("total"), valid=Sum("valid"))
            .order_by("start")
            .values_list("start", "total", "valid")
        ]
    limit = next((r.limit for r in rules if r.code == code), None)
    filled = backfilled_times(device.pk, since, now + HOUR) if hours <= RAW_HOURS else set()
    return {
        "code": code,
        "name": names.pollutant(code),
        "unit": reading_unit(code),
        "limit": limit,
        "points": [
            {"time": t, "value": v, "flag": f, "backfilled": t in filled} for t, v, f in rows
        ],
    }


@router.get("/alarms", response=list[AlarmOut])
def list_alarms(
    request: HttpRequest,
    status: AlarmStatus | Literal["open", "all"] = "open",
    offset: Offset = 0,
    limit: Limit = 1000,
):
    """Alarms the caller may see; ``status=open`` (default), ``all`` or one status."""
    alarms = access.restrict(
        Alarm.objects.select_related("site", "device", "dispatched_to"), request.user
    )
    if status == "open":
        alarms = alarms.exclude(status="closed")
    elif status != "all":
        alarms = alarms.filter(status=status)
    return page(alarms.order_by("-first_at"), offset, limit)


ERRORS = {403: ErrorOut, 422: ErrorOut}


def _refused(exc: Exception):
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc) or "无权操作"})
    return Status(422, {"detail": "；".join(exc.messages), "messages": exc.messages})


def _command_params(data) -> dict:
    if data.kind == CommandKind.HISTORY:
        return {"begin": data.begin, "end": data.end, "cn": data.cn}
    return {"seconds": data.seconds, "minutes": data.minutes}


@router.get("/devices/{pk}/commands", response=list[CommandOut])
def list_device_commands(request: HttpRequest, pk: Id, offset: Offset = 0, limit: Limit = 100):
    """Commands sent to a device (反控), newest first, with their answers."""
    device = access.get_for_user(Device.objects.all(), request.user, pk)
    return page(device.commands.select_related("device"), offset, limit)


@router.post("/devices/{pk}/commands", response={201: CommandOut, **ERRORS})
def send_device_command(request: HttpRequest, pk: Id, data: CommandIn):
    """Queue a command for a device: sent over its open connection by the gateway, its 9011 and
    9012 answers followed, audited (office only)."""
    device = access.get_for_user(Device.objects.all(), request.user, pk)
    try:
        command = remote.request_command(
            device,
            data.kind,
            acting_user=request.user,
            params={k: v for k, v in _command_params(data).items() if v is not None},
            reason="人工下发",
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, command)


@router.post("/sites/{pk}/commands", response={201: list[CommandOut], **ERRORS})
def send_site_command(request: HttpRequest, pk: Id, data: CommandIn):
    """The same command for every active device of a site, all or none (office only)."""
    site = access.get_for_user(Site.objects.all(), request.user, pk)
    try:
        commands = remote.request_for_site(
            site,
            data.kind,
            acting_user=request.user,
            params={k: v for k, v in _command_params(data).items() if v is not None},
            reason="人工下发（全点位）",
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, commands)


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"authority_id": "未知的立案机关"})
    return unit


def _cases(request):
    return access.restrict(Case.objects.select_related("authority"), request.user)


@router.get("/cases", response=list[CaseOut])
def list_cases(
    request: HttpRequest,
    status: CaseStatus | None = None,
    year: Year | None = None,
    offset: Offset = 0,
    limit: Limit = 1000,
):
    """Enforcement cases (立案) the caller may see, newest first."""
    cases = _cases(request)
    if status:
        cases = cases.filter(status=status)
    if year:
        cases = cases.filter(opened_on__year=year)
    return page(cases.order_by("-opened_on", "-id"), offset, limit)


@router.get("/cases/{int:case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: Id):
    return access.get_for_user(_cases(request), request.user, case_id)


@router.post("/alarms/{alarm_id}/cases", response={201: CaseOut, **ERRORS})
def open_case(request: HttpRequest, alarm_id: Id, data: CaseIn):
    """Open a case on an alarm (立案); audited, shown in the alarm's timeline."""
    alarm = access.get_for_user(Alarm.objects.select_related("site"), request.user, alarm_id)
    try:
        case = services.open_case(
            alarm,
            acting_user=request.user,
            number=data.number,
            opened_on=data.opened_on,
            authority=_unit(data.authority_id),
            note=data.cause,
            legal_basis=data.legal_basis,
            party=data.party,
            party_code=data.party_code,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, case)


@router.post("/cases/bulk", response={201: list[CaseOut], **ERRORS})
def open_cases(request: HttpRequest, data: BulkCaseIn):
    """One case per alarm, numbered from a template with ``{n}``: all or none."""
    alarms = list(
        access.restrict(Alarm.objects.filter(pk__in=data.alarm_ids), request.user).select_related(
            "site"
        )
    )
    try:
        if len(alarms) != len(set(data.alarm_ids)):
            raise ValidationError({"alarm_ids": "有报警不存在或无权查看"})
        cases = services.open_cases(
            alarms,
            acting_user=request.user,
            number_template=data.number_template,
            start=data.start,
            opened_on=data.opened_on,
            authority=_unit(data.authority_id),
            note=data.cause,
            legal_basis=data.legal_basis,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, cases)


@router.post("/cases/{int:case_id}/decision", response={200: CaseOut, **ERRORS})
def decide_case(request: HttpRequest, case_id: Id, data: DecisionIn):
    case = access.get_for_user(_cases(request), request.user, case_id)
    try:
        if data.penalty not in Penalty.values:
            raise ValidationError({"penalty": "处理种类无效"})
        case = services.decide_case(
            case,
            acting_user=request.user,
            penalty=data.penalty,
            decision=data.decision,
            decided_on=data.decided_on,
            fine=Decimal(str(data.fine)) if data.fine is not None else None,
            order=data.order,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(200, case)


@router.post("/cases/{int:case_id}/closure", response={200: CaseOut, **ERRORS})
def close_case(request: HttpRequest, case_id: Id, data: ClosureIn):
    case = access.get_for_user(_cases(request), request.user, case_id)
    try:
        case = services.close_case(
            case, acting_user=request.user, closed_on=data.closed_on, closure=data.closure
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(200, case)
