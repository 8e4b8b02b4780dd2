"""Words for what a person sees, instead of the codes the data hold.

The audit log and the timelines keep what changed as data (``{field: [before, after]}``, an
action code such as ``report.submitted``, UTC times); everything shown to a person goes through
here: fields by their verbose name, choice values by their label, units by name, people by full
name and unit, times in Beijing time. Nothing here ever looks a value up by attribute on a dict
(a field named ``items`` is a field, not a method).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantian.lib import tz

NOTHING = "—"
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")

# What an action code means, for the audit log and the timelines. A code missing here is named
# from its object's kind and its verb (see ``action_label``), never shown as it is stored.
ACTIONS: dict[str, Any] = {
    # plans
    "plan.draft_created": _("方案解析（草稿）"),
    "plan.draft_corrected": _("校正方案草稿"),
    "plan.draft_discarded": _("放弃方案草稿"),
    "plan.imported": _("方案导入"),
    "plan.revised": _("方案修订导入"),
    "plan.updated": _("修改方案信息"),
    "plan.published": _("方案公开"),
    "plan.unpublished": _("取消公开"),
    # tasks and lines
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
    "detailed_plan.filed": _("报送细化整改方案"),
    "acceptance.applied": _("申请验收"),
    "acceptance.group_formed": _("组建验收组"),
    "acceptance.checked": _("现场核查"),
    "acceptance.passed": _("验收通过"),
    "acceptance.failed": _("验收不通过"),
    "acceptance.signed": _("验收组成员签字"),
    "acceptance.signatures_cleared": _("核查结果变更，签字作废"),
    "supervision.urge": _("催办"),
    "supervision.order": _("督办"),
    "supervision.notice": _("通报"),
    "supervision.interview": _("约谈"),
    "supervision.accountability": _("问责"),
    "supervision.replied": _("督办回复"),
    "supervision.closed": _("督办办结"),
    "proposal.created": _("生成督办建议"),
    "proposal.dismissed": _("忽略督办建议"),
    "assessment.computed": _("计算考核得分"),
    # monitoring
    "alarm.raised": _("产生报警"),
    "alarm.dispatched": _("报警派发"),
    "alarm.dispatch": _("报警派发"),
    "alarm.investigate": _("开始核查报警"),
    "alarm.handle": _("报警处置"),
    "alarm.reply": _("报警回复"),
    "alarm.close": _("报警办结"),
    "alarm.reopen": _("报警退回"),
    "alarm.escalated": _("报警升级"),
    "alarm.case_opened": _("报警立案"),
    "device.saved": _("保存设备"),
    "device.imported": _("导入设备"),
    "device.fleet_registered": _("登记模拟设备"),
    "site.saved": _("保存点位"),
    "site.imported": _("导入点位"),
    # air quality
    "airquality.hours_imported": _("导入小时数据"),
    "airquality.dustfall_imported": _("导入降尘数据"),
    "airquality.import_refused": _("数据导入被拒"),
    "airquality.response_opened": _("生成异常响应事项"),
    "airquality.response_urged": _("催办异常响应事项"),
    "airquality.response_note": _("响应事项备注"),
    "airquality.response_feedback": _("反馈异常响应事项"),
    "airquality.response_evaluated": _("评估异常响应事项"),
    "airquality.response_extended": _("异常响应事项延期"),
    "airquality.response_dismissed": _("异常响应事项排除"),
    # heavy-pollution response
    "emergency.episode_issued": _("发布预警"),
    "emergency.episode_upgraded": _("预警升级"),
    "emergency.episode_downgraded": _("预警降级"),
    "emergency.episode_lifted": _("解除预警"),
    "emergency.list_checked": _("检查减排清单"),
    "emergency.list_imported": _("导入减排清单"),
    "emergency.grade_changed": _("绩效等级变更"),
    "emergency.draw_committed": _("公布抽查承诺"),
    "emergency.draw_made": _("抽取检查对象"),
    "emergency.inspection_recorded": _("记录现场检查"),
    "emergency.case_opened": _("立案"),
    "emergency.case_updated": _("案件办理"),
    # cross-checks
    "finding.found": _("发现数据核验问题"),
    "finding.cleared": _("数据已不支持"),
    "finding.reopened": _("核验问题重新出现"),
    "finding.confirmed": _("核实问题"),
    "finding.dismissed": _("排除问题"),
    # accounts
    "login": _("登录"),
    "login.failed": _("登录失败"),
    "login.locked_out": _("登录锁定（多次失败）"),
    # accounts (hand-made rows and the admin)
    "unit.updated": _("修改单位"),
    "unit.checked": _("核对单位"),
}

_VERBS = {
    "created": _("新建"),
    "saved": _("保存"),
    "updated": _("修改"),
    "imported": _("导入"),
    "deleted": _("删除"),
    "closed": _("办结"),
    "opened": _("新建"),
    "withdrawn": _("撤销"),
}

# Names recorded in ``changes`` that are not fields of the object itself.
EXTRA_FIELDS: dict[str, Any] = {
    "items": _("任务数"),
    "tasks": _("任务数"),
    "kind": _("类型"),
    "revision": _("版本"),
    "version": _("版本"),
    "proposed_units": _("待确认的新单位"),
    "changes": _("变更内容"),
    "period": _("报送月份"),
    "percent": _("完成进度（%）"),
    "status": _("状态"),
    "units": _("单位及职责"),
    "target": _("量化目标"),
    "plan": _("台账方案"),
    "created": _("新建"),
    "late": _("逾期报送"),
    "rows": _("行数"),
    "passed": _("通过"),
    "level": _("级别"),
    "result": _("结果"),
    "count": _("数量"),
    "members": _("验收组成员"),
    "checklist": _("核查项数"),
    "signatories": _("签字成员"),
    "signature": _("签字"),
    "paper_signed_on": _("纸质签字日期"),
    "evidence": _("佐证材料"),
    "points": _("监测点位数"),
}

# Fields of a task as the plan import reads and corrects them.
TASK_FIELDS: dict[str, Any] = {
    "title": _("标题"),
    "responsible": _("责任单位"),
    "lead": _("牵头单位"),
    "participants": _("参与/配合单位"),
    "implementers": _("落实单位"),
    "acceptance": _("督导验收单位"),
    "acceptance_lead": _("验收牵头单位"),
    "target": _("整改目标"),
    "deadline": _("完成时限"),
    "deadline_raw": _("完成时限"),
    "immediate": _("立行立改"),
    "ongoing": _("长期坚持"),
    "measures": _("整改措施"),
    "milestones": _("节点任务"),
    "targets": _("量化目标"),
    "units": _("单位及职责"),
    "ocr": _("文字识别结果"),
    "progress": _("整改完成情况"),
    "place": _("问题位置"),
    "contacts": _("联系人及电话"),
}

# ``(object type, name)`` → the model field that holds the same kind of value elsewhere, so
# that its choices name the value (a report's event records its line's status).
ALIASES: dict[tuple[str, str], tuple[str, str]] = {
    ("ledger.progressreport", "status"): ("ledger.assignment", "status"),
    ("plans.importdraft", "kind"): ("ledger.plan", "kind"),
    ("ledger.plan", "kind"): ("ledger.plan", "kind"),
    # an acceptance's events record its line's status (applied, passed, returned)
    ("ledger.acceptance", "status"): ("ledger.assignment", "status"),
}
# Names made of words and a number ("第3项": the checklist line a finding was recorded on).
PATTERN_ALIASES: list[tuple[str, re.Pattern[str], tuple[str, str]]] = [
    ("ledger.acceptance", re.compile(r"^第\d+项$"), ("ledger.checklistline", "result")),
]
# Names whose values are unit roles (``{unit: [role, …]}`` or ``[role, …]``).
ROLE_VALUES = {"units", "roles"}


def local_time(value: dt.datetime | str | None, *, seconds: bool = False) -> str:
    """A moment in Beijing time, ``2026-12-05 19:46``; an ISO string is read first."""
    if value in (None, ""):
        return NOTHING
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return tz.to_local(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def person(user, *, with_unit: bool = True, fallback: str = "") -> str:
    """``王立新（市生态环境局）``: a person's full name and the unit they act for."""
    if user is None:
        return fallback or str(_("系统"))
    name = full_name(user) or fallback or user.get_username()
    if not with_unit:
        return name
    unit = _first_unit(user)
    return f"{name}（{unit}）" if unit and unit not in name else name


