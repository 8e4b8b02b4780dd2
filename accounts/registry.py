"""Load the unit registry from its data file, and resolve names that plans use to units.

The data file (``accounts/data/registry.json``) lists each city's districts, units and group
phrases. Loading is idempotent: it updates what exists and adds what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accounts.choices import BODY_UNIT_KIND, ZONE_KINDS, DistrictKind, UnitKind
from accounts.models import District, Unit, UnitAlias, UnitGroup
from plans.extract.units import normalise

REGISTRY_FILE = Path(__file__).parent / "data" / "registry.json"


def _bodies_for(kind: str) -> tuple[str, ...]:
    return ("党工委", "管委会") if kind in ZONE_KINDS else ("党委", "政府")


def _body_name(district: str, body: str) -> str:
    """Plans write 鄠邑区委, not 鄠邑区党委; zones keep 党工委 and 管委会."""
    return f"{district}委" if body == "党委" else f"{district}{body}"


@transaction.atomic
def load_registry(path: Path = REGISTRY_FILE) -> dict[str, int]:
    """Create or update every city, district, unit, alias and group in the data file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = {"cities": 0, "units": 0, "groups": 0}
    for spec in data["cities"]:
        city, _ = District.objects.update_or_create(
            name=spec["name"], parent=None, defaults={"kind": DistrictKind.CITY}
        )
        counts["cities"] += 1
        counts["units"] += _load_districts(city, spec["districts"])
        counts["units"] += _load_units(city, spec["units"])
        counts["groups"] += _load_groups(city, spec["groups"])
    return counts


def _upsert_unit(city, name, kind, aliases=(), *, full_name="", district=None, parent=None):
    unit, _ = Unit.objects.update_or_create(
        city=city,
        name=name,
        defaults={
            "kind": kind,
            "full_name": full_name or name,
            "district": district,
            "parent": parent,
            "proposed": False,
        },
    )
    for alias in {normalise(a) for a in aliases} - {name}:
        UnitAlias.objects.update_or_create(city=city, alias=alias, defaults={"unit": unit})
    return unit


def _load_districts(city: District, rows: list) -> int:
    count = 0
    for row in rows:
        name, kind, aliases = row[0], row[1], (row[2] if len(row) > 2 else [])
        district, _ = District.objects.update_or_create(
            parent=city, name=name, defaults={"kind": kind, "aliases": aliases}
        )
        for body in _bodies_for(kind):
            names = [f"{a}{body}" for a in [name, *aliases]]
            if body == "党委":
                names += [f"{a}委" for a in aliases]
            if body == "政府":
                names += [f"{a}人民政府" for a in [name, *aliases]]
            full = (
                f"中共{city.name}{name}委员会"
                if body == "党委"
                else f"{city.name}{name}人民政府"
                if body == "政府"
                else f"{city.name}{name}{body}"
            )
            _upsert_unit(
                city,
                _body_name(name, body),
                BODY_UNIT_KIND[body],
                names,
                full_name=full,
                district=district,
            )
            count += 1
    return count


def _load_units(city: District, rows: list) -> int:
    for row in rows:
        name, kind, aliases = row[0], row[1], row[2]
        parent = Unit.objects.get(city=city, name=row[3]) if len(row) > 3 else None
        _upsert_unit(city, name, kind, aliases, parent=parent)
    return len(rows)


def _load_groups(city: District, rows: list) -> int:
    count = 0
    for name, rule, aliases in rows:
        count += _upsert_group(city, name, aliases, _members(city, rule), rule.get("open", False))
        kinds = rule.get("district_kinds")
        if not kinds:
            continue
        bodies = {b for k in kinds for b in _bodies_for(k)}
        if "政府" in bodies:
            bodies.add("政府（管委会）")
        for body in bodies:
            members = _members(city, {**rule, "bodies": [body]})
            count += _upsert_group(
                city,
                f"{name}{body}",
                [f"{a}{body}" for a in aliases],
                members,
                rule.get("open", False),
            )
    return count


def _members(city: District, rule: dict) -> list[Unit]:
    units = Unit.objects.filter(city=city, proposed=False)
    if "units" in rule:
        return list(units.filter(name__in=rule["units"]))
    if "unit_kinds" in rule:
        return list(units.filter(kind__in=rule["unit_kinds"]))
    if "district_kinds" not in rule:
        return []
    bodies = rule.get("bodies", ["党委", "政府", "党工委", "管委会"])
    kinds = [BODY_UNIT_KIND[b] for b in bodies if b in BODY_UNIT_KIND]
    picked = list(units.filter(district__kind__in=rule["district_kinds"], kind__in=kinds))
    if "政府（管委会）" in bodies:
        picked += list(units.filter(district__kind__in=ZONE_KINDS, kind=UnitKind.ZONE_ADMIN))
        picked += list(
            units.filter(district__kind__in=rule["district_kinds"], kind=UnitKind.GOVERNMENT)
        )
    return picked


def _upsert_group(city, name, aliases, members, is_open) -> int:
    group, _ = UnitGroup.objects.update_or_create(
        city=city, name=name, defaults={"aliases": [normalise(a) for a in aliases], "open": is_open}
    )
    group.members.set(members)
    return 1


@dataclass
class Resolution:
    """What a name in a plan refers to: one unit, a group, a whole area, or nothing known."""

    name: str
    unit: Unit | None = None
    group: UnitGroup | None = None
    district: District | None = None
    units: list[Unit] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return bool(self.unit or self.group or self.district)


class UnitIndex:
    """Every name a city's units, groups and districts are known by, in memory."""

    def __init__(self, city: District):
        self.city = city
        self.units: dict[str, Unit] = {}
        self.groups: dict[str, UnitGroup] = {}
        self.districts: dict[str, District] = {}
        for unit in Unit.objects.filter(city=city):
            self.units.setdefault(unit.name, unit)
            self.units.setdefault(normalise(unit.full_name), unit)
        for alias in UnitAlias.objects.filter(city=city).select_related("unit"):
            self.units.setdefault(alias.alias, alias.unit)
        for group in UnitGroup.objects.filter(city=city).prefetch_related("members"):
            for key in [group.name, *group.aliases]:
                self.groups.setdefault(normalise(key), group)
        for district in District.objects.filter(parent=city):
            for key in [district.name, *district.aliases]:
                self.districts.setdefault(normalise(key), district)

    def resolve(self, name: str) -> Resolution:
        key = normalise(name)
        if key in self.units:
            unit = self.units[key]
            return Resolution(name, unit=unit, units=[unit])
        if key in self.groups:
            group = self.groups[key]
            return Resolution(name, group=group, units=list(group.members.all()))
        if key in self.districts:
            district = self.districts[key]
            bodies = [u for u in self.units.values() if u.district_id == district.pk]
            return Resolution(name, district=district, units=list(dict.fromkeys(bodies)))
        return Resolution(name)


def city_named(name: str) -> District | None:
    return District.objects.filter(parent=None, name=name).first()
