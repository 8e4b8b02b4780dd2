"""The office decides on findings (audited); leaders read; nobody else sees them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from crosscheck import services
from crosscheck.models import Finding, Rule, Status
from crosscheck.sweep import sweep
from lantian.lib import tz

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(fume_line):
    now = tz.now()
    return Finding.objects.create(
        rule=Rule.CLAIM,
        key="claim:test",
        severity="high",
        title="市城管局报送油烟在线监测安装 287 家，平台数据为 2",
        detail="依据",
        unit=fume_line.unit,
        line=fume_line,
        first_found_at=now,
        last_found_at=now,
    )


def test_confirming_with_referral_proposes_accountability_on_the_line(world, finding):
    from ledger.models import Proposal

    finding, proposal = services.confirm(
        finding, note="现场核实仅 2 家联网", refer=True, acting_user=world.office
    )
    assert finding.status == Status.CONFIRMED and finding.decided_by == world.office
    assert proposal.kind == "accountability" and proposal.assignment == finding.line
    assert Proposal.objects.filter(key="crosscheck:claim:test").count() == 1
    assert AuditEvent.objects.filter(action="finding.confirmed", object_id=str(finding.pk)).exists()
    with pytest.raises(ValidationError):
        services.dismiss(finding, note="重复处理", acting_user=world.office)


def test_dismissing_needs_a_reason_and_survives_the_next_sweep(world, finding):
    with pytest.raises(ValidationError):
        services.dismiss(finding, note=" ", acting_user=world.office)
    services.dismiss(finding, note="系统外已安装，未接入平台，已另行督办", acting_user=world.office)
    sweep()
    finding.refresh_from_db()
    assert finding.status == Status.DISMISSED


@pytest.mark.parametrize("who", ["leader", "huyi", "reviewer", "inspector"])
def test_only_the_office_decides(world, finding, who):
    with pytest.raises(PermissionDenied):
        services.confirm(finding, note="", acting_user=getattr(world, who))
    finding.refresh_from_db()
    assert finding.status == Status.OPEN


def test_pages_office_decides_leader_reads_officers_and_public_are_refused(client, world, finding):
    url = reverse("crosscheck-finding", args=[finding.pk])
    client.force_login(world.office)
    assert finding.title in client.get(reverse("crosscheck-findings")).content.decode()
    assert "转问责建议" in client.get(url).content.decode()
    client.post(
        reverse("crosscheck-decide", args=[finding.pk]), {"decision": "dismiss", "note": ""}
    )
    finding.refresh_from_db()
    assert finding.status == Status.OPEN  # no reason given: refused, nothing changed
    client.force_login(world.leader)
    body = client.get(url).content.decode()
    assert finding.title in body and "转问责建议" not in body
    client.post(
        reverse("crosscheck-decide", args=[finding.pk]), {"decision": "dismiss", "note": "x"}
    )
    finding.refresh_from_db()
    assert finding.status == Status.OPEN
    for user in (world.huyi, world.lintong, world.inspector, world.outsider):
        client.force_login(user)
        assert client.get(reverse("crosscheck-findings")).status_code == 403
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_api_lists_findings_for_the_office_and_refuses_officers(client, world, finding):
    url = "/api/v1/crosscheck/findings"
    client.force_login(world.office)
    (row,) = client.get(url).json()
    assert row["title"] == finding.title and row["line_id"] == finding.line_id
    client.force_login(world.huyi)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 401


def test_referral_is_offered_only_for_findings_on_a_ledger_line(client, world, finding):
    client.force_login(world.office)
    url = reverse("crosscheck-finding", args=[finding.pk])
    assert 'name="refer"' in client.get(url).content.decode()
    Finding.objects.filter(pk=finding.pk).update(line=None)
    assert 'name="refer"' not in client.get(url).content.decode()
