"""Reads: statistics with their formulas, the grade register's counts, proposals, exports.

Every rate here is computed from the rows beneath it and says how (DESIGN: rates computed,
never typed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from emergency.choices import DRIVE_OF_GRADE, Drive, Grade, InspectionStatus, Level, Result
from emergency.models import Enterprise


def _rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


@dataclass
class Row:
    """One line of a statistics table."""

    key: str
    label: str
    listed: int | None = None
    planned: int = 0
    done: int = 0
    compliant: int = 0
    non_compliant: int = 0
    inspected: int = 0  # distinct enterprises visited
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def completion(self) -> float | None:
        return _rate(self.done, self.planned)

    @property
    def compliance(self) -> float | None:
        return _rate(self.compliant, self.done)

    @property
    def coverage(self) -> float | None:
        return _rate(self.inspected, self.listed) if self.listed is not None else None


def _grouped(inspections: QuerySet, field_name: str) -> dict[Any, dict[str, int]]:
    done = Q(status=InspectionStatus.DONE)
    rows = inspections.values(field_name).annotate(
        planned=Count("pk"),
        done=Count("pk", filter=done),
        compliant=Count("pk", filter=done & Q(result=Result.COMPLIANT)),
        non_compliant=Count("pk", filter=done & Q(result=Result.NON_COMPLIANT)),
        inspected=Count("enterprise", filter=done, distinct=True),
    )
    return {r.pop(field_name): r for r in rows}


def stats_by_level(inspections: QuerySet, listed: int) -> list[Row]:
    groups = _grouped(inspections, "plan__level")
    return [
        Row(level.value, str(level.label), listed=listed, **groups.get(level.value, {}))
        for level in Level
    ]


def stats_by_district(inspections: QuerySet, enterprises: QuerySet) -> list[Row]:
    groups = _grouped(inspections, "district_id")
    sizes = dict(
        enterprises.filter(on_list=True)
        .values_list("district_id")
        .annotate(n=Count("pk"))
        .values_list("district_id", "n")
    )
    names = dict(enterprises.values_list("district_id", "district__name").distinct().order_by())
    names.update(
        dict(inspections.values_list("district_id", "district__name").distinct().order_by())
    )
    return [
        Row(str(pk), names[pk], listed=sizes.get(pk, 0), **groups.get(pk, {}))
        for pk in sorted(names)
    ]


def stats_by_unit(inspections: QuerySet, plans: QuerySet) -> list[Row]:
    groups = _grouped(inspections, "plan__unit_id")
    days: dict[int, int] = defaultdict(int)
    short: dict[int, int] = defaultdict(int)
    names = {}
    for unit_id, unit_name, quota in plans.values_list("unit_id", "unit__name", "quota"):
        names[unit_id] = unit_name
        days[unit_id] += 1
        short[unit_id] += bool(quota.get("shortfall"))
    return [
        Row(
            str(pk),
            names[pk],
            extra={"days": days[pk], "days_short": short[pk]},
            **groups.get(pk, {}),
        )
        for pk in sorted(names, key=lambda k: names[k])
    ]


def totals(rows: list[Row], label: str) -> Row:
    total = Row("total", label)
    for row in rows:
        total.planned += row.planned
        total.done += row.done
        total.compliant += row.compliant
        total.non_compliant += row.non_compliant
    return total


# --- grades --------------------------------------------------------------------------------

GRADE_ORDER = [Grade.A, Grade.LEADING, Grade.B, Grade.NON_LEADING, Grade.C, Grade.D, Grade.UNGRADED]


def grade_table(enterprises: QuerySet) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Counts per district and grade (one row per district), and the column totals."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = enterprises.values_list("district__name", "grade").annotate(n=Count("pk")).order_by()
    for district, grade, n in rows:
        counts[district][grade] += n
    table, total = [], defaultdict(int)
    for district in sorted(counts):
        cells = [counts[district].get(g.value, 0) for g in GRADE_ORDER]
        for g, n in zip(GRADE_ORDER, cells, strict=True):
            total[g.value] += n
        table.append({"district": district, "cells": cells, "total": sum(cells)})
    return table, dict(total)


def proposals(enterprises: QuerySet) -> dict[str, list[Enterprise]]:
    """冲A、增B·减C、清D (and 申请评级): enterprises by the upgrade drive their grade puts them in.

    Within a drive, enterprises with non-compliant inspections or cases come first (they need
    the upgrade, or the exit, most), then by district and name.
    """
    annotated = (
        enterprises.filter(grade__in=list(DRIVE_OF_GRADE))
        .select_related("district")
        .annotate(
            problems=Count(
                "inspections", filter=Q(inspections__result=Result.NON_COMPLIANT), distinct=True
            )
        )
        .order_by("-problems", "district_id", "name")
    )
    out: dict[str, list[Enterprise]] = {d.value: [] for d in Drive}
    for enterprise in annotated:
        out[DRIVE_OF_GRADE[enterprise.grade]].append(enterprise)
    return out


# --- export --------------------------------------------------------------------------------


def export_rows(enterprises: QuerySet) -> list[dict[str, Any]]:
    """Rows for ``listfile.write_workbook`` in the import format (a file that re-imports)."""
    rows = []
    for e in enterprises.select_related("district").prefetch_related(
        "measures", "responsible_units"
    ):
        row: dict[str, Any] = {
            "name": e.name,
            "code": e.credit_code,
            "district": e.district.name,
            "industry": e.industry,
            "grade": e.grade,
            "units": [u.name for u in e.responsible_units.all()],
            "address": e.address,
            "mns": e.device_mns,
            "longitude": "" if e.longitude is None else e.longitude,
            "latitude": "" if e.latitude is None else e.latitude,
        }
        for m in e.measures.all():
            row[f"{m.level}_measures"] = m.measures
            row[f"{m.level}_pct"] = m.reduction_pct if m.reduction_pct is not None else ""
            row[f"{m.level}_stop"] = m.stop_production
            row[f"{m.level}_limit"] = m.limit_production
        rows.append(row)
    return rows


def quota_met_by_day(inspections: QuerySet, plans: QuerySet) -> dict[str, list[str]]:
    """For each day, the problems with meeting the quotas (an empty list: all met)."""
    out: dict[str, list[str]] = defaultdict(list)
    for day, unit, quota in plans.values_list("day", "unit__name", "quota"):
        for problem in quota.get("shortfall", []):
            out[day.isoformat()].append(f"{unit}：{problem}")
        out.setdefault(day.isoformat(), [])
    return dict(out)
