"""Air-quality pages: overview with the AQI calendar, rankings, stations, districts, imports,
and the anomaly response items. Every page is for staff users; lookups by id answer 404."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_for_user, is_office, is_staff_user, restrict
from accounts.models import District
from airquality import aqi, services
from airquality.choices import AnomalyKind, ImportKind, ResponseStatus
from airquality.forms import (
    DismissForm,
    DustFallImportForm,
    EvaluateForm,
    FeedbackForm,
    HoursImportForm,
    NoteForm,
)
from airquality.models import (
    DailyValue,
    DataImport,
    DistrictDaily,
    DistrictMonthly,
    HourlyObservation,
    ResponseItem,
    Station,
)
from airquality.summary import (
    default_city,
    district_ranking,
    dustfall_ranking,
    labels,
    level_scale,
)
from evidence.services import evidence_for
from lantian.lib import params, tz


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _city(request) -> District:
    city_id = params.key(request.GET, "city")
    city = District.objects.filter(parent=None, pk=city_id).first() if city_id else None
    city = city or default_city()
    if city is None:
        raise Http404
    return city


def _month(text: str | None, fallback: dt.date) -> dt.date:
    try:
        year, month = (int(p) for p in (text or "").split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        return fallback.replace(day=1)


@staff_required
def overview(request):
    """The city at a glance: yesterday's district AQI bars and a year's AQI calendar."""
    city = _city(request)
    areas = {d.pk: d for d in District.objects.filter(parent=city)}
    area = areas.get(params.key(request.GET, "area")) or city
    today = tz.local_today()
    year = params.year(request.GET) or today.year
    calendar = [
        [d.date.isoformat(), d.aqi, d.level]
        for d in DistrictDaily.objects.filter(district=area, date__year=year).exclude(aqi=None)
    ]
    latest = (
        DistrictDaily.objects.filter(district__parent=city)
        .exclude(aqi=None)
        .aggregate(d=Max("date"))["d"]
    )
    scale = level_scale(latest or today)
    bars = []
    city_day = None
    if latest:
        rows = DistrictDaily.objects.filter(district__parent=city, date=latest).exclude(aqi=None)
        for row in sorted(rows.select_related("district"), key=lambda r: (r.aqi, r.district_id)):
            bars.append(
                {"name": row.district.name, "aqi": row.aqi, "color": scale[row.level]["color"]}
            )
        city_day = DistrictDaily.objects.filter(district=city, date=latest).first()
    responses = restrict(ResponseItem.objects.all(), request.user)
    open_items = responses.filter(
        status__in=[ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK]
    )
    context = {
        "city": city,
        "area": area,
        "areas": areas.values(),
        "year": year,
        "years": range(today.year - 3, today.year + 1),
        "latest": latest,
        "city_day": city_day,
        "city_level": scale[city_day.level] if city_day and city_day.level is not None else None,
        "city_primary": labels(city_day.primary) if city_day else "",
        "open_count": open_items.count(),
        "overdue_count": open_items.filter(deadline__lt=tz.now()).count(),
        "chart": {"calendar": calendar, "year": year, "levels": scale, "bars": bars},
    }
    return render(request, "airquality/overview.html", context)


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@staff_required
def rankings(request):
    """Monthly district ranking by composite index, and dust fall against the target."""
    city = _city(request)
    months = DistrictMonthly.objects.filter(district__parent=city)
    # By default the latest month with complete data (the month in progress is partial).
    latest = months.filter(complete=True).aggregate(m=Max("month"))["m"]
    latest = latest or months.aggregate(m=Max("month"))["m"]
    month = _month(request.GET.get("month"), latest or tz.local_today())
    rows = district_ranking(city, month)
    dust = dustfall_ranking(city, month)
    chart = {
        "composite": [
            {"name": r.district.name, "value": r.composite} for r in rows if r.composite is not None
        ],
        "dust": [{"name": r["district"], "value": r["value"]} for r in dust["rows"]],
        "target": dust["target"],
    }
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    context = {
        "city": city,
        "month": month,
        "previous": previous,
        "following": following,
        "rows": rows,
        "dust": dust,
        "chart": chart,
        "ranking_code": rows[0].ranking_code if rows else "",
    }
    return render(request, "airquality/rankings.html", context)


@staff_required
def station_list(request):
    """Stations by district with their real-time AQI (latest hour) and latest daily AQI."""
    stations = restrict(Station.objects.select_related("district"), request.user)
    latest = DailyValue.objects.aggregate(d=Max("date"))["d"]
    days = {d.station_id: d for d in DailyValue.objects.filter(date=latest)} if latest else {}
    scale = level_scale(latest or tz.local_today())
    hour = HourlyObservation.objects.aggregate(t=Max("time"))["t"]
    now = _realtime(HourlyObservation.objects.filter(time=hour)) if hour else {}
    rows = [
        {
            "station": s,
            "day": days.get(s.pk),
            "level": _level(days.get(s.pk), scale),
            "now": now.get(s.pk),
        }
        for s in stations.order_by("district_id", "code")
    ]
    context = {"rows": rows, "latest": latest, "hour": hour}
    return render(request, "airquality/station_list.html", context)


def _realtime(observations) -> dict[int, dict]:
    """Real-time (hourly mode) AQI of each observation: 1 h values, PM on the 24 h table."""
    out = {}
    resolver = aqi.Resolver()
    for obs in observations:
        values = {p: getattr(obs, p) for p in ("so2", "no2", "co", "o3", "pm10", "pm25")}
        try:
            table = resolver(tz.to_local(obs.time).date())
            result = aqi.compute(values, mode=aqi.HOURLY, table=table)
        except (aqi.AQIError, LookupError):
            continue
        if not result.published:  # HJ 633—2026 §5.3.1: shown as NA
            out[obs.station_id] = {"aqi": None, "level": None, "note": result.unpublished_note}
            continue
        level = {
            "color": result.level.rgb,
            "category": result.category,
            "index": result.level.index,
        }
        out[obs.station_id] = {"aqi": result.aqi, "level": level}
    return out


def _level(figures, scale):
    return scale[figures.level] if figures is not None and figures.level is not None else None


@staff_required
def station_detail(request, pk: int):
    """A station's last seven days of hours (chart) and last 30 days (table)."""
    station = get_for_user(Station.objects.select_related("district"), request.user, pk)
    last = station.hours.aggregate(t=Max("time"))["t"]
    hours = []
    if last:
        hours = list(
            HourlyObservation.objects.filter(
                station=station, time__gt=last - dt.timedelta(days=7)
            ).values_list("time", "pm25", "pm10", "o3")
        )
    days = list(station.days.order_by("-date")[:30])
    scale = level_scale(days[0].date if days else tz.local_today())
    chart = {
        "times": [tz.to_local(t).strftime("%m-%d %H时") for t, *_ in hours],
        "series": {
            "PM₂.₅": [v[1] for v in hours],
            "PM₁₀": [v[2] for v in hours],
            "O₃": [v[3] for v in hours],
        },
    }
    rows = [{"day": d, "level": _level(d, scale), "primary": labels(d.primary)} for d in days]
    responses = restrict(station.responses.all(), request.user)[:20]
    context = {"station": station, "rows": rows, "chart": chart, "responses": responses}
    return render(request, "airquality/station_detail.html", context)


