"""Writes of the reports app: templates, generating and publishing issues, the monthly run.

Each write is one transaction with an audit row. Generating an issue gathers the snapshot,
renders the Word document and the workbook from it, and keeps all three; publishing renders
the final version (no 审核稿 mark, dated the day of issue) from the same snapshot and tells
the units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office
from audit.log import record
from lantian.lib import tz
from reports import document, excel, gather
from reports.models import Issue, IssueState, ReportSettings, ReportTemplate, Revision, Series
from reports.periods import MONTHLY, Period
from reports.sample import SAMPLE_HEADER, sample_snapshot

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def _require_office(user) -> None:
    if user is not None and not is_office(user):
        raise PermissionDenied(_("只有整改办、专项办可以生成和印发调度通报"))


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def canonical(value: dict) -> str:
    """The JSON text an archive keeps (and hashes): one spelling for one content."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --- templates -------------------------------------------------------------------------------


def default_template() -> ReportTemplate:
    """The shipped template as a row (one per version of the file, so old issues keep theirs)."""
    content = document.DEFAULT_TEMPLATE.read_bytes()
    digest = sha256(content)
    row = ReportTemplate.objects.filter(builtin=True, sha256=digest).first()
    if row is None:
        row = ReportTemplate(
            name=_("内置默认模板"),
            sha256=digest,
            builtin=True,
            placeholders=sorted(document.PLACEHOLDERS),
        )
        row.file.save(f"default-{digest[:12]}.docx", ContentFile(content), save=False)
        row.save()
    return row


def active_template() -> ReportTemplate:
    return ReportTemplate.objects.filter(active=True, builtin=False).first() or default_template()


def template_bytes(template: ReportTemplate) -> bytes:
    with template.file.open("rb") as handle:
        content = handle.read()
    if sha256(content) != template.sha256:
        raise ValidationError(_("模板文件“%(name)s”已被改动，与存档不符") % {"name": template})
    return content


@transaction.atomic
def upload_template(name: str, content: bytes, *, acting_user, activate: bool = True):
    """Check an office template against a sample issue and keep it; refuse it otherwise."""
    _require_office(acting_user)
    if len(content) > MAX_TEMPLATE_BYTES:
        raise ValidationError(_("模板文件超过 10 MB"))
    try:
        used = document.check_template(content, sample_snapshot(), SAMPLE_HEADER)
    except document.TemplateRefused as exc:
        raise ValidationError(str(exc)) from exc
    template = ReportTemplate(
        name=name.strip()[:100] or _("自定义模板"),
        sha256=sha256(content),
        placeholders=used,
        uploaded_by=acting_user,
    )
    template.file.save(f"{template.sha256[:16]}.docx", ContentFile(content), save=False)
    template.save()
    record(
        acting_user, "report.template_uploaded", template, changes={"name": [None, template.name]}
    )
    if activate:
        activate_template(template, acting_user=acting_user)
        template.active = True
    return template


@transaction.atomic
def activate_template(template: ReportTemplate | None, *, acting_user) -> None:
    """Use ``template`` for new issues (None: back to the shipped default)."""
    _require_office(acting_user)
    ReportTemplate.objects.filter(active=True).update(active=False)
    if template is not None and not template.builtin:
        ReportTemplate.objects.filter(pk=template.pk).update(active=True)
    target = template or default_template()
    record(
        acting_user, "report.template_activated", target, changes={"active": [None, str(target)]}
    )


@transaction.atomic
def save_settings(values: dict, *, acting_user) -> ReportSettings:
    _require_office(acting_user)
    row = ReportSettings.get()
    changes = {}
    for key, value in values.items():
        if getattr(row, key) != value:
            changes[key] = [getattr(row, key), value]
            setattr(row, key, value)
    row.save()
    if changes:
        record(acting_user, "report.settings_changed", row, changes=changes)
    return row


# --- issues ----------------------------------------------------------------------------------


def title_for(period: Period, scope: gather.Scope) -> str:
    if period.is_month:
        return f"关于{period.label}{scope.label}大气污染防治工作调度情况的通报"
    return f"{period.label}{scope.label}大气污染防治工作简报"


def header_for(issue: Issue, settings: ReportSettings, *, day: dt.date, draft: bool) -> dict:
    return {
        "office": settings.office,
        "series_title": settings.monthly_title if issue.series == MONTHLY else settings.brief_title,
        "year": issue.year,
        "number": issue.number,
        "number_label": issue.number_label,
        "date": day.isoformat(),
        "title": issue.title,
        "distribution": settings.distribution,
        "requirements": settings.requirements,
        "draft": draft,
    }


@dataclass
class Files:
    docx: bytes
    xlsx: bytes


