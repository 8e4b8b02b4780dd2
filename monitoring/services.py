"""Every write to monitoring state: registry, alarms and their handling ledger, cases.

Each function is atomic, takes ``acting_user`` (None or a string for the system), writes an audit
row and schedules notifications on commit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from accounts import access
from accounts.models import District, Unit
from accounts.notify import notify_units
from audit.log import diff, record, snapshot
from lantian.lib import tz
from monitoring import workflow
from monitoring.choices import (
    ActionKind,
    AlarmKind,
    AlarmStatus,
    CaseStatus,
    DeviceKind,
    Penalty,
    SiteKind,
)
from monitoring.models import Alarm, AlarmAction, Case, Device, Site
from regulations import lookup

SYSTEM = "系统"


# --- registry --------------------------------------------------------------------------------


@transaction.atomic
def save_site(site: Site, *, units: list[Unit], acting_user) -> Site:
    """Create or update a site and its responsible units."""
    before = snapshot(site) if site.pk else {}
    site.full_clean(exclude=["units"])
    site.save()
    site.units.set(units)
    record(acting_user, "site.saved", site, changes=diff(before, snapshot(site)))
    return site


@transaction.atomic
def save_device(device: Device, *, acting_user) -> Device:
    """Create or update a device (MN unique)."""
    before = snapshot(device) if device.pk else {}
    device.full_clean()
    device.save()
    after = snapshot(device)
    for d in (before, after):
        d.pop("password", None)
    record(acting_user, "device.saved", device, changes=diff(before, after))
    return device


@transaction.atomic
def register_fleet(sim_devices, *, district: str, acting_user, city: str = "西安市") -> int:
    """Register simulated devices (one site each) in ``district``; idempotent, in bulk."""
    place = District.objects.get(parent__name=city, name=district)
    units = list(Unit.objects.filter(district=place, kind="government"))
    kinds = {"dust": SiteKind.CONSTRUCTION, "fume": SiteKind.RESTAURANT}
    known = set(
        Device.objects.filter(mn__in=[d.mn for d in sim_devices]).values_list("mn", flat=True)
    )
    new = [d for d in sim_devices if d.mn not in known]
    if not new:
        return 0
    sites = Site.objects.bulk_create(
        [
            Site(
                district=place,
                name=f"模拟点位 {d.mn}",
                kind=kinds.get(d.kind, SiteKind.EMISSION),
                phase="earthworks" if d.kind == "dust" else "",
                size_class="large" if d.kind == "fume" else "",
            )
            for d in new
        ]
    )
    if not all(s.pk for s in sites):  # backends that do not return ids from bulk inserts
        by_name = dict(Site.objects.filter(district=place).values_list("name", "pk"))
        for site in sites:
            site.pk = by_name[site.name]
    Through = Site.units.through
    Through.objects.bulk_create([Through(site_id=s.pk, unit_id=u.pk) for s in sites for u in units])
    profiles = {"fume": "fume", "dust": "dust-ug"}
    Device.objects.bulk_create(
        [
            Device(
                mn=d.mn,
                password=d.password,
                kind=d.kind,
                site_id=s.pk,
                profile=profiles.get(d.kind, "tolerant"),
            )
            for d, s in zip(new, sites, strict=True)
        ]
    )
    record(
        acting_user or "simulator",
        "device.fleet_registered",
        place,
        changes={"devices": [0, len(new)]},
    )
    return len(new)


# --- alarms raised by judging and health checks ----------------------------------------------


def ladder_for(kind: str, on: dt.date) -> tuple[list[dict], str]:
    number = lookup.value("alarm_ladder", "levels", on=on, variant=kind)
    return number.value, number.code


@transaction.atomic
def raise_or_extend(
    device: Device,
    *,
    kind: str,
    code: str = "",
    level: int,
    at: dt.datetime,
    value: float | None = None,
    limit: float | None = None,
    unit: str = "",
    basis: str = "",
    detail: str = "",
    response_hours: float | None = None,
) -> tuple[Alarm, bool]:
    """Open an alarm, or extend the open one for (device, kind, code). Returns (alarm, created).

    A higher ``level`` on an open alarm raises its level (and shortens its deadline); repeated
    findings only move ``last_at``, ``count`` and ``peak``, so one episode is one alarm.
    """
    alarm = (
        Alarm.objects.select_for_update()
        .filter(device=device, kind=kind, code=code, status__in=_open())
        .first()
    )
    if alarm is not None:
        alarm.last_at = max(alarm.last_at, at)
        alarm.count += 1
        if value is not None and (alarm.peak is None or value > alarm.peak):
            alarm.peak = value
        if level > alarm.level:
            alarm.level = level
            if response_hours:
                due = due_after(tz.now(), response_hours, response_clock_of(device, kind, level))
                alarm.due_at = min(alarm.due_at or at, due)
            alarm.save()
            _act(alarm, ActionKind.LEVEL_UP, None, note=detail)
            _notify(alarm, "升级")
        else:
            alarm.save(update_fields=["last_at", "count", "peak"])
        return alarm, False
    site = device.site
    alarm = Alarm.objects.create(
        device=device,
        site=site,
        kind=kind,
        code=code,
        level=level,
        first_at=at,
        last_at=at,
        peak=value,
        limit=limit,
        unit=unit,
        basis=basis,
        detail=detail,
        due_at=(
            due_after(tz.now(), response_hours, response_clock_of(device, kind, level))
            if response_hours
            else None
        ),
    )
    _act(alarm, ActionKind.RAISE, None, note=detail)
    record(SYSTEM, "alarm.raised", alarm, changes={"level": [None, level]}, reason=detail)
    responsible = _responsible_unit(site)
    if responsible is not None:
        _dispatch(alarm, responsible, None, note="自动派发至责任单位")
    return alarm, True


def _open():
    return [s for s in AlarmStatus if s != AlarmStatus.CLOSED]


def response_clock_of(device: Device, kind: str, level: int) -> str:
    """``natural`` or ``working``: how the response time of this alarm's level is counted."""
    today = tz.local_today()
    try:
        if kind != AlarmKind.EXCEEDANCE:
            return lookup.value("device_health", "response_clock", on=today).value
        ladder, _ = ladder_for(device.kind, today)
    except lookup.RegulationNotFound:
        return "natural"
    return workflow.response_clock(level, ladder)


