"""``{{ user|person }}``: who did something, as a person reads it — full name and unit, never a
login name when a name is known (``lantian.lib.labels.person``). A builtin of every template."""

from django import template

from lantian.lib import labels

register = template.Library()


@register.filter
def person(user, fallback: str = "—") -> str:
    if user is None or user == "":
        return fallback
    return labels.person(user)


@register.filter
def name_of(user) -> str:
    """The person's name alone (王立新), the login name only when none is recorded."""
    return labels.full_name(user) or user.get_username()
