"""The AQI tables straight from the packaged regulation files, for pure tests (no database)."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

from airquality.aqi import Table
from regulations.lookup import DATA_DIR, version_from_spec

_SPECS = json.loads((DATA_DIR / "aqi.json").read_text(encoding="utf-8"))
VERSIONS = {spec["code"]: version_from_spec(spec) for spec in _SPECS}
LEVELS = VERSIONS["HJ 633 表2"]
T2012 = Table.from_versions(VERSIONS["HJ 633-2012"], LEVELS)
T2026 = Table.from_versions(VERSIONS["HJ 633-2026"], LEVELS)
TABLES = {"2012": T2012, "2026": T2026}


def raw_nodes(code: str, key: str) -> list:
    return VERSIONS[code].number(key).value


def reference_iaqi(nodes: list, iaqis: list, c: Decimal) -> int:
    """An independent textbook reading of HJ 633 §6.1, in exact fractions, for the tests."""
    c = Fraction(c)
    for i in range(1, len(nodes)):
        lo, hi = Fraction(str(nodes[i - 1])), Fraction(str(nodes[i]))
        if lo <= c <= hi:
            exact = iaqis[i - 1] + Fraction(iaqis[i] - iaqis[i - 1]) * (c - lo) / (hi - lo)
            return -int(-exact // 1)
    raise AssertionError("above the table")
