"""In Chromium (issue 12, item 5): two members of a review group sign the acceptance, each
logged in as themself, the leader records the third member's paper signature, and then the
leader concludes the round."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from conftest import make_user
from lantian.lib import tz
from ledger import services
from ledger.services import MemberEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_members_sign_and_the_group_concludes(page, live_server, login, world, huyi_line):
    expert = make_user("expert", ("西安市住房和城乡建设局", Role.REVIEWER))
    today = tz.local_today()
    services.submit_report(
        huyi_line,
        period=today.replace(day=1),
        narrative="已完成整改",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="申请", acting_user=world.huyi)
    services.form_review_group(
        acceptance,
        members=[
            MemberEntry("张建国", "leader", "市住建局", world.reviewer),
            MemberEntry("刘敏", "expert", "西安建筑科技大学", expert),
            MemberEntry("陈晓", "staff", "市生态环境局"),
        ],
        visit_date=today,
        acting_user=world.reviewer,
    )
    for item in acceptance.lines.all():
        services.record_check(item, result="pass", note="现场核实", acting_user=world.reviewer)
    url = f"{live_server.url}{reverse('ledger-acceptance', args=[acceptance.pk])}"
    leader, member, paper = acceptance.members.order_by("id")

    # the expert signs for themself: one button, on their own row only
    login("expert", "pw-expert")
    page.goto(url)
    assert page.locator("#members .sign-form").count() == 1
    assert page.locator(f"#member-{leader.pk} .sign-form").count() == 0
    page.click(f"#member-{member.pk} .sign-form button")
    page.wait_for_selector(f"#member-{member.pk} >> text=本人在线签字")
    # the round cannot conclude yet: the leader has not signed
    page.context.clear_cookies()
    login("reviewer", "pw-reviewer")
    page.goto(url)
    page.check("#conclusion-form input[name=passed][value='1']")
    page.fill("#conclusion-form textarea[name=conclusion]", "逐项核查符合要求，同意销号。")
    page.click("#conclusion-form button[type=submit]")
    page.wait_for_selector("#conclusion-form >> text=尚有验收组成员未签字：张建国、陈晓")

    page.click(f"#member-{leader.pk} .sign-form button")
    page.wait_for_selector(f"#member-{leader.pk} >> text=本人在线签字")
    page.click(f"#member-{paper.pk} summary")
    page.fill(f"#member-{paper.pk} textarea", "陈晓已在纸质验收意见上签字，原件存档")
    page.click(f"#member-{paper.pk} .paper-form button")
    page.wait_for_selector(f"#member-{paper.pk} >> text=组长代录纸质签字")
    row = page.inner_text(f"#member-{member.pk}")
    assert "刘敏" in row and "西安建筑科技大学" in row and today.isoformat() in row
    page.check("#conclusion-form input[name=passed][value='1']")
    page.fill("#conclusion-form textarea[name=conclusion]", "逐项核查符合要求，同意销号。")
    page.click("#conclusion-form button[type=submit]")
    page.wait_for_selector("#acceptance-state.ok")
    huyi_line.refresh_from_db()
    assert huyi_line.status == "closed"
    assert acceptance.members.filter(signed_at__isnull=False).count() == 3
