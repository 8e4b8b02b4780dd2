"""The emergency app's regulatory numbers, read through ``regulations.lookup`` for a city."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from emergency.warnings import Rules, parse_rules
from regulations import lookup
from regulations.lookup import RegulationNotFound

DISTRICT_GOVERNMENT = "@district_government"


def warning_rules(city: str, on: dt.date) -> Rules:
    """The warning levels in force in ``city`` on ``on``: a local version overrides the baseline."""
    version = lookup.local_version("warning_rules", on=on, scope=city)
    try:
        gap = version.number("merge_gap_days").value
    except RegulationNotFound:
        gap = 0
    return parse_rules(
        version.number("levels").value, merge_gap_days=gap, code=version.code, source=version.source
    )


@dataclass(frozen=True)
class InspectorRule:
    """Who checks how many enterprises a day at a level (one entry of ``spot_check_quotas``)."""

    unit: str  # a unit name, or DISTRICT_GOVERNMENT for every district's own government
    label: str
    kind: str  # own_district | districts
    per_district: int
    districts: int
    code: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "label": self.label,
            "kind": self.kind,
            "per_district": self.per_district,
            "districts": self.districts,
            "code": self.code,
            "source": self.source,
        }


def inspector_rules(city: str, on: dt.date, level: str) -> list[InspectorRule]:
    """The spot-check quotas in force in ``city`` on ``on`` at ``level``."""
    version = lookup.local_version("spot_check_quotas", on=on, scope=city)
    rules = []
    for spec in version.number("inspectors").value:
        per = (
            spec.get("min_per_day") if spec["kind"] == "own_district" else spec["min_per_district"]
        )
        rules.append(
            InspectorRule(
                unit=spec["unit"],
                label=spec.get("label", spec["unit"]),
                kind=spec["kind"],
                per_district=int(_at_level(per, level)),
                districts=int(_at_level(spec.get("districts_per_day", 1), level)),
                code=version.code,
                source=version.source,
            )
        )
    return rules


def _at_level(value: Any, level: str) -> Any:
    return value[level] if isinstance(value, dict) else value


@dataclass(frozen=True)
class GradeTarget:
    at_least: int
    grades: tuple[str, ...]
    by: dt.date | None
    baseline: dict[str, int]
    code: str
    source: str


def grade_target(city: str, on: dt.date) -> GradeTarget | None:
    """The city's target count of high-grade enterprises, or None when it has none."""
    try:
        number = lookup.local_version("grade_targets", on=on, scope=city).number(
            "high_grade_enterprises"
        )
    except RegulationNotFound:
        return None
    value = number.value
    return GradeTarget(
        at_least=int(value["at_least"]),
        grades=tuple(value["grades"]),
        by=dt.date.fromisoformat(value["by"]) if value.get("by") else None,
        baseline=dict(value.get("baseline", {})),
        code=number.code,
        source=number.source,
    )
