"""Reminders and supervision proposals, computed from the data each run.

``run(today)`` is what ``lantian sendreminders`` calls. Every message carries a dedupe key
made of what it is about and the day it is for, so running twice on one day sends nothing
twice, and a run that was missed is not made up with a burst of stale messages.

What goes out (working days only, China's holiday and 调休 calendar):

- report due: ``remind_before_days`` working days before each month's report day, to lines
  that have not reported for the month;
- deadline near: the same offsets before a line's (extended) deadline;
- overdue: the first working day after the deadline, then weekly, to the unit and the office;
- missing report: the first working day after the report day, then weekly;
- 督办 due and overdue: the offsets before its due date, then weekly while unanswered;
- 细化整改方案: the offsets before the plan's due date, to units that have filed none;
- proposals: overdue more than N days → propose 督办 (N in ``LedgerConfig``), overdue → 催办,
  N months of missing reports → 督办; grouped per unit (one proposal listing its lines).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Membership, Unit
from accounts.notify import notify_units, notify_users, users_of_units
from lantian.lib.workdays import is_workday
from ledger import reporting, schedule
from ledger.choices import ProposalState, Status, SupervisionKind, SupervisionState
from ledger.models import (
    Assignment,
    DetailedPlanFiling,
    LedgerConfig,
    Plan,
    Proposal,
    Supervision,
)


@dataclass
class Outcome:
    sent: int = 0
    proposals: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _lines():
    return (
        Assignment.objects.lines()
        .open()
        .select_related("task__plan", "unit")
        .prefetch_related("partners__unit")
    )


def _units_of(line: Assignment) -> list[Unit]:
    return [line.unit, *[p.unit for p in line.partners.all()]]


def _send(outcome: Outcome, kind: str, units, *, title: str, body: str, url: str, key: str):
    created = notify_units(
        units, kind=f"ledger.{kind}", title=title, body=body, url=url, dedupe_key=key
    )
    outcome.sent += len(created)
    outcome.by_kind[kind] += len(created)


def _line_url(line: Assignment) -> str:
    return reverse("ledger-assignment", args=[line.pk])


def report_reminders(today: dt.date, config: LedgerConfig, outcome: Outcome, lines) -> None:
    period = schedule.period_of(today)
    submitted = reporting.first_submissions(line.pk for line in lines)
    for line in lines:
        due = schedule.report_due(period, reporting.report_day(line, config))
        if period not in reporting.owed_periods(line, due, config):
            continue
        if (line.pk, period) in submitted:
            continue
        offset = schedule.reminder_offset(today, due, config.reminder_offsets)
        if offset is None:
            continue
        values = {
            "task": line.task,
            "due": due.isoformat(),
            "month": f"{period:%Y-%m}",
            "plan": line.task.plan,
            "days": offset,
        }
        _send(
            outcome,
            "report_due",
            _units_of(line),
            title=_("月报提醒：%(task)s，请于 %(due)s 前报送 %(month)s 进展") % values,
            body=_("%(plan)s\n报送截止：%(due)s（还有 %(days)s 个工作日）") % values,
            url=_line_url(line),
            key=f"report-due:{line.pk}:{period.isoformat()}:{today}",
        )


def missing_report_chases(outcome: Outcome, today: dt.date, lines, missing) -> None:
    by_id = {line.pk: line for line in lines}
    for slot in missing:
        if not schedule.is_chase_day(today, slot.due):
            continue
        line = by_id[slot.assignment_id]
        values = {"task": line.task, "month": f"{slot.period:%Y-%m}", "due": slot.due.isoformat()}
        _send(
            outcome,
            "report_missing",
            _units_of(line),
            title=_("月报未报：%(task)s（%(month)s，截止 %(due)s）") % values,
            body=_("请尽快补报整改进展。"),
            url=_line_url(line),
            key=f"report-missing:{line.pk}:{slot.period.isoformat()}:{today}",
        )


def deadline_reminders(today: dt.date, config: LedgerConfig, outcome: Outcome, lines) -> None:
    for line in lines:
        due = line.deadline
        if due is None:
            continue
        values = {"task": line.task, "due": due.isoformat(), "status": line.get_status_display()}
        if line.is_overdue(today):
            if schedule.is_chase_day(today, due):
                values["days"] = line.days_overdue(today)
                _send(
                    outcome,
                    "overdue",
                    _units_of(line),
                    title=_("已逾期 %(days)s 天：%(task)s") % values,
                    body=_("整改时限 %(due)s，当前状态：%(status)s") % values,
                    url=_line_url(line),
                    key=f"overdue:{line.pk}:{today}",
                )
            continue
        offset = schedule.reminder_offset(today, due, config.reminder_offsets)
        if offset is not None and line.status != Status.APPLIED:
            values["days"] = offset
            _send(
                outcome,
                "deadline_near",
                _units_of(line),
                title=_("整改时限临近：%(task)s（%(due)s）") % values,
                body=_("距整改时限还有 %(days)s 个工作日。") % values,
                url=_line_url(line),
                key=f"deadline-near:{line.pk}:{due.isoformat()}:{offset}",
            )


def supervision_reminders(today: dt.date, config: LedgerConfig, outcome: Outcome) -> None:
    open_orders = Supervision.objects.filter(
        state=SupervisionState.OPEN, due__isnull=False
    ).prefetch_related("units", "replies")
    for supervision in open_orders:
        answered = {r.unit_id for r in supervision.replies.all()}
        units = [u for u in supervision.units.all() if u.pk not in answered]
        if not units:
            continue
        url = reverse("ledger-supervision", args=[supervision.pk])
        values = {"title": supervision.title, "due": supervision.due.isoformat()}
        if today > supervision.due:
            if schedule.is_chase_day(today, supervision.due):
                _send(
                    outcome,
                    "supervision_overdue",
                    units,
                    title=_("督办逾期未回复：%(title)s") % values,
                    body=_("办理时限 %(due)s") % values,
                    url=url,
                    key=f"supervision-overdue:{supervision.pk}:{today}",
                )
            continue
        offset = schedule.reminder_offset(today, supervision.due, config.reminder_offsets)
        if offset is not None:
            values["days"] = offset
            _send(
                outcome,
                "supervision_due",
                units,
                title=_("督办即将到期：%(title)s（%(due)s）") % values,
                body=_("还有 %(days)s 个工作日。") % values,
                url=url,
                key=f"supervision-due:{supervision.pk}:{offset}",
            )


def detailed_plan_reminders(today: dt.date, config: LedgerConfig, outcome: Outcome) -> None:
    for plan in Plan.objects.filter(issued__isnull=False):
        due = plan.detailed_plan_due
        if due is None or today > due:
            continue
        offset = schedule.reminder_offset(today, due, config.reminder_offsets)
        if offset is None:
            continue
        filed = DetailedPlanFiling.objects.filter(plan=plan).values("unit_id")
        units = (
            Unit.objects.filter(ledger_assignments__task__plan=plan, ledger_assignments__works=True)
            .exclude(pk__in=filed)
            .distinct()
        )
        values = {"plan": plan, "due": due.isoformat(), "days": offset}
        _send(
            outcome,
            "detailed_plan_due",
            units,
            title=_("细化整改方案提醒：%(plan)s（%(due)s 前报送）") % values,
            body=_("请在 %(due)s 前报送细化整改方案（还有 %(days)s 个工作日）。") % values,
            url=reverse("ledger-plan", args=[plan.pk]),
            key=f"detailed-plan:{plan.pk}:{offset}",
        )


def propose(today: dt.date, config: LedgerConfig, overdue: list, missing: list) -> int:
    """Suggest 催办/督办 from the data; each suggestion is made once (its key)."""
    made = 0
    for line in overdue:
        days = line.days_overdue(today)
        values = {
            "unit": line.unit,
            "task": line.task,
            "days": days,
            "n": config.propose_order_after_days,
        }
        if days > config.propose_order_after_days:
            reason = _("%(unit)s「%(task)s」逾期 %(days)s 天（超过 %(n)s 天），建议督办") % values
            made += _propose(SupervisionKind.ORDER, reason, line, f"order:overdue:{line.pk}")
        elif days >= config.propose_urge_after_days:
            reason = _("%(unit)s「%(task)s」已逾期 %(days)s 天，建议催办") % values
            made += _propose(SupervisionKind.URGE, reason, line, f"urge:overdue:{line.pk}")
    by_line: dict[int, list] = defaultdict(list)
    for slot in missing:
        by_line[slot.assignment_id].append(slot)
    lines = Assignment.objects.filter(pk__in=list(by_line)).select_related("unit", "task__plan")
    for line in lines:
        slots = by_line[line.pk]
        if len(slots) < config.propose_order_missing_reports:
            continue
        months = "、".join(f"{s.period:%Y-%m}" for s in slots[-3:])
        values = {"unit": line.unit, "task": line.task, "n": len(slots), "months": months}
        reason = _("%(unit)s「%(task)s」%(n)s 个月未报送进展（%(months)s），建议督办") % values
        key = f"order:missing:{line.pk}:{slots[-1].period.isoformat()}"
        made += _propose(SupervisionKind.ORDER, reason, line, key)
    return made


def _propose(kind: str, reason: str, line: Assignment, key: str) -> int:
    """Add the line to its unit's grouped proposal (one per unit and kind, not one per line)."""
    from ledger.services import propose_for_unit

    return int(propose_for_unit(kind, reason=reason, line=line, key=key))


