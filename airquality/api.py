"""Air-quality API: stations, hours, days, rankings, dust fall, response items, the calculator.

Same access as the pages: data for staff users, response items for their owner units.
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from pydantic import StringConstraints

from accounts.access import get_for_user, is_staff_user, restrict
from accounts.models import District
from airquality import aqi, services
from airquality.choices import ResponseStatus
from airquality.models import DistrictDaily, HourlyObservation, ResponseItem, Station
from airquality.schemas import (
    AqiIn,
    AqiOut,
    DayOut,
    DustFallRanking,
    ErrorOut,
    EvaluateIn,
    FeedbackIn,
    HourOut,
    MonthOut,
    ResponseOut,
    StationOut,
)
from airquality.summary import default_city, district_ranking, dustfall_ranking
from api.fields import Day, Id
from lantian.lib import tz

router = Router(tags=["空气质量"])
PREFIX = "air"
MAX_DAYS = 400
Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}$")]


def _staff(request: HttpRequest) -> None:
    if not is_staff_user(request.user):
        raise HttpError(403, "无权查看空气质量数据")


def _range(
    start: dt.date | None, end: dt.date | None, default_days: int
) -> tuple[dt.date, dt.date]:
    end = end or tz.local_today()
    start = start or end - dt.timedelta(days=default_days)
    if start > end or (end - start).days > MAX_DAYS:
        raise HttpError(422, f"日期范围须在 {MAX_DAYS} 天以内且起不晚于止")
    return start, end


def _month(month: str | None) -> dt.date:
    if not month:
        return tz.local_today().replace(day=1)
    try:
        return dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise HttpError(422, "month 应为 YYYY-MM") from None


@router.get("/stations", response=list[StationOut])
def list_stations(request: HttpRequest):
    """Monitoring stations the caller may see."""
    return restrict(Station.objects.select_related("district"), request.user)


@router.get("/stations/{station_id}/hours", response=list[HourOut])
def station_hours(
    request: HttpRequest, station_id: Id, start: Day | None = None, end: Day | None = None
):
    """A station's hours (start of hour, UTC) between two local days (default: the last 2 days)."""
    station = get_for_user(Station, request.user, station_id)
    start, end = _range(start, end, 2)
    return HourlyObservation.objects.filter(
        station=station,
        time__gte=tz.start_of_local_day(start),
        time__lt=tz.start_of_local_day(end + dt.timedelta(days=1)),
    )


@router.get("/stations/{station_id}/days", response=list[DayOut])
def station_days(
    request: HttpRequest, station_id: Id, start: Day | None = None, end: Day | None = None
):
    """A station's daily figures and AQI (default: the last 30 days)."""
    station = get_for_user(Station, request.user, station_id)
    start, end = _range(start, end, 30)
    return station.days.filter(date__gte=start, date__lte=end)


@router.get("/districts/{district_id}/days", response=list[DayOut])
def district_days(
    request: HttpRequest, district_id: Id, start: Day | None = None, end: Day | None = None
):
    """A district's (or the city's) daily figures and AQI: the AQI calendar's data."""
    _staff(request)
    start, end = _range(start, end, 365)
    return DistrictDaily.objects.filter(district_id=district_id, date__gte=start, date__lte=end)


@router.get("/rankings", response={200: list[MonthOut], 404: ErrorOut})
def rankings(request: HttpRequest, month: Month | None = None, city: Id | None = None):
    """The month's district ranking by composite index (``month`` as YYYY-MM)."""
    _staff(request)
    area = District.objects.filter(pk=city, parent=None).first() if city else default_city()
    if area is None:
        raise HttpError(404, "没有该城市")
    return district_ranking(area, _month(month))


@router.get("/dustfall", response={200: DustFallRanking, 404: ErrorOut})
def dustfall(request: HttpRequest, month: Month | None = None, city: Id | None = None):
    """The month's dust fall per district, lowest first, against the target."""
    _staff(request)
    area = District.objects.filter(pk=city, parent=None).first() if city else default_city()
    if area is None:
        raise HttpError(404, "没有该城市")
    return dustfall_ranking(area, _month(month))


@router.get("/responses", response=list[ResponseOut])
def list_responses(request: HttpRequest, status: ResponseStatus | None = None):
    """Response items the caller may see, newest first (at most 500)."""
    items = restrict(
        ResponseItem.objects.select_related("station", "district", "owner"), request.user
    )
    if status:
        items = items.filter(status=status)
    return items[:500]


@router.get("/responses/{item_id}", response=ResponseOut)
def get_response(request: HttpRequest, item_id: Id):
    return get_for_user(
        ResponseItem.objects.select_related("station", "district", "owner"), request.user, item_id
    )


def _act(fn):
    try:
        return fn()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权办理") from None
    except ValidationError as exc:
        raise HttpError(422, "；".join(exc.messages)) from None


@router.post(
    "/responses/{item_id}/feedback", response={200: ResponseOut, 403: ErrorOut, 422: ErrorOut}
)
def feedback(request: HttpRequest, item_id: Id, payload: FeedbackIn):
    """The owner unit's feedback (cause and measures)."""
    item = get_for_user(ResponseItem, request.user, item_id)
    return _act(
        lambda: services.submit_feedback(
            item, cause=payload.cause, measures=payload.measures, acting_user=request.user
        )
    )


@router.post(
    "/responses/{item_id}/evaluate", response={200: ResponseOut, 403: ErrorOut, 422: ErrorOut}
)
def evaluate(request: HttpRequest, item_id: Id, payload: EvaluateIn):
    """The office's evaluation: accept (close) or return for another round."""
    item = get_for_user(ResponseItem, request.user, item_id)
    return _act(
        lambda: services.evaluate(
            item, accepted=payload.accepted, opinion=payload.opinion, acting_user=request.user
        )
    )


@router.post("/aqi", response={200: AqiOut, 422: ErrorOut})
def compute_aqi(request: HttpRequest, payload: AqiIn):
    """HJ 633 AQI of one set of concentrations (µg/m³, CO mg/m³), table chosen by ``date``."""
    try:
        table = aqi.load_table(payload.standard, on=payload.date)
        result = aqi.compute(payload.values, mode=payload.mode, table=table)
    except (aqi.AQIError, LookupError) as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "aqi": result.aqi,
        "level": result.level.level,
        "category": result.category,
        "color": result.color,
        "primary": list(result.primary),
        "over_limit": list(result.over_limit),
        "above_scale": result.above_scale,
        "standard": result.standard,
        "missing": list(result.missing),
        "published": result.published,
        "note": result.unpublished_note,
        "sub_indices": [
            {**s.__dict__, "concentration": str(s.concentration)}
            for s in result.sub_indices.values()
        ],
    }
