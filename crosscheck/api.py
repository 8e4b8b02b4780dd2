"""Findings over the API, with the page's rule: office and leaders only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from accounts import access
from api.fields import Limit, Offset, page
from crosscheck.models import Finding, Rule
from crosscheck.models import Status as FindingStatus

router = Router(tags=["数据核验"])
PREFIX = "crosscheck"


class FindingOut(Schema):
    id: int
    rule: str
    severity: str
    status: str
    title: str
    detail: str
    facts: dict
    unit_id: int | None
    district_id: int | None
    line_id: int | None
    first_found_at: dt.datetime
    last_found_at: dt.datetime


@router.get("/findings", response=list[FindingOut])
def list_findings(
    request: HttpRequest,
    status: FindingStatus | Literal["all"] = "open",
    rule: Rule | None = None,
    offset: Offset = 0,
    limit: Limit = 1000,
):
    """Findings by status (``open`` by default, ``all``) and rule."""
    if not access.sees_everything(request.user):
        raise HttpError(403, "只有整改办、专项办和领导可查看数据核验")
    findings = access.restrict(Finding.objects.all(), request.user)
    if status != "all":
        findings = findings.filter(status=status)
    if rule:
        findings = findings.filter(rule=rule)
    return page(findings, offset, limit)