@staff_required
def district_detail(request, pk: int):
    """A district's daily AQI over 90 days, its months and its stations."""
    district = get_object_or_404(District, pk=pk)
    days = list(district.air_days.order_by("-date")[:90])[::-1]
    scale = level_scale(days[-1].date if days else tz.local_today())
    months = district.air_months.order_by("-month")[:12]
    stations = restrict(Station.objects.filter(district=district), request.user)
    chart = {
        "dates": [d.date.isoformat() for d in days],
        "aqi": [
            {"value": d.aqi, "itemStyle": {"color": scale[d.level]["color"]}}
            if d.aqi is not None
            else None
            for d in days
        ],
        "pm25": [d.pm25 for d in days],
    }
    responses = restrict(district.air_responses.select_related("station"), request.user)[:20]
    context = {
        "district": district,
        "months": months,
        "stations": stations,
        "chart": chart,
        "responses": responses,
        "rows": [
            {"day": d, "level": _level(d, scale), "primary": labels(d.primary)}
            for d in days[::-1][:31]
        ],
    }
    return render(request, "airquality/district_detail.html", context)


@staff_required
def import_list(request):
    """Upload station hours or dust fall (office) and the history of imports."""
    office = is_office(request.user)
    hours_form = HoursImportForm()
    dust_form = DustFallImportForm(initial={"city": default_city()})
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        if request.POST.get("kind") == ImportKind.DUSTFALL:
            dust_form = DustFallImportForm(request.POST, request.FILES)
            if dust_form.is_valid():
                upload = dust_form.cleaned_data["file"]
                result = services.import_dustfall(
                    upload.read(),
                    upload.name,
                    acting_user=request.user,
                    city=dust_form.cleaned_data["city"],
                    replace=dust_form.cleaned_data["replace"],
                )
                return _after_import(request, result)
        else:
            hours_form = HoursImportForm(request.POST, request.FILES)
            if hours_form.is_valid():
                upload = hours_form.cleaned_data["file"]
                result = services.import_hours(
                    upload.read(),
                    upload.name,
                    acting_user=request.user,
                    replace=hours_form.cleaned_data["replace"],
                    hour_ending=hours_form.cleaned_data["hour_ending"],
                )
                return _after_import(request, result)
    imports = restrict(DataImport.objects.select_related("uploaded_by"), request.user)[:50]
    context = {
        "office": office,
        "hours_form": hours_form,
        "dust_form": dust_form,
        "imports": imports,
    }
    return render(request, "airquality/import_list.html", context)


