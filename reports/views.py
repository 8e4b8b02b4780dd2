"""Pages of the 调度通报: the list with its history, generating, previewing, downloading,
publishing, verifying an archived issue, the settings and the Word templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import get_for_user, is_office, is_staff_user, restrict
from audit.log import history
from lantian.lib import tz
from reports import charts, document, gather, services
from reports.forms import GenerateForm, SettingsForm, TemplateUploadForm
from reports.models import Issue, ReportSettings, ReportTemplate, Revision

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _staff(request) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _office(request) -> None:
    if not is_office(request.user):
        raise PermissionDenied


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def issue_list(request, form=None):
    _staff(request)
    issues = (
        restrict(Issue.objects.all(), request.user)
        .select_related("city", "plan")
        .prefetch_related("revisions")
        .order_by("-created_at", "-pk")
    )
    context = {"issues": issues[:200], "is_office": is_office(request.user)}
    if context["is_office"]:
        context["form"] = form or GenerateForm(
            initial={"month": f"{services.previous_month_of(tz.local_today()):%Y-%m}"},
            today=tz.local_today(),
        )
        context["template"] = services.active_template()
    return render(request, "reports/issue_list.html", context, status=400 if form else 200)


@login_required
@require_POST
def issue_generate(request):
    _office(request)
    form = GenerateForm(request.POST, today=tz.local_today())
    if not form.is_valid():
        return issue_list(request, form=form)
    data = form.cleaned_data
    try:
        if data.get("plan"):
            scope = gather.resolve_scope(plan_id=data["plan"])
        else:
            scope = gather.resolve_scope(city_name=data["city"].name if data["city"] else "")
        issue = services.generate(data["period"], scope, acting_user=request.user)
    except gather.ScopeError as exc:
        form.add_error("plan" if data.get("plan") else "city", str(exc))
        return issue_list(request, form=form)
    except ValidationError as exc:
        form.add_error(None, _errors(exc))
        return issue_list(request, form=form)
    messages.success(request, _("已生成 %(issue)s") % {"issue": issue.number_label})
    return redirect("reports-issue", pk=issue.pk)


def _revision(issue: Issue, number, user=None) -> Revision:
    revisions = _visible_revisions(issue, user)
    if number:
        return get_object_or_404(revisions, number=number)
    revision = revisions.order_by("-number").first()
    if revision is None:
        raise Http404
    return revision


def _visible_revisions(issue: Issue, user):
    """The office sees every revision; units and leaders the issued version only."""
    revisions = issue.revisions.select_related("template")
    if user is not None and not is_office(user):
        revisions = revisions.exclude(header_json__contains='"draft":true')
    return revisions


@login_required
def issue_detail(request, pk: int):
    _staff(request)
    issue = get_for_user(Issue.objects.select_related("city", "plan"), request.user, pk)
    rev_param = request.GET.get("rev", "")
    revision = _revision(issue, int(rev_param) if rev_param.isdigit() else None, request.user)
    snapshot = revision.snapshot
    preview = document.context(snapshot, revision.header)
    chart_keys = [
        (key, title) for key, (title, _fn) in charts.CHARTS.items() if _has_chart(key, snapshot)
    ]
    return render(
        request,
        "reports/issue_detail.html",
        {
            "issue": issue,
            "revision": revision,
            "revisions": _visible_revisions(issue, request.user).order_by("-number"),
            "preview": preview,
            "snapshot": snapshot,
            "charts": chart_keys,
            "events": _events(issue),
            "is_office": is_office(request.user),
        },
    )


ACTION_LABELS = {
    "report.generated": gettext_lazy("生成审核稿"),
    "report.regenerated": gettext_lazy("用最新数据重新生成"),
    "report.published": gettext_lazy("印发"),
}


def _events(issue: Issue) -> list[dict]:
    out = []
    for event in history(issue).order_by("-created_at", "-pk"):
        changes = event.changes or {}
        parts = []
        if "revision" in changes:
            parts.append(_("第 %(n)s 版") % {"n": changes["revision"][1]})
        if "template" in changes:
            parts.append(_("模板：%(t)s") % {"t": changes["template"][1]})
        if "notified" in changes:
            parts.append(_("通知 %(n)s 人") % {"n": changes["notified"][1]})
        out.append(
            {
                "at": event.created_at,
                "actor": event.actor_name,
                "label": ACTION_LABELS.get(event.action, event.action),
                "detail": "，".join(parts),
            }
        )
    return out


def _has_chart(key: str, snapshot: dict) -> bool:
    """Whether there is anything to draw, without drawing it."""
    ledger, air = snapshot["ledger"], snapshot["air"]
    return {
        "units": bool(ledger["units"]),
        "trend": any(t["lines"] for t in ledger["trend"]),
        "alarms": any(r["alarms"] for r in snapshot["monitoring"]["rows"]),
        "air": any(r["pm25"] is not None for r in air["rows"]),
        "dust": bool(air.get("dust") and air["dust"]["rows"]),
    }[key]


@login_required
@require_POST
def issue_publish(request, pk: int):
    _office(request)
    issue = get_for_user(Issue, request.user, pk)
    try:
        services.publish(issue, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已印发，并通知各责任单位"))
    return redirect("reports-issue", pk=pk)


@login_required
@require_POST
def revision_verify(request, pk: int, rev: int):
    _office(request)
    issue = get_for_user(Issue, request.user, pk)
    revision = _revision(issue, rev)
    try:
        result = services.verify(revision)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(f"{issue_url(issue)}?rev={rev}")
    if result.docx_identical and result.xlsx_identical:
        messages.success(request, _("按存档数据重新生成：Word、Excel 与存档逐字节一致"))
    elif result.text_identical:
        messages.success(
            request, _("按存档数据重新生成：文字与表格一致（图表因绘图软件版本不同，像素略有差异）")
        )
    else:
        messages.error(request, _("按存档数据重新生成的文件与存档不一致，请联系系统管理员"))
    return redirect(f"{issue_url(issue)}?rev={rev}")


def issue_url(issue: Issue) -> str:
    from django.urls import reverse

    return reverse("reports-issue", args=[issue.pk])


def _download_name(issue: Issue, revision: Revision, ext: str) -> str:
    from urllib.parse import quote

    name = f"{issue.number_label}{issue.get_series_display()}"
    if revision.header.get("draft"):
        name += "（审核稿）"
    return f"attachment; filename*=UTF-8''{quote(name)}.{ext}"


@login_required
def revision_file(request, pk: int, rev: int, ext: str):
    _staff(request)
    issue = get_for_user(Issue, request.user, pk)
    revision = _revision(issue, rev, request.user)
    if ext == "pdf":
        from reports.pdf import PdfUnavailable

        try:
            content = services.pdf_of(revision)
        except PdfUnavailable as exc:
            messages.error(request, str(exc))
            return redirect(f"{issue_url(issue)}?rev={rev}")
    elif ext in ("docx", "xlsx"):
        with getattr(revision, ext).open("rb") as handle:
            content = handle.read()
    else:
        raise Http404
    response = HttpResponse(content, content_type=CONTENT_TYPES[ext])
    response["Content-Disposition"] = _download_name(issue, revision, ext)
    return response


@login_required
def revision_chart(request, pk: int, rev: int, key: str):
    _staff(request)
    issue = get_for_user(Issue, request.user, pk)
    revision = _revision(issue, rev, request.user)
    if key not in charts.CHARTS:
        raise Http404
    png = charts.CHARTS[key][1](revision.snapshot)
    if png is None:
        raise Http404
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"  # a revision never changes
    return response


@login_required
def settings_edit(request):
    _office(request)
    row = ReportSettings.get()
    form = SettingsForm(request.POST or None, instance=ReportSettings.get())
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        services.save_settings(values, acting_user=request.user)
        messages.success(request, _("设置已保存，下一期通报起生效"))
        return redirect("reports-settings")
    return render(
        request,
        "reports/settings.html",
        {"form": form, "row": row},
        status=400 if form.errors else 200,
    )


@login_required
def template_list(request):
    _office(request)
    form = TemplateUploadForm()
    if request.method == "POST":
        action = request.POST.get("action", "upload")
        if action == "activate":
            pk = request.POST.get("template", "")
            template = (
                get_object_or_404(ReportTemplate, pk=pk, builtin=False) if pk.isdigit() else None
            )
            services.activate_template(template, acting_user=request.user)
            messages.success(request, _("已切换新通报使用的模板"))
            return redirect("reports-templates")
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > services.MAX_TEMPLATE_BYTES:
                form.add_error("file", _("模板文件超过 10 MB"))
            else:
                try:
                    services.upload_template(
                        form.cleaned_data["name"],
                        upload.read(),
                        acting_user=request.user,
                        activate=form.cleaned_data["activate"],
                    )
                except ValidationError as exc:
                    form.add_error("file", _errors(exc))
                else:
                    messages.success(request, _("模板已通过检查并保存"))
                    return redirect("reports-templates")
    return render(
        request,
        "reports/templates.html",
        {
            "form": form,
            "templates": ReportTemplate.objects.filter(builtin=False).select_related("uploaded_by"),
            "active": services.active_template(),
            "placeholders": [
                (name, document.placeholder_parts(text))
                for name, text in document.PLACEHOLDERS.items()
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
def template_default(request):
    _office(request)
    response = HttpResponse(
        document.DEFAULT_TEMPLATE.read_bytes(), content_type=CONTENT_TYPES["docx"]
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E9%BB%98%E8%AE%A4%E6%A8%A1%E6%9D%BF.docx"
    )
    return response


@login_required
def template_file(request, pk: int):
    _office(request)
    template = get_object_or_404(ReportTemplate, pk=pk)
    with template.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=CONTENT_TYPES["docx"])
    response["Content-Disposition"] = "attachment; filename=template.docx"
    return response
