"""Turn a plan extraction (the dict of ``CONTRACT-plans.md`` §1) into ledger rows.

Called only by ``ledger.services.import_plan_extraction`` inside its transaction; split out
because reading a document into tasks, units and measures is a topic of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from accounts.choices import UnitKind
from accounts.models import District, Unit
from accounts.registry import UnitIndex
from ledger.choices import Comparator, UnitRole
from ledger.models import Assignment, GroupMention, Measure, Milestone, Plan, Target, Task
from plans.extract.units import normalise

ROLE_NAMES = {r.value for r in UnitRole}
LIST_ROLES = {  # literal lists of the extraction, used when ``units`` is absent
    "responsible": "responsible",
    "lead": "lead",
    "participants": "participant",
    "implementers": "implementer",
    "acceptance": "acceptance",
    "acceptance_lead": "acceptance_lead",
}
# Bodies of one area that share a line of work, the first one holding it.
JOINT_PRIMARY = (
    UnitKind.GOVERNMENT,
    UnitKind.ZONE_ADMIN,
    UnitKind.PARTY_COMMITTEE,
    UnitKind.ZONE_PARTY,
)
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(万吨|万辆|万户|家|处|辆|台|户|个|套|座|吨|公里|%)")


def content_hash(extraction: dict) -> str:
    """SHA-256 of the extraction in a canonical form (key order and spacing do not matter)."""
    text = json.dumps(extraction, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def plan_fields(extraction: dict) -> dict:
    """The ``Plan`` columns an extraction fills (the guarantee rules included)."""
    rules = [r for r in extraction.get("rules") or [] if isinstance(r, dict)]
    fields = {
        "title": (extraction.get("title") or "")[:300] or _("未命名方案"),
        "doc_no": extraction.get("doc_no") or "",
        "issuer": extraction.get("issuer") or "",
        "issued": parse_date(extraction.get("issued")),
        "year": extraction.get("year") or None,
        "kind": extraction.get("kind") or "task_list",
        "rules": rules,
        "details": {
            k: extraction[k]
            for k in ("inspection_period", "feedback_date", "warnings", "notice_title")
            if extraction.get(k)
        },
        "detailed_plan_workdays": None,
        "detailed_plan_date": None,
    }
    for rule in rules:
        if rule.get("kind") == "detailed_plan_due":
            fields["detailed_plan_workdays"] = rule.get("workdays") or None
            fields["detailed_plan_date"] = parse_date(rule.get("date"))
    return fields


def monthly_report_day(rules: list[dict]) -> int | None:
    """0 for 每月月底前, N for 每月N日前, None when the plan sets no monthly report."""
    for rule in rules:
        if rule.get("kind") == "monthly_report":
            day = rule.get("day")
            return day if isinstance(day, int) and 1 <= day <= 28 else 0
    return None


@dataclass
class UnitRoles:
    unit: Unit
    roles: set[str] = field(default_factory=set)
    raw: str = ""
    note: str = ""
    open_ended: bool = False


def item_mentions(item: dict) -> list[dict]:
    """The unit mentions of an item: its expanded ``units``, else its literal lists."""
    units = item.get("units")
    if units:
        return [u for u in units if isinstance(u, dict) and u.get("name")]
    out = []
    for key, role in LIST_ROLES.items():
        for name in item.get(key) or []:
            out.append({"name": name, "raw": name, "roles": [role]})
    return out


class UnitResolver:
    """Resolves the unit mentions of a plan's items against one city's registry; names the
    registry does not know become ``Unit(proposed=True)`` so nothing is dropped."""

    def __init__(self, city: District):
        self.city = city
        self.index = UnitIndex(city)
        self.proposed: dict[int, Unit] = {}

    def mentions(self, item: dict) -> list[dict]:
        return item_mentions(item)

    def resolve_item(self, item: dict) -> tuple[dict[int, UnitRoles], list[tuple]]:
        """``{unit_id: UnitRoles}`` and the open groups ``[(group, roles, raw)]`` of an item."""
        found: dict[int, UnitRoles] = {}
        groups: list[tuple] = []
        for mention in self.mentions(item):
            roles = {r for r in mention.get("roles") or ["responsible"] if r in ROLE_NAMES}
            resolution = self.index.resolve(mention["name"])
            if resolution.group is not None and resolution.group.open:
                groups.append((resolution.group, roles, mention.get("raw") or mention["name"]))
                continue
            units = resolution.units if resolution.resolved else [self._propose(mention["name"])]
            for unit in units:
                entry = found.setdefault(unit.pk, UnitRoles(unit))
                entry.roles |= roles
                entry.raw = entry.raw or (mention.get("raw") or "")[:300]
                entry.note = entry.note or (mention.get("note") or "")[:200]
                entry.open_ended = entry.open_ended or bool(mention.get("open_ended"))
        return found, groups

    def propose_all(self, items: list[dict]) -> None:
        """Create every name the registry does not know as a proposed unit, in one insert and
        one read, before the items are resolved one by one."""
        missing: dict[str, str] = {}
        for item in items:
            for mention in self.mentions(item):
                resolution = self.index.resolve(mention["name"])
                if not resolution.resolved:
                    key = normalise(mention["name"])[:128]
                    if key not in self.index.units:
                        missing.setdefault(key, key)
        if not missing:
            return
        Unit.objects.bulk_create(
            [
                Unit(city=self.city, name=key, kind=UnitKind.OTHER, full_name=key, proposed=True)
                for key in missing
            ],
            ignore_conflicts=True,
        )
        for unit in Unit.objects.filter(city=self.city, name__in=list(missing)):
            self.index.units[unit.name] = unit
            if unit.proposed:
                self.proposed[unit.pk] = unit

    def _propose(self, name: str) -> Unit:
        key = normalise(name)[:128]
        unit = self.index.units.get(key)
        if unit is None:
            unit, _ = Unit.objects.get_or_create(
                city=self.city,
                name=key,
                defaults={"kind": UnitKind.OTHER, "full_name": key, "proposed": True},
            )
            self.index.units[key] = unit
        if unit.proposed:
            self.proposed[unit.pk] = unit
        return unit

    def district(self, name: str | None) -> District | None:
        return self.index.districts.get(normalise(name)) if name else None


def task_fields(item: dict, position: int) -> dict:
    title = item.get("title") or item.get("problem") or item.get("text") or ""
    return {
        "section": (item.get("section") or "")[:300],
        "title": title[:500] or _("任务 %(n)s") % {"n": position},
        "problem": item.get("problem") or "",
        "text": item.get("text") or "",
        "target": item.get("target") or "",
        "deadline": parse_date(item.get("deadline")),
        "deadline_raw": (item.get("deadline_raw") or "")[:200],
        "immediate": bool(item.get("immediate")),
        "ongoing": bool(item.get("ongoing")),
        "uncertain": list(item.get("uncertain") or []),
        "claim": item.get("progress") or "",
        "details": details_of(item),
    }


def details_of(item: dict) -> dict:
    """Where the problem is and whom the document names (personal data: never public)."""
    details = {}
    place = {k: str(v)[:300] for k, v in (item.get("place") or {}).items() if v}
    if place:
        details["place"] = place
    contacts = [
        {"label": str(c.get("label") or "")[:20], "value": str(c.get("value") or "")[:100]}
        for c in item.get("contacts") or []
        if isinstance(c, dict) and c.get("value")
    ]
    if contacts:
        details["contacts"] = contacts
    if item.get("ocr"):
        details["ocr"] = True
    return details


def item_number(item: dict, position: int) -> int:
    no = item.get("no")
    return no if isinstance(no, int) and no > 0 else position


def sync_assignments(task: Task, found: dict[int, UnitRoles]) -> tuple[list[str], list[str]]:
    """Make the task's assignments match ``found``; returns (added, removed) unit names."""
    existing = {a.unit_id: a for a in task.assignments.select_related("unit")}
    added, removed = [], []
    for unit_id, entry in found.items():
        assignment = existing.get(unit_id) or Assignment(task=task, unit=entry.unit)
        if assignment.pk is None or assignment.withdrawn:
            added.append(entry.unit.name)
        for role in Assignment.ROLE_FIELDS:
            setattr(assignment, role, role in entry.roles)
        assignment.works = bool(entry.roles & {"responsible", "lead", "implementer"})
        assignment.district = entry.unit.district
        assignment.raw, assignment.note = entry.raw, entry.note
        assignment.open_ended, assignment.withdrawn = entry.open_ended, False
        assignment.joint_with = None
        assignment.save()
        existing[unit_id] = assignment
    for unit_id, assignment in existing.items():
        if unit_id not in found and not assignment.withdrawn and not _settled_by_hand(assignment):
            assignment.withdrawn = True
            assignment.save(update_fields=["withdrawn"])
            removed.append(assignment.unit.name)
    join_area_bodies([a for a in existing.values() if a.works and not a.withdrawn])
    return added, removed