def full_name(user) -> str:
    """A Chinese name family name first and unspaced (王立新), others as Django writes them."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if any("\u4e00" <= c <= "\u9fff" for c in first + last):
        return last + first
    return (user.get_full_name() or "").strip()


def _first_unit(user) -> str:
    cache = getattr(user, "_prefetched_objects_cache", {})
    memberships = cache.get("memberships")
    if memberships is None:
        memberships = user.memberships.select_related("unit").order_by("id")[:1]
    for membership in memberships:
        return membership.unit.name
    return ""


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_kind(object_type: str) -> str:
    """The verbose name of a stored object type (``ledger.task`` → 任务)."""
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model else ""


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for candidate in (name, name[:-3] if name.endswith("_id") else None):
        if not candidate:
            continue
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's verbose name; names that are not the model's own use ``EXTRA_FIELDS``."""
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        label = str(field.verbose_name)
        if label and not _SNAKE.match(label) and label != name.replace("_", " "):
            return label
    if name in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[name])
    head, _dot, tail = name.partition(".")
    if tail:  # ``3.deadline``: a field of task 3 of a plan draft
        return str(_("任务%(no)s %(field)s") % {"no": head, "field": task_field_label(tail)})
    if not name.isascii():  # recorded in words already ("第3项": the checklist line checked)
        return name
    return str(_("其他"))


