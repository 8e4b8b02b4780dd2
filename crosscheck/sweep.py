"""Run every cross-check and keep the findings: one row per key, never duplicated.

A finding found again is refreshed; one the data no longer support is marked cleared (it
comes back if the data change again). The office's decisions (confirmed, dismissed) are kept:
a dismissed finding is not reopened by the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction

from audit.log import record
from crosscheck import memo, signals
from crosscheck.models import Finding, Status
from crosscheck.rules import RULES, Found
from lantian.lib import tz

log = logging.getLogger("lantian.crosscheck")


@dataclass
class SweepResult:
    found: int = 0
    new: int = 0
    reopened: int = 0
    cleared: int = 0
    failed: list[str] = field(default_factory=list)
    signals: int = 0


def sweep(now: dt.datetime | None = None, rules=None) -> SweepResult:
    now = now or tz.now()
    result = SweepResult()
    memo.begin()
    try:
        for code, rule in (rules or RULES).items():
            try:
                found = list(rule(now))
            except Exception:  # one broken rule never stops the others; its findings stay
                log.exception("cross-check %s failed", code)
                result.failed.append(str(code))
                continue
            _keep(code, found, now, result)
        if rules is None:
            try:
                result.signals = signals.keep(signals.air_worsening(now), now)
            except Exception:
                log.exception("weak signals failed")
                result.failed.append("air_worsening")
    finally:
        memo.end()
    return result


@transaction.atomic
def _keep(code: str, found: list[Found], now: dt.datetime, result: SweepResult) -> None:
    result.found += len(found)
    existing = {f.key: f for f in Finding.objects.select_for_update().filter(rule=code)}
    for item in found:
        fields = {
            "severity": item.severity,
            "title": item.title[:300],
            "detail": item.detail,
            "facts": item.facts,
            "unit_id": item.unit_id,
            "district_id": item.district_id,
            "subject_url": item.url[:300],
            "line_id": item.line_id,
            "last_found_at": now,
        }
        finding = existing.get(item.key[:200])
        if finding is None:
            finding = Finding.objects.create(
                rule=code, key=item.key[:200], first_found_at=now, **fields
            )
            record(
                None,
                "finding.found",
                finding,
                changes={"status": [None, Status.OPEN]},
                reason=item.title[:300],
            )
            result.new += 1
            continue
        for name, value in fields.items():
            setattr(finding, name, value)
        if finding.status == Status.CLEARED:
            finding.status = Status.OPEN
            record(
                None,
                "finding.reopened",
                finding,
                changes={"status": [Status.CLEARED, Status.OPEN]},
                reason=item.title[:300],
            )
            result.reopened += 1
        finding.save()
    keys = {item.key[:200] for item in found}  # as stored
    for key, finding in existing.items():
        if key not in keys and finding.status == Status.OPEN:
            finding.status = Status.CLEARED
            finding.save(update_fields=["status"])
            record(
                None,
                "finding.cleared",
                finding,
                changes={"status": [Status.OPEN, Status.CLEARED]},
                reason="数据已不支持该发现",
            )
            result.cleared += 1
