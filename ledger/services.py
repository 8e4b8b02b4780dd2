"""Every change to the ledger goes through these functions.

Each one is atomic, takes ``acting_user`` keyword-only, checks what the table in
``ledger.workflow`` and ``accounts.access`` allow, writes an audit event, and queues its
notifications for after the commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import District, Unit
from accounts.registry import city_named
from audit.log import record
from ledger import importing
from ledger.models import Plan, PlanRevision, Task


@dataclass
class ImportOutcome:
    """What ``import_plan_extraction`` did: the plan, whether it is new, what a revision
    changed (human-readable lines), and the units it had to propose."""

    plan: Plan
    created: bool
    changes: list[str] = field(default_factory=list)
    proposed_units: list[Unit] = field(default_factory=list)
    revision: PlanRevision | None = None


def _import_city(extraction: dict, city: District | None) -> District:
    if city is not None:
        return city
    named = city_named(extraction.get("city") or "") if extraction.get("city") else None
    found = named or city_named(settings.LANTIAN_DEFAULT_CITY)
    if found is None:
        raise ValueError(f"unknown city: {extraction.get('city') or settings.LANTIAN_DEFAULT_CITY}")
    return found


def _same_plan(city: District, fields: dict) -> Plan | None:
    plans = Plan.objects.filter(city=city)
    if fields["doc_no"]:
        found = plans.filter(doc_no=fields["doc_no"]).order_by("pk").first()
        if found:
            return found
    return plans.filter(title=fields["title"]).order_by("pk").first()


def _already_imported(city: District, content: str) -> Plan | None:
    """The plan whose latest revision has exactly this content (the same reading of the
    same document); importing it again must create nothing."""
    for revision in PlanRevision.objects.filter(plan__city=city, content_sha256=content):
        if revision.number == revision.plan.revision:
            return revision.plan
    return None


@transaction.atomic
def import_plan_extraction(
    extraction: dict,
    *,
    source_name: str,
    source_bytes: bytes,
    city: District | None = None,
    acting_user,
) -> ImportOutcome:
    """Create (or revise) a ledger plan from an extraction (``CONTRACT-plans.md`` §2).

    Idempotent: a document whose content the plan already holds creates nothing. A revised
    document of the same plan (same doc_no, else same title) becomes a new revision; tasks it
    drops are withdrawn, never deleted. Unknown unit names become ``Unit(proposed=True)``;
    open groups are recorded on the task for the office to settle. The original file is kept.
    """
    city = _import_city(extraction, city)
    sha = hashlib.sha256(source_bytes).hexdigest()
    content = importing.content_hash(extraction)
    existing = _already_imported(city, content)
    if existing is not None:
        return ImportOutcome(plan=existing, created=False)

    fields = importing.plan_fields(extraction)
    plan = _same_plan(city, fields)
    created = plan is None
    changes = [] if created else importing.plan_changes(plan, fields)
    before = {} if created else {t.no: importing.task_signature(t) for t in plan.tasks.all()}
    if created:
        plan = Plan(city=city, revision=1)
    else:
        plan.revision += 1
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.report_day is None:
        plan.report_day = importing.monthly_report_day(fields["rules"])
    plan.source_name, plan.source_sha256 = source_name[:255], sha
    plan.source_file.save(source_name or "plan.txt", ContentFile(source_bytes), save=False)
    plan.save()

    resolver = importing.UnitResolver(city)
    changes += _sync_tasks(plan, extraction, resolver, before, acting_user)
    revision = PlanRevision.objects.create(
        plan=plan,
        number=plan.revision,
        source_name=plan.source_name,
        source_file=plan.source_file.name,
        sha256=sha,
        content_sha256=content,
        extraction=extraction,
        changes=changes,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    proposed = list(resolver.proposed.values())
    record(
        acting_user,
        "plan.imported" if created else "plan.revised",
        plan,
        changes={
            "revision": [None if created else plan.revision - 1, plan.revision],
            "tasks": [None, plan.tasks.filter(withdrawn=False).count()],
            "proposed_units": [None, [u.name for u in proposed]],
            "changes": [None, changes],
        },
        reason=source_name,
    )
    return ImportOutcome(plan, created, changes, proposed, revision)


def _sync_tasks(plan: Plan, extraction: dict, resolver, before: dict, acting_user) -> list[str]:
    changes: list[str] = []
    seen: set[int] = set()
    for position, item in enumerate(extraction.get("items") or [], start=1):
        if not isinstance(item, dict):
            continue
        no = importing.item_number(item, position)
        if no in seen:
            continue
        seen.add(no)
        task, is_new = Task.objects.get_or_create(
            plan=plan, no=no, defaults=importing.task_fields(item, position)
        )
        if not is_new:
            for name, value in importing.task_fields(item, position).items():
                setattr(task, name, value)
            task.withdrawn = False
            task.save()
        found, groups = resolver.resolve_item(item)
        importing.sync_assignments(task, found)
        importing.sync_groups(task, groups)
        importing.sync_measures(task, item, resolver)
        after = importing.task_signature(task)
        if no not in before:
            if before:
                changes.append(f"新增任务{task.display_no}：{task.title}")
            record(acting_user, "task.created", task, changes={"units": [None, after["units"]]})
            continue
        lines = importing.describe_changes(task.display_no, before[no], after)
        changes += lines
        if lines:
            record(acting_user, "task.revised", task, reason="；".join(lines))
    for task in plan.tasks.exclude(no__in=seen).filter(withdrawn=False):
        task.withdrawn = True
        task.save(update_fields=["withdrawn", "updated_at"])
        changes.append(f"撤销任务{task.display_no}：{task.title}")
        record(acting_user, "task.withdrawn", task, reason="方案修订后不再包含此项")
    return changes
