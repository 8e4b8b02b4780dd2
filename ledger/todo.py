"""The ledger's part of everyone's to-do list (``lantian.todo``).

- unit officers: this month's reports not yet in, lines returned for more work (退回整改), lines
  past their deadline, 督办 awaiting their unit's reply, 细化整改方案 not yet filed;
- review groups: acceptances waiting for their conclusion, and for the member's own signature;
- the office: 督办 proposals to decide, 督办 past their time without every reply;
- leaders: red lines (红灯) and the units at the bottom of last month's ranking.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_leader, is_office, unit_ids_of
from accounts.choices import Role
from lantian.lib import tz
from lantian.todo import ENTRIES, Entry, Todo
from ledger import lamps, lighting, schedule, scoring
from ledger.choices import AcceptanceState, ProposalState, Status, SupervisionState
from ledger.models import (
    Acceptance,
    AcceptanceMember,
    Assignment,
    DetailedPlanFiling,
    LedgerConfig,
    Plan,
    ProgressReport,
    Proposal,
    Supervision,
    SupervisionReply,
    UnitScore,
)

MENU = "ledger-task-list"


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    out: list[Todo] = []
    officer_units = unit_ids_of(user, Role.UNIT_OFFICER)
    if officer_units:
        out += unit_todos(officer_units, today, entries)
    review_units = unit_ids_of(user, Role.REVIEWER)
    if review_units:
        out += review_todos(review_units, entries)
    if review_units or is_office(user):  # the accounts a group member can be linked to
        out += signature_todos(user, entries)
    if is_office(user):
        out += office_todos(today, entries)
    elif is_leader(user):
        out += leader_todos(today, entries)
    return out


def _line_entry(line: Assignment, note: str = "", url: str = "") -> Entry:
    label = f"{line.task.display_no}、{line.task.title[:40]}"
    return Entry(label, url or reverse("ledger-assignment", args=[line.pk]), note)


def unit_lines(units) -> Q:
    """Lines a unit does (its own and those it shares as the area's other body)."""
    shared = Assignment.objects.filter(partners__unit_id__in=units).values("pk")
    return Q(unit_id__in=units) | Q(pk__in=shared)


def unreported_this_month(lines, today: dt.date, config: LedgerConfig):
    """Open lines that owe this month's report and have not sent it (its due day not passed
    yet or passed: either way it is still to do)."""
    period = schedule.period_of(today)
    reported = ProgressReport.objects.filter(assignment=OuterRef("pk"), period=period)
    owing = lines.exclude(status=Status.CLOSED).filter(
        Q(task__plan__issued__lt=period)
        | Q(task__plan__issued__isnull=True, created_at__lt=tz.start_of_local_day(period))
    )
    if not schedule.is_review_month(period, config.review_interval_months):
        owing = owing.exclude(status=Status.SUSTAINED)
    return owing.filter(~Exists(reported))


def unit_todos(units, today: dt.date, entries: bool) -> list[Todo]:
    config = LedgerConfig.get()
    lines = Assignment.objects.lines().filter(unit_lines(units)).select_related("task__plan")
    base = reverse("ledger-line-list")
    out = []

    due = unreported_this_month(lines, today, config).order_by("task__plan_id", "task__no")
    period = schedule.period_of(today)
    out.append(
        Todo(
            _("本月进展待报送"),
            due.count(),
            base,
            MENU,
            order=10,
            entries=[
                _line_entry(
                    line,
                    _("%(d)s 前报送")
                    % {"d": _day(schedule.report_due(period, _report_day(line, config)))},
                    reverse("ledger-report-new", args=[line.pk]),
                )
                for line in (due[:ENTRIES] if entries else [])
            ],
        )
    )
    returned = lines.filter(status=Status.RETURNED).order_by("task__no")
    out.append(
        Todo(
            _("验收退回，需继续整改"),
            returned.count(),
            f"{base}?status={Status.RETURNED}",
            MENU,
            "bad",
            [_line_entry(line) for line in (returned[:ENTRIES] if entries else [])],
            order=11,
        )
    )
    overdue = lines.overdue_on(today).order_by("task__deadline", "task__no")
    out.append(
        Todo(
            _("已逾期事项"),
            overdue.count(),
            f"{base}?overdue=1",
            MENU,
            "bad",
            [
                _line_entry(line, _("逾期 %(n)s 天") % {"n": line.days_overdue(today)})
                for line in (overdue[:ENTRIES] if entries else [])
            ],
            order=12,
        )
    )
    replied = SupervisionReply.objects.filter(supervision=OuterRef("pk"), unit_id__in=units)
    waiting = (
        Supervision.objects.filter(state=SupervisionState.OPEN, units__in=units)
        .filter(~Exists(replied))
        .distinct()
        .order_by("due", "pk")
    )
    out.append(
        Todo(
            _("督查督办待回复"),
            waiting.count(),
            reverse("ledger-supervision-list"),
            MENU,
            "warn",
            [
                Entry(
                    f"{s.get_kind_display()}：{s.title}",
                    reverse("ledger-supervision", args=[s.pk]),
                    _("%(d)s 前回复") % {"d": _day(s.due)} if s.due else "",
                )
                for s in (waiting[:ENTRIES] if entries else [])
            ],
            order=13,
        )
    )
    out.append(_detailed_plans(units, today, entries))
    return out


def _detailed_plans(units, today: dt.date, entries: bool) -> Todo:
    """Plans whose 细化整改方案 the unit has not filed yet (from the issue date on)."""
    plans = (
        Plan.objects.filter(
            issued__isnull=False,
            issued__lte=today,
            tasks__assignments__works=True,
            tasks__assignments__withdrawn=False,
            tasks__assignments__unit_id__in=units,
        )
        .exclude(Exists(DetailedPlanFiling.objects.filter(plan=OuterRef("pk"), unit_id__in=units)))
        .distinct()
        .order_by("issued")
    )
    plans = [p for p in plans if p.detailed_plan_due is not None]
    return Todo(
        _("细化整改方案待报送"),
        len(plans),
        reverse("ledger-plan-list"),
        MENU,
        "bad" if any(p.detailed_plan_due < today for p in plans) else "warn",
        [
            Entry(
                p.title,
                reverse("ledger-plan", args=[p.pk]),
                (_("已逾期，时限 %(d)s") if p.detailed_plan_due < today else _("%(d)s 前报送"))
                % {"d": _day(p.detailed_plan_due)},
            )
            for p in (plans[:ENTRIES] if entries else [])
        ],
        order=14,
    )


def review_todos(units, entries: bool) -> list[Todo]:
    waiting = (
        Acceptance.objects.filter(review_unit_id__in=units, decided_at__isnull=True)
        .select_related("assignment__task", "assignment__unit")
        .order_by("applied_at")
    )
    return [
        Todo(
            _("验收申请待办理"),
            waiting.count(),
            f"{reverse('ledger-line-list')}?status={Status.APPLIED}",
            MENU,
            order=20,
            entries=[
                Entry(
                    f"{a.assignment.unit.name}：{a.assignment.task.display_no}、"
                    f"{a.assignment.task.title[:30]}",
                    reverse("ledger-acceptance", args=[a.pk]),
                    _("%(d)s 申请") % {"d": _day(a.applied_at)},
                )
                for a in (waiting[:ENTRIES] if entries else [])
            ],
        )
    ]


def signature_todos(user, entries: bool) -> list[Todo]:
    """Acceptances whose group lists this person and still waits for their own signature."""
    mine = (
        AcceptanceMember.objects.filter(
            user=user,
            signed_at__isnull=True,
            acceptance__decided_at__isnull=True,
            acceptance__state__in=[AcceptanceState.GROUP_FORMED, AcceptanceState.CHECKING],
        )
        .select_related("acceptance__assignment__task", "acceptance__assignment__unit")
        .order_by("acceptance__applied_at")
    )
    rows = list(mine[:ENTRIES])
    if not rows:
        return []
    return [
        Todo(
            _("验收待本人签字"),
            mine.count() if len(rows) == ENTRIES else len(rows),
            reverse("ledger-acceptance", args=[rows[0].acceptance_id]),
            MENU,
            order=21,
            entries=[
                Entry(
                    f"{m.acceptance.assignment.unit.name}：{m.acceptance.assignment.task.display_no}、"
                    f"{m.acceptance.assignment.task.title[:30]}",
                    reverse("ledger-acceptance", args=[m.acceptance_id]),
                    _("验收组%(role)s") % {"role": m.get_role_display()},
                )
                for m in (rows if entries else [])
            ],
        )
    ]


def office_todos(today: dt.date, entries: bool) -> list[Todo]:
    proposals = Proposal.objects.filter(state=ProposalState.PENDING).order_by("created_at")
    out = [
        Todo(
            _("督办建议待决定"),
            proposals.count(),
            reverse("ledger-proposals"),
            MENU,
            order=30,
            entries=[
                Entry(
                    f"{p.get_kind_display()}：{p.reason[:50]}",
                    reverse("ledger-proposals"),
                )
                for p in (proposals.select_related("unit")[:ENTRIES] if entries else [])
            ],
        )
    ]
    replied_by_all = ~Exists(
        Supervision.units.through.objects.filter(supervision_id=OuterRef("pk")).exclude(
            unit_id__in=SupervisionReply.objects.filter(
                supervision_id=OuterRef(OuterRef("pk"))
            ).values("unit_id")
        )
    )
    late = (
        Supervision.objects.filter(state=SupervisionState.OPEN, due__lt=today)
        .exclude(replied_by_all)
        .order_by("due")
    )
    out.append(
        Todo(
            _("督办逾期未回复"),
            late.count(),
            reverse("ledger-supervision-list"),
            MENU,
            "bad",
            [
                Entry(
                    f"{s.get_kind_display()}：{s.title}",
                    reverse("ledger-supervision", args=[s.pk]),
                    _("时限 %(d)s") % {"d": _day(s.due)},
                )
                for s in (late[:ENTRIES] if entries else [])
            ],
            order=31,
        )
    )
    answered = Supervision.objects.filter(state=SupervisionState.ANSWERED).order_by("pk")
    out.append(
        Todo(
            _("督办已回复待办结"),
            answered.count(),
            reverse("ledger-supervision-list"),
            MENU,
            entries=[
                Entry(
                    f"{s.get_kind_display()}：{s.title}", reverse("ledger-supervision", args=[s.pk])
                )
                for s in (answered[:ENTRIES] if entries else [])
            ],
            order=32,
        )
    )
    return out


def leader_todos(today: dt.date, entries: bool) -> list[Todo]:
    lines = Assignment.objects.lines()
    red = lighting.ids_with(lines, lamps.RED, today)
    out = [
        Todo(
            _("红灯事项"),
            len(red),
            f"{reverse('ledger-line-list')}?lamp={lamps.RED}",
            MENU,
            "bad",
            [
                _line_entry(line, line.unit.name)
                for line in (
                    lines.filter(pk__in=red[:ENTRIES]).select_related("task", "unit")
                    if entries
                    else []
                )
            ],
            order=40,
        )
    ]
    month = scoring.last_month(today)
    count = LedgerConfig.get().bottom_count
    bottom = list(
        UnitScore.objects.filter(month=month).select_related("unit").order_by("-rank")[:count]
    )
    out.append(
        Todo(
            _("上月排名靠后单位"),
            len(bottom),
            f"{reverse('ledger-ranking')}?month={month:%Y-%m}",
            "ledger-dashboard",
            entries=[
                Entry(
                    f"{s.unit.name}（第 {s.rank} 名，{s.score:.1f} 分）",
                    f"{reverse('ledger-line-list')}?unit={s.unit_id}",
                )
                for s in (bottom if entries else [])
            ],
            order=41,
        )
    )
    return out


def _report_day(line: Assignment, config: LedgerConfig) -> int:
    day = line.task.plan.report_day
    return config.report_day if day is None else day


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = tz.to_local(value).date()
    return f"{value.month}月{value.day}日"
