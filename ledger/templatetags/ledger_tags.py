from django import template
from django.utils.translation import gettext as _

register = template.Library()

_STATUS_CLASS = {"closed": "ok", "applied": "warn", "returned": "bad", "sustained": "ok"}


@register.filter
def status_class(status: str) -> str:
    """The badge colour of a line status."""
    return _STATUS_CLASS.get(status, "")


@register.filter
def days_since(day, today):
    """Whole days from ``day`` to ``today`` (for "逾期 N 天")."""
    if not day or not today:
        return 0
    return (today - day).days


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("ledger/_lamp.html")
def lamp(value, compact=False):
    """A lamp (``ledger.lamps.Lamp``) as a coloured dot, its name and why (``title``)."""
    from ledger import lampwords

    return {
        "lamp": value,
        "name": lampwords.name(value.colour) if value else "",
        "why": lampwords.explain(value) if value else "",
        "compact": compact,
    }


@register.filter
def imports_workbook(user) -> bool:
    """Whether to offer the Excel progress import (not to read-only roles)."""
    from ledger.excel import may_import

    return may_import(user)


@register.filter
def lamp_name(colour: str) -> str:
    from ledger import lampwords

    return lampwords.name(colour)


@register.filter
def rule_kind(kind: str) -> str:
    """A plan's guarantee rule by its name (月报, 细化方案期限 …), never its code."""
    from ledger.choices import RULE_KINDS

    return str(RULE_KINDS.get(kind, _("保障要求")))