def due_after(start: dt.datetime, hours: float, clock: str) -> dt.datetime:
    """A response deadline; in working hours, holidays and weekends do not count, and a
    deadline in a year whose holiday arrangement is unknown tells the office."""
    from lantian.lib import workdays

    due = workdays.add_hours(start, hours, clock, tz.LOCAL_TZ)
    if clock == "working":
        from regulations.notices import warn_calendar_gaps

        warn_calendar_gaps(
            [tz.to_local(start).date(), tz.to_local(due).date()], context="报警响应时限"
        )
    return due


def _responsible_unit(site: Site) -> Unit | None:
    units = list(site.units.all())
    preferred = [u for u in units if u.kind == "government"]
    return (preferred or units or [None])[0]


def _act(alarm: Alarm, kind: str, actor, *, note: str = "", unit: Unit | None = None) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = (user.get_full_name() or user.get_username()) if user else (actor or SYSTEM)
    AlarmAction.objects.create(
        alarm=alarm,
        kind=kind,
        at=tz.now(),
        actor=user,
        actor_name=str(name)[:100],
        unit=unit,
        status_after=alarm.status,
        level_after=alarm.level,
        note=note,
    )


def _notify(alarm: Alarm, what: str) -> None:
    units = [alarm.dispatched_to] if alarm.dispatched_to_id else list(alarm.site.units.all())
    title = f"{alarm.site.name}：{alarm.get_kind_display()}{alarm.level}级报警{what}"
    url = reverse("monitoring-alarm", args=[alarm.pk])
    key = f"alarm:{alarm.pk}:{what}:{alarm.level}:{alarm.escalations}"
    transaction.on_commit(
        lambda: notify_units(
            units, kind="alarm", title=title, body=alarm.detail, url=url, dedupe_key=key
        )
    )


def _dispatch(alarm: Alarm, unit: Unit, actor, *, note: str = "") -> None:
    before = snapshot(alarm, ["status", "dispatched_to_id"])
    alarm.status = workflow.next_status("dispatch", alarm.status)
    alarm.dispatched_to = unit
    alarm.save(update_fields=["status", "dispatched_to"])
    _act(alarm, ActionKind.DISPATCH, actor, note=note, unit=unit)
    record(
        actor or SYSTEM,
        "alarm.dispatched",
        alarm,
        changes=diff(before, snapshot(alarm, ["status", "dispatched_to_id"])),
        reason=note,
    )
    _notify(alarm, "派发")


# --- the handling ledger ---------------------------------------------------------------------


