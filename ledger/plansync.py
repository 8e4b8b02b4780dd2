"""A plan's tasks, lines, measures, milestones and targets made to match an extraction, in bulk.

``import_plan_extraction`` used to save row by row (2,153 queries for the 29 tasks of seed 000).
Here the plan's current rows are read once per table, the wanted rows are worked out in
memory, and each table gets one ``bulk_create`` and one ``bulk_update``: the number of queries
does not grow with the number of tasks, units or measures. What the rows mean is unchanged
(see ``ledger.importing``): tasks a revision drops are withdrawn, never deleted; units the
office settled from an open group stay; the party committee and government of one area share
a line; unknown names become proposed units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record_many
from ledger import importing, planviews
from ledger.choices import Comparator, PlanKind
from ledger.models import Assignment, GroupMention, Measure, Milestone, Plan, Target, Task
from plans.extract.numerals import number_to_cn

_TASK_FIELDS = (
    "section",
    "title",
    "problem",
    "text",
    "target",
    "deadline",
    "deadline_raw",
    "immediate",
    "ongoing",
    "uncertain",
    "claim",
    "details",
    "withdrawn",
    "updated_at",
)
# An update of n rows is one CASE per field over the n rows (n² work for the database): batches
# of this size keep a plan of hundreds of tasks in seconds and a small plan in one statement.
_BATCH = 500
_LINE_FIELDS = (
    *Assignment.ROLE_FIELDS,
    "works",
    "district",
    "raw",
    "note",
    "open_ended",
    "withdrawn",
    "joint_with",
)


def _display_no(plan: Plan, no: int) -> str:
    return number_to_cn(no) if plan.kind == PlanKind.TASK_LIST and 0 < no < 100 else str(no)


@dataclass
class _Wanted:
    """What one task should hold after the import."""

    task: Task
    item: dict
    units: dict[int, importing.UnitRoles] = field(default_factory=dict)
    groups: list[tuple] = field(default_factory=list)


class PlanSync:
    """Brings ``plan``'s rows in line with ``items``; ``sync`` returns the change lines."""

    def __init__(self, plan: Plan, resolver: importing.UnitResolver, acting_user):
        self.plan = plan
        self.resolver = resolver
        self.acting_user = acting_user
        self.now = timezone.now()
        self.tasks = {t.no: t for t in Task.objects.filter(plan=plan)}
        for task in self.tasks.values():
            task.plan = plan  # str(task) (audit rows) names the plan's numbering
        task_ids = [t.pk for t in self.tasks.values()]
        self.lines: dict[tuple[int, int], Assignment] = {
            (a.task_id, a.unit_id): a
            for a in Assignment.objects.filter(task_id__in=task_ids).select_related("unit")
        }
        self.line_states = {key: _line_state(line) for key, line in self.lines.items()}
        self.groups = {
            (g.task_id, g.group_id): g for g in GroupMention.objects.filter(task_id__in=task_ids)
        }
        self.measures = {
            (m.task_id, m.position): m for m in Measure.objects.filter(task_id__in=task_ids)
        }
        self.milestones = {
            (m.task_id, m.position): m for m in Milestone.objects.filter(task_id__in=task_ids)
        }
        self.targets = {
            (t.task_id, t.position): t for t in Target.objects.filter(task_id__in=task_ids)
        }

    # --- what the plan holds now ----------------------------------------------------------

    def signatures(self) -> dict[int, dict]:
        """What a revision diff compares for each task (``importing.task_signature``)."""
        lines: dict[int, list[Assignment]] = {}
        for (task_id, _unit), line in self.lines.items():
            if not line.withdrawn:
                lines.setdefault(task_id, []).append(line)
        measures: dict[int, list[Measure]] = {}
        for (task_id, _position), measure in sorted(self.measures.items()):
            if not measure.withdrawn:
                measures.setdefault(task_id, []).append(measure.text)
        out = {}
        for no, task in self.tasks.items():
            ordered = sorted(lines.get(task.pk, []), key=lambda line: line.pk or 0)
            out[no] = {
                "title": task.title,
                "deadline": task.deadline.isoformat() if task.deadline else None,
                "deadline_raw": task.deadline_raw,
                "target": task.target,
                "units": {line.unit.name: sorted(line.roles) for line in ordered},
                "measures": measures.get(task.pk, []),
            }
        return out

    # --- the import --------------------------------------------------------------------------

    def sync(
        self, items: list[dict], *, keep_tasks: Iterable[int] = (), held_targets: Iterable[int] = ()
    ) -> list[str]:
        """``keep_tasks``: numbers of tasks the document lacks that stay (the office added
        them); ``held_targets``: target rows the office added, neither overwritten nor
        withdrawn by the document's targets."""
        before = self.signatures()
        self.keep_tasks, self.held_targets = set(keep_tasks), set(held_targets)
        numbers = [no for no, _item in planviews.numbered(items)]
        self.resolver.propose_all(items)
        wanted = self._tasks(items, numbers)
        for entry in wanted:
            entry.units, entry.groups = self.resolver.resolve_item(entry.item)
        self._lines(wanted)
        self._groups(wanted)
        self._measures(wanted)
        return self._changes(wanted, before)

    def _tasks(self, items: list[dict], numbers: list[int]) -> list[_Wanted]:
        wanted, new, changed = [], [], []
        for position, (item, no) in enumerate(zip(items, numbers, strict=True), start=1):
            values = importing.task_fields(item, position)
            task = self.tasks.get(no)
            if task is None:
                task = Task(plan=self.plan, no=no, **values)
                new.append(task)
                self.tasks[no] = task
            else:
                for name, value in values.items():
                    setattr(task, name, value)
                task.withdrawn, task.updated_at = False, self.now
                changed.append(task)
            wanted.append(_Wanted(task, item))
        seen = set(numbers)
        self.withdrawn_now = []
        for no, task in self.tasks.items():
            if no not in seen and not task.withdrawn and no not in self.keep_tasks:
                task.withdrawn, task.updated_at = True, self.now
                changed.append(task)
                self.withdrawn_now.append(task)
        _create(Task, new, ("plan", "no"))
        if changed:
            Task.objects.bulk_update(changed, _TASK_FIELDS, batch_size=_BATCH)
        return wanted

    def _lines(self, wanted: list[_Wanted]) -> None:
        new, touched = [], {}
        held: dict[int, list[tuple[int, Assignment]]] = {}  # the lines each task has now
        for (task_id, unit_id), line in self.lines.items():
            held.setdefault(task_id, []).append((unit_id, line))
        for entry in wanted:
            task = entry.task
            for unit_id, roles in entry.units.items():
                line = self.lines.get((task.pk, unit_id))
                if line is None:
                    line = Assignment(task=task, unit=roles.unit)
                    new.append(line)
                    self.lines[(task.pk, unit_id)] = line
                for role in Assignment.ROLE_FIELDS:
                    setattr(line, role, role in roles.roles)
                line.works = bool(roles.roles & {"responsible", "lead", "implementer"})
                line.district_id = roles.unit.district_id
                line.raw, line.note = roles.raw, roles.note
                line.open_ended, line.withdrawn, line.joint_with = roles.open_ended, False, None
                touched[(task.pk, unit_id)] = line
            for unit_id, line in held.get(task.pk, []):
                if unit_id in entry.units or line.withdrawn:
                    continue
                if line.raw.startswith("open-group:"):
                    continue  # units the office picked from an open group are not the document's
                line.withdrawn = True
                touched[(task.pk, unit_id)] = line
        by_task: dict[int, list[Assignment]] = {}
        for (task_id, _u), line in self.lines.items():
            by_task.setdefault(task_id, []).append(line)
        for entry in wanted:  # the party committee and government of one area share a line
            active = [
                line for line in by_task.get(entry.task.pk, []) if line.works and not line.withdrawn
            ]
            for line in _joined(active):
                touched[(line.task_id, line.unit_id)] = line
        # joined before they are written: a new line that points to a new line is inserted
        # after it, so a first import inserts its lines and updates none
        after = [line for line in new if line.joint_with is not None and line.joint_with.pk is None]
        later = {id(line) for line in after}
        _create(Assignment, [line for line in new if id(line) not in later], ("task", "unit"))
        _create(Assignment, after, ("task", "unit"))
        stored = {id(line): _line_state(line) for line in new}  # as inserted
        # only the rows whose values differ from what the database holds: an update of every
        # line is one CASE per field over all of them, which grows with the square of the lines
        stored.update(
            {
                id(line): self.line_states.get(key)
                for key, line in touched.items()
                if id(line) not in stored
            }
        )
        changed, fields = [], set()
        for line in self.lines.values():
            if id(line) in stored:
                now, before = _line_state(line), stored[id(line)]
                if now != before:
                    changed.append(line)
                    fields.update(
                        name
                        for name, a, b in zip(_LINE_FIELDS, now, before or (), strict=False)
                        if a != b
                    )
                    fields.update(() if before else _LINE_FIELDS)
        # and only the fields that changed: a first import changes joint_with and works alone
        # (the party committee and government of an area joined), one CASE each, not thirteen
        names = [name for name in _LINE_FIELDS if name in fields]
        if changed:
            Assignment.objects.bulk_update(changed, names, batch_size=_BATCH)

    def _groups(self, wanted: list[_Wanted]) -> None:
        new, changed = [], []
        for entry in wanted:
            for group, roles, raw in entry.groups:
                mention = self.groups.get((entry.task.pk, group.pk))
                if mention is None:
                    mention = GroupMention(task=entry.task, group=group)
                    new.append(mention)
                    self.groups[(entry.task.pk, group.pk)] = mention
                else:
                    changed.append(mention)
                mention.roles, mention.raw = sorted(roles), raw[:300]
        GroupMention.objects.bulk_create(new)
        if changed:
            GroupMention.objects.bulk_update(changed, ["roles", "raw"])

    def _measures(self, wanted: list[_Wanted]) -> None:
        measures_new, measures_old, kept_measures = [], [], set()
        plans: list[tuple[_Wanted, list]] = []
        for entry in wanted:
            task, per_measure = entry.task, []
            for position, data in enumerate(entry.item.get("measures") or [], start=1):
                measure = self.measures.get((task.pk, position))
                if measure is None:
                    measure = Measure(task=task, position=position)
                    measures_new.append(measure)
                    self.measures[(task.pk, position)] = measure
                else:
                    measures_old.append(measure)
                measure.no = data.get("no") if isinstance(data.get("no"), int) else None
                measure.district = self.resolver.district(data.get("district"))
                measure.district_name = (data.get("district") or "")[:64]
                measure.text, measure.withdrawn = data.get("text") or "", False
                kept_measures.add((task.pk, position))
                per_measure.append((measure, data))
            plans.append((entry, per_measure))
        task_ids = {e.task.pk for e in wanted}
        for key, measure in self.measures.items():
            if key[0] in task_ids and key not in kept_measures:
                if not measure.withdrawn:
                    measure.withdrawn = True
                    measures_old.append(measure)
        _create(Measure, measures_new, ("task", "position"))
        if measures_old:
            Measure.objects.bulk_update(
                measures_old,
                ["no", "district", "district_name", "text", "withdrawn"],
                batch_size=_BATCH,
            )
        self._milestones(plans)
        self._targets(wanted)

    def _milestones(self, plans) -> None:
        new, old, kept = [], [], set()
        for entry, per_measure in plans:
            task, position = entry.task, 0
            seen: set[tuple] = set()
            for measure, data in per_measure:
                for ms in data.get("milestones") or []:
                    position += 1
                    milestone = self._milestone(task, measure, position, ms, new, old)
                    kept.add((task.pk, position))
                    seen |= {(milestone.due, milestone.raw), (milestone.due, milestone.promise)}
            for ms in entry.item.get("deadlines") or []:
                # a deadline without its own "what" is the item's deadline restated
                what, due = ms.get("what") or "", importing.parse_date(ms.get("date"))
                if not what or (due, what) in seen or (due, ms.get("clause")) in seen:
                    continue
                position += 1
                self._milestone(task, None, position, ms, new, old)
                kept.add((task.pk, position))
        task_ids = {entry.task.pk for entry, _ in plans}
        for key, milestone in self.milestones.items():
            if key[0] in task_ids and key not in kept and not milestone.withdrawn:
                milestone.withdrawn = True
                old.append(milestone)
        Milestone.objects.bulk_create(new)
        if old:
            Milestone.objects.bulk_update(
                old,
                ["measure", "due", "raw", "promise", "quantity", "quantity_unit", "withdrawn"],
                batch_size=_BATCH,
            )

    def _milestone(self, task, measure, position, data, new, old) -> Milestone:
        milestone = self.milestones.get((task.pk, position))
        if milestone is None:
            milestone = Milestone(task=task, position=position)
            new.append(milestone)
            self.milestones[(task.pk, position)] = milestone
        else:
            old.append(milestone)
        what = data.get("what") or data.get("clause") or data.get("raw") or ""
        milestone.measure = measure
        milestone.due = importing.parse_date(data.get("date"))
        milestone.raw = (data.get("raw") or data.get("clause") or "")[:500]
        milestone.promise = what[:500]
        milestone.quantity, milestone.quantity_unit = importing.quantity_of(what)
        milestone.withdrawn = False
        return milestone

    def _targets(self, wanted: list[_Wanted]) -> None:
        new, old, kept = [], [], set()
        held = [t for t in self.targets.values() if t.pk in self.held_targets]
        self.targets = {k: t for k, t in self.targets.items() if t.pk not in self.held_targets}
        for entry in wanted:
            task = entry.task
            for position, data in enumerate(entry.item.get("targets") or [], start=1):
                target = self.targets.get((task.pk, position))
                if target is None:
                    target = Target(task=task, position=position)
                    new.append(target)
                    self.targets[(task.pk, position)] = target
                else:
                    old.append(target)
                comparator = data.get("cmp")
                target.indicator = (data.get("what") or data.get("raw") or "")[:300]
                target.value = importing.parse_decimal(data.get("value"))
                target.unit = (data.get("unit") or "")[:20]
                target.comparator = comparator if comparator in Comparator.values else ">="
                target.by = importing.parse_date(data.get("by"))
                target.raw = (data.get("raw") or "")[:500]
                target.withdrawn = False
                kept.add((task.pk, position))
        task_ids = {entry.task.pk for entry in wanted}
        for key, target in self.targets.items():
            if key[0] in task_ids and key not in kept and not target.withdrawn:
                target.withdrawn = True
                old.append(target)
        for target in held:  # the office's targets follow the document's
            target.position = 1 + max(
                (p for (task_id, p), t in self.targets.items() if task_id == target.task_id),
                default=0,
            )
            self.targets[(target.task_id, target.position)] = target
            old.append(target)
        Target.objects.bulk_create(new)
        if old:
            Target.objects.bulk_update(
                old,
                ["indicator", "value", "unit", "comparator", "by", "raw", "withdrawn", "position"],
                batch_size=_BATCH,
            )

    def _changes(self, wanted: list[_Wanted], before: dict) -> list[str]:
        changes: list[str] = []
        events = []
        after = self.signatures()
        for entry in wanted:
            task = entry.task
            label = _display_no(self.plan, task.no)
            if task.no not in before:
                if before:
                    changes.append(
                        _("新增任务%(no)s：%(title)s") % {"no": label, "title": task.title}
                    )
                events.append(
                    ("task.created", task, {"units": [None, after[task.no]["units"]]}, "")
                )
                continue
            lines = importing.describe_changes(label, before[task.no], after[task.no])
            changes += lines
            if lines:
                events.append(("task.revised", task, None, "；".join(lines)))
        for task in sorted(self.withdrawn_now, key=lambda t: t.no):
            label = _display_no(self.plan, task.no)
            changes.append(_("撤销任务%(no)s：%(title)s") % {"no": label, "title": task.title})
            events.append(("task.withdrawn", task, None, _("方案修订后不再包含此项")))
        record_many(self.acting_user, events)
        return changes


