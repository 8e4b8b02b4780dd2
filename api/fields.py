"""Input types of the API, so that bounds and character rules are stated once and appear in
the OpenAPI: clients (and schemathesis) see what is accepted, and nothing reaches a query or
the database that it cannot hold (PostgreSQL refuses NUL in text; offsets and ids have ranges).

Text fields refuse C0 control characters other than tab, newline and carriage return, and DEL;
one-line fields and filters refuse those three too. A lone surrogate cannot be stored as UTF-8
and is refused by the pattern check as well.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

MAX_ID = 2**63 - 1  # bigint primary keys
MAX_OFFSET = 1_000_000
MAX_LIMIT = 2000

_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_LINE = r"^[^\x00-\x1f\x7f]*$"

Text = Annotated[str, StringConstraints(max_length=20_000, pattern=_TEXT)]
Line = Annotated[str, StringConstraints(max_length=300, pattern=_LINE)]
Filter = Annotated[str, StringConstraints(max_length=100, pattern=_LINE)]


def line(max_length: int):
    """A one-line field that fits a ``CharField(max_length=…)``."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=_LINE)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=1900, le=2199)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="最多返回的条数")]
# Body numbers are strict: JSON true/false is not a number (pydantic would read it as 1/0).
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
# Matches the ledger's DecimalField(max_digits=16, decimal_places=4): finite, at most 12 digits
# before the point.
Quantity = Annotated[Decimal, Field(max_digits=16, decimal_places=4, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e12, le=1e12)]

# Dates and times as ISO strings only (pydantic would also take 0 as 1970-01-01), in years the
# platform can compute with (a day after 9999-12-31 does not exist).
_DAY = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
_MOMENT = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"


def _iso(pattern: str, what: str):
    compiled = re.compile(pattern)

    def check(value):
        if isinstance(value, str) and not compiled.match(value):
            raise ValueError(f"应为{what}，年份在 1900–2199 之间")
        if not isinstance(value, str | dt.date):
            raise ValueError(f"应为{what}")
        return value

    return check


Day = Annotated[
    dt.date,
    BeforeValidator(_iso(_DAY, "日期（YYYY-MM-DD）")),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY}),
]
Moment = Annotated[
    dt.datetime,
    BeforeValidator(_iso(_MOMENT, "时间（ISO 8601，如 2026-03-01T08:00:00+08:00）")),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _MOMENT}),
]


def page(queryset, offset: int, limit: int):
    """One page of a list; bounds are already checked by the parameter types."""
    return queryset[offset : offset + limit]
