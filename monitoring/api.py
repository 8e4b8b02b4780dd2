import datetime as dt

from django.http import HttpRequest
from ninja import Router

from accounts import access
from lantian.lib import tz
from monitoring.judge import rules_for
from monitoring.models import Alarm, Device, Reading
from monitoring.schemas import AlarmOut, DeviceOut, ReadingsOut
from monitoring.units import reading_unit

router = Router(tags=["在线监测"])
PREFIX = "monitoring"


@router.get("/devices", response=list[DeviceOut])
def list_devices(request: HttpRequest, kind: str = ""):
    """Devices the caller may see."""
    devices = access.restrict(Device.objects.select_related("site__district"), request.user)
    if kind:
        devices = devices.filter(kind=kind)
    return devices.order_by("id")[:2000]


@router.get("/devices/{pk}/readings", response=ReadingsOut, url_name="monitoring_readings")
def device_readings(request: HttpRequest, pk: int, code: str = "", hours: int = 24):
    """One pollutant's values over the last ``hours`` (at most 31 days), with the limit."""
    device = access.get_for_user(Device.objects.select_related("site"), request.user, pk)
    rules = rules_for(device, tz.local_today())
    code = code or (rules[0].code if rules else "a34001")
    hours = max(1, min(hours, 24 * 31))
    since = tz.now() - dt.timedelta(hours=hours)
    rows = (
        Reading.objects.filter(device=device, code=code, data_time__gte=since)
        .order_by("data_time")
        .values_list("data_time", "value", "flag")[:50000]
    )
    limit = next((r.limit for r in rules if r.code == code), None)
    return {"code": code, "unit": reading_unit(code), "limit": limit, "points": list(rows)}


@router.get("/alarms", response=list[AlarmOut])
def list_alarms(request: HttpRequest, status: str = "open"):
    """Alarms the caller may see; ``status=open`` (default), ``all`` or one status."""
    alarms = access.restrict(
        Alarm.objects.select_related("site", "device", "dispatched_to"), request.user
    )
    if status == "open":
        alarms = alarms.exclude(status="closed")
    elif status != "all":
        alarms = alarms.filter(status=status)
    return alarms.order_by("-first_at")[:1000]