def _settled_by_hand(assignment: Assignment) -> bool:
    """Units the office picked from an open group are not the document's to remove."""
    return assignment.raw.startswith("open-group:")


def join_area_bodies(lines: list[Assignment]) -> None:
    """The party committee and government of one area share one line of work."""
    by_area: dict[int, list[Assignment]] = {}
    for line in lines:
        if line.district_id and line.unit.kind in JOINT_PRIMARY:
            by_area.setdefault(line.district_id, []).append(line)
    for members in by_area.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda a: JOINT_PRIMARY.index(a.unit.kind))
        primary = members[0]
        for other in members[1:]:
            other.joint_with, other.works = primary, False
            other.save(update_fields=["joint_with", "works"])


def sync_groups(task: Task, groups: list[tuple]) -> None:
    for group, roles, raw in groups:
        GroupMention.objects.update_or_create(
            task=task, group=group, defaults={"roles": sorted(roles), "raw": raw[:300]}
        )


def sync_measures(task: Task, item: dict, resolver: UnitResolver) -> None:
    """Measures, milestones and targets keyed by position; extra old ones are withdrawn."""
    milestone_position = 0
    kept_measures, kept_milestones = [], []
    for position, data in enumerate(item.get("measures") or [], start=1):
        measure, _ = Measure.objects.update_or_create(
            task=task,
            position=position,
            defaults={
                "no": data.get("no") if isinstance(data.get("no"), int) else None,
                "district": resolver.district(data.get("district")),
                "district_name": (data.get("district") or "")[:64],
                "text": data.get("text") or "",
                "withdrawn": False,
            },
        )
        kept_measures.append(measure.pk)
        for ms in data.get("milestones") or []:
            milestone_position += 1
            kept_milestones.append(_save_milestone(task, measure, milestone_position, ms).pk)
    seen = {
        (m.due, text)
        for m in Milestone.objects.filter(pk__in=kept_milestones)
        for text in (m.raw, m.promise)
    }
    for ms in item.get("deadlines") or []:
        # A deadline without its own "what" is the item's deadline restated, not a milestone.
        what = ms.get("what") or ""
        due = parse_date(ms.get("date"))
        if not what or (due, what) in seen or (due, ms.get("clause")) in seen:
            continue
        milestone_position += 1
        kept_milestones.append(_save_milestone(task, None, milestone_position, ms).pk)
    task.measures.exclude(pk__in=kept_measures).update(withdrawn=True)
    task.milestones.exclude(pk__in=kept_milestones).update(withdrawn=True)
    sync_targets(task, item.get("targets") or [])


