"""Re-importing a revised plan: a three-way merge that loses nothing the office entered.

Three versions of each task are compared key by key (``ledger.planviews``):

- *base*: what the previous import read (the latest ``PlanRevision.extraction``);
- *office*: what the ledger holds now (the office may have corrected a deadline, added a
  target, added a unit or a whole task by hand);
- *document*: what the new document reads.

1. office == document: nothing to do.
2. office == base: the office did not touch it; the document's change is taken
   (added / changed / withdrawn).
3. document == base: the document did not touch it; the office's edit stands (kept).
4. all three differ: a conflict; the office settles it (web preview), or the command line's
   ``--conflicts`` choice does. Without a choice the document's value is taken.

A document that lacks the issue date (or document number, issuer) never blanks it. A task the
office added by hand stays when the document lacks it. Nothing changes without a line in the
change list, and a change that withdraws or overrides anything asks for confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import District
from accounts.registry import UnitIndex
from ledger import importing, planviews
from ledger.choices import Comparator, PlanKind, UnitRole
from ledger.models import Assignment, Measure, Milestone, Plan, PlanRevision, ProgressReport, Task
from plans.extract.numerals import number_to_cn

OFFICE, DOCUMENT = "office", "document"
ADDED, CHANGED, WITHDRAWN, CONFLICT, KEPT = "added", "changed", "withdrawn", "conflict", "kept"
KIND_LABELS = {
    ADDED: _lazy("新增"),
    CHANGED: _lazy("修改"),
    WITHDRAWN: _lazy("撤销"),
    CONFLICT: _lazy("冲突（须选择）"),
    KEPT: _lazy("保留人工修改"),
}
PLAN_FIELDS = {
    "title": _lazy("名称"),
    "doc_no": _lazy("文号"),
    "issuer": _lazy("印发单位"),
    "issued": _lazy("印发日期"),
}
FIELD_LABELS = {
    "deadline": _lazy("整改时限"),
    "title": _lazy("标题"),
    "section": _lazy("所属部分"),
    "problem": _lazy("问题"),
    "target": _lazy("整改目标"),
}
TOPIC_LABELS = {
    "unit": _lazy("单位"),
    "measure": _lazy("整改措施"),
    "milestone": _lazy("节点任务"),
    "target": _lazy("量化目标"),
}
_ORDER = ("deadline", "title", "section", "problem", "target", "unit", "measure", "milestone")


class _Missing:
    """Absent on one side (not in the document, not in the ledger)."""

    def __repr__(self) -> str:
        return "—"


MISSING = _Missing()


@dataclass
class Change:
    """One difference the re-import makes or keeps; ``key`` names it for the office's choice."""

    kind: str
    task_no: int | None
    field: str  # "task", "deadline", "unit:<name>", "target:<indicator>", "plan:issued" …
    subject: str  # 任务八 / 方案
    base: object = MISSING
    office: object = MISSING
    document: object = MISSING
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.task_no}.{self.field}" if self.task_no is not None else self.field

    @property
    def topic(self) -> str:
        """tasks, units, deadlines, measures, milestones, targets, plan, text."""
        head, colon, _rest = self.field.partition(":")
        if colon or head in ("task", "deadline"):
            return head
        return "text"

    @property
    def what(self) -> str:
        """The field in words: 整改时限, 单位 市交通局, 量化目标 …"""
        head, _sep, rest = self.field.partition(":")
        if head == "plan":
            return str(PLAN_FIELDS[rest])
        if not rest and head in FIELD_LABELS:
            return str(FIELD_LABELS[head])
        if head in ("measure", "milestone"):
            return f"{TOPIC_LABELS[head]}{rest}"
        if head == "unit":
            return f"{TOPIC_LABELS[head]} {rest}"
        return str(TOPIC_LABELS.get(head, head))

    def shown(self, value) -> str:
        """A value in words, as the change list prints it."""
        return show(self.field, value)

    @property
    def shown_office(self) -> str:
        return self.shown(self.office)

    @property
    def shown_document(self) -> str:
        return self.shown(self.document)

    def line(self, resolution: str | None = None) -> str:
        return describe(self, resolution)