def _after_import(request, result: DataImport):
    if result.status == "done":
        messages.success(request, _("已导入：新增 %(n)s 条，替换 %(u)s 条，未变 %(s)s 条") % {
            "n": result.created, "u": result.updated, "s": result.unchanged,
        })  # fmt: skip
    else:
        messages.error(request, _("文件有错误，未导入任何数据，请修改后重新上传"))
    return redirect("airquality:import-detail", result.pk)


@staff_required
def import_detail(request, pk: int):
    data_import = get_for_user(DataImport, request.user, pk)
    return render(request, "airquality/import_detail.html", {"data_import": data_import})


@staff_required
def response_list(request):
    """Response items the user may see, filtered by status, kind, district, overdue."""
    items = restrict(
        ResponseItem.objects.select_related("station", "district", "owner"), request.user
    )
    status = request.GET.get("status", "open")
    if status == "open":
        items = items.filter(status__in=[ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
    elif status in ResponseStatus.values:
        items = items.filter(status=status)
    if request.GET.get("kind") in AnomalyKind.values:
        items = items.filter(kind=request.GET["kind"])
    if params.key(request.GET, "district"):
        items = items.filter(district_id=params.key(request.GET, "district"))
    if request.GET.get("overdue"):
        items = items.filter(status=ResponseStatus.INVESTIGATING, deadline__lt=tz.now())
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "now": tz.now(),
        "statuses": ResponseStatus.choices,
        "kinds": AnomalyKind.choices,
        "status": status,
        "districts": District.objects.filter(air_responses__isnull=False).distinct(),
        "labels": aqi.LABELS,
    }
    template = "airquality/_response_rows.html" if request.htmx else "airquality/response_list.html"
    return render(request, template, context)


@staff_required
def response_detail(request, pk: int):
    """One response item: what was detected, its history, and the actions open to the user."""
    item = get_for_user(
        ResponseItem.objects.select_related("station", "district", "owner"), request.user, pk
    )
    can_handle = restrict(ResponseItem.objects.filter(pk=item.pk), request.user, "change").exists()
    office = is_office(request.user)
    forms = {name: form_class() for name, form_class in ACTION_FORMS.items()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        result = _handle(request, item, action, forms)
        if result is not None:
            return result
    context = {
        "item": item,
        "steps": item.steps.select_related("actor"),
        "evidence": evidence_for(item),
        "forms": forms,
        "can_feedback": can_handle and item.status == ResponseStatus.INVESTIGATING,
        "can_note": can_handle and item.is_open,
        "can_evaluate": office and item.status == ResponseStatus.FEEDBACK,
        "can_dismiss": office and item.is_open,
        "overdue": item.is_open and item.deadline < tz.now(),
        "label": aqi.LABELS.get(item.pollutant, item.pollutant),
        "summary": services.describe(item),
    }
    return render(request, "airquality/response_detail.html", context)


ACTION_FORMS = {
    "note": NoteForm,
    "feedback": FeedbackForm,
    "evaluate": EvaluateForm,
    "dismiss": DismissForm,
}


def _handle(request, item: ResponseItem, action: str, forms: dict):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return None
    form = form_class(request.POST, request.FILES)
    forms[action] = form
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "note":
            services.add_note(item, data["text"], acting_user=request.user)
        elif action == "feedback":
            services.submit_feedback(
                item,
                cause=data["cause"],
                measures=data["measures"],
                evidence=[data["evidence"]] if data.get("evidence") else [],
                acting_user=request.user,
            )
        elif action == "evaluate":
            services.evaluate(
                item, accepted=data["accepted"], opinion=data["opinion"], acting_user=request.user
            )
        else:
            services.dismiss(item, reason=data["reason"], acting_user=request.user)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("已保存"))
    return redirect("airquality:response-detail", item.pk)
