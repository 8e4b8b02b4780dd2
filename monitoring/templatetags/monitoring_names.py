from django import template

from monitoring import names

register = template.Library()


@register.filter
def pollutant(code: str) -> str:
    """``a34001`` → ``总悬浮颗粒物 TSP``."""
    return names.pollutant(code)


@register.filter
def basis(text: str) -> str:
    """An alarm's 依据 with platform configuration ids replaced by their titles."""
    return names.basis(text or "")
