"""Load the packaged regulation versions into the database (idempotent)."""

from __future__ import annotations

import json

from django.db import transaction

from regulations.lookup import DATA_DIR, clear_cache
from regulations.models import Regulation, RegulatoryValue


@transaction.atomic
def load_regulations() -> int:
    """Create or update every packaged version; versions added in the admin are left alone."""
    count = 0
    for spec in _specs():
        reg, _ = Regulation.objects.update_or_create(
            family=spec["family"],
            code=spec["code"],
            defaults={
                "title": spec["title"],
                "effective_from": spec["effective_from"],
                "effective_to": spec.get("effective_to"),
                "scope": spec.get("scope", "全国"),
                "priority": spec.get("priority", 0),
                "source": spec["source"],
                "verified": spec.get("verified", False),
                "notes": spec.get("notes", ""),
            },
        )
        for row in spec["values"]:
            RegulatoryValue.objects.update_or_create(
                regulation=reg,
                key=row["key"],
                variant=row.get("variant", ""),
                defaults={
                    "value": row["value"],
                    "unit": row.get("unit", ""),
                    "verified": row.get("verified"),
                    "note": row.get("note", ""),
                },
            )
        count += 1
    clear_cache()
    return count


def _specs():
    """The packaged JSON versions, then one holiday-calendar version per year the calendar
    package knows (``regulations.calendars``)."""
    from regulations.calendars import package_specs

    for path in sorted(DATA_DIR.glob("*.json")):
        yield from json.loads(path.read_text(encoding="utf-8"))
    yield from package_specs()
