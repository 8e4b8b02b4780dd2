"""The Chinese words for lamps and their reasons (``ledger.lamps`` stays free of Django)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import lamps

NAMES = {
    lamps.RED: gettext_lazy("红灯"),
    lamps.YELLOW: gettext_lazy("黄灯"),
    lamps.GREEN: gettext_lazy("绿灯"),
    lamps.GREY: gettext_lazy("灰灯"),
}

MEANINGS = {
    lamps.RED: gettext_lazy("逾期或退回整改"),
    lamps.YELLOW: gettext_lazy("临近时限或月度进展未报"),
    lamps.GREEN: gettext_lazy("按计划推进"),
    lamps.GREY: gettext_lazy("已验收销号"),
}


def name(colour: str) -> str:
    return str(NAMES.get(colour, ""))


def reason(r: lamps.Reason) -> str:
    if r.kind == lamps.OVERDUE:
        return _("逾期 %(days)s 天") % {"days": r.days}
    if r.kind == lamps.RETURNED:
        return _("退回整改")
    if r.kind == lamps.DUE_SOON:
        return _("今日到期") if r.days == 0 else _("距时限 %(days)s 天") % {"days": r.days}
    if r.kind == lamps.REPORT_MISSING:
        return _("%(year)s年%(month)s月进展未报") % {"year": r.period.year, "month": r.period.month}
    if r.kind == lamps.CLOSED:
        return _("已验收销号")
    return _("按计划推进")


def explain(lamp: lamps.Lamp) -> str:
    """``逾期 12 天；2026年11月进展未报``."""
    return "；".join(dict.fromkeys(reason(r) for r in lamp.reasons))


def legend(rules: lamps.Rules) -> list[dict]:
    """The legend shown beside lamps, with the thresholds in force and where they come from."""
    yellow = _("距整改时限 %(days)s 天内，或月度进展逾期未报") % {"days": rules.due_soon_days}
    red = _("超过整改时限，或验收不通过退回整改")
    return [
        {"colour": lamps.RED, "name": name(lamps.RED), "meaning": red},
        {"colour": lamps.YELLOW, "name": name(lamps.YELLOW), "meaning": yellow},
        {"colour": lamps.GREEN, "name": name(lamps.GREEN), "meaning": str(MEANINGS[lamps.GREEN])},
        {"colour": lamps.GREY, "name": name(lamps.GREY), "meaning": str(MEANINGS[lamps.GREY])},
    ]