def show(field_name: str, value) -> str:
    if value is MISSING or value is None or value == "":
        return str(_("无"))
    head, _sep, rest = field_name.partition(":")
    if head == "deadline":
        iso, raw, immediate, ongoing = value
        words = [w for w, on in ((_("立行立改"), immediate), (_("长期坚持"), ongoing)) if on]
        return iso or raw or "、".join(str(w) for w in words) or str(_("无"))
    if head == "unit":
        return "、".join(str(UnitRole(r).label) for r in value) or str(_("无职责"))
    if head == "milestone":
        due, promise = value
        return f"{due or _('无时限')} {_short(promise)}"
    if head == "target" and rest:
        number, unit, comparator, by = value
        indicator = rest.split("#", 1)[0]
        words = Comparator(comparator).label if comparator in Comparator.values else comparator
        tail = f"（{by}前）" if by else ""
        return f"{indicator}{words}{number or '?'}{unit}{tail}"
    return _short(str(value))


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def describe(change: Change, resolution: str | None = None) -> str:
    """The change in one line of words."""
    subject = change.subject
    if change.field == "task":
        return _describe_task(change)
    what = change.what
    if change.kind == CONFLICT:
        chosen = _("保留人工修改") if resolution == OFFICE else _("采用新文件")
        line = _("冲突：%(s)s %(w)s：人工修改为 %(o)s，新文件为 %(d)s") % {
            "s": subject,
            "w": what,
            "o": change.shown(change.office),
            "d": change.shown(change.document),
        }
        return f"{line}（{chosen}）" if resolution else line
    if change.kind == KEPT:
        reason = change.note or _("新文件未改动此项")
        if change.office is MISSING:
            return _("保留人工删除：%(s)s %(w)s（%(r)s）") % {"s": subject, "w": what, "r": reason}
        verb = _("保留人工新增") if change.base is MISSING else _("保留人工修改")
        return f"{verb}：{subject} {what} {change.shown(change.office)}（{reason}）"
    if change.topic in ("unit", "measure", "milestone", "target") and change.kind != CHANGED:
        verb = _("新增") if change.kind == ADDED else _("撤销")
        if change.topic == "unit":
            verb = _("新增单位") if change.kind == ADDED else _("移除单位")
            return f"{subject} {verb}：{change.field.split(':', 1)[1]}"
        shown = change.shown(change.document if change.kind == ADDED else change.office)
        return f"{subject} {verb}{what}：{shown}"
    if change.topic == "unit":
        name = change.field.split(":", 1)[1]
        return _("%(s)s 单位职责变化：%(u)s（%(o)s → %(d)s）") % {
            "s": subject,
            "u": name,
            "o": change.shown(change.office),
            "d": change.shown(change.document),
        }
    old, new = change.shown(change.office), change.shown(change.document)
    return f"{subject} {what}：{old} → {new}" if subject else f"{what}：{old} → {new}"


def _describe_task(change: Change) -> str:
    if change.kind == ADDED:
        return _("新增%(s)s：%(t)s") % {"s": change.subject, "t": change.document}
    if change.kind == WITHDRAWN:
        line = _("撤销%(s)s：%(t)s") % {"s": change.subject, "t": change.office}
        return f"{line}（{change.note}）" if change.note else line
    return _("保留人工新增的%(s)s：%(t)s（新文件没有此项）") % {
        "s": change.subject,
        "t": change.office,
    }


@dataclass
class Merge:
    """The outcome of comparing a new document with a plan already in the ledger."""

    plan: Plan
    changes: list[Change] = field(default_factory=list)
    target_rows: dict[str, int] = field(default_factory=dict)  # change key → Target pk

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.kind == CONFLICT]

    def resolution(self, change: Change, resolutions: dict, default: str = DOCUMENT) -> str:
        """Whose value the ledger ends up with for ``change``."""
        if change.kind == KEPT:
            return OFFICE
        if change.kind == CONFLICT:
            return resolutions.get(change.key) or default
        return DOCUMENT

    def risky(self, resolutions: dict, default: str = DOCUMENT) -> list[Change]:
        """Changes that withdraw something or override an office edit: these need a yes."""
        return [
            c
            for c in self.changes
            if c.kind == WITHDRAWN
            or (c.kind == CONFLICT and self.resolution(c, resolutions, default) == DOCUMENT)
        ]

    def lines(self, resolutions: dict | None = None, default: str = DOCUMENT) -> list[str]:
        resolutions = resolutions or {}
        out = []
        for change in _grouped_units(self.changes):
            chosen = self.resolution(change, resolutions, default)
            out.append(change.line(chosen if change.kind == CONFLICT else None))
        return out

    def by_kind(self) -> list[tuple[str, list[Change]]]:
        """The changes grouped as the preview shows them: conflicts first."""
        order = (CONFLICT, WITHDRAWN, CHANGED, ADDED, KEPT)
        groups = [(str(KIND_LABELS[k]), [c for c in self.changes if c.kind == k]) for k in order]
        return [(label, changes) for label, changes in groups if changes]

    def kept_tasks(self) -> set[int]:
        return {c.task_no for c in self.changes if c.field == "task" and c.kind == KEPT}

    def held_targets(self, resolutions: dict, default: str = DOCUMENT) -> set[int]:
        """Target rows the office added that the document lacks: the import leaves them be."""
        return {
            self.target_rows[c.key]
            for c in self.changes
            if c.topic == "target"
            and c.key in self.target_rows
            and c.document is MISSING
            and self.resolution(c, resolutions, default) == OFFICE
        }