def _save_milestone(task: Task, measure: Measure | None, position: int, data: dict) -> Milestone:
    what = data.get("what") or data.get("clause") or data.get("raw") or ""
    quantity, quantity_unit = quantity_of(what)
    milestone, _ = Milestone.objects.update_or_create(
        task=task,
        position=position,
        defaults={
            "measure": measure,
            "due": parse_date(data.get("date")),
            "raw": (data.get("raw") or data.get("clause") or "")[:500],
            "promise": what[:500],
            "quantity": quantity,
            "quantity_unit": quantity_unit,
            "withdrawn": False,
        },
    )
    return milestone


def quantity_of(text: str) -> tuple[Decimal | None, str]:
    match = _QUANTITY.search(text or "")
    return (Decimal(match.group(1)), match.group(2)) if match else (None, "")


def sync_targets(task: Task, targets: list[dict]) -> None:
    kept = []
    for position, data in enumerate(targets, start=1):
        comparator = data.get("cmp") if data.get("cmp") in Comparator.values else Comparator.GTE
        target, _ = Target.objects.update_or_create(
            task=task,
            position=position,
            defaults={
                "indicator": (data.get("what") or data.get("raw") or "")[:300],
                "value": parse_decimal(data.get("value")),
                "unit": (data.get("unit") or "")[:20],
                "comparator": comparator,
                "by": parse_date(data.get("by")),
                "raw": (data.get("raw") or "")[:500],
                "withdrawn": False,
            },
        )
        kept.append(target.pk)
    task.targets.exclude(pk__in=kept).update(withdrawn=True)