def _check(alarm: Alarm, step: str, user) -> None:
    rule = workflow.STEPS[step]
    if access.is_office(user):
        return
    if rule.by == workflow.OFFICE:
        raise PermissionDenied("只有整改办/专项办可以执行此操作")
    units = access.unit_ids_of(user, "unit_officer")
    if not alarm.dispatched_to_id or alarm.dispatched_to_id not in units:
        raise PermissionDenied("该报警未派发给您所在单位")


def _step(alarm: Alarm, step: str, user, *, note: str = "", **fields) -> Alarm:
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    _check(alarm, step, user)
    before = snapshot(alarm, ["status", *fields])
    try:
        alarm.status = workflow.next_status(step, alarm.status)
    except workflow.StepRefused as err:
        raise ValidationError(str(err)) from None
    for name, value in fields.items():
        setattr(alarm, name, value)
    if alarm.status == AlarmStatus.CLOSED:
        alarm.closed_at = tz.now()
    alarm.save()
    _act(alarm, step, user, note=note, unit=alarm.dispatched_to)
    record(
        user,
        f"alarm.{step}",
        alarm,
        changes=diff(before, snapshot(alarm, ["status", *fields])),
        reason=note,
    )
    return alarm


@transaction.atomic
def dispatch_alarm(alarm: Alarm, *, unit: Unit, acting_user, note: str = "") -> Alarm:
    """The office sends the alarm to a unit (or re-sends it to another)."""
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    _check(alarm, "dispatch", acting_user)
    try:
        _dispatch(alarm, unit, acting_user, note=note)
    except workflow.StepRefused as err:
        raise ValidationError(str(err)) from None
    return alarm


@transaction.atomic
def investigate_alarm(alarm: Alarm, *, acting_user, note: str = "") -> Alarm:
    """The unit confirms receipt and starts checking on site (核查)."""
    return _step(alarm, "investigate", acting_user, note=note)


@transaction.atomic
def handle_alarm(alarm: Alarm, *, acting_user, measures: str, evidence=(), note: str = "") -> Alarm:
    """The unit records what it did (处置措施) with evidence files."""
    from evidence.services import attach_evidence

    if not measures.strip():
        raise ValidationError("请填写处置措施", code="measures")
    alarm = _step(alarm, "handle", acting_user, note=note or measures, measures=measures)
    for upload in evidence:
        attach_evidence(upload, to=alarm, acting_user=acting_user, description="报警处置佐证")
    return alarm


@transaction.atomic
def reply_alarm(alarm: Alarm, *, acting_user, reply: str) -> Alarm:
    """The unit answers the office (答复)."""
    if not reply.strip():
        raise ValidationError("请填写答复内容", code="reply")
    alarm = _step(alarm, "reply", acting_user, note=reply, reply=reply)
    transaction.on_commit(lambda: _notify_office(alarm, "已答复"))
    return alarm


@transaction.atomic
def close_alarm(alarm: Alarm, *, acting_user, note: str = "") -> Alarm:
    """The office verifies the reply and closes the alarm (办结)."""
    return _step(alarm, "close", acting_user, note=note)


@transaction.atomic
def reopen_alarm(alarm: Alarm, *, acting_user, reason: str) -> Alarm:
    """The office sends the alarm back for more work."""
    if not reason.strip():
        raise ValidationError("请说明退回原因", code="note")
    alarm = _step(alarm, "reopen", acting_user, note=reason)
    _notify(alarm, "退回")
    return alarm


def _notify_office(alarm: Alarm, what: str) -> None:
    from accounts.models import Unit as U

    offices = U.objects.filter(memberships__role="office_admin").distinct()
    notify_units(
        offices,
        kind="alarm",
        title=f"{alarm.site.name}：报警{what}",
        url=reverse("monitoring-alarm", args=[alarm.pk]),
        dedupe_key=f"alarm:{alarm.pk}:{what}",
        roles=("office_admin",),
    )


@transaction.atomic
def escalate_overdue(*, now: dt.datetime | None = None) -> list[Alarm]:
    """Raise the level of every open alarm past its response deadline (超时升级).

    The new deadline comes from the ladder's response time for the new level; at the top level
    the deadline is renewed with the top level's response time and the office is told again.
    """
    now = now or tz.now()
    escalated = []
    overdue = Alarm.objects.select_for_update().filter(
        status__in=list(workflow.ESCALATABLE), due_at__lt=now
    )
    for alarm in overdue.select_related("site", "device"):
        ladder, code = _ladder_of(alarm, now)
        top = max((int(r["level"]) for r in ladder), default=alarm.level)
        before = snapshot(alarm, ["level", "due_at", "escalations"])
        alarm.level = min(alarm.level + 1, top)
        hours = workflow.response_hours(alarm.level, ladder) or 24
        alarm.due_at = due_after(now, hours, workflow.response_clock(alarm.level, ladder))
        alarm.escalations += 1
        alarm.save(update_fields=["level", "due_at", "escalations"])
        note = f"超过响应时限，升级为 {alarm.level} 级（{code}）"
        _act(alarm, ActionKind.ESCALATE, None, note=note)
        record(
            SYSTEM,
            "alarm.escalated",
            alarm,
            changes=diff(before, snapshot(alarm, ["level", "due_at", "escalations"])),
            reason=note,
        )
        _notify(alarm, "超时升级")
        transaction.on_commit(lambda a=alarm: _notify_office(a, "超时升级"))
        escalated.append(alarm)
    return escalated


