from django.http import HttpRequest
from ninja import Router

from accounts.access import restrict
from accounts.models import Unit
from accounts.schemas import UnitOut
from api.fields import Filter, Limit, Offset, page

router = Router(tags=["单位"])
PREFIX = "units"


@router.get("", response=list[UnitOut])
def list_units(request: HttpRequest, q: Filter = "", offset: Offset = 0, limit: Limit = 500):
    """Units of the registry the caller may see, optionally filtered by name."""
    units = restrict(Unit.objects.select_related("city", "district"), request.user)
    if q:
        units = units.filter(name__contains=q)
    return page(units.order_by("city_id", "id"), offset, limit)
