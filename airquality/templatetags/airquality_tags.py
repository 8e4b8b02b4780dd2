from django import template

from accounts import access

register = template.Library()


@register.filter
def is_office(user) -> bool:
    return access.is_office(user)


@register.filter
def sees_everything(user) -> bool:
    return access.sees_everything(user)
