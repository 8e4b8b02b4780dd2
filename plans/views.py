"""The office's import flow: upload → preview (what was read, what is unsure) → correct → commit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_for_user, is_office, restrict
from accounts.registry import UnitIndex
from lantian.lib import labels
from plans import services
from plans.forms import ItemForm, PlanForm, UploadForm
from plans.models import DraftStatus, ImportDraft


def _office_only(user):
    if not is_office(user):
        raise Http404


def _draft(request, pk, *, action="change"):
    _office_only(request.user)
    return get_for_user(ImportDraft, request.user, pk, action=action)


@login_required
def import_page(request):
    _office_only(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload:
            data, name = upload.read(services.MAX_BYTES + 1), upload.name
        else:
            data, name = form.cleaned_data["text"].encode("utf-8"), "粘贴文本.txt"
        try:
            draft = services.create_draft(
                data,
                filename=name,
                acting_user=request.user,
                year=form.cleaned_data.get("year"),
                issued=form.cleaned_data.get("issued"),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            return redirect("plan-draft", pk=draft.pk)
    drafts = restrict(ImportDraft.objects.select_related("created_by"), request.user)[:30]
    return render(request, "plans/import.html", {"form": form, "drafts": drafts})


def _resolver(draft):
    if draft.city is None:
        return lambda name: None
    index = UnitIndex(draft.city)
    cache: dict[str, object] = {}

    def resolve(name):
        if name not in cache:
            cache[name] = index.resolve(name)
        return cache[name]

    return resolve


def _rows(draft) -> list[dict]:
    resolve = _resolver(draft)
    rows = []
    for index, item in enumerate(draft.extraction["items"]):
        units = []
        for unit in item.get("units", []):
            found = resolve(unit["name"])
            label = None
            if found is not None and found.resolved:
                label = str(found.unit or found.group or found.district)
            units.append({**unit, "resolved": label})
        milestones = [ms for m in item.get("measures", []) for ms in m.get("milestones", [])]
        corrected = dict.fromkeys(labels.task_field_label(k) for k in item.get("corrected") or [])
        rows.append(
            {
                "index": index,
                "item": item,
                "units": units,
                "milestones": milestones,
                "corrected": list(corrected),
                "place": _place(item),
            }
        )
    return rows


def _place(item: dict) -> list[tuple[str, str]]:
    from ledger.models import Task

    return Task(details={"place": item.get("place") or {}}).where


def _ledger_url(plan_id):
    for name in ("ledger-plan", "plan-detail", "ledger-plan-detail"):
        try:
            return reverse(name, args=[plan_id])
        except NoReverseMatch:
            continue
    return None


@login_required
def draft_detail(request, pk):
    draft = _draft(request, pk, action="view")
    return render(request, "plans/draft.html", _draft_context(draft))


def _draft_context(draft, plan_form=None) -> dict:
    revision = services.revision_preview(draft) if draft.status == DraftStatus.DRAFT else None
    same = (
        ImportDraft.objects.filter(sha256=draft.sha256, status=DraftStatus.COMMITTED)
        .exclude(pk=draft.pk)
        .first()
    )
    rows = _rows(draft)
    counts = {
        "items": len(rows),
        "uncertain": sum(1 for r in rows if r["item"].get("uncertain")),
        "unresolved": len({u["name"] for r in rows for u in r["units"] if not u["resolved"]}),
        "milestones": sum(len(r["milestones"]) for r in rows),
    }
    return {
        "draft": draft,
        "rows": rows,
        "counts": counts,
        "revision": revision,
        "same": same,
        "plan_form": plan_form
        or PlanForm(
            initial={
                **{k: draft.extraction.get(k) for k in ("title", "doc_no", "issued", "year")},
                "city": draft.city,
            }
        ),
        "ledger_url": _ledger_url(draft.plan_id) if draft.plan_id else None,
    }


@login_required
@require_POST
def draft_plan(request, pk):
    draft = _draft(request, pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.correct_plan(draft, form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            return redirect("plan-draft", pk=pk)
    # what was typed stays, each error beside its field
    return render(request, "plans/draft.html", _draft_context(draft, form), status=200)


@login_required
def draft_item(request, pk, index):
    draft = _draft(request, pk)
    items = draft.extraction["items"]
    if not 0 <= index < len(items):
        raise Http404
    item = items[index]
    dates = {"year": draft.extraction.get("year"), "issued": draft.extraction.get("issued")}
    if request.method == "POST" and "cancel" not in request.POST:
        form = ItemForm(request.POST, item=item, **dates)
        if draft.status != DraftStatus.DRAFT:
            form.is_valid()
            form.add_error(None, _("此草稿已导入或已放弃，不能再修改"))
        elif form.is_valid():
            try:
                item = services.correct_item(draft, index, form.changes(), acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                if request.htmx:
                    row = _rows(draft)[index]
                    return render(request, "plans/_item_row.html", {"row": row, "draft": draft})
                return redirect("plan-draft", pk=pk)
    elif request.method == "POST":
        row = _rows(draft)[index]
        return render(request, "plans/_item_row.html", {"row": row, "draft": draft})
    else:
        form = ItemForm(item=item, **dates)
    template = "plans/_item_form.html" if request.htmx else "plans/item_edit.html"
    return render(request, template, {"form": form, "draft": draft, "index": index, "item": item})


@login_required
@require_POST
def draft_commit(request, pk):
    draft = _draft(request, pk)
    resolutions = {
        key.removeprefix("resolve-"): value
        for key, value in request.POST.items()
        if key.startswith("resolve-") and value in ("office", "document")
    }
    try:
        outcome = services.commit_draft(draft, acting_user=request.user, resolutions=resolutions)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("plan-draft", pk=pk)
    if outcome.created:
        messages.success(
            request, _("已导入台账：%(n)d 项任务") % {"n": len(draft.extraction["items"])}
        )
    elif outcome.changes:
        messages.success(
            request, _("已按修订版更新台账，变化 %(n)d 处") % {"n": len(outcome.changes)}
        )
    else:
        messages.info(request, _("该方案已导入过，内容无变化，未重复创建"))
    url = _ledger_url(draft.plan_id)
    return redirect(url) if url else redirect("plan-draft", pk=pk)


@login_required
@require_POST
def draft_discard(request, pk):
    draft = _draft(request, pk)
    services.discard_draft(draft, acting_user=request.user)
    return redirect("plan-import")


@login_required
def draft_source(request, pk):
    draft = _draft(request, pk, action="view")
    return FileResponse(
        draft.source_file.open("rb"), as_attachment=True, filename=draft.source_name
    )
