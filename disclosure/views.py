"""Public pages (no login): published plans, their items, each item's status and close-out
date, and the summaries the office approved. Nothing else leaves the building: these views
read only the fields listed in ``ledger.public`` and never reports, evidence, supervision
records or people's names."""

from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import get_object_or_404, render

from airquality import summary as air_summary
from audit.models import AuditEvent
from emergency import summary as emergency_summary
from lantian.lib import tz
from ledger import public


def index(request):
    """The public landing page: air quality, warnings in force, and the published plans."""
    return render(
        request,
        "disclosure/index.html",
        {
            "plans": public.published_plans(),
            "air": _latest_air(),
            "warnings": emergency_summary.public_warning(),
        },
    )


def air(request):
    """The city's and each district's latest daily AQI and the month's district ranking."""
    return render(request, "disclosure/air.html", {"air": _latest_air()})


def _latest_air() -> dict | None:
    day = air_summary.latest_city_day()
    return air_summary.public_summary(on=day.date) if day else None


ITEMS_PER_PAGE = 50


def plan_detail(request, pk):
    """A published plan, a page of items at a time. The item table is cached (the template's
    ``{% cache %}``) under the latest audit event and today's date: every change to the ledger
    is audited, so any change — and each new day, which can turn a lamp — makes a new key, in
    every process, with no invalidation to forget; on a hit the items are never computed."""
    plan = get_object_or_404(public.published_plans(), pk=pk)
    page = Paginator(public.plan_tasks(plan), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        # a callable: the template calls it only when the cached table is missing
        "items": lambda: public.plan_items(plan, page.object_list),
        "legend": public.legend(),
        "stamp": AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0,
        "today": tz.local_today().isoformat(),
    }
    return render(request, "disclosure/plan.html", context)


def task_detail(request, pk):
    task = get_object_or_404(public.published_tasks(), pk=pk)
    context = {
        "task": task,
        "item": public.task_item(task),
        "legend": public.legend(),
        "history": public.item_history(task),
    }
    return render(request, "disclosure/task.html", context)
