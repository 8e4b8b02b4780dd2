"""Reading numbers and dates from a query string that anyone can type or forge.

A view that passes ``request.GET["district"]`` to the ORM turns ``?district=abc`` into a
ValueError and ``?district=99999999999999999999`` into an OverflowError: a server error for
a mistyped link. These readers give None (or the fallback) for anything that is not a plain,
in-range value, so a page shows its unfiltered state instead.
"""

from __future__ import annotations

import datetime as dt

# the largest key any of our tables can hold (PostgreSQL bigint, SQLite INTEGER)
MAX_ID = 2**63 - 1


def integer(params, name: str, *, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """``params[name]`` as an int in ``lo..hi``, or None. ASCII digits only: ``'²'.isdigit()``
    is true and ``int('²')`` fails."""
    value = str(params.get(name) or "").strip()
    if value.startswith("-"):
        digits, sign = value[1:], -1
    else:
        digits, sign = value, 1
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    number = sign * int(digits)
    return number if lo <= number <= hi else None


def key(params, name: str) -> int | None:
    """A primary key: a positive int that fits the database."""
    return integer(params, name, lo=1)


def year(params, name: str = "year") -> int | None:
    return integer(params, name, lo=2000, hi=2100)


def date(params, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(params.get(name) or "")[:10])
    except ValueError:
        return None


def without(params, *names: str) -> str:
    """The query string with ``names`` left out: the filter a pager or an export link carries
    on (``page`` would pin every link to the page it was made on)."""
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
