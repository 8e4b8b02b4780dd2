from django.http import HttpRequest
from ninja import Router

from accounts.access import restrict
from accounts.models import Unit
from accounts.schemas import UnitOut

router = Router(tags=["单位"])
PREFIX = "units"


@router.get("", response=list[UnitOut])
def list_units(request: HttpRequest, q: str = ""):
    """Units of the registry the caller may see, optionally filtered by name."""
    units = restrict(Unit.objects.select_related("city", "district"), request.user)
    if q:
        units = units.filter(name__contains=q)
    return units.order_by("city_id", "id")[:500]
