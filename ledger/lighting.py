"""Lamps (``ledger.lamps``) for lines and items as the database holds them.

``lamps.py`` is the pure rule; this module feeds it from rows: the rules in force today
(regulation family ``lamp_rules``), each line's deadline, report day, start and latest
reported month. Lists call ``attach`` on the rows of one page; counts and filters over a
whole ledger call ``lamps_by_line`` on a queryset (one narrow query, no per-row queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import DateField, OuterRef, QuerySet, Subquery

from lantian.lib import tz
from ledger import lamps
from ledger.choices import Status
from ledger.models import LedgerConfig, ProgressReport
from regulations import lookup


def rules_on(day: dt.date) -> lamps.Rules:
    """The lamp thresholds in force on ``day`` (platform defaults when none is loaded)."""
    try:
        return lamps.Rules.from_version(lookup.version(lamps.FAMILY, on=day))
    except lookup.RegulationNotFound:
        return lamps.Rules()


def _lamp(
    *,
    status,
    deadline,
    start,
    plan_report_day,
    closed_on,
    last_reported,
    today,
    rules,
    config,
):
    day = config.report_day if plan_report_day is None else plan_report_day
    owed = lamps.latest_owed_period(
        start,
        today=today,
        report_day=day,
        closed_on=closed_on if status == Status.CLOSED else None,
        sustained=status == Status.SUSTAINED,
        interval=config.review_interval_months,
    )
    return lamps.line_lamp(
        status=status,
        deadline=deadline,
        today=today,
        rules=rules,
        latest_owed=owed,
        last_reported=last_reported,
        report_day=day,
    )


def line_lamp(line, today: dt.date, rules=None, config=None) -> lamps.Lamp:
    """The lamp of one ``Assignment`` (``task__plan`` loaded; ``last_period`` used if annotated)."""
    rules = rules or rules_on(today)
    config = config or LedgerConfig.get()
    if hasattr(line, "last_period"):
        last = line.last_period
    else:
        last = (
            ProgressReport.objects.filter(assignment=line, is_current=True)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
    plan = line.task.plan
    return _lamp(
        status=line.status,
        deadline=line.deadline,
        start=plan.issued or tz.to_local(line.created_at).date(),
        plan_report_day=plan.report_day,
        closed_on=line.closed_on,
        last_reported=last,
        today=today,
        rules=rules,
        config=config,
    )


def attach(lines: Iterable, today: dt.date) -> list:
    """Set ``line.lamp`` on each row (rows from ``queries.lines_for``) and return them."""
    lines = list(lines)
    if lines:
        rules, config = rules_on(today), LedgerConfig.get()
        for line in lines:
            line.lamp = line_lamp(line, today, rules, config)
    return lines


def attach_to_tasks(tasks: Iterable, today: dt.date) -> list:
    """Set ``task.lamp`` (worst of ``task.visible``, lamps attached to those lines too)."""
    tasks = list(tasks)
    attach([line for task in tasks for line in task.visible], today)
    for task in tasks:
        task.lamp = lamps.item_lamp(line.lamp for line in task.visible)
    return tasks


def _lamp_rows(lines: QuerySet, today: dt.date, *extra: str):
    """``(pk, lamp, *extra values)`` for every line of ``lines``, in one query."""
    rules, config = rules_on(today), LedgerConfig.get()
    last = (
        ProgressReport.objects.filter(assignment=OuterRef("pk"), is_current=True)
        .order_by("-period")
        .values("period")[:1]
    )
    rows = (
        lines.order_by()
        .annotate(lamp_last=Subquery(last, output_field=DateField()))
        .values_list(
            "pk",
            "status",
            "extended_to",
            "task__deadline",
            "task__plan__issued",
            "task__plan__report_day",
            "created_at",
            "closed_on",
            "lamp_last",
            *extra,
        )
    )
    for pk, status, extended, deadline, issued, day, created, closed, last_period, *more in rows:
        lamp = _lamp(
            status=status,
            deadline=extended or deadline,
            start=issued or tz.to_local(created).date(),
            plan_report_day=day,
            closed_on=closed,
            last_reported=last_period,
            today=today,
            rules=rules,
            config=config,
        )
        yield pk, lamp, *more


def lamps_by_line(lines: QuerySet, today: dt.date) -> dict[int, lamps.Lamp]:
    """``{line id: lamp}`` for every line of ``lines`` in one query."""
    return {pk: lamp for pk, lamp in _lamp_rows(lines, today)}


def counts_by(lines: QuerySet, field: str, today: dt.date) -> dict:
    """``{value of field: {colour: n}}``, e.g. per ``unit_id`` or ``task_id``."""
    out: dict = {}
    for _pk, lamp, key in _lamp_rows(lines, today, field):
        tally = out.setdefault(key, dict.fromkeys(lamps.COLOURS, 0))
        tally[lamp.colour] += 1
    return out


def worst(tally: dict[str, int]) -> str | None:
    """The colour a unit (or item) shows for its lines' tally: the worst present."""
    for colour in lamps.COLOURS:
        if tally.get(colour):
            return colour
    return None


def ids_with(lines: QuerySet, colour: str, today: dt.date) -> list[int]:
    """The ids of ``lines`` whose lamp is ``colour`` (for list filters and click-throughs)."""
    return [pk for pk, lamp in lamps_by_line(lines, today).items() if lamp.colour == colour]