def _line_state(line: Assignment) -> tuple:
    """The values ``_LINE_FIELDS`` write, to tell a changed line from an unchanged one."""
    return tuple(getattr(line, Assignment._meta.get_field(name).attname) for name in _LINE_FIELDS)


def _joined(lines: list[Assignment]) -> list[Assignment]:
    """The party committee and government of one area share one line: the others point to
    the first and do not work alone. Returns the lines it changed."""
    by_area: dict[int, list[Assignment]] = {}
    for line in lines:
        if line.district_id and line.unit.kind in importing.JOINT_PRIMARY:
            by_area.setdefault(line.district_id, []).append(line)
    changed = []
    for members in by_area.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda a: importing.JOINT_PRIMARY.index(a.unit.kind))
        for other in members[1:]:
            other.joint_with, other.works = members[0], False
            changed.append(other)
    return changed


def _create(model, objects: list, key: tuple[str, ...]) -> None:
    """``bulk_create`` that leaves primary keys on the objects, on every database."""
    if not objects:
        return
    model.objects.bulk_create(objects)
    if objects[0].pk is not None:
        return
    # a database without INSERT … RETURNING: read the keys back in one query
    names = [model._meta.get_field(k).attname for k in key]
    filters = {f"{n}__in": {getattr(o, n) for o in objects} for n in names}
    found = {
        tuple(getattr(row, n) for n in names): row.pk for row in model.objects.filter(**filters)
    }
    for obj in objects:
        obj.pk = found[tuple(getattr(obj, n) for n in names)]
