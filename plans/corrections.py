"""The office's corrections in the import preview are read by the same readers as the import.

A deadline typed as ``2024年6月底``, ``2024-06-30``, ``6月底前``, ``长期坚持`` or ``立行立改`` means
what it would mean in the document; anything the readers cannot read is refused with a reason
(the form shows it beside the field and keeps what was typed), never stored as "no deadline".
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from plans.extract.dates import find_dates
from plans.extract.tasks import _deadline as read_deadline_field

EXAMPLES = "2024年6月底、2024-06-30、6月底前、长期坚持、立行立改"


class Unreadable(ValueError):
    """A corrected value the import's readers cannot read; the message says how to write it."""


def _issued(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def read_deadline(text: str, *, year: int | None, issued=None) -> dict:
    """``{"deadline": ISO or None, "deadline_raw", "immediate", "ongoing"}`` for a typed
    完成时限, as the import reads a deadline field. Empty or unreadable → ``Unreadable``."""
    raw = (text or "").strip()
    if not raw:
        raise Unreadable(_("请填写完成时限（如 %(examples)s）") % {"examples": EXAMPLES})
    read = read_deadline_field(raw, year, _issued(issued))
    if not (read["deadline"] or read["immediate"] or read["ongoing"]):
        raise Unreadable(
            _("无法识别“%(raw)s”，请写成 %(examples)s 等") % {"raw": raw, "examples": EXAMPLES}
        )
    return {
        "deadline": read["deadline"],
        "deadline_raw": raw,
        "immediate": bool(read["immediate"]),
        "ongoing": bool(read["ongoing"]),
    }


def read_date(text: str, *, year: int | None, issued=None) -> str:
    """One date (a milestone's 时限) as the import reads dates: ISO string, or ``Unreadable``."""
    raw = (text or "").strip()
    if not raw:
        raise Unreadable(_("请填写时限（如 2024年6月底 或 2024-06-30）"))
    for hit in find_dates(raw, year, _issued(issued)):
        if hit.date:
            return hit.date.isoformat()
    raise Unreadable(_("无法识别“%(raw)s”，请写成 2024年6月底 或 2024-06-30") % {"raw": raw})
