"""What the public may see of the ledger, as plain dicts of listed fields.

``disclosure`` renders only these, so an internal field added to a model can never leak by
accident: items carry number, title, problem, target, deadline, the responsible units'
names, status, close-out date and the office-approved summary. No report text, evidence,
supervision, acceptance notes or people's names.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from lantian.lib import tz
from ledger import lamps, lampwords, lighting
from ledger.choices import Status
from ledger.models import Assignment, Plan, Task


def published_plans():
    lines = Q(tasks__assignments__works=True, tasks__assignments__withdrawn=False)
    return (
        Plan.objects.filter(published=True)
        .annotate(
            n_items=Count("tasks", filter=Q(tasks__withdrawn=False), distinct=True),
            n_closed=Count(
                "tasks__assignments",
                filter=lines & Q(tasks__assignments__status=Status.CLOSED),
                distinct=True,
            ),
            n_lines=Count("tasks__assignments", filter=lines, distinct=True),
        )
        .order_by("-published_at")
    )


def published_tasks():
    return Task.objects.filter(plan__published=True, withdrawn=False).select_related("plan")


def _lines(tasks):
    """The tasks' lines by task, each with its ``lamp`` (the same rule as inside)."""
    by_task: dict[int, list[Assignment]] = {}
    lines = Assignment.objects.lines().filter(task__in=tasks)
    found = lighting.lamps_by_line(lines, tz.local_today())
    for line in lines.select_related("unit").prefetch_related("partners__unit").order_by("id"):
        line.lamp = found.get(line.pk)
        by_task.setdefault(line.task_id, []).append(line)
    return by_task


def _lamp(lamp) -> dict | None:
    if lamp is None:
        return None
    name, why = lampwords.name(lamp.colour), lampwords.explain(lamp)
    return {"colour": lamp.colour, "name": name, "why": why}


def legend() -> list[dict]:
    return lampwords.legend(lighting.rules_on(tz.local_today()))


def _public_status(lines: list[Assignment]) -> tuple[str, bool]:
    if not lines:
        return _("—"), False
    if all(line.status == Status.CLOSED for line in lines):
        return str(Status.CLOSED.label), True
    if all(line.status == Status.NOT_STARTED for line in lines):
        return str(Status.NOT_STARTED.label), False
    closed = sum(line.status == Status.CLOSED for line in lines)
    if closed:
        return _("整改中（%(c)s/%(n)s 已销号）") % {"c": closed, "n": len(lines)}, False
    return _("整改中"), False


def _item(task: Task, lines: list[Assignment]) -> dict:
    status, closed = _public_status(lines)
    return {
        "pk": task.pk,
        "no": task.no,
        "display_no": task.display_no,
        "title": task.title,
        "problem": task.problem,
        "target": task.target,
        "deadline": task.deadline_label,
        "units": [
            "、".join([line.unit.name, *[p.unit.name for p in line.partners.all()]])
            for line in lines
        ],
        "status": status,
        "lamp": _lamp(lamps.item_lamp(line.lamp for line in lines)),
        "closed": closed,
        "closed_on": max((line.closed_on for line in lines), default=None) if closed else None,
        "summary": task.public_summary,
        "lines": [
            {
                "units": "、".join([line.unit.name, *[p.unit.name for p in line.partners.all()]]),
                "status": line.get_status_display(),
                "lamp": _lamp(line.lamp),
                "closed_on": line.closed_on if line.status == Status.CLOSED else None,
            }
            for line in lines
        ],
    }


def plan_items(plan: Plan, tasks=None) -> list[dict]:
    """The public items of ``plan`` (or of ``tasks``, one page of them)."""
    tasks = list(plan_tasks(plan) if tasks is None else tasks)
    lines = _lines(tasks)
    return [_item(task, lines.get(task.pk, [])) for task in tasks]


def plan_tasks(plan: Plan):
    """The plan's public tasks in their order (paginated by the page)."""
    return plan.tasks.filter(withdrawn=False).select_related("plan").order_by("no", "id")


def task_item(task: Task) -> dict:
    return _item(task, _lines([task]).get(task.pk, []))


def item_history(task: Task) -> list[dict]:
    """The item's story as the public may read it, oldest first: each dated status change of
    a responsible unit's line (from the audit log: 推进中, 申请验收, 退回整改, 已验收销号 …) and
    each progress text the office approved for publication. No people, no report texts."""
    from audit.models import AuditEvent
    from ledger.models import Acceptance, ProgressReport

    lines = {
        line.pk: "、".join([line.unit.name, *[p.unit.name for p in line.partners.all()]])
        for line in Assignment.objects.lines()
        .filter(task=task)
        .select_related("unit")
        .prefetch_related("partners__unit")
    }
    owner = {("ledger.assignment", str(pk)): pk for pk in lines}
    for model, kind in (
        (ProgressReport, "ledger.progressreport"),
        (Acceptance, "ledger.acceptance"),
    ):
        for pk, line_id in model.objects.filter(assignment_id__in=lines).values_list(
            "pk", "assignment_id"
        ):
            owner[(kind, str(pk))] = line_id
    kinds = {kind for kind, _pk in owner}
    events = AuditEvent.objects.filter(
        Q(object_type__in=kinds, object_id__in=[pk for _k, pk in owner])
        | Q(object_type="ledger.task", object_id=str(task.pk), action="task.public_summary")
    ).order_by("id")
    labels = dict(Status.choices)
    out: list[dict] = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        when = tz.to_local(event.created_at).date()
        if event.object_type == "ledger.task":
            text = (changes.get("public_summary") or [None, ""])[-1]
            if text:
                out.append({"date": when, "kind": "summary", "text": text})
            continue
        line_id = owner.get((event.object_type, event.object_id))
        before, after = (changes.get("status") or [None, None])[:2]
        if line_id is None or not after or before == after:
            continue
        out.append(
            {"date": when, "kind": "status", "units": lines[line_id], "text": str(labels[after])}
        )
    return out