def task_field_label(name: str) -> str:
    """The label of a field of a plan's task, as the import preview and corrections name it."""
    if name.startswith("milestone:"):
        return str(_("节点任务时限"))
    return str(TASK_FIELDS.get(name) or field_label(model_for("ledger.task"), name))


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    verb = action.rpartition(".")[2].rpartition("_")[2]
    kind = object_kind(object_type) if object_type else ""
    return f"{kind}{_VERBS.get(verb, _('变更'))}" if kind else str(_VERBS.get(verb, _("变更")))


class Labeller:
    """Turns recorded values into words; caches the objects it looks up (one per page)."""

    def __init__(self):
        self._objects: dict[tuple[type, Any], str] = {}

    def value(self, value: Any, *, model=None, name: str = "", object_type: str = "") -> str:
        field = _field(model, name)
        alias = ALIASES.get((object_type, name)) or next(
            (a for kind, rx, a in PATTERN_ALIASES if kind == object_type and rx.match(name)), None
        )
        if alias:
            field = _field(model_for(alias[0]), alias[1]) or field
        if value is None or value == "" or value == [] or value == {}:
            return NOTHING
        if isinstance(value, bool):
            return str(_("是") if value else _("否"))
        if field is not None and getattr(field, "choices", None):
            return self._choice(field, value)
        if (
            field is not None
            and field.is_relation
            and field.concrete
            and (isinstance(value, int) or (isinstance(value, str) and value.isdigit()))
        ):
            return self._related(field.related_model, value)
        if name in ROLE_VALUES:
            return self._roles(value)
        if isinstance(value, dict):
            return "；".join(f"{k}：{self.value(v)}" for k, v in value.items())
        if isinstance(value, list | tuple):
            return "、".join(self.value(v, model=model, name=name) for v in value)
        if isinstance(value, dt.datetime):
            return local_time(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float | Decimal):
            return f"{value:g}" if isinstance(value, float) else f"{value.normalize():f}"
        text = str(value)
        if _ISO_DATETIME.match(text):
            return local_time(text)
        return text

    def _choice(self, field, value) -> str:
        if isinstance(value, list):
            return "、".join(self._choice(field, v) for v in value)
        labels = dict(field.flatchoices)
        return str(labels.get(value, value))

    def _related(self, model, pk) -> str:
        key = (model, pk)
        if key not in self._objects:
            obj = model._default_manager.filter(pk=pk).first()
            if obj is None:
                text = str(_("（已删除）"))
            elif model._meta.label_lower == "auth.user":
                text = person(obj)
            else:
                text = str(obj)
            self._objects[key] = text
        return self._objects[key]

    def _roles(self, value) -> str:
        from ledger.choices import UnitRole

        names = dict(UnitRole.choices)
        if isinstance(value, dict):
            return "；".join(
                f"{unit}（{'、'.join(str(names.get(r, r)) for r in roles or [])}）"
                if roles
                else str(unit)
                for unit, roles in value.items()
            )
        if isinstance(value, list | tuple):
            return "、".join(str(names.get(v, v)) for v in value)
        return str(names.get(value, value))


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def change_rows(object_type: str, changes: Any, labeller: Labeller | None = None) -> list[Change]:
    """``[(field label, before, after)]`` of one recorded change, as a person reads it."""
    if not isinstance(changes, dict):
        return []
    labeller = labeller or Labeller()
    model = model_for(object_type)
    rows = []
    for name, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            before, after = pair
        else:
            before, after = None, pair
        key = name.partition(".")[2] if "." in name else name
        rows.append(
            Change(
                _count_label(model, name, before, after) or field_label(model, name),
                labeller.value(before, model=model, name=key, object_type=object_type),
                labeller.value(after, model=model, name=key, object_type=object_type),
            )
        )
    return rows


def _count_label(model, name: str, before: Any, after: Any) -> str:
    """``{"units": [None, 24]}`` on a roster counts its rows of a related kind: 重点排污单位数."""
    field = _field(model, name)
    counts = all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (before, after)
    )
    if field is None or not counts or field.concrete or not field.auto_created:
        return ""
    return str(_("%(things)s数") % {"things": field.related_model._meta.verbose_name_plural})
