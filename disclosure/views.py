"""Public pages (no login): published plans, their items, each item's status and close-out
date, and the summaries the office approved. Nothing else leaves the building: these views
read only the fields listed in ``ledger.public`` and never reports, evidence, supervision
records or people's names."""

from django.shortcuts import get_object_or_404, render

from airquality import summary as air_summary
from emergency import summary as emergency_summary
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


def plan_detail(request, pk):
    plan = get_object_or_404(public.published_plans(), pk=pk)
    context = {"plan": plan, "items": public.plan_items(plan), "legend": public.legend()}
    return render(request, "disclosure/plan.html", context)


def task_detail(request, pk):
    task = get_object_or_404(public.published_tasks(), pk=pk)
    context = {"task": task, "item": public.task_item(task), "legend": public.legend()}
    return render(request, "disclosure/task.html", context)
