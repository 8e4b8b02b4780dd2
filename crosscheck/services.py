"""The office's decisions on findings; each one audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import is_office
from audit.log import record
from crosscheck.models import Finding, Status
from lantian.lib import tz


def _decide(finding: Finding, status: str, note: str, acting_user) -> Finding:
    if not is_office(acting_user):
        raise PermissionDenied(_("只有整改办、专项办可以处理核验发现"))
    if finding.status not in (Status.OPEN, Status.CLEARED):
        raise ValidationError(_("该发现已处理"), code="decided")
    before = finding.status
    finding.status, finding.decision_note = status, note[:500]
    finding.decided_at, finding.decided_by = tz.now(), acting_user
    finding.save()
    record(
        acting_user, f"finding.{status}", finding, changes={"status": [before, status]}, reason=note
    )
    return finding


@transaction.atomic
def confirm(finding: Finding, *, note: str, refer: bool = False, acting_user):
    """Confirm a finding; with ``refer``, propose 问责 for the ledger line it concerns."""
    finding = _decide(finding, Status.CONFIRMED, note, acting_user)
    proposal = None
    if refer:
        if finding.line is None:
            raise ValidationError(_("该发现没有对应的台账任务，无法转问责建议"), code="no_line")
        from ledger.choices import SupervisionKind
        from ledger.services import propose_supervision

        proposal = propose_supervision(
            SupervisionKind.ACCOUNTABILITY,
            reason=f"数据核验：{finding.title}。{note}".strip(),
            line=finding.line,
            key=f"crosscheck:{finding.key}"[:200],
        )
    return finding, proposal


@transaction.atomic
def dismiss(finding: Finding, *, note: str, acting_user) -> Finding:
    if not note.strip():
        raise ValidationError(_("排除需说明理由"), code="reason")
    return _decide(finding, Status.DISMISSED, note, acting_user)
