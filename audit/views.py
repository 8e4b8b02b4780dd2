from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.access import get_for_user, sees_everything
from audit.display import entries, with_actors
from audit.log import history
from audit.models import AuditEvent


@login_required
def object_history(request, object_type: str, object_id: str):
    """Every recorded change of one object, for anyone who may see the object."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        raise Http404 from None
    obj = get_for_user(model, request.user, object_id)
    events = with_actors(history(obj).order_by("-id"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/history.html",
        {"object": obj, "page": page, "entries": entries(page.object_list)},
    )


@login_required
def event_list(request):
    """The whole log, newest first, for the office and leaders."""
    if not sees_everything(request.user):
        raise PermissionDenied
    events = AuditEvent.objects.order_by("-id")
    if request.GET.get("type"):
        events = events.filter(object_type=request.GET["type"])
    page = Paginator(with_actors(events), 50).get_page(request.GET.get("page"))
    return render(
        request, "audit/event_list.html", {"page": page, "entries": entries(page.object_list)}
    )
