"""Read-side queries shared by pages, the API, exports and the dashboard.

Every function takes the acting user and starts from ``accounts.access.restrict``, so a page
and its API or export can never disagree about who sees what. Query counts stay bounded:
rows carry what the templates show through ``select_related`` and subquery annotations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.access import restrict, scope_key
from audit.models import AuditEvent
from lantian.lib import params as query
from ledger import lamps
from ledger.choices import Status
from ledger.models import Assignment, ProgressReport

STATUS_ORDER = [s.value for s in Status]


def latest_reports():
    return ProgressReport.objects.filter(assignment=OuterRef("pk"), is_current=True).order_by(
        "-period"
    )


def visible_lines(user) -> QuerySet:
    """The lines of work ``user`` may see, with their effective deadline ``due``."""
    return restrict(Assignment.objects.lines(), user).annotate(
        due=Coalesce("extended_to", "task__deadline", output_field=DateField())
    )


def lines_for(user) -> QuerySet:
    """``visible_lines`` with the columns list pages show (latest report, plan, unit)."""
    latest = latest_reports()
    return (
        visible_lines(user)
        .select_related("task__plan", "unit", "district")
        .prefetch_related("partners__unit")
        .annotate(
            last_period=Subquery(latest.values("period")[:1], output_field=DateField()),
            last_percent=Subquery(latest.values("percent")[:1], output_field=IntegerField()),
            last_narrative=Subquery(latest.values("narrative")[:1], output_field=TextField()),
            last_no_evidence_reason=Subquery(
                latest.values("no_evidence_reason")[:1], output_field=TextField()
            ),
        )
    )


def fetch_in_order(rows: QuerySet, ids: list[int]) -> list:
    """``rows`` whose pk is in ``ids``, in the order of ``ids``.

    Lists sort and slice a narrow query (ids only) and fetch the wide rows of one page
    afterwards: sorting ten thousand joined rows with their texts is what makes a page slow.
    """
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def page_of_lines(user, lines: QuerySet, number, per_page: int = 50):
    """One page of ``lines`` (ordered, filtered), its rows with the list columns."""
    from django.core.paginator import Paginator

    page = Paginator(lines.values_list("pk", flat=True), per_page).get_page(number)
    page.object_list = fetch_in_order(lines_for(user), list(page.object_list))
    return page


def filter_tasks(user, filters: LineFilter, today: dt.date) -> QuerySet:
    """Tasks the user may see, narrowed by the line filters (a task matches when one of its
    visible lines does), newest plan first."""
    from accounts.access import restrict as restrict_
    from ledger.models import Task

    tasks = restrict_(Task.objects.filter(withdrawn=False), user)
    if filters.plan:
        tasks = tasks.filter(plan_id=filters.plan)
    line_filters = LineFilter(**{**filters.__dict__, "plan": None})
    if line_filters != LineFilter():
        lines = line_filters.apply(visible_lines(user), today)
        tasks = tasks.filter(pk__in=lines.values("task_id"))
    return tasks.order_by("-plan_id", "no")


def task_rows(user, ids: list[int], today: dt.date) -> list:
    """The tasks of one page, each with ``visible`` (its lines the user may see) and counts."""
    from ledger.models import Task

    tasks = fetch_in_order(Task.objects.select_related("plan"), ids)
    by_task: dict[int, list] = {}
    for line in lines_for(user).filter(task_id__in=ids).order_by("id"):
        by_task.setdefault(line.task_id, []).append(line)
    for task in tasks:
        task.visible = by_task.get(task.pk, [])
        task.closed_count = sum(line.status == Status.CLOSED for line in task.visible)
        task.overdue_count = sum(line.is_overdue(today) for line in task.visible)
    return tasks


@dataclass
class LineFilter:
    """The filters of the ledger list (also used by the dashboard's click-through links)."""

    plan: int | None = None
    status: str = ""
    unit: int | None = None
    district: int | None = None
    q: str = ""
    overdue: bool = False
    due_within: int | None = None
    closed_month: str = ""
    ongoing: bool = False
    lamp: str = ""

    @classmethod
    def from_query(cls, params) -> LineFilter:
        def number(name):
            return query.key(params, name)

        status = params.get("status", "")
        return cls(
            plan=number("plan"),
            status=status if status in STATUS_ORDER else "",
            unit=number("unit"),
            district=number("district"),
            q=params.get("q", "").strip()[:100],
            overdue=params.get("overdue") == "1",
            due_within=query.integer(params, "due_within", hi=3660),
            closed_month=params.get("closed_month", "")[:7],
            ongoing=params.get("ongoing") == "1",
            lamp=params.get("lamp", "") if params.get("lamp") in lamps.COLOURS else "",
        )

    def apply(self, lines: QuerySet, today: dt.date) -> QuerySet:
        if self.plan:
            lines = lines.filter(task__plan_id=self.plan)
        if self.status:
            lines = lines.filter(status=self.status)
        if self.unit:
            shared = Assignment.objects.filter(partners__unit_id=self.unit).values("pk")
            lines = lines.filter(Q(unit_id=self.unit) | Q(pk__in=shared))
        if self.district:
            lines = lines.filter(district_id=self.district)
        if self.q:
            # Chinese has no case: plain LIKE is enough and much cheaper than UPPER() LIKE.
            op = "icontains" if any(c.isascii() and c.isalpha() for c in self.q) else "contains"
            lines = lines.filter(
                Q(**{f"task__title__{op}": self.q})
                | Q(**{f"task__problem__{op}": self.q})
                | Q(**{f"unit__name__{op}": self.q})
            )
        if self.overdue:
            lines = lines.exclude(status=Status.CLOSED).filter(due__lt=today)
        if self.due_within is not None:
            lines = lines.exclude(status=Status.CLOSED).filter(
                due__gte=today, due__lte=today + dt.timedelta(days=self.due_within)
            )
        if self.closed_month:
            try:
                year, month = (int(p) for p in self.closed_month.split("-"))
                lines = lines.filter(closed_on__year=year, closed_on__month=month)
            except ValueError:
                pass
        if self.ongoing:
            lines = lines.filter(task__ongoing=True)
        if self.lamp:
            from ledger.lighting import ids_with

            lines = lines.filter(pk__in=ids_with(lines, self.lamp, today))
        return lines

    def query_string(self, **override) -> str:
        from urllib.parse import urlencode

        values = {
            "plan": self.plan or "",
            "status": self.status,
            "unit": self.unit or "",
            "district": self.district or "",
            "q": self.q,
            "overdue": "1" if self.overdue else "",
            "due_within": "" if self.due_within is None else self.due_within,
            "closed_month": self.closed_month,
            "ongoing": "1" if self.ongoing else "",
            "lamp": self.lamp,
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


DASHBOARD_SECONDS = 600  # bounds what an unaudited edit (a fix in the admin) can leave stale


def dashboard(user, today: dt.date, due_days: int = 30) -> dict:
    """Figures behind the 驾驶舱 charts, each with the filter of the list behind it.

    Cached under the ledger's version, the day and the viewer's scope (``dashboard_key``): a
    warm dashboard reads no lines, however many there are. Every change to a line, task or
    plan is audited in its own transaction, so any change makes a new key in every process
    with nothing to invalidate by hand; so does a new day (lines fall due and overdue) and
    a change to the user's memberships (what they may see)."""
    key = dashboard_key(user, today, due_days)
    figures = cache.get(key)
    if figures is None:
        figures = compute_dashboard(user, today, due_days)
        cache.set(key, figures, DASHBOARD_SECONDS)
    return figures


def dashboard_key(user, today: dt.date, due_days: int) -> str:
    """The cache key of ``user``'s dashboard on ``today``.

    The version is read before the figures are computed: audit events are appended under one
    lock held to commit, so a change whose event is not yet visible gets a larger id and a new
    key, and figures are never older than the version they are stored under. The admin's own
    log covers the reference-data fixes made there, outside the services. Who sees which lines
    depends only on memberships (``accounts.access.restrict``), so users who act for the same
    units in the same roles share figures, and the office and leaders share the whole city's.
    """
    tables = [connection.ops.quote_name(m._meta.db_table) for m in (AuditEvent, LogEntry)]
    with connection.cursor() as cursor:  # both in one round trip, each an index lookup
        cursor.execute("SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables))
        audited, admin = (n or 0 for n in cursor.fetchone())
    scope = hashlib.sha1(scope_key(user).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"ledger-dashboard:{audited}:{admin}:{today.isoformat()}:{due_days}:{scope}"


def compute_dashboard(user, today: dt.date, due_days: int = 30) -> dict:
    """The dashboard's figures from the lines themselves, as plain data (they are cached)."""
    lines = visible_lines(user).order_by()
    soon = today + dt.timedelta(days=due_days)
    open_ = ~Q(status=Status.CLOSED)
    rows = lines.values("status").annotate(
        n=Count("pk"),
        overdue=Count("pk", filter=open_ & Q(due__lt=today)),
        soon=Count("pk", filter=open_ & Q(due__gte=today, due__lte=soon)),
    )
    by_status = {r["status"]: r for r in rows}
    listed = lines.select_related("task__plan", "unit")
    overdue = lines.filter(open_, due__lt=today).order_by("due", "task__no", "pk")
    due_soon = lines.filter(open_, due__gte=today, due__lte=soon).order_by("due", "task__no", "pk")
    by_unit = list(
        lines.values("unit_id", "unit__name")
        .annotate(total=Count("pk"), closed=Count("pk", filter=Q(status=Status.CLOSED)))
        .order_by("unit__name")
    )
    for row in by_unit:
        row["rate"] = round(100 * row["closed"] / row["total"]) if row["total"] else 0
    closed = (
        lines.filter(closed_on__isnull=False)
        .annotate(month=TruncMonth("closed_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    due = (
        lines.filter(due__isnull=False)
        .annotate(month=TruncMonth("due"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return {
        "total": sum(r["n"] for r in by_status.values()),
        "by_status": [
            {"status": s.value, "label": str(s.label), "n": by_status.get(s.value, {}).get("n", 0)}
            for s in Status
        ],
        "overdue_count": sum(r["overdue"] for r in by_status.values()),
        "overdue": [
            _listed(line, today)
            for line in fetch_in_order(listed, list(overdue.values_list("pk", flat=True)[:10]))
        ],
        "due_soon_count": sum(r["soon"] for r in by_status.values()),
        "due_soon": [
            _listed(line, today)
            for line in fetch_in_order(listed, list(due_soon.values_list("pk", flat=True)[:10]))
        ],
        "by_unit": by_unit,
        "burnup": burnup_against_plan(closed, due, today),
        "due_days": due_days,
    }


def _listed(line, today: dt.date) -> dict:
    """What the dashboard's short lists show of a line."""
    return {
        "pk": line.pk,
        "no": line.task.display_no,
        "title": line.task.title,
        "unit": line.unit.name,
        "due": line.due,
        "overdue_days": (today - line.due).days if line.due else 0,
    }


def burnup_against_plan(closed, due, today: dt.date) -> list[dict]:
    """Month by month up to this month: lines closed out so far (``closed``, ``n`` that
    month) against the lines whose deadline has come by the month's end (``planned``, the
    plan's own schedule); months with neither are left out before the first."""
    closed_by = {r["month"].strftime("%Y-%m"): r["n"] for r in closed if r["month"]}
    due_by = {r["month"].strftime("%Y-%m"): r["n"] for r in due if r["month"]}
    months = sorted(set(closed_by) | {m for m in due_by if m <= f"{today:%Y-%m}"})
    if not months:
        return []
    planned_before = sum(n for m, n in due_by.items() if m < months[0])
    out, done, planned = [], 0, planned_before
    year, month = (int(p) for p in months[0].split("-"))
    while f"{year:04d}-{month:02d}" <= max(months[-1], f"{today:%Y-%m}"):
        key = f"{year:04d}-{month:02d}"
        done += closed_by.get(key, 0)
        planned += due_by.get(key, 0)
        out.append({"month": key, "closed": done, "n": closed_by.get(key, 0), "planned": planned})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
