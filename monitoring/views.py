"""Monitoring pages: devices and sites with status, a readings chart, the alarm inbox and ledger."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts import access
from evidence import pending
from evidence.services import evidence_for
from lantian.lib import params, tz
from lantian.lib.forms import refuse
from monitoring import backfill, services, workflow
from monitoring import rates as rate_calc
from monitoring.choices import AlarmStatus, DeviceKind
from monitoring.filters import AlarmFilter, DeviceFilter
from monitoring.forms import StepForm
from monitoring.importing import (
    DEVICE_COLUMNS,
    SITE_COLUMNS,
    SITE_OPTIONAL_COLUMNS,
    ImportRefused,
    import_registry,
)
from monitoring.ledger import build_ledger
from monitoring.models import Alarm, Device, Quarantine, Site
from monitoring.tables import PER_PAGE, AlarmTable, DeviceTable, SiteTable


def _staff(request):
    if not access.is_staff_user(request.user):
        raise PermissionDenied


def _table(request, table):
    """Sort by the clicked column and show one page of 50, both in SQL."""
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return table


@login_required
def device_list(request):
    """Devices the user may see, with online status and open alarms, filtered and paged in SQL."""
    _staff(request)
    devices = (
        access.restrict(Device.objects.all(), request.user)
        .select_related("site__district")
        .annotate(open_alarms=Count("alarms", filter=~Q(alarms__status=AlarmStatus.CLOSED)))
    )
    found = DeviceFilter(request.GET, queryset=devices, request=request)
    return render(
        request,
        "monitoring/device_list.html",
        {
            "filter": found,
            "table": _table(request, DeviceTable(found.qs)),
            "is_office": access.is_office(request.user),
        },
    )


@login_required
def device_detail(request, pk: int):
    _staff(request)
    device = access.get_for_user(Device.objects.select_related("site__district"), request.user, pk)
    return device_page(request, device)


def device_page(request, device: Device, command_form=None, status: int = 200):
    """The device's page; a command that failed comes back with what was entered."""
    from monitoring.forms import CommandForm

    alarms = access.restrict(device.alarms.all(), request.user).order_by("-first_at")[:20]
    codes = (
        ["a34001", "a34002", "a34004"]
        if device.kind == DeviceKind.DUST
        else (
            ["fume"]
            if device.kind == DeviceKind.FUME
            else sorted(device.permit_limits) or ["a34013"]
        )
    )
    return render(
        request,
        "monitoring/device_detail.html",
        {
            "device": device,
            "alarms": alarms,
            "codes": codes,
            "units": device.site.units.all(),
            "is_office": access.is_office(request.user),
            "backfills": _recent_backfills(device),
            "commands": device.commands.all()[:20],
            "command_form": command_form or CommandForm(),
        },
        status=status,
    )


def _recent_backfills(device: Device) -> dict:
    """How many uploads of the last 30 days were back-filled (补传), by source, and the latest."""
    from monitoring.models import Backfill

    rows = Backfill.objects.filter(
        device=device, data_time__gte=tz.now() - dt.timedelta(days=30)
    ).order_by("-received_at")
    by_source = dict(rows.values_list("source").annotate(n=Count("*")).order_by())
    latest = rows.first()
    return {
        "device": by_source.get("rf", 0),
        "fetched": by_source.get("fetched", 0),
        "latest": latest,
    }


@login_required
def site_list(request):
    _staff(request)
    sites = (
        access.restrict(Site.objects.all(), request.user)
        .select_related("district")
        .prefetch_related("units")
        .annotate(device_count=Count("devices", distinct=True))
    )
    return render(
        request, "monitoring/site_list.html", {"table": _table(request, SiteTable(sites))}
    )


def _alarm_filter(request) -> AlarmFilter:
    alarms = access.restrict(Alarm.objects.all(), request.user).select_related(
        "site__district", "device", "dispatched_to"
    )
    return AlarmFilter(request.GET, queryset=alarms, request=request)


