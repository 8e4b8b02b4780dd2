"""Public pages (no login): published plans, their items, each item's status and close-out
date, and the summaries the office approved. Nothing else leaves the building: these views
read only the fields listed in ``ledger.public`` and never reports, evidence, supervision
records or people's names."""

from django.shortcuts import get_object_or_404, render

from ledger import public


def index(request):
    return render(request, "disclosure/index.html", {"plans": public.published_plans()})


def plan_detail(request, pk):
    plan = get_object_or_404(public.published_plans(), pk=pk)
    return render(request, "disclosure/plan.html", {"plan": plan, "items": public.plan_items(plan)})


def task_detail(request, pk):
    task = get_object_or_404(public.published_tasks(), pk=pk)
    return render(request, "disclosure/task.html", {"task": task, "item": public.task_item(task)})