def render_files(snapshot: dict, header: dict, template: ReportTemplate) -> Files:
    """The document and workbook of a snapshot: the one path both generating and
    regenerating from the archive take."""
    content = template_bytes(template)
    try:
        docx = document.render(content, snapshot, header)
    except Exception as exc:  # a template that passed the check but fails on these data
        raise ValidationError(
            _("模板“%(name)s”无法填写本期数据：%(reason)s")
            % {"name": template, "reason": document.describe_error(exc)}
        ) from exc
    return Files(docx, excel.build(snapshot, header))


def _next_number(series: str, year: int) -> int:
    top = Issue.objects.filter(series=series, year=year).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def _file_name(issue: Issue, revision_number: int, ext: str) -> str:
    return f"{issue.year}-{issue.number:03d}-v{revision_number}.{ext}"


def _store(issue: Issue, snapshot: dict, header: dict, template, *, acting_user, started):
    files = render_files(snapshot, header, template)
    number = (issue.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = Revision(
        issue=issue,
        number=number,
        snapshot_json=canonical(snapshot),
        header_json=canonical(header),
        template=template,
        docx_sha256=sha256(files.docx),
        xlsx_sha256=sha256(files.xlsx),
        generated_at=tz.now(),
        generated_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        generated_by_name=_actor(acting_user),
    )
    revision.snapshot_sha256 = sha256(revision.snapshot_json)
    revision.docx.save(_file_name(issue, number, "docx"), ContentFile(files.docx), save=False)
    revision.xlsx.save(_file_name(issue, number, "xlsx"), ContentFile(files.xlsx), save=False)
    revision.seconds = round(time.monotonic() - started, 2)
    revision.save()
    return revision


def _actor(user) -> str:
    if getattr(user, "is_authenticated", False):
        return user.get_full_name() or user.username
    return _("系统（自动生成）")


def generate(
    period: Period,
    scope: gather.Scope,
    *,
    acting_user,
    today: dt.date | None = None,
    template: ReportTemplate | None = None,
) -> Issue:
    """Create the issue of ``period`` and ``scope`` (next number of its series and year) or,
    while it is a draft, regenerate it with fresh data as a new revision."""
    _require_office(acting_user)
    started = time.monotonic()
    today = today or tz.local_today()
    if period.first > today:
        raise ValidationError(_("%(period)s 尚未开始，不能生成通报") % {"period": period.label})
    settings = ReportSettings.get()
    template = template or active_template()
    series = period.series
    for _attempt in range(3):
        try:
            with transaction.atomic():
                issue = (
                    Issue.objects.select_for_update()
                    .filter(
                        series=series,
                        period_first=period.first,
                        period_last=period.last,
                        scope_key=scope.key,
                    )
                    .first()
                )
                created = issue is None
                if issue is not None and issue.is_published:
                    raise ValidationError(
                        _("%(issue)s 已印发，不能重新生成；可下载存档或核对存档") % {"issue": issue}
                    )
                if created:
                    year = period.last.year
                    issue = Issue.objects.create(
                        series=series,
                        year=year,
                        number=_next_number(series, year),
                        period_first=period.first,
                        period_last=period.last,
                        scope_key=scope.key,
                        city=scope.city,
                        plan=scope.plan,
                        title=title_for(period, scope),
                        created_by=acting_user
                        if getattr(acting_user, "is_authenticated", False)
                        else None,
                    )
                snapshot = gather.snapshot(period, scope, settings, today=today)
                header = header_for(issue, settings, day=today, draft=True)
                revision = _store(
                    issue, snapshot, header, template, acting_user=acting_user, started=started
                )
                record(
                    acting_user,
                    "report.generated" if created else "report.regenerated",
                    issue,
                    changes={
                        "revision": [None, revision.number],
                        "period": [None, period.label],
                        "template": [None, str(template)],
                    },
                )
                return issue
        except IntegrityError:
            continue  # two offices (or the daemon) took the same number at once: try again
    raise ValidationError(_("期号分配冲突，请稍后重试"))


def publish(issue: Issue, *, acting_user, today: dt.date | None = None) -> Revision:
    """Issue the final version (same snapshot, dated today, no 审核稿 mark) and notify
    every unit in the per-unit table plus the leaders."""
    _require_office(acting_user)
    started = time.monotonic()
    today = today or tz.local_today()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.is_published:
            raise ValidationError(_("%(issue)s 已经印发") % {"issue": issue})
        current = issue.current()
        if current is None:
            raise ValidationError(_("这一期还没有生成"))
        header = {**current.header, "draft": False, "date": today.isoformat()}
        revision = _store(
            issue,
            current.snapshot,
            header,
            current.template,
            acting_user=acting_user,
            started=started,
        )
        issue.state = IssueState.PUBLISHED
        issue.published_at = tz.now()
        issue.published_by = (
            acting_user if getattr(acting_user, "is_authenticated", False) else None
        )
        issue.save(update_fields=["state", "published_at", "published_by"])
        notified = _notify(issue, current.snapshot)
        record(
            acting_user,
            "report.published",
            issue,
            changes={"revision": [None, revision.number], "notified": [None, notified]},
        )
    return revision


def _notify(issue: Issue, snapshot: dict) -> int:
    from accounts.choices import Role
    from accounts.models import Unit
    from accounts.notify import notify_units, notify_users, users_of_units

    url = reverse("reports-issue", args=[issue.pk])
    title = _("%(label)s%(series)s已印发") % {
        "label": issue.number_label,
        "series": issue.get_series_display(),
    }
    body = issue.title
    unit_ids = [u["unit_id"] for u in snapshot["ledger"]["units"]]
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("pk"))
    key = f"report-published:{issue.pk}"
    sent = notify_units(units, kind="report", title=title, body=body, url=url, dedupe_key=key)
    leaders = users_of_units(Unit.objects.filter(city=issue.city), roles=[Role.LEADER])
    sent += notify_users(
        leaders, kind="report", title=title, body=body, url=url, dedupe_key=key, email=True
    )
    return len(sent)


