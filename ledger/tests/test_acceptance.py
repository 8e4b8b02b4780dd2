import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit.log import history
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.models import Acceptance, Assignment
from ledger.replay import group_signs
from ledger.services import MemberEntry

pytestmark = pytest.mark.django_db


def group(world):
    """The leader signs in as ``reviewer``; the two others sign on paper."""
    return [
        MemberEntry("张工", "leader", "市住建局", world.reviewer),
        MemberEntry("李专家", "expert", "西安建筑科技大学"),
        MemberEntry("王科长", "staff", "市生态环境局"),
    ]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        yield


def _report(line, user):
    return services.submit_report(
        line,
        period=dt.date(2024, 5, 1),
        narrative="已完成整改",
        percent=100,
        acting_user=user,
        no_evidence_reason="无佐证（测试）",
    )


def _apply(line, user):
    return services.apply_for_acceptance(line, note="五项措施均已落实", acting_user=user)


def test_the_review_unit_is_the_acceptance_lead(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    assert acceptance.review_unit.name == "西安市住房和城乡建设局"
    huyi_line.refresh_from_db()
    assert huyi_line.status == "applied"
    # The review unit's members are told.
    assert world.reviewer.notifications.filter(kind="ledger.acceptance").exists()


def test_the_checklist_comes_from_the_lines_measures_milestones_and_goal(world, lintong_line):
    _report(lintong_line, world.lintong)
    acceptance = _apply(lintong_line, world.lintong)
    services.form_review_group(
        acceptance,
        members=group(world),
        visit_date=dt.date(2024, 5, 18),
        acting_user=world.reviewer,
    )
    sources = [line.source for line in acceptance.lines.all()]
    assert sources == ["measure", "milestone", "goal"]
    assert "水泥制品厂" in acceptance.lines.first().text
    assert acceptance.members.count() == 3


def test_pass_closes_the_line_out_with_date_and_signatories(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    services.form_review_group(
        acceptance,
        members=group(world),
        visit_date=dt.date(2024, 5, 18),
        acting_user=world.reviewer,
    )
    for line in acceptance.lines.all():
        services.record_check(line, result="pass", note="现场核实", acting_user=world.reviewer)
    group_signs(acceptance, world.reviewer, dt.date(2024, 5, 18))
    services.conclude_acceptance(
        acceptance,
        passed=True,
        conclusion="整改到位，同意销号",
        acting_user=world.reviewer,
    )
    huyi_line.refresh_from_db()
    assert huyi_line.status == "closed" and huyi_line.closed_on == dt.date(2024, 5, 18)
    acceptance.refresh_from_db()
    assert acceptance.passed and acceptance.members.filter(signed_at__isnull=False).count() == 3
    assert history(huyi_line).last().action == "line.closed_out"
    assert world.huyi.notifications.filter(title__contains="已销号").exists()


def test_pass_needs_every_line_checked_no_failures_and_every_signature(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    services.form_review_group(
        acceptance,
        members=group(world),
        visit_date=dt.date(2024, 5, 18),
        acting_user=world.reviewer,
    )
    group_signs(acceptance, world.reviewer, dt.date(2024, 5, 18))
    with pytest.raises(ValidationError, match="未核查"):
        services.conclude_acceptance(
            acceptance, passed=True, conclusion="ok", acting_user=world.reviewer
        )
    lines = list(acceptance.lines.all())
    for line in lines:
        services.record_check(line, result="pass", acting_user=world.reviewer)
    # the findings changed after the group signed: the signatures are void
    assert not acceptance.members.filter(signed_at__isnull=False).exists()
    with pytest.raises(ValidationError, match="签字"):
        services.conclude_acceptance(
            acceptance, passed=True, conclusion="ok", acting_user=world.reviewer
        )
    with pytest.raises(ValidationError, match="问题"):
        services.record_check(lines[0], result="fail", acting_user=world.reviewer)
    services.record_check(
        lines[0], result="fail", note="平台无人值守记录", acting_user=world.reviewer
    )
    group_signs(acceptance, world.reviewer, dt.date(2024, 5, 18))
    with pytest.raises(ValidationError, match="不符合项"):
        services.conclude_acceptance(
            acceptance, passed=True, conclusion="ok", acting_user=world.reviewer
        )


def test_fail_returns_the_line_with_reasons_and_it_can_apply_again(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    services.form_review_group(
        acceptance,
        members=group(world),
        visit_date=dt.date(2024, 5, 18),
        acting_user=world.reviewer,
    )
    group_signs(acceptance, world.reviewer, dt.date(2024, 5, 18))
    services.conclude_acceptance(
        acceptance, passed=False, conclusion="保洁人员不足两名", acting_user=world.reviewer
    )
    huyi_line.refresh_from_db()
    assert huyi_line.status == "returned" and huyi_line.closed_on is None
    second = _apply(huyi_line, world.huyi)
    assert second.round == 2


def test_only_the_review_unit_runs_the_acceptance(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    for user in (world.huyi, world.lintong, world.inspector, world.outsider):
        with pytest.raises(PermissionDenied):
            services.form_review_group(
                acceptance, members=group(world), visit_date=None, acting_user=user
            )


def test_reopen_needs_a_reason_and_the_office(world, huyi_line):
    _report(huyi_line, world.huyi)
    acceptance = _apply(huyi_line, world.huyi)
    services.form_review_group(
        acceptance, members=group(world), visit_date=dt.date(2024, 5, 18), acting_user=world.office
    )
    for line in acceptance.lines.all():
        services.record_check(line, result="pass", acting_user=world.office)
    group_signs(acceptance, world.reviewer, dt.date(2024, 5, 18))
    services.conclude_acceptance(
        acceptance, passed=True, conclusion="同意销号", acting_user=world.office
    )
    with pytest.raises(ValidationError):
        services.transition(huyi_line, "reopen", acting_user=world.huyi, reason="问题反弹")
    with pytest.raises(ValidationError):
        services.transition(huyi_line, "reopen", acting_user=world.office, reason="")
    services.transition(huyi_line, "reopen", acting_user=world.office, reason="群众举报问题反弹")
    huyi_line.refresh_from_db()
    assert huyi_line.status == "in_progress" and huyi_line.closed_on is None


def assert_closed_lines_have_a_signed_pass():
    """The invariant: a 销号 line has a passing acceptance, signed by every member of its
    group (the leader among them), on the close-out date."""
    for line in Assignment.objects.filter(status="closed"):
        passing = Acceptance.objects.filter(assignment=line, passed=True, state="passed")
        assert passing.exists(), line
        latest = passing.order_by("-round").first()
        signed = latest.members.filter(signed_at__isnull=False)
        assert signed.filter(role="leader").exists(), line
        assert signed.count() == latest.members.count(), line
        assert line.closed_on == latest.visit_date


STEPS = st.lists(
    st.sampled_from(
        [
            "report",
            "apply",
            "group",
            "pass_all",
            "fail_one",
            "sign_leader",
            "sign_all",
            "conclude_pass",
            "conclude_fail",
            "unsigned_pass",
            "withdraw",
            "reopen",
            "sustain",
        ]
    ),
    max_size=14,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
@example(
    steps=[
        "report",
        "apply",
        "group",
        "pass_all",
        "conclude_pass",
        "reopen",
        "apply",
        "group",
        "fail_one",
        "conclude_pass",
        "unsigned_pass",
        "conclude_fail",
    ]
)
@example(steps=["apply", "group", "pass_all", "unsigned_pass", "conclude_pass"])
@example(steps=["apply", "group", "sign_all", "pass_all", "unsigned_pass", "sign_leader"])
def test_a_closed_out_line_always_has_a_signed_passing_acceptance(world, huyi_line, steps):
    with transaction.atomic():
        for step in steps:
            try:
                with transaction.atomic():
                    _do(step, huyi_line, world)
            except (ValidationError, PermissionDenied):
                pass
            assert_closed_lines_have_a_signed_pass()
        transaction.set_rollback(True)


def _do(step, line, world):
    line.refresh_from_db()
    current = line.acceptances.order_by("-round").first()
    if step == "report":
        services.submit_report(
            line,
            period=dt.date(2024, 5, 1),
            narrative=f"进展{step}",
            percent=50,
            correction_reason="更新",
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    elif step == "apply":
        _apply(line, world.huyi)
    elif step == "group" and current:
        services.form_review_group(
            current,
            members=group(world),
            visit_date=dt.date(2024, 5, 18),
            acting_user=world.reviewer,
        )
    elif step in ("pass_all", "fail_one") and current:
        for item in current.lines.all():
            result = "fail" if step == "fail_one" and item.position == 1 else "pass"
            services.record_check(item, result=result, note="核查", acting_user=world.reviewer)
    elif step == "sign_leader" and current and current.members.exists():
        services.sign_acceptance(current.members.get(role="leader"), acting_user=world.reviewer)
    elif step == "sign_all" and current:
        group_signs(current, world.reviewer, dt.date(2024, 5, 18))
    elif step.startswith("conclude") and current:
        for member in current.members.filter(signed_at__isnull=True):
            with transaction.atomic():
                try:
                    if member.role == "leader":
                        services.sign_acceptance(member, acting_user=world.reviewer)
                    else:
                        services.sign_acceptance(
                            member,
                            acting_user=world.reviewer,
                            manner="paper",
                            statement=f"{member.name}已在纸质验收意见上签字",
                            paper_date=dt.date(2024, 5, 18),
                        )
                except (ValidationError, PermissionDenied):
                    pass
        services.conclude_acceptance(
            current, passed=step == "conclude_pass", conclusion="结论", acting_user=world.reviewer
        )
    elif step == "unsigned_pass" and current:
        services.conclude_acceptance(
            current, passed=True, conclusion="结论", acting_user=world.reviewer
        )
    elif step in ("withdraw", "sustain", "reopen"):
        user = world.office if step != "withdraw" else world.huyi
        services.transition(line, step, acting_user=user, reason="理由")


def test_the_acceptance_page_shows_the_units_reports_and_photos_beside_the_checklist(
    client, world, huyi_line
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from ledger.tests.conftest import PNG

    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="料场全封闭，冲洗设施投用",
        percent=100,
        files=[SimpleUploadedFile("封闭料场.png", PNG)],
        acting_user=world.huyi,
    )
    acceptance = _apply(huyi_line, world.huyi)
    client.force_login(world.reviewer)
    page = client.get(reverse("ledger-acceptance", args=[acceptance.pk])).content.decode()
    reports = page[page.index('id="unit-reports"') :]
    assert "2024年5月" in reports and "料场全封闭，冲洗设施投用" in reports
    assert 'alt="封闭料场.png"' in reports and "?thumb=1" in reports
