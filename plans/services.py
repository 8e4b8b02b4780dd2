"""Writes of the plan importer: drafts from uploads, the office's corrections, the commit."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import District
from audit.log import record
from plans.extract import ExtractError, parse_file
from plans.extract.text import MAX_BYTES
from plans.extract.units import literal_list
from plans.models import DraftStatus, ImportDraft

UNIT_FIELDS = (
    "responsible",
    "lead",
    "participants",
    "implementers",
    "acceptance",
    "acceptance_lead",
)
_ROLE = {
    "responsible": "responsible",
    "lead": "lead",
    "participants": "participant",
    "implementers": "implementer",
    "acceptance": "acceptance",
    "acceptance_lead": "acceptance_lead",
}


def default_city(name: str | None = None) -> District | None:
    cities = District.objects.filter(parent=None)
    if name:
        found = cities.filter(name=name).first()
        if found:
            return found
    return cities.filter(name=getattr(settings, "LANTIAN_DEFAULT_CITY", "西安市")).first()


@transaction.atomic
def create_draft(data: bytes, *, filename: str, acting_user, year=None, issued=None) -> ImportDraft:
    """Parse an uploaded document into a draft; on failure ``ValidationError``, nothing stored."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"文件过大（上限 {MAX_BYTES // 1024 // 1024} MB）")
    try:
        extraction = parse_file(data, filename=filename, year=year, issued=issued)
    except ExtractError as exc:
        raise ValidationError(str(exc)) from exc
    draft = ImportDraft(
        source_name=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        extracted=extraction,
        extraction=copy.deepcopy(extraction),
        city=default_city(extraction.get("city")),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    draft.source_file.save(filename, ContentFile(data), save=False)
    draft.save()
    record(
        acting_user,
        "plan.draft_created",
        draft,
        changes={"items": [None, len(extraction["items"])], "kind": [None, extraction["kind"]]},
    )
    return draft


def _units_of(item: dict) -> list[dict]:
    """Rebuild the expanded unit mentions after the office changed the literal lists."""
    from plans.extract.units import expand

    merged: dict[str, dict] = {}
    for field in UNIT_FIELDS:
        names = item.get(field) or []
        if names:
            for mention in expand("、".join(names)):
                entry = merged.setdefault(
                    mention.name,
                    {
                        "name": mention.name,
                        "raw": mention.raw,
                        "roles": [],
                        "note": mention.note,
                        "open_ended": mention.open_ended,
                    },
                )
                roles = [_ROLE[field]]
                if field == "lead":
                    roles.insert(0, "responsible")
                if field == "acceptance_lead":
                    roles.insert(0, "acceptance")
                for role in roles:
                    if role not in entry["roles"]:
                        entry["roles"].append(role)
    return list(merged.values())


def _iso_date(value, label) -> str | None:
    """A corrected date as the extraction stores it; anything else is refused, never dropped."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError(
            _("%(field)s“%(value)s”不是日期") % {"field": label, "value": value}
        ) from None


@transaction.atomic
def correct_item(draft: ImportDraft, index: int, changes: dict, *, acting_user) -> dict:
    """Apply the office's corrections to one task of a draft; returns the corrected item."""
    if draft.status != DraftStatus.DRAFT:
        raise ValidationError("此草稿已导入或已放弃，不能再修改")
    items = draft.extraction["items"]
    if not 0 <= index < len(items):
        raise ValidationError("任务不存在")
    item = items[index]
    diff: dict = {}
    for key, value in changes.items():
        if key in UNIT_FIELDS:
            value = literal_list(value).names if isinstance(value, str) else list(value)
        elif key in ("deadline",):
            value = _iso_date(value, _("完成时限"))
        elif key.startswith("milestone:"):
            _key, m, n = key.split(":")
            milestone = item["measures"][int(m)]["milestones"][int(n)]
            new = _iso_date(value, _("节点任务时限"))
            if milestone["date"] != new:
                diff[key] = [milestone["date"], new]
                milestone["date"] = new
            continue
        if item.get(key) != value:
            diff[key] = [item.get(key), value]
            item[key] = value
    if not diff:
        return item
    if any(key in UNIT_FIELDS for key in diff):
        item["units"] = _units_of(item)
    if "deadline" in diff and item.get("deadline"):
        item["deadlines"] = [
            d for d in item.get("deadlines", []) if d.get("date") != diff["deadline"][0]
        ]
    item["uncertain"] = [
        f
        for f in item.get("uncertain", [])
        if f not in diff
        and not (f == "responsible" and any(k in UNIT_FIELDS for k in diff))
        and not (f == "milestones" and any(k.startswith("milestone:") for k in diff))
    ]
    item["corrected"] = sorted(set(item.get("corrected", [])) | set(diff))
    draft.corrections = [*draft.corrections, {"item": item["no"], "changes": diff}]
    draft.save(update_fields=["extraction", "corrections", "updated_at"])
    record(
        acting_user,
        "plan.draft_corrected",
        draft,
        changes={f"{item['no']}.{k}": v for k, v in diff.items()},
    )
    return item


@transaction.atomic
def correct_plan(draft: ImportDraft, changes: dict, *, acting_user) -> None:
    if draft.status != DraftStatus.DRAFT:
        raise ValidationError("此草稿已导入或已放弃，不能再修改")
    diff = {}
    for key in ("title", "doc_no", "issued", "year"):
        if key not in changes:
            continue
        value = changes[key]
        if isinstance(value, dt.date):
            value = value.isoformat()
        if draft.extraction.get(key) != (value or None):
            diff[key] = [draft.extraction.get(key), value or None]
            draft.extraction[key] = value or None
    if "city" in changes and changes["city"] != draft.city:
        diff["city"] = [str(draft.city or ""), str(changes["city"] or "")]
        draft.city = changes["city"]
    if diff:
        draft.corrections = [*draft.corrections, {"item": None, "changes": diff}]
        draft.save()
        record(acting_user, "plan.draft_corrected", draft, changes=diff)


def revision_preview(draft: ImportDraft):
    """For a draft of a plan already in the ledger: the change list of importing it (the
    three-way merge with the previous document and the office's edits); else None."""
    try:
        from ledger.services import preview_plan_import
    except ImportError:
        return None
    preview = preview_plan_import(draft.extraction, city=draft.city)
    return None if preview.created else preview


@transaction.atomic
def commit_draft(draft: ImportDraft, *, acting_user, resolutions: dict | None = None):
    """Import the corrected extraction into the ledger, in one transaction. Every conflict
    between the office's edits and the new document must be settled in ``resolutions``
    (change key → ``office`` or ``document``)."""
    try:
        from ledger.services import import_plan_extraction
    except ImportError as exc:
        raise ValidationError("台账模块（ledger）尚未安装，无法导入") from exc
    if draft.status != DraftStatus.DRAFT:
        raise ValidationError("此草稿已导入或已放弃")
    resolutions = resolutions or {}
    preview = revision_preview(draft)
    if preview is not None and preview.merge is not None:
        open_ = [c for c in preview.merge.conflicts if c.key not in resolutions]
        if open_:
            raise ValidationError(
                _("有 %(n)d 处人工修改与新文件冲突，请逐项选择保留哪一方") % {"n": len(open_)}
            )
    draft.source_file.open("rb")
    try:
        data = draft.source_file.read()
    finally:
        draft.source_file.close()
    outcome = import_plan_extraction(
        draft.extraction,
        source_name=draft.source_name,
        source_bytes=data,
        city=draft.city,
        acting_user=acting_user,
        resolutions=resolutions,
    )
    draft.status = DraftStatus.COMMITTED
    draft.plan_id = outcome.plan.pk
    draft.outcome = {
        "created": outcome.created,
        "changes": list(outcome.changes),
        "proposed_units": [str(u) for u in outcome.proposed_units],
    }
    draft.save()
    record(
        acting_user,
        "plan.imported",
        draft,
        changes={"plan": [None, str(outcome.plan)], "created": [None, outcome.created]},
    )
    return outcome


@transaction.atomic
def discard_draft(draft: ImportDraft, *, acting_user) -> None:
    if draft.status == DraftStatus.DRAFT:
        draft.status = DraftStatus.DISCARDED
        draft.save(update_fields=["status", "updated_at"])
        record(acting_user, "plan.draft_discarded", draft)