def _grouped_units(changes: list[Change]) -> list[Change]:
    """Units added to (or removed from) one task in one line: 任务六 移除单位：A、B."""
    out: list[Change] = []
    for change in changes:
        last = out[-1] if out else None
        if (
            last is not None
            and change.topic == "unit"
            and change.kind in (ADDED, WITHDRAWN)
            and last.topic == "unit"
            and last.kind == change.kind
            and last.task_no == change.task_no
        ):
            names = f"{last.field.split(':', 1)[1]}、{change.field.split(':', 1)[1]}"
            out[-1] = Change(last.kind, last.task_no, f"unit:{names}", last.subject)
            continue
        out.append(change)
    return out


# --- the comparison -----------------------------------------------------------------------------


def find_plan(city: District, extraction: dict) -> Plan | None:
    """The ledger plan a document revises: same document number, else same title."""
    fields = importing.plan_fields(extraction)
    plans = Plan.objects.filter(city=city)
    if fields["doc_no"]:
        found = plans.filter(doc_no=fields["doc_no"]).order_by("pk").first()
        if found:
            return found
    return plans.filter(title=fields["title"]).order_by("pk").first()


def base_document(plan: Plan) -> dict | None:
    revision = PlanRevision.objects.filter(plan=plan).order_by("-number").first()
    return revision.extraction if revision else None


def compare(plan: Plan, extraction: dict, *, index: UnitIndex | None = None) -> Merge:
    """The change list of re-importing ``extraction`` into ``plan``; reads only."""
    index = index or UnitIndex(plan.city)
    office, tasks = planviews.ledger_views(plan)
    base_doc = base_document(plan)
    base = planviews.document_views(base_doc, index) if base_doc else office
    document = planviews.document_views(extraction, index)
    merge = Merge(plan)
    merge.changes += _plan_changes(plan, base_doc, extraction)
    reports = _report_counts(tasks)
    for no in sorted(set(document) | set(office)):
        subject = _("任务%(no)s") % {"no": _display_no(plan, no)}
        if no not in office:
            merge.changes.append(
                Change(ADDED, no, "task", subject, document=document[no]["_title"])
            )
        elif no not in document:
            merge.changes.append(_task_gone(no, subject, office[no], no in base, reports.get(no)))
        else:
            merge.changes += _task_changes(no, subject, base.get(no, {}), office[no], document[no])
            pks = office[no].get("_target_pks", {})
            merge.target_rows.update({f"{no}.{key}": pk for key, pk in pks.items()})
    return merge


def _task_gone(no, subject, office: dict, in_base: bool, reports: int | None) -> Change:
    if not in_base:  # added by hand: the document cannot withdraw what it never had
        return Change(KEPT, no, "task", subject, office=office["_title"])
    note = ""
    if reports:
        note = _("已有 %(n)d 份进展报告，任务标为已撤销，报告与记录保留") % {"n": reports}
    return Change(WITHDRAWN, no, "task", subject, office=office["_title"], note=note)


def _report_counts(tasks: dict[int, Task]) -> dict[int, int]:
    by_pk = {t.pk: no for no, t in tasks.items()}
    rows = (
        ProgressReport.objects.filter(assignment__task_id__in=by_pk)
        .values("assignment__task_id")
        .annotate(n=Count("pk"))
    )
    return {by_pk[row["assignment__task_id"]]: row["n"] for row in rows}


def _sort_key(name: str) -> tuple:
    head = name.split(":", 1)[0]
    position = _ORDER.index(head) if head in _ORDER else len(_ORDER)
    tail = name.split(":", 1)[1] if ":" in name else ""
    return (position, int(tail) if tail.isdigit() else 0, tail)


def _task_changes(no: int, subject: str, base: dict, office: dict, document: dict) -> list:
    names = {k for k in (*base, *office, *document) if not k.startswith("_")}
    out = []
    for name in sorted(names, key=_sort_key):
        change = _three_way(no, name, subject, base, office, document)
        if change is not None:
            out.append(change)
    return out


