"""Putting a service's refusal on the form the person filled in, beside the field it concerns."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def refuse(form, exc: ValidationError, fields: dict[str, str | None] | None = None) -> None:
    """Add each message of ``exc`` to ``form`` once: beside the field its code names (or the
    field ``fields`` maps the code to), else at the top of the form."""
    mapping = fields or {}
    seen = set()
    for error in exc.error_list:
        code = error.code or ""
        target = mapping.get(code, code)
        target = target if target in form.fields else None
        message = " ".join(ValidationError(error).messages)
        if (target, message) in seen or message in form.errors.get(target or "__all__", []):
            continue
        seen.add((target, message))
        form.add_error(target, message)