def office_digest(today: dt.date, outcome: Outcome, overdue: list, missing: list) -> None:
    """One message a day to the office when something needs attention; never an empty one."""
    pending = Proposal.objects.filter(state=ProposalState.PENDING).count()
    if not (overdue or missing or pending):
        return
    office_units = Membership.objects.filter(role=Role.OFFICE_ADMIN).values("unit_id")
    users = users_of_units(Unit.objects.filter(pk__in=office_units), (Role.OFFICE_ADMIN,))
    values = {
        "day": today.isoformat(),
        "overdue": len(overdue),
        "missing": len(missing),
        "pending": pending,
    }
    created = notify_users(
        users,
        kind="ledger.digest",
        title=_(
            "台账日报 %(day)s：逾期 %(overdue)s 项，缺报 %(missing)s 份，待处理建议 %(pending)s 条"
        )
        % values,
        body=_("详见驾驶舱与督办建议。"),
        url=reverse("ledger-dashboard"),
        dedupe_key=f"digest:{today}",
    )
    outcome.sent += len(created)
    outcome.by_kind["digest"] += len(created)


def calendar_notices(today: dt.date, lines) -> None:
    """Working-day reminders and deadlines in the next 90 days, and every open deadline, need
    the year's holiday arrangement: tell the office once per year that lacks it."""
    from regulations.notices import warn_calendar_gaps

    horizon = [today, today + dt.timedelta(days=90)]
    deadlines = [line.deadline for line in lines if line.deadline]
    dues = Supervision.objects.filter(state=SupervisionState.OPEN, due__isnull=False)
    warn_calendar_gaps(
        horizon + deadlines + list(dues.values_list("due", flat=True)), context="台账期限与提醒"
    )


@transaction.atomic
def run(today: dt.date) -> Outcome:
    """Send every reminder due on ``today`` (a local date) and make the day's proposals."""
    config = LedgerConfig.get()
    outcome = Outcome()
    lines = list(_lines())
    calendar_notices(today, lines)
    overdue = [line for line in lines if line.is_overdue(today)]
    missing = reporting.missing_reports(lines, today)
    outcome.proposals = propose(today, config, overdue, missing)
    if not is_workday(today):
        return outcome
    report_reminders(today, config, outcome, lines)
    missing_report_chases(outcome, today, lines, missing)
    deadline_reminders(today, config, outcome, lines)
    supervision_reminders(today, config, outcome)
    detailed_plan_reminders(today, config, outcome)
    office_digest(today, outcome, overdue, missing)
    return outcome
