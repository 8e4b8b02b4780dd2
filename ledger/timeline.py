"""A task's (or one line's) story in one list: every audited step of the task, its lines,
their reports, acceptances and the supervision naming them, newest first."""

from __future__ import annotations

from django.db.models import Q

from audit.display import Entry, entries, with_actors
from audit.log import object_type
from audit.models import AuditEvent
from ledger.models import Acceptance, Assignment, ProgressReport, Supervision, Task


def _objects_q(objects: dict[str, list]) -> Q:
    query = Q(pk__in=[])
    for kind, ids in objects.items():
        if ids:
            query |= Q(object_type=kind, object_id__in=[str(i) for i in ids])
    return query


def _events(objects: dict[str, list], limit: int) -> list[Entry]:
    events = AuditEvent.objects.filter(_objects_q(objects)).order_by("-id")[:limit]
    # the list of a revision's changes is the event's reason already
    return entries(with_actors(events), skip=("changes",))


def for_task(task: Task, lines, supervisions, *, limit: int = 200) -> list[Entry]:
    """``lines`` and ``supervisions``: those of the task the viewer may see (others' stories
    stay hidden)."""
    line_ids = [a.pk for a in lines]
    return _events(
        {
            object_type(task): [task.pk],
            "ledger.assignment": line_ids,
            "ledger.progressreport": list(
                ProgressReport.objects.filter(assignment_id__in=line_ids).values_list(
                    "pk", flat=True
                )
            ),
            "ledger.acceptance": list(
                Acceptance.objects.filter(assignment_id__in=line_ids).values_list("pk", flat=True)
            ),
            "ledger.supervision": [s.pk for s in supervisions],
        },
        limit,
    )


def for_line(line: Assignment, *, limit: int = 200) -> list[Entry]:
    units = [line.unit_id, *line.partners.values_list("unit_id", flat=True)]
    return _events(
        {
            "ledger.assignment": [line.pk],
            "ledger.progressreport": list(line.reports.values_list("pk", flat=True)),
            "ledger.acceptance": list(line.acceptances.values_list("pk", flat=True)),
            "ledger.supervision": list(
                Supervision.objects.filter(tasks=line.task_id, units__in=units)
                .distinct()
                .values_list("pk", flat=True)
            ),
        },
        limit,
    )