def task_signature(task: Task) -> dict:
    """What a revision diff compares for one task."""
    units = {
        a.unit.name: sorted(a.roles)
        for a in task.assignments.filter(withdrawn=False).select_related("unit")
    }
    return {
        "title": task.title,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "deadline_raw": task.deadline_raw,
        "target": task.target,
        "units": units,
        "measures": [m.text for m in task.measures.filter(withdrawn=False)],
    }


def describe_changes(label: str, before: dict, after: dict) -> list[str]:
    """Human-readable lines for what changed in one task between two revisions."""
    out = []
    if before["title"] != after["title"]:
        out.append(_("任务%(no)s 标题改为：%(title)s") % {"no": label, "title": after["title"]})
    if before["deadline"] != after["deadline"] or before["deadline_raw"] != after["deadline_raw"]:
        old = before["deadline"] or before["deadline_raw"] or "无"
        new = after["deadline"] or after["deadline_raw"] or "无"
        out.append(
            _("任务%(no)s 整改时限：%(old)s → %(new)s") % {"no": label, "old": old, "new": new}
        )
    if before["target"] != after["target"]:
        out.append(_("任务%(no)s 整改目标已修改") % {"no": label})
    added = sorted(set(after["units"]) - set(before["units"]))
    removed = sorted(set(before["units"]) - set(after["units"]))
    if added:
        out.append(_("任务%(no)s 新增单位：%(units)s") % {"no": label, "units": "、".join(added)})
    if removed:
        out.append(_("任务%(no)s 移除单位：%(units)s") % {"no": label, "units": "、".join(removed)})
    changed_roles = sorted(
        n
        for n in set(after["units"]) & set(before["units"])
        if after["units"][n] != before["units"][n]
    )
    if changed_roles:
        out.append(
            _("任务%(no)s 单位职责变化：%(units)s")
            % {"no": label, "units": "、".join(changed_roles)}
        )
    if before["measures"] != after["measures"]:
        out.append(
            _("任务%(no)s 整改措施：%(old)s 条 → %(new)s 条")
            % {"no": label, "old": len(before["measures"]), "new": len(after["measures"])}
        )
    return out


def plan_changes(plan: Plan, fields: dict) -> list[str]:
    out = []
    labels = {
        "title": _("名称"),
        "doc_no": _("文号"),
        "issuer": _("印发单位"),
        "issued": _("印发日期"),
    }
    for name, label in labels.items():
        old, new = getattr(plan, name), fields[name]
        if (old or None) != (new or None):
            out.append(
                _("方案%(field)s：%(old)s → %(new)s")
                % {"field": label, "old": old or _("无"), "new": new or _("无")}
            )
    return out
