"""The only way code reads a regulatory number: by family, key and the date it applies to.

Versions come from the database (editable in the admin); before the data is loaded into a
database, the packaged files in ``regulations/data/`` answer instead, so pure commands such as
``lantian aqi compute`` work on a fresh install.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


class RegulationNotFound(LookupError):
    """No version of the family is in force on the date, or it lacks the key."""


@dataclass(frozen=True)
class Number:
    """A value together with where it comes from."""

    value: Any
    unit: str
    code: str
    source: str
    verified: bool
    effective_from: dt.date


@dataclass
class Version:
    family: str
    code: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    scope: str
    priority: int
    source: str
    verified: bool
    values: dict[tuple[str, str], tuple[Any, str, bool | None]] = field(default_factory=dict)

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def number(self, key: str, variant: str = "") -> Number:
        try:
            value, unit, verified = self.values[(key, variant)]
        except KeyError:
            raise RegulationNotFound(
                f"{self.code} 没有指标 {key}{'/' + variant if variant else ''}"
            ) from None
        return Number(
            value,
            unit,
            self.code,
            self.source,
            self.verified if verified is None else verified,
            self.effective_from,
        )


def _from_files() -> list[Version]:
    from regulations.calendars import package_specs

    versions = []
    for path in sorted(DATA_DIR.glob("*.json")):
        for spec in json.loads(path.read_text(encoding="utf-8")):
            versions.append(version_from_spec(spec))
    return versions + [version_from_spec(spec) for spec in package_specs()]


def version_from_spec(spec: dict) -> Version:
    version = Version(
        family=spec["family"],
        code=spec["code"],
        title=spec["title"],
        effective_from=dt.date.fromisoformat(spec["effective_from"]),
        effective_to=(
            dt.date.fromisoformat(spec["effective_to"]) if spec.get("effective_to") else None
        ),
        scope=spec.get("scope", "全国"),
        priority=spec.get("priority", 0),
        source=spec["source"],
        verified=spec.get("verified", False),
    )
    for row in spec["values"]:
        version.values[(row["key"], row.get("variant", ""))] = (
            row["value"],
            row.get("unit", ""),
            row.get("verified"),
        )
    return version


def _from_database() -> list[Version] | None:
    from django.db import DatabaseError

    from regulations.models import Regulation

    try:
        regulations = list(Regulation.objects.prefetch_related("values"))
    except DatabaseError:
        return None
    versions = []
    for reg in regulations:
        version = Version(
            reg.family,
            reg.code,
            reg.title,
            reg.effective_from,
            reg.effective_to,
            reg.scope,
            reg.priority,
            reg.source,
            reg.verified,
        )
        for row in reg.values.all():
            version.values[(row.key, row.variant)] = (row.value, row.unit, row.verified)
        versions.append(version)
    return versions or None


def _django_ready() -> bool:
    """Django set up in this process (without importing the ORM to find out: a pure command
    such as ``lantian aqi compute`` would pay a sixth of a second for it)."""
    apps = sys.modules.get("django.apps")
    return bool(apps and apps.apps.ready)


@lru_cache(maxsize=1)
def _all_versions() -> tuple[Version, ...]:
    from_db = None
    if _django_ready():
        try:
            from_db = _from_database()
        except Exception:  # Django not configured: a pure caller reading the packaged data
            from_db = None
    if from_db is None:
        return tuple(_from_files())
    # A family the database does not hold yet (a fresh or flushed database where the office
    # added one version by hand) reads the packaged versions, family by family.
    held = {v.family for v in from_db}
    return tuple(from_db + [v for v in _from_files() if v.family not in held])


def clear_cache(**kwargs: Any) -> None:
    _all_versions.cache_clear()
    from lantian.lib import workdays

    workdays.clear_cache()


def versions(family: str) -> list[Version]:
    return [v for v in _all_versions() if v.family == family]


def version(family: str, *, on: dt.date, code: str | None = None) -> Version:
    """The version of ``family`` in force on ``on`` (or the one named ``code``)."""
    candidates = versions(family)
    if code:
        for v in candidates:
            if _same_code(v.code, code):
                return v
        raise RegulationNotFound(f"没有 {family} 的版本 {code}")
    in_force = [v for v in candidates if v.in_force(on) and not _superseded(v, candidates, on)]
    if not in_force:
        raise RegulationNotFound(f"{on} 没有生效的 {family}")
    return max(in_force, key=lambda v: (v.priority, v.effective_from))


def _same_code(a: str, b: str) -> bool:
    def squash(s: str) -> str:
        return s.replace(" ", "").replace("—", "-").upper()

    return squash(a) == squash(b)


def _superseded(v: Version, candidates: list[Version], on: dt.date) -> bool:
    """A later version of the same scope and priority that has started replaces ``v``."""
    return any(
        o is not v
        and o.scope == v.scope
        and o.priority == v.priority
        and v.effective_from < o.effective_from <= on
        and o.in_force(on)
        for o in candidates
    )


def value(family: str, key: str, *, on: dt.date, variant: str = "") -> Number:
    return version(family, on=on).number(key, variant)


def limit_for(family: str, key: str, *, on: dt.date, variant: str = "") -> Number:
    """A limit, e.g. ``limit_for("construction_dust", "tsp", on=d, variant="earthworks")``."""
    return value(family, key, on=on, variant=variant)


def breakpoints(standard: str = "auto", *, on: dt.date | None = None) -> Version:
    """The AQI breakpoint version: by date (``auto``) or by code (``HJ633-2012``)."""
    if standard == "auto":
        if on is None:
            raise ValueError("breakpoints('auto') needs the date of the data")
        return version("aqi_breakpoints", on=on)
    return version("aqi_breakpoints", on=on or dt.date.today(), code=standard)


# --- scoped lookups (emergency) -----------------------------------------------------------

# Scopes that apply wherever the platform runs.
GENERAL_SCOPES = ("全国", "本市")


def local_version(family: str, *, on: dt.date, scope: str, code: str | None = None) -> Version:
    """The version of ``family`` in force on ``on`` for a place (a city's name).

    Like ``version`` but a version scoped to another place never applies: national and
    ``本市`` versions apply everywhere, a local one (``西安市``) only there, where its higher
    priority lets it override the national baseline.
    """
    candidates = [v for v in versions(family) if v.scope in (*GENERAL_SCOPES, scope)]
    if code:
        return version(family, on=on, code=code)
    in_force = [v for v in candidates if v.in_force(on) and not _superseded(v, candidates, on)]
    if not in_force:
        raise RegulationNotFound(f"{on} {scope} 没有生效的 {family}")
    return max(in_force, key=lambda v: (v.priority, v.effective_from))
