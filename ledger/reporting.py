"""Which reports each line of work owes, which arrived on time and which are missing.

Read-only; derived from the lines, their plans' report day and the reports themselves, so a
rate shown anywhere can be recomputed from these rows (``ReportSlot``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Min

from lantian.lib import tz
from ledger import schedule
from ledger.choices import Status
from ledger.models import Assignment, LedgerConfig, ProgressReport


@dataclass(frozen=True)
class ReportSlot:
    """One report a line owed: its period, its due date, and when it first arrived."""

    assignment_id: int
    period: dt.date
    due: dt.date
    first_submitted: dt.date | None

    @property
    def on_time(self) -> bool:
        return self.first_submitted is not None and self.first_submitted <= self.due

    @property
    def missing(self) -> bool:
        return self.first_submitted is None

    @property
    def late(self) -> bool:
        return self.first_submitted is not None and self.first_submitted > self.due


def line_start(assignment: Assignment) -> dt.date:
    """Reporting starts from the plan's issue date, else from when the task reached the ledger."""
    return assignment.task.plan.issued or tz.to_local(assignment.created_at).date()


def report_day(assignment: Assignment, config: LedgerConfig) -> int:
    plan_day = assignment.task.plan.report_day
    return config.report_day if plan_day is None else plan_day


def owed_periods(assignment: Assignment, until: dt.date, config: LedgerConfig) -> list[dt.date]:
    return schedule.owed_periods(
        line_start(assignment),
        until=until,
        report_day=report_day(assignment, config),
        closed_on=assignment.closed_on if assignment.status == Status.CLOSED else None,
        sustained=assignment.status == Status.SUSTAINED,
        interval=config.review_interval_months,
    )


def first_submissions(assignment_ids: Iterable[int]) -> dict[tuple[int, dt.date], dt.date]:
    """``{(line, period): local date of the first version}`` for the given lines."""
    rows = (
        ProgressReport.objects.filter(assignment_id__in=list(assignment_ids))
        .values("assignment_id", "period")
        .annotate(first=Min("submitted_at"))
    )
    return {(r["assignment_id"], r["period"]): tz.to_local(r["first"]).date() for r in rows}


def slots(
    lines: Iterable[Assignment], until: dt.date, config: LedgerConfig | None = None
) -> list[ReportSlot]:
    """Every report the ``lines`` owed up to ``until`` (lines need ``task__plan`` loaded)."""
    config = config or LedgerConfig.get()
    lines = list(lines)
    submitted = first_submissions(a.pk for a in lines)
    out = []
    for line in lines:
        day = report_day(line, config)
        for period in owed_periods(line, until, config):
            out.append(
                ReportSlot(
                    line.pk,
                    period,
                    schedule.report_due(period, day),
                    submitted.get((line.pk, period)),
                )
            )
    return out


def current_slot(assignment: Assignment, today: dt.date, config: LedgerConfig) -> ReportSlot:
    """This month's report: due date and whether it has arrived (for reminders and pages)."""
    period = schedule.period_of(today)
    submitted = first_submissions([assignment.pk]).get((assignment.pk, period))
    return ReportSlot(
        assignment.pk,
        period,
        schedule.report_due(period, report_day(assignment, config)),
        submitted,
    )


def missing_reports(lines: Iterable[Assignment], today: dt.date) -> list[ReportSlot]:
    """Reports whose due day has passed without any version arriving."""
    return [s for s in slots(lines, today - dt.timedelta(days=1)) if s.missing]