# --- the archive -----------------------------------------------------------------------------


def regenerate(revision: Revision) -> Files:
    """The files of an archived revision, made again from its snapshot and template."""
    return render_files(revision.snapshot, revision.header, revision.template)


@dataclass
class Verification:
    docx_identical: bool
    xlsx_identical: bool
    text_identical: bool

    @property
    def ok(self) -> bool:
        return self.text_identical


def verify(revision: Revision) -> Verification:
    """Regenerate and compare with the stored files: bytes, and the text of the document
    (charts drawn by another matplotlib version may differ by a pixel, the words may not)."""
    files = regenerate(revision)
    with revision.docx.open("rb") as handle:
        stored = handle.read()
    return Verification(
        docx_identical=sha256(files.docx) == revision.docx_sha256 == sha256(stored),
        xlsx_identical=sha256(files.xlsx) == revision.xlsx_sha256,
        text_identical=document.text_of(files.docx) == document.text_of(stored),
    )


def pdf_of(revision: Revision) -> bytes:
    """The PDF of a revision (converted once, then kept)."""
    from reports import pdf

    if revision.pdf:
        with revision.pdf.open("rb") as handle:
            return handle.read()
    with revision.docx.open("rb") as handle:
        content = pdf.to_pdf(handle.read())
    revision.pdf.save(
        _file_name(revision.issue, revision.number, "pdf"), ContentFile(content), save=True
    )
    return content


# --- the monthly run -------------------------------------------------------------------------


def due_month(today: dt.date, settings: ReportSettings) -> Period | None:
    """Last month, once today is on or after the configured day (None: not yet, or off)."""
    from reports.periods import month, previous_month

    if not settings.auto_day or today.day < settings.auto_day:
        return None
    return month(previous_month(today))


def automatic_run(today: dt.date | None = None) -> Issue | None:
    """One step of ``lantian report auto``: make last month's issue for the default city when
    it is due and not made yet (idempotent), tell the office, publish it if so configured."""
    from accounts.choices import Role
    from accounts.models import Unit
    from accounts.notify import notify_users, users_of_units

    today = today or tz.local_today()
    settings = ReportSettings.get()
    period = due_month(today, settings)
    if period is None:
        return None
    scope = gather.resolve_scope()
    exists = Issue.objects.filter(
        series=period.series,
        period_first=period.first,
        period_last=period.last,
        scope_key=scope.key,
    ).exists()
    if exists:
        return None
    issue = generate(period, scope, acting_user=None, today=today)
    if settings.auto_publish:
        publish(issue, acting_user=None, today=today)
        issue.refresh_from_db()
    else:
        office = users_of_units(Unit.objects.filter(city=scope.city), roles=[Role.OFFICE_ADMIN])
        notify_users(
            office,
            kind="report",
            title=_("%(label)s调度通报（审核稿）已生成，请审核印发")
            % {"label": issue.number_label},
            body=issue.title,
            url=reverse("reports-issue", args=[issue.pk]),
            dedupe_key=f"report-draft:{issue.pk}",
        )
    return issue


__all__ = ["Series", "generate", "publish", "automatic_run", "verify", "regenerate"]


def previous_month_of(today: dt.date) -> dt.date:
    from reports.periods import previous_month

    return previous_month(today)
