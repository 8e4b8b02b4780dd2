"""Pages of the cross-checks: the findings list and one finding with the office's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_user, is_office, restrict, sees_everything
from accounts.models import District
from crosscheck import panels, services
from crosscheck.forms import DecisionForm
from crosscheck.models import Finding, Rule, Severity, Status
from lantian.lib import params


def _allowed(request) -> None:
    if not sees_everything(request.user):
        raise PermissionDenied


@login_required
def finding_list(request):
    _allowed(request)
    findings = restrict(Finding.objects.all(), request.user).select_related("unit", "district")
    status = request.GET.get("status", Status.OPEN)
    if status != "all":
        findings = findings.filter(status=status)
    for field in ("rule", "severity"):
        if request.GET.get(field):
            findings = findings.filter(**{field: request.GET[field]})
    for field in ("district", "unit"):
        if params.key(request.GET, field):
            findings = findings.filter(**{field: params.key(request.GET, field)})
    return render(
        request,
        "crosscheck/finding_list.html",
        {
            "page": Paginator(findings, 50).get_page(request.GET.get("page")),
            "query": params.without(request.GET, "page"),
            "status": status,
            "statuses": Status.choices,
            "rules": Rule.choices,
            "severities": Severity.choices,
            "districts": District.objects.exclude(parent=None).order_by("parent_id", "id"),
        },
    )


@login_required
def finding_detail(request, pk: int):
    _allowed(request)
    finding = get_for_user(
        Finding.objects.select_related("unit", "district", "line"), request.user, pk
    )
    form = None
    if is_office(request.user) and finding.status in (Status.OPEN, Status.CLEARED):
        form = DecisionForm()
        if finding.line is None:  # nothing on the ledger to propose 问责 on
            del form.fields["refer"]
    context = {"finding": finding, "form": form, "panel": panels.panel(finding)}
    return render(request, "crosscheck/finding_detail.html", context)


@login_required
@require_POST
def finding_decide(request, pk: int):
    _allowed(request)
    finding = get_for_user(Finding, request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("crosscheck-finding", pk=pk)
    data = form.cleaned_data
    try:
        if data["decision"] == "confirm":
            _, proposal = services.confirm(
                finding, note=data["note"], refer=data["refer"], acting_user=request.user
            )
            messages.success(request, "已核实" + ("，并生成问责建议" if proposal else ""))
        else:
            services.dismiss(finding, note=data["note"], acting_user=request.user)
            messages.success(request, "已排除")
    except PermissionDenied as err:
        messages.error(request, str(err) or "无权处理")
    except ValidationError as err:
        messages.error(request, "；".join(err.messages))
    return redirect("crosscheck-finding", pk=pk)
