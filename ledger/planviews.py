"""One plan task seen as flat ``{key: value}`` pairs, the same way from a document and from
the ledger, so that a previous document, the ledger's rows and a new document can be compared
key by key (``ledger.planmerge``).

Keys: ``title``, ``section``, ``problem``, ``target`` (整改目标), ``deadline`` (the date, its
words, 立行立改, 长期坚持 together), ``unit:<name>`` (its roles), ``measure:<position>``,
``milestone:<position>`` (due date and promise) and ``target:<indicator>`` (value, unit,
comparator, by date). Values are plain tuples and strings: equal means unchanged.
"""

from __future__ import annotations

from accounts.registry import UnitIndex
from ledger import importing
from ledger.choices import Comparator
from ledger.models import Assignment, Measure, Milestone, Plan, Target, Task
from plans.extract.units import normalise

TEXT_FIELDS = ("title", "section", "problem", "target")


def numbered(items: list[dict]) -> list[tuple[int, dict]]:
    """The task number each item gets in the ledger; numbering that restarts in each part of
    a plan ((一)… again under 三、) becomes the order of the items, so no task is lost."""
    numbers = [importing.item_number(item, k) for k, item in enumerate(items, 1)]
    if len(set(numbers)) < len(numbers):
        numbers = list(range(1, len(items) + 1))
    return list(zip(numbers, items, strict=True))


def _decimal_text(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _target_value(indicator, value, unit, comparator, by) -> tuple:
    return (_decimal_text(value), unit or "", comparator, by.isoformat() if by else None)


def _keyed(pairs: list[tuple[str, tuple]]) -> dict[str, tuple]:
    """``target:<indicator>`` keys; a second target of the same indicator gets ``#2``."""
    out: dict[str, tuple] = {}
    for indicator, value in pairs:
        key, n = f"target:{indicator}", 1
        while key in out:
            n += 1
            key = f"target:{indicator}#{n}"
        out[key] = value
    return out


# --- from a document ------------------------------------------------------------------------


def item_units(item: dict, index: UnitIndex) -> dict[str, tuple]:
    """The roles of each unit an item names, resolved as the import resolves them, without
    writing anything (a name the registry lacks is the proposed unit the import would make)."""
    found: dict[str, set] = {}
    for mention in importing.item_mentions(item):
        roles = {r for r in mention.get("roles") or ["responsible"] if r in importing.ROLE_NAMES}
        resolution = index.resolve(mention["name"])
        if resolution.group is not None and resolution.group.open:
            continue  # open groups wait for the office; they are not lines yet
        if resolution.resolved:
            names = [u.name for u in resolution.units]
        else:
            names = [normalise(mention["name"])[:128]]
        for name in names:
            found.setdefault(name, set()).update(roles)
    return {f"unit:{name}": tuple(sorted(roles)) for name, roles in found.items()}


def item_milestones(item: dict) -> list[tuple]:
    """(due, promise) of the milestones the import makes of an item, in position order."""
    out, seen = [], set()
    for data in item.get("measures") or []:
        for ms in data.get("milestones") or []:
            what = ms.get("what") or ms.get("clause") or ms.get("raw") or ""
            due = importing.parse_date(ms.get("date"))
            raw = (ms.get("raw") or ms.get("clause") or "")[:500]
            out.append((due.isoformat() if due else None, what[:500]))
            seen |= {(due, raw), (due, what[:500])}
    for ms in item.get("deadlines") or []:
        # a deadline without its own "what" is the item's deadline restated
        what, due = ms.get("what") or "", importing.parse_date(ms.get("date"))
        if not what or (due, what) in seen or (due, ms.get("clause")) in seen:
            continue
        text = what or ms.get("clause") or ms.get("raw") or ""
        out.append((due.isoformat() if due else None, text[:500]))
    return out


def item_view(item: dict, position: int, index: UnitIndex) -> dict[str, object]:
    fields = importing.task_fields(item, position)
    view: dict[str, object] = {name: fields[name] for name in TEXT_FIELDS}
    deadline = fields["deadline"]
    view["deadline"] = (
        deadline.isoformat() if deadline else None,
        fields["deadline_raw"],
        fields["immediate"],
        fields["ongoing"],
    )
    view.update(item_units(item, index))
    for k, data in enumerate(item.get("measures") or [], start=1):
        view[f"measure:{k}"] = data.get("text") or ""
    for k, milestone in enumerate(item_milestones(item), start=1):
        view[f"milestone:{k}"] = milestone
    targets = []
    for data in item.get("targets") or []:
        comparator = data.get("cmp") if data.get("cmp") in Comparator.values else Comparator.GTE
        indicator = (data.get("what") or data.get("raw") or "")[:300]
        value = importing.parse_decimal(data.get("value"))
        targets.append(
            (
                indicator,
                _target_value(
                    indicator,
                    value,
                    (data.get("unit") or "")[:20],
                    str(comparator),
                    importing.parse_date(data.get("by")),
                ),
            )
        )
    view.update(_keyed(targets))
    return view


def document_views(extraction: dict | None, index: UnitIndex) -> dict[int, dict]:
    """``{task number: view}`` of every item of a document (empty for no document)."""
    if not extraction:
        return {}
    items = [item for item in extraction.get("items") or [] if isinstance(item, dict)]
    return {
        no: {"_title": importing.task_fields(item, k)["title"], **item_view(item, k, index)}
        for k, (no, item) in enumerate(numbered(items), start=1)
    }


# --- from the ledger -----------------------------------------------------------------------


def ledger_views(plan: Plan) -> tuple[dict[int, dict], dict[int, Task]]:
    """``{task number: view}`` of the plan's tasks as the ledger holds them now (withdrawn
    tasks excluded), and the tasks themselves; five queries whatever the plan's size."""
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan, withdrawn=False)}
    views: dict[int, dict] = {}
    for task in tasks.values():
        view: dict[str, object] = {"_title": task.title}
        view.update({name: getattr(task, name) for name in TEXT_FIELDS})
        view["deadline"] = (
            task.deadline.isoformat() if task.deadline else None,
            task.deadline_raw,
            task.immediate,
            task.ongoing,
        )
        views[task.pk] = view
    lines = Assignment.objects.filter(task_id__in=tasks, withdrawn=False).select_related("unit")
    for line in lines:
        views[line.task_id][f"unit:{line.unit.name}"] = tuple(sorted(line.roles))
    for measure in Measure.objects.filter(task_id__in=tasks, withdrawn=False):
        views[measure.task_id][f"measure:{measure.position}"] = measure.text
    for ms in Milestone.objects.filter(task_id__in=tasks, withdrawn=False).order_by("position"):
        due = ms.due.isoformat() if ms.due else None
        views[ms.task_id][f"milestone:{ms.position}"] = (due, ms.promise)
    targets: dict[int, list] = {}
    for t in Target.objects.filter(task_id__in=tasks, withdrawn=False).order_by("position", "pk"):
        value = _target_value(t.indicator, t.value, t.unit, t.comparator, t.by)
        targets.setdefault(t.task_id, []).append((t.indicator, value, t.pk))
    for task_id, rows in targets.items():
        keyed = _keyed([(indicator, value) for indicator, value, _pk in rows])
        views[task_id].update(keyed)
        # which row holds each target, so that the import can leave the office's rows alone
        views[task_id]["_target_pks"] = dict(zip(keyed, [pk for *_r, pk in rows], strict=True))
    return {t.no: views[pk] for pk, t in tasks.items()}, {t.no: t for t in tasks.values()}
