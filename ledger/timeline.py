"""A task's (or one line's) story in one list: every audited step of the task, its lines,
their reports, acceptances and the supervision naming them, newest first."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.log import object_type
from audit.models import AuditEvent
from ledger.models import Acceptance, Assignment, ProgressReport, Supervision, Task

LABELS = {
    "task.created": _("任务导入"),
    "task.revised": _("方案修订"),
    "task.withdrawn": _("任务撤销"),
    "task.updated": _("任务修改"),
    "task.group_settled": _("确定参与单位"),
    "task.target_added": _("新增量化目标"),
    "task.public_summary": _("公开说明"),
    "line.start": _("启动整改"),
    "line.sustain": _("转入长期坚持"),
    "line.withdraw": _("撤回验收申请"),
    "line.resume": _("继续整改"),
    "line.reopen": _("重新打开"),
    "line.extended": _("延期"),
    "line.closed_out": _("销号"),
    "line.returned": _("退回整改"),
    "report.submitted": _("报送进展"),
    "report.corrected": _("更正进展"),
    "evidence.attached": _("上传佐证"),
    "acceptance.applied": _("申请验收"),
    "acceptance.group_formed": _("组建验收组"),
    "acceptance.checked": _("现场核查"),
    "acceptance.passed": _("验收通过"),
    "acceptance.failed": _("验收不通过"),
    "supervision.urge": _("催办"),
    "supervision.order": _("督办"),
    "supervision.notice": _("通报"),
    "supervision.interview": _("约谈"),
    "supervision.accountability": _("问责"),
    "supervision.replied": _("督办回复"),
    "supervision.closed": _("督办办结"),
}


def _objects_q(objects: dict[str, list]) -> Q:
    query = Q(pk__in=[])
    for kind, ids in objects.items():
        if ids:
            query |= Q(object_type=kind, object_id__in=[str(i) for i in ids])
    return query


def _events(objects: dict[str, list], limit: int) -> list[AuditEvent]:
    events = list(AuditEvent.objects.filter(_objects_q(objects)).order_by("-id")[:limit])
    for event in events:
        event.label = LABELS.get(event.action, event.action)
    return events


def for_task(task: Task, lines, supervisions, *, limit: int = 200) -> list[AuditEvent]:
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


def for_line(line: Assignment, *, limit: int = 200) -> list[AuditEvent]:
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
