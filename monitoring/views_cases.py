"""Enforcement cases (立案) on alarms: open one from an alarm, many from the alarm ledger,
decide and close them. Writes go through ``monitoring.services`` (audited)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from lantian.lib import params, tz
from monitoring import services
from monitoring.choices import CaseStatus
from monitoring.forms import BulkCaseForm, CaseForm, ClosureForm, DecisionForm
from monitoring.models import Alarm, Case

BASIS_FILE = Path(__file__).parent / "data" / "case_basis.json"


@cache
def _basis() -> dict:
    return json.loads(BASIS_FILE.read_text(encoding="utf-8"))


def suggested_basis(alarm: Alarm) -> str:
    """The legal-basis text suggested for a case on this kind of device (to be checked)."""
    return _basis().get(alarm.device.kind, "")


def _staff(request):
    if not access.is_staff_user(request.user):
        raise PermissionDenied


def _apply_errors(form, err: ValidationError) -> None:
    """Put a service's field errors beside their fields, the rest above the form."""
    if hasattr(err, "error_dict"):
        for field, errors in err.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e.messages[0] if hasattr(e, "messages") else str(e))
    else:
        for message in err.messages:
            form.add_error(None, message)


@login_required
def case_list(request):
    """Cases the user may see, newest first, with filters by status and year."""
    _staff(request)
    cases = access.restrict(Case.objects.all(), request.user).select_related(
        "alarm__site__district", "authority"
    )
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    year = params.year(request.GET)
    if year:
        cases = cases.filter(opened_on__year=year)
    return render(
        request,
        "monitoring/case_list.html",
        {
            "page": Paginator(cases.order_by("-opened_on", "-id"), 50).get_page(
                request.GET.get("page")
            ),
            "query": params.without(request.GET, "page"),
            "statuses": CaseStatus.choices,
            "status": status,
            "year": year,
            "may_open": services.may_handle_cases(request.user)
            or bool(access.unit_ids_of(request.user)),
        },
    )


@login_required
def case_new(request, pk: int):
    """Open a case on one alarm (立案)."""
    _staff(request)
    alarm = access.get_for_user(
        Alarm.objects.select_related("site__district", "device"), request.user, pk
    )
    city = alarm.site.district.city
    initial = {
        "opened_on": tz.local_today(),
        "party": services.default_party(alarm),
        "legal_basis": suggested_basis(alarm),
        "note": _("%(site)s %(kind)s报警（%(detail)s）")
        % {"site": alarm.site.name, "kind": alarm.get_kind_display(), "detail": alarm.detail},
    }
    form = CaseForm(request.POST or None, initial=initial, city=city, user=request.user)
    if not form.fields["authority"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(alarm, acting_user=request.user, **data)
        except ValidationError as err:
            _apply_errors(form, err)
        except PermissionDenied as err:
            form.add_error("authority", str(err))
        else:
            messages.success(request, _("已立案：%(n)s") % {"n": case.number})
            return redirect("monitoring-case", pk=case.pk)
    return render(request, "monitoring/case_form.html", {"form": form, "alarm": alarm})


@login_required
def case_bulk(request):
    """Open one case per alarm selected in the alarm ledger (all or none)."""
    _staff(request)
    picked = request.POST.getlist("alarm") + request.GET.getlist("alarm")
    ids = [k for k in (params.key({"alarm": v}, "alarm") for v in picked) if k]
    alarms = list(
        access.restrict(Alarm.objects.filter(pk__in=ids), request.user).select_related(
            "site__district", "device"
        )
    )
    city = alarms[0].site.district.city if alarms else None
    initial = {"opened_on": tz.local_today()}
    if alarms:
        initial["legal_basis"] = suggested_basis(alarms[0])
        initial["note"] = _("在线监测超标报警（详见各报警）")
    bound = request.method == "POST" and "confirm" in request.POST
    form = BulkCaseForm(
        request.POST if bound else None, initial=initial, city=city, user=request.user
    )
    if not form.fields["authority"].queryset.exists():
        raise PermissionDenied
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            cases = services.open_cases(
                alarms,
                acting_user=request.user,
                number_template=data["number_template"],
                start=data["start"],
                opened_on=data["opened_on"],
                authority=data["authority"],
                note=data["note"],
                legal_basis=data["legal_basis"],
            )
        except ValidationError as err:
            if hasattr(err, "error_dict") and "number" in err.error_dict:
                err.error_dict["number_template"] = err.error_dict.pop("number")
            _apply_errors(form, err)
        except PermissionDenied as err:
            form.add_error("authority", str(err))
        else:
            messages.success(request, _("已批量立案 %(n)s 件") % {"n": len(cases)})
            return redirect(f"{reverse('monitoring-cases')}?year={tz.local_today().year}")
    return render(request, "monitoring/case_bulk.html", {"form": form, "alarms": alarms})


@login_required
def case_detail(request, pk: int):
    _staff(request)
    case = access.get_for_user(
        Case.objects.select_related("alarm__site__district", "alarm__device", "authority"),
        request.user,
        pk,
    )
    may = services.may_handle_cases(request.user, case.authority)
    decision = DecisionForm(
        initial={"decided_on": tz.local_today(), "penalty": case.penalty or "fine"}
    )
    closure = ClosureForm(initial={"closed_on": tz.local_today()})
    if request.method == "POST" and may:
        step = request.POST.get("step")
        form = DecisionForm(request.POST) if step == "decide" else ClosureForm(request.POST)
        if step == "decide":
            decision = form
        else:
            closure = form
        if form.is_valid():
            try:
                if step == "decide":
                    services.decide_case(case, acting_user=request.user, **form.cleaned_data)
                else:
                    services.close_case(case, acting_user=request.user, **form.cleaned_data)
            except ValidationError as err:
                _apply_errors(form, err)
            else:
                messages.success(request, _("已保存"))
                return redirect("monitoring-case", pk=case.pk)
    return render(
        request,
        "monitoring/case_detail.html",
        {"case": case, "may": may, "decision": decision, "closure": closure},
    )


@login_required
def notices(request):
    """Inspections announced in advance (office): the detectors look for drops right after."""
    from django.conf import settings

    from accounts.models import District
    from monitoring.forms import NoticeForm
    from monitoring.models import AnnouncedInspection

    if not access.is_office(request.user):
        raise PermissionDenied
    city = District.objects.filter(parent=None, name=settings.LANTIAN_DEFAULT_CITY).first()
    form = NoticeForm(request.POST or None, city=city)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announce_inspection(
                city=city,
                district=data["district"],
                announced_at=data["announced_at"],
                title=data["title"],
                acting_user=request.user,
            )
        except ValidationError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, _("已登记"))
            return redirect("monitoring-notices")
    rows = AnnouncedInspection.objects.select_related("district").order_by("-announced_at")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "monitoring/notices.html", {"form": form, "page": page, "is_office": True}
    )
