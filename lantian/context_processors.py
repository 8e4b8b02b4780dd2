from django.conf import settings

from lantian.navigation import items_for


def site(request):
    """Site name and the menu entries the current user may open."""
    return {"site_name": settings.SITE_NAME, "nav_items": items_for(request.user)}