def _ladder_of(alarm: Alarm, now: dt.datetime) -> tuple[list[dict], str]:
    if alarm.kind != AlarmKind.EXCEEDANCE:
        on = tz.to_local(now).date()
        hours = lookup.value("device_health", "response_hours", on=on)
        clock = response_clock_of(alarm.device, alarm.kind, alarm.level)
        ladder = [
            {"level": lvl, "response_hours": hours.value, "clock": clock} for lvl in (1, 2, 3)
        ]
        return ladder, hours.code
    return ladder_for(alarm.device.kind, tz.to_local(now).date())


# --- enforcement cases (立案) -----------------------------------------------------------------

CASE_FIELDS = ["number", "opened_on", "authority_id", "note", "legal_basis", "party", "status"]
DECISION_FIELDS = ["status", "penalty", "fine", "decision", "order", "decided_on"]
CLOSURE_FIELDS = ["status", "closed_on", "closure"]


def may_handle_cases(user, authority: Unit | None = None) -> bool:
    """The office, or an officer or inspector of the enforcing unit (立案机关)."""
    if access.is_office(user):
        return True
    mine = access.unit_ids_of(user)
    return authority is not None and authority.pk in mine


def _check_case_rights(user, authority: Unit) -> None:
    if not may_handle_cases(user, authority):
        raise PermissionDenied("只有立案机关或整改办可以登记、处理立案")


def default_party(alarm: Alarm) -> str:
    """Who the case is against: the site's builder or operator, else the site itself."""
    return alarm.site.operator or alarm.site.name


