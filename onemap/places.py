"""Plausible coordinates for the demo: each monitoring site without any, at a point inside its
district's outline chosen from its name (the same name, the same point). Only demo data is
placed this way; real sites get theirs from the device import (经度、纬度).

Enterprises are left as they are: their registered coordinates feed the cross-check of
inspectors' routes (``crosscheck.rules_inspections``), and made-up places would make up
impossible journeys. They get theirs from the reduction list (经度、纬度 columns); until then
their spot checks are listed as 未标注位置.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import District
from lantian.lib import boundaries


@transaction.atomic
def place_missing(city: District) -> int:
    """How many sites were given coordinates; districts without an outline are left as they
    are (their devices appear under 未标注位置)."""
    from monitoring.models import Site

    found = boundaries.city_map(city.name)
    if found is None:
        return 0
    areas = {d.pk: found.area(d.name, d.aliases) for d in District.objects.filter(parent=city)}
    changed = []
    for site in Site.objects.filter(district__parent=city, longitude=None):
        area = areas.get(site.district_id)
        if area is not None:
            site.longitude, site.latitude = boundaries.point_in(area, site.name)
            changed.append(site)
    Site.objects.bulk_update(changed, ["longitude", "latitude"], batch_size=500)
    return len(changed)
