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


@register.filter
def frame_reason(code: str) -> str:
    """Why the gateway set a frame aside, in words (``bad_crc`` → ``CRC 校验错误``)."""
    return names.frame_reason(code)
