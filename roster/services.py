"""Every write in the roster app: importing a year's roster, setting up a fume rollout with
its milestones and importing its ledger. Each one transaction, each audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from accounts.models import District
from audit.log import record
from lantian.lib import tz
from roster import importing
from roster.models import KeyUnit, RequiredPoint, Rollout, RolloutMilestone, RolloutUnit, Roster


def _require_office(user) -> None:
    if user is not None and not access.is_office(user):
        raise PermissionDenied("只有整改办/专项办可以导入名录与台账")


def _districts(city: District, names: set[str]) -> tuple[dict[str, District], list[str]]:
    known = {d.name: d for d in District.objects.filter(parent=city)}
    found, unknown = {}, []
    for name in sorted(names):
        district = known.get(name) or known.get(name + "区") or known.get(name + "县")
        if district is None:
            unknown.append(name)
        else:
            found[name] = district
    return found, unknown


@transaction.atomic
def import_roster(
    file, *, city: District, year: int, acting_user, title: str = "", source_name=""
) -> Roster:
    """Import (or replace) ``city``'s roster for ``year``; raises ``WorkbookRefused``."""
    _require_office(acting_user)
    if not 2000 <= year <= 2100:
        raise importing.WorkbookRefused([f"年度 {year} 无效"])
    rows = importing.read_roster(file)
    districts, unknown = _districts(city, {r.district for r in rows})
    if unknown:
        lines = [
            f"第{r.line}行：{city.name}没有区县“{r.district}”"
            for r in rows
            if r.district in unknown
        ]
        raise importing.WorkbookRefused(lines)
    roster, created = Roster.objects.get_or_create(
        city=city,
        year=year,
        defaults={
            "title": title or f"{year}年{city.name}重点排污单位名录",
            "imported_at": tz.now(),
        },
    )
    before = {
        "units": roster.units.count(),
        "points": RequiredPoint.objects.filter(unit__roster=roster).count(),
    }
    roster.units.all().delete()
    roster.title = title or roster.title
    roster.source_name = source_name[:255]
    roster.imported_at = tz.now()
    roster.imported_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    roster.save()
    points = []
    for position, row in enumerate(rows, start=1):
        unit = KeyUnit.objects.create(
            roster=roster,
            position=position,
            name=row.name,
            credit_code=row.credit_code,
            district=districts[row.district],
            industry=row.industry,
            category=row.category,
        )
        points += [
            RequiredPoint(unit=unit, name=p.name, pollutants=p.pollutants, mn=p.mn)
            for p in row.points
        ]
    RequiredPoint.objects.bulk_create(points)
    after = {"units": len(rows), "points": len(points)}
    record(
        acting_user,
        "roster.imported" if created else "roster.replaced",
        roster,
        changes={k: [None if created else before[k], after[k]] for k in after},
        reason=source_name,
    )
    return roster


@transaction.atomic
def save_rollout(rollout: Rollout, *, milestones: list[dict], acting_user) -> Rollout:
    """Create or update a rollout and replace its milestones (due, label, units, outlets)."""
    _require_office(acting_user)
    rollout.full_clean(exclude=["task"])
    rollout.save()
    rollout.milestones.all().delete()
    for m in milestones:
        milestone = RolloutMilestone(rollout=rollout, **m)
        milestone.full_clean()
        milestone.save()
    record(acting_user, "rollout.saved", rollout, changes={"milestones": [None, len(milestones)]})
    return rollout


@transaction.atomic
def import_rollout_units(file, *, rollout: Rollout, acting_user, source_name: str = "") -> int:
    """Replace the rollout's ledger of catering units from a workbook; returns the count."""
    _require_office(acting_user)
    rows = importing.read_rollout_units(file, min_area=rollout.min_area)
    districts, unknown = _districts(rollout.city, {r.district for r in rows})
    if unknown:
        lines = [
            f"第{r.line}行：{rollout.city.name}没有区县“{r.district}”"
            for r in rows
            if r.district in unknown
        ]
        raise importing.WorkbookRefused(lines)
    before = rollout.units.count()
    rollout.units.all().delete()
    RolloutUnit.objects.bulk_create(
        RolloutUnit(
            rollout=rollout,
            name=r.name,
            district=districts[r.district],
            address=r.address,
            area=r.area,
            outlets=r.outlets,
            first_batch=r.first_batch,
        )
        for r in rows
    )
    record(
        acting_user,
        "rollout.ledger_imported",
        rollout,
        changes={"units": [before, len(rows)]},
        reason=source_name,
    )
    return len(rows)


def milestone_rows(text: str) -> list[dict]:
    """Milestones typed one per line: ``2024-03-31 287 744 试点 重点区域内试点单位安装``.

    Date, units, outlets, an optional ``试点`` (only the first batch counts), then the label."""
    out, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            due = dt.date.fromisoformat(parts[0])
            units, outlets = int(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            errors.append(f"第{number}行应为“日期 单位数 排烟口数 [试点] 说明”")
            continue
        rest = parts[3:]
        first = bool(rest) and rest[0] == "试点"
        label = " ".join(rest[1:] if first else rest) or f"完成 {units} 家、{outlets} 处"
        out.append(
            {
                "due": due,
                "units": units,
                "outlets": outlets,
                "first_batch_only": first,
                "label": label[:200],
            }
        )
    if errors:
        raise ValidationError({"milestones": errors})
    return out
