"""What a rule yields: one disagreement, with what the sweep keeps of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class Found:
    rule: str
    key: str
    severity: str
    title: str
    detail: str
    facts: dict = field(default_factory=dict)
    unit_id: int | None = None
    district_id: int | None = None
    url: str = ""
    line_id: int | None = None


def setting(name: str, default):
    """The older checks' windows and tolerances (settings ``LANTIAN_CROSSCHECK``)."""
    return getattr(settings, "LANTIAN_CROSSCHECK", {}).get(name, default)