def _three_way(no, name, subject, base, office, document) -> Change | None:
    b, o, d = (side.get(name, MISSING) for side in (base, office, document))
    if o == d:
        return None
    if o == b:
        kind = ADDED if o is MISSING else WITHDRAWN if d is MISSING else CHANGED
    elif d == b:
        kind = KEPT
    else:
        kind = CONFLICT
    return Change(kind, no, name, subject, base=b, office=o, document=d)


def _plan_changes(plan: Plan, base_doc: dict | None, extraction: dict) -> list[Change]:
    new = importing.plan_fields(extraction)
    old = importing.plan_fields(base_doc) if base_doc else None
    out = []
    for name in PLAN_FIELDS:
        o = _plain(getattr(plan, name))
        d = _plain(new[name])
        b = _plain(old[name]) if old else o
        if o == d:
            continue
        field_name, subject = f"plan:{name}", str(_("方案"))
        if d is None:  # a document without it never blanks it
            note = _("新文件未写此项")
            out.append(Change(KEPT, None, field_name, subject, base=b, office=o, note=note))
            continue
        kind = CHANGED if o == b else KEPT if d == b else CONFLICT
        out.append(Change(kind, None, field_name, subject, base=b, office=o, document=d))
    return out


def _plain(value):
    if value in ("", None):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def _display_no(plan: Plan, no: int) -> str:
    return number_to_cn(no) if plan.kind == PlanKind.TASK_LIST and 0 < no < 100 else str(no)


# --- applying the office's side ---------------------------------------------------------------


def plan_values(merge: Merge, fields: dict, resolutions: dict, default: str = DOCUMENT) -> dict:
    """The plan's columns after the merge: the document's, except where the office's stand."""
    fields = dict(fields)
    for change in merge.changes:
        if change.topic == "plan" and merge.resolution(change, resolutions, default) == OFFICE:
            name = change.field.split(":", 1)[1]
            fields[name] = getattr(merge.plan, name)
    return fields


def restore_office_values(merge: Merge, resolutions: dict, default: str = DOCUMENT) -> None:
    """After the document was synced: put back every value the office's side keeps."""
    for change in merge.changes:
        if change.task_no is None or change.field == "task":
            continue
        if merge.resolution(change, resolutions, default) != OFFICE:
            continue
        task = Task.objects.select_related("plan").get(plan=merge.plan, no=change.task_no)
        _restore(task, change, merge.target_rows.get(change.key))


def _restore(task: Task, change: Change, target_pk: int | None) -> None:
    head, _sep, rest = change.field.partition(":")
    value = change.office
    if head in planviews.TEXT_FIELDS:
        setattr(task, head, value)
        task.save(update_fields=[head, "updated_at"])
    elif head == "deadline":
        iso, task.deadline_raw, task.immediate, task.ongoing = value
        task.deadline = importing.parse_date(iso)
        task.save(update_fields=["deadline", "deadline_raw", "immediate", "ongoing", "updated_at"])
    elif head == "unit":
        _restore_line(task, rest, value)
    elif head == "measure":
        rows = Measure.objects.filter(task=task, position=int(rest))
        if value is MISSING:
            rows.update(withdrawn=True)
        else:
            rows.update(text=value, withdrawn=False)
    elif head == "milestone":
        rows = Milestone.objects.filter(task=task, position=int(rest))
        if value is MISSING:
            rows.update(withdrawn=True)
        else:
            rows.update(due=importing.parse_date(value[0]), promise=value[1], withdrawn=False)
    elif head == "target":
        _restore_target(task, rest.split("#", 1)[0], value, target_pk)


def _restore_line(task: Task, name: str, roles) -> None:
    line = Assignment.objects.filter(task=task, unit__name=name).select_related("unit").first()
    if line is None:
        return
    if roles is MISSING:
        line.withdrawn = True
    else:
        for role in Assignment.ROLE_FIELDS:
            setattr(line, role, role in roles)
        line.works = bool(set(roles) & {"responsible", "lead", "implementer"})
        line.withdrawn = False
    line.save()
    importing.join_area_bodies(
        list(Assignment.objects.filter(task=task).lines().select_related("unit"))
    )


def _restore_target(task: Task, indicator: str, value, pk: int | None) -> None:
    rows = task.targets.filter(indicator=indicator, withdrawn=False)
    if value is MISSING:
        rows.update(withdrawn=True)
        return
    target = task.targets.filter(pk=pk).first() if pk else rows.first()
    if target is None:
        return
    number, target.unit, target.comparator, by = value
    target.value = importing.parse_decimal(number)
    target.by = importing.parse_date(by)
    target.withdrawn = False
    target.save()