def _may_open_case(user) -> bool:
    """Office staff, or someone of a unit that may be an enforcing authority (立案机关)."""
    return access.is_office(user) or bool(access.unit_ids_of(user))


@login_required
def alarm_list(request):
    """The alarm inbox: open alarms of the user's units (all for the office), newest first."""
    _staff(request)
    found = _alarm_filter(request)
    may_open_case = _may_open_case(request.user)
    table = AlarmTable(found.qs.annotate(case_count=Count("cases")), may_open_case=may_open_case)
    return render(
        request,
        "monitoring/alarm_list.html",
        {
            "filter": found,
            "table": _table(request, table),
            "may_open_case": may_open_case,
            "query": params.without(request.GET, "page", "sort"),
        },
    )


@login_required
def alarm_ledger(request):
    """The ledger export (Excel) of the alarms in the current filter, with every step."""
    _staff(request)
    alarms = _alarm_filter(request).qs.order_by("-first_at")
    count = alarms.count()
    limit = settings.LANTIAN_ALARM_EXPORT_MAX
    if count > limit:
        # Never a silently shortened ledger (it stopped at 5,000 rows and said nothing).
        messages.error(
            request,
            f"筛选出 {count:,} 条报警，超过一次导出的上限 {limit:,} 条，未导出；"
            "请按状态、级别、类别缩小范围后分批导出",
        )
        return redirect(f"{reverse('monitoring-alarms')}?{request.GET.urlencode()}")
    alarms = alarms.prefetch_related("actions__unit", "cases").iterator(chunk_size=2000)
    response = HttpResponse(
        build_ledger(alarms),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = tz.local_today().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="alarm-ledger-{stamp}.xlsx"'
    return response


@login_required
def alarm_detail(request, pk: int):
    _staff(request)
    alarm = access.get_for_user(
        Alarm.objects.select_related("site__district", "device", "dispatched_to"), request.user, pk
    )
    return render(request, "monitoring/alarm_detail.html", _alarm_context(request, alarm))


def _alarm_context(request, alarm, form=None) -> dict:
    """The alarm's page; a step that failed comes back with what was entered."""
    office = access.is_office(request.user)
    mine = alarm.dispatched_to_id in access.unit_ids_of(request.user, "unit_officer")
    return {
        "alarm": alarm,
        "actions": alarm.actions.select_related("unit"),
        "evidence": evidence_for(alarm),
        "cases": alarm.cases.select_related("authority"),
        "steps": workflow.allowed_steps(alarm.status, office=office, unit=mine),
        "form": form or StepForm(city=alarm.site.district.city),
        "kept": pending.listed(request.user, f"alarm:{alarm.pk}"),
        "may_open_case": _may_open_case(request.user),
    }


@login_required
@require_POST
def alarm_step(request, pk: int):
    """Take one step of the handling ledger; the service checks who may. A refusal comes
    back on the form, beside the field it concerns, with everything entered kept."""
    alarm = access.get_for_user(
        Alarm.objects.select_related("site__district", "device", "dispatched_to"), request.user, pk
    )
    form = StepForm(request.POST, request.FILES, city=alarm.site.district.city)
    key = f"alarm:{alarm.pk}"
    kept = pending.chosen(request.user, key, request.POST)
    if form.is_valid():
        try:
            _take_step(alarm, form.cleaned_data, request.user, pending.files_for(kept))
        except PermissionDenied as err:
            form.add_error(None, str(err))
        except ValidationError as err:
            refuse(form, err, dict.fromkeys(("empty", "too_large", "mismatch", "type"), "evidence"))
        else:
            pending.release(request.user, key)
            messages.success(request, "已保存")
            return redirect("monitoring-alarm", pk=pk)
    _kept, refused = pending.keep(request.user, key, request.FILES.getlist("evidence"))
    if refused:
        form.errors["evidence"] = form.error_class(refused)
    return render(request, "monitoring/alarm_detail.html", _alarm_context(request, alarm, form))


def _take_step(alarm, data, user, kept_files) -> None:
    match data["step"]:
        case "dispatch":
            unit = data["unit"] or alarm.dispatched_to
            if unit is None:
                raise ValidationError("请选择承办单位", code="unit")
            services.dispatch_alarm(alarm, unit=unit, acting_user=user, note=data["note"])
        case "investigate":
            services.investigate_alarm(alarm, acting_user=user, note=data["note"])
        case "handle":
            files = [data["evidence"], *kept_files] if data["evidence"] else kept_files
            services.handle_alarm(
                alarm, acting_user=user, measures=data["measures"], evidence=files
            )
        case "reply":
            services.reply_alarm(alarm, acting_user=user, reply=data["reply"])
        case "close":
            services.close_alarm(alarm, acting_user=user, note=data["note"])
        case "reopen":
            services.reopen_alarm(alarm, acting_user=user, reason=data["note"])


@login_required
def rates(request):
    """联网率, 数据有效传输率 and 立案率, with how each is computed."""
    _staff(request)
    today = tz.local_today()
    try:
        days = max(1, min(int(request.GET.get("days", 1)), 366))
    except ValueError:
        days = 1
    end = tz.start_of_local_day(today + dt.timedelta(days=1))
    start = end - dt.timedelta(days=days)
    devices = access.restrict(Device.objects.filter(is_active=True), request.user)
    alarms = access.restrict(Alarm.objects.all(), request.user)
    year_start = tz.start_of_local_day(today.replace(month=1, day=1))
    return render(
        request,
        "monitoring/rates.html",
        {
            "lines": rate_calc.transmission(start, end, devices),
            "backfill_days": backfill.deadline(today).days,
            "on_lines": rate_calc.on_rates(start, end, devices),
            "coverage": _roster_summary(),
            "cases": rate_calc.case_rates(year_start, end, alarms),
            "start": tz.to_local(start),
            "end": tz.to_local(end),
            "year": today.year,
            "days": days,
        },
    )


def _roster_summary():
    """The latest key-emission-unit roster's 安装联网率 and the fume rollouts' progress."""
    from roster import progress
    from roster.models import Rollout, Roster

    roster = Roster.objects.filter(city__name=settings.LANTIAN_DEFAULT_CITY).order_by("-year")
    roster = roster.first()
    win = progress.window()
    return {
        "roster": progress.roster_coverage(roster, win) if roster else None,
        "rollouts": [progress.rollout_progress(r, win) for r in Rollout.objects.all()[:3]],
    }


@login_required
def quarantine_list(request):
    """Bytes the gateway did not store, and why (office only)."""
    if not access.is_office(request.user):
        raise PermissionDenied
    # the last 30 days: a time range, so PostgreSQL reads only the partitions it needs
    recent = Quarantine.objects.filter(received_at__gte=tz.now() - dt.timedelta(days=30))
    page = Paginator(recent.order_by("-received_at", "-id"), 100).get_page(request.GET.get("page"))
    return render(request, "monitoring/quarantine_list.html", {"page": page, "is_office": True})


@login_required
def import_registry_view(request):
    """Upload an Excel workbook of sites and devices (office only); all rows or none."""
    if not access.is_office(request.user):
        raise PermissionDenied
    errors, result = [], None
    if request.method == "POST" and request.FILES.get("workbook"):
        try:
            result = import_registry(request.FILES["workbook"], acting_user=request.user)
        except ImportRefused as err:
            errors = err.messages
    return render(
        request,
        "monitoring/import.html",
        {
            "errors": errors,
            "result": result,
            "is_office": True,
            "site_columns": SITE_COLUMNS,
            "site_optional_columns": SITE_OPTIONAL_COLUMNS,
            "device_columns": DEVICE_COLUMNS,
        },
    )