@transaction.atomic
def open_case(
    alarm: Alarm,
    *,
    acting_user,
    number: str,
    opened_on: dt.date,
    authority: Unit,
    note: str = "",
    legal_basis: str = "",
    party: str = "",
    party_code: str = "",
) -> Case:
    """Open an enforcement case (立案) on the alarm: 案由, legal basis, party; audited on both
    the case and the alarm, and shown in the alarm's timeline."""
    _check_case_rights(acting_user, authority)
    case = Case(
        alarm=alarm,
        number=number.strip(),
        opened_on=opened_on,
        authority=authority,
        note=note.strip(),
        legal_basis=legal_basis.strip(),
        party=(party.strip() or default_party(alarm))[:200],
        party_code=party_code.strip().upper(),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    if opened_on < tz.to_local(alarm.first_at).date():
        raise ValidationError({"opened_on": "立案日期不能早于报警首次发生的日期"})
    case.full_clean()
    case.save()
    _act(alarm, ActionKind.CASE, acting_user, note=f"立案 {case.number}", unit=authority)
    record(acting_user, "case.opened", case, changes=diff({}, snapshot(case, CASE_FIELDS)))
    record(
        acting_user, "alarm.case_opened", alarm, changes={"case": [None, case.number]}, reason=note
    )
    return case


def case_numbers(template: str, count: int, start: int | None = None) -> list[str]:
    """``count`` case numbers from a template with ``{n}`` (e.g. ``西环罚〔2026〕{n}号``)."""
    template = template.strip()
    if not template:
        raise ValidationError({"number": "请填写案号格式，例如 西环罚〔2026〕{n}号"})
    if any(ord(c) < 32 or ord(c) == 127 for c in template):
        # a control character (NUL among them, which PostgreSQL cannot store) is never meant
        raise ValidationError({"number": "案号格式中含有控制字符，请重新输入"})
    if "{n}" not in template:
        template += "-{n}"
    if start is None:
        start = 1
        while Case.objects.filter(number=template.replace("{n}", str(start))).exists():
            start += 1
    return [template.replace("{n}", str(start + k)) for k in range(count)]


@transaction.atomic
def open_cases(
    alarms: list[Alarm],
    *,
    acting_user,
    number_template: str,
    opened_on: dt.date,
    authority: Unit,
    note: str = "",
    legal_basis: str = "",
    start: int | None = None,
) -> list[Case]:
    """Open one case per alarm, in bulk from the alarm ledger: all or none.

    Refused with the alarm numbers when any alarm already has a case or a generated case
    number is taken, so a half-done batch never exists."""
    _check_case_rights(acting_user, authority)
    if not alarms:
        raise ValidationError({"alarms": "请至少选择一条报警"})
    cased = sorted(a.pk for a in alarms if a.cases.exists())
    if cased:
        listed = "、".join(f"#{pk}" for pk in cased)
        raise ValidationError({"alarms": f"以下报警已立案，请取消选择：{listed}"})
    numbers = case_numbers(number_template, len(alarms), start)
    taken = list(Case.objects.filter(number__in=numbers).values_list("number", flat=True))
    if taken:
        raise ValidationError({"number": f"案号已被使用：{'、'.join(taken)}"})
    return [
        open_case(
            alarm,
            acting_user=acting_user,
            number=number,
            opened_on=opened_on,
            authority=authority,
            note=note,
            legal_basis=legal_basis,
        )
        for alarm, number in zip(sorted(alarms, key=lambda a: a.pk), numbers, strict=True)
    ]


@transaction.atomic
def decide_case(
    case: Case,
    *,
    acting_user,
    penalty: str,
    decision: str,
    decided_on: dt.date,
    fine=None,
    order: str = "",
) -> Case:
    """Record the decision (处理决定): penalty or order, amount, date."""
    case = Case.objects.select_for_update().select_related("authority", "alarm").get(pk=case.pk)
    _check_case_rights(acting_user, case.authority)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("该案件已结案")
    errors = {}
    if not decision.strip():
        errors["decision"] = "请填写处理决定"
    if penalty == Penalty.FINE and (fine is None or fine <= 0):
        errors["fine"] = "罚款须填写金额"
    if penalty in (Penalty.ORDER, Penalty.SUSPEND) and not order.strip():
        errors["order"] = "责令改正或停工整治须写明责令事项"
    if decided_on < case.opened_on:
        errors["decided_on"] = "决定日期不能早于立案日期"
    if errors:
        raise ValidationError(errors)
    before = snapshot(case, DECISION_FIELDS)
    case.status, case.penalty, case.decision = CaseStatus.DECIDED, penalty, decision.strip()
    case.fine = fine if penalty == Penalty.FINE else None
    case.order, case.decided_on = order.strip(), decided_on
    case.full_clean()
    case.save()
    record(acting_user, "case.decided", case, changes=diff(before, snapshot(case, DECISION_FIELDS)))
    return case


@transaction.atomic
def close_case(case: Case, *, acting_user, closed_on: dt.date, closure: str) -> Case:
    """Close the case (结案) once its decision has been carried out."""
    case = Case.objects.select_for_update().select_related("authority").get(pk=case.pk)
    _check_case_rights(acting_user, case.authority)
    if case.status != CaseStatus.DECIDED:
        raise ValidationError("须先作出处理决定再结案")
    errors = {}
    if not closure.strip():
        errors["closure"] = "请填写结案情况（执行情况、整改复查结果）"
    if case.decided_on and closed_on < case.decided_on:
        errors["closed_on"] = "结案日期不能早于决定日期"
    if errors:
        raise ValidationError(errors)
    before = snapshot(case, CLOSURE_FIELDS)
    case.status, case.closed_on, case.closure = CaseStatus.CLOSED, closed_on, closure.strip()
    case.save()
    record(acting_user, "case.closed", case, changes=diff(before, snapshot(case, CLOSURE_FIELDS)))
    return case


@transaction.atomic
def announce_inspection(
    *, city: District, district: District | None, announced_at: dt.datetime, title: str, acting_user
):
    """Record an inspection announced in advance; the pattern detectors then look for monitors
    whose values fall right after it."""
    from monitoring.models import AnnouncedInspection

    if not access.is_office(acting_user):
        raise PermissionDenied("只有整改办/专项办可以登记检查通知")
    if district is not None and district.parent_id != city.pk:
        raise ValidationError({"district": "区县不属于该城市"})
    notice = AnnouncedInspection(
        city=city,
        district=district,
        announced_at=announced_at,
        title=title.strip(),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    notice.full_clean()
    notice.save()
    record(acting_user, "inspection.announced", notice, changes={"title": [None, notice.title]})
    return notice


DEVICE_KINDS = {k.value for k in DeviceKind}
