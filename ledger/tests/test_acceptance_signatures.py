"""Each member of the review group signs for themself (logged in), or the group leader records
a paper signature with a statement naming who signed; the round concludes only once the group
has signed (issue 12, item 5)."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import Role
from audit.log import history
from conftest import make_user
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.services import MemberEntry

pytestmark = pytest.mark.django_db

VISIT = dt.date(2024, 5, 18)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        yield


@pytest.fixture
def expert_user(world):
    return make_user("expert", ("西安市住房和城乡建设局", Role.REVIEWER))


@pytest.fixture
def acceptance(world, huyi_line, expert_user):
    """张工 leads (reviewer), 李专家 signs online (expert), 王科长 has no account (paper);
    every checklist line checked as passing."""
    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="已完成",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="申请", acting_user=world.huyi)
    services.form_review_group(
        acceptance,
        members=[
            MemberEntry("张工", "leader", "市住建局", world.reviewer),
            MemberEntry("李专家", "expert", "西安建筑科技大学", expert_user),
            MemberEntry("王科长", "staff", "市生态环境局"),
        ],
        visit_date=VISIT,
        acting_user=world.reviewer,
    )
    for line in acceptance.lines.all():
        services.record_check(line, result="pass", acting_user=world.reviewer)
    return acceptance


def _members(acceptance):
    return {m.name: m for m in acceptance.members.all()}


def _paper(member, user, statement=None, paper_date=VISIT):
    return services.sign_acceptance(
        member,
        acting_user=user,
        manner="paper",
        statement=statement if statement is not None else f"{member.name}已在纸质意见上签字",
        paper_date=paper_date,
    )


def _conclude(acceptance, user):
    return services.conclude_acceptance(
        acceptance, passed=True, conclusion="同意销号", acting_user=user
    )


def test_a_member_signs_only_for_themself(world, acceptance, expert_user):
    m = _members(acceptance)
    with pytest.raises(PermissionDenied):
        services.sign_acceptance(m["张工"], acting_user=expert_user)
    with pytest.raises(PermissionDenied):  # the leader cannot sign online for a member
        services.sign_acceptance(m["李专家"], acting_user=world.reviewer)
    with pytest.raises(PermissionDenied):  # nor the office, nor anyone else
        services.sign_acceptance(m["王科长"], acting_user=world.office)
    signed = services.sign_acceptance(m["李专家"], acting_user=expert_user)
    assert signed.sign_manner == "online" and signed.signed_by == expert_user
    assert signed.signed_at == dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ)
    with pytest.raises(ValidationError, match="已签字"):
        services.sign_acceptance(m["李专家"], acting_user=expert_user)


def test_only_the_leader_records_a_paper_signature_and_says_who_signed(
    world, acceptance, expert_user
):
    m = _members(acceptance)
    with pytest.raises(PermissionDenied):
        _paper(m["王科长"], expert_user)
    with pytest.raises(PermissionDenied):
        _paper(m["王科长"], world.office)
    with pytest.raises(ValidationError, match="王科长"):
        _paper(m["王科长"], world.reviewer, statement="已在纸上签字")
    with pytest.raises(ValidationError, match="纸质签字日期"):
        _paper(m["王科长"], world.reviewer, paper_date=None)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _paper(m["王科长"], world.reviewer, paper_date=dt.date(2024, 5, 21))
    with pytest.raises(ValidationError, match="组长本人"):
        _paper(m["张工"], world.reviewer)
    signed = _paper(m["王科长"], world.reviewer)
    assert signed.sign_manner == "paper" and signed.signed_by == world.reviewer
    assert signed.paper_signed_on == VISIT and "王科长" in signed.paper_statement


def test_the_round_concludes_only_when_every_member_has_signed(world, acceptance, expert_user):
    m = _members(acceptance)
    services.sign_acceptance(m["张工"], acting_user=world.reviewer)
    services.sign_acceptance(m["李专家"], acting_user=expert_user)
    with pytest.raises(ValidationError, match="未签字：王科长"):
        _conclude(acceptance, world.reviewer)
    _paper(m["王科长"], world.reviewer)
    _conclude(acceptance, world.reviewer)
    acceptance.refresh_from_db()
    assert acceptance.passed and acceptance.assignment.status == "closed"
    # each signature is its own audited event, saying who and how
    events = [e for e in history(acceptance) if e.action == "acceptance.signed"]
    assert len(events) == 3
    assert {e.actor_id for e in events} == {world.reviewer.pk, expert_user.pk}
    paper = next(e for e in events if "王科长" in str(e.changes))
    assert "组长代录纸质签字" in str(paper.changes) and "王科长" in paper.reason
    with pytest.raises(ValidationError, match="已结束"):
        services.sign_acceptance(m["李专家"], acting_user=expert_user)


def test_a_plans_quorum_lets_fewer_sign_but_never_without_the_leader(
    world, acceptance, expert_user
):
    plan = acceptance.assignment.task.plan
    services.update_plan(plan, acceptance_quorum=2, acting_user=world.office)
    m = _members(acceptance)
    services.sign_acceptance(m["李专家"], acting_user=expert_user)
    _paper(m["王科长"], world.reviewer)
    with pytest.raises(ValidationError, match="组长签字"):
        _conclude(acceptance, world.reviewer)
    services.sign_acceptance(m["张工"], acting_user=world.reviewer)
    _conclude(acceptance, world.reviewer)
    acceptance.refresh_from_db()
    assert acceptance.passed


def test_a_changed_finding_voids_the_signatures(world, acceptance, expert_user):
    m = _members(acceptance)
    services.sign_acceptance(m["张工"], acting_user=world.reviewer)
    services.sign_acceptance(m["李专家"], acting_user=expert_user)
    first = acceptance.lines.first()
    services.record_check(first, result="pass", acting_user=world.reviewer)  # unchanged
    assert acceptance.members.filter(signed_at__isnull=False).count() == 2
    services.record_check(first, result="pass", note="补充说明", acting_user=world.reviewer)
    assert not acceptance.members.filter(signed_at__isnull=False).exists()
    assert history(acceptance).last().action == "acceptance.signatures_cleared"


def test_the_group_needs_a_leader_with_an_account_and_accounts_of_the_review_side(
    world, huyi_line, expert_user
):
    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="已完成",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="申请", acting_user=world.huyi)

    def form(*members):
        services.form_review_group(
            acceptance, members=list(members), visit_date=VISIT, acting_user=world.reviewer
        )

    with pytest.raises(ValidationError, match="本人的平台账号"):
        form(MemberEntry("张工", "leader"))
    with pytest.raises(ValidationError, match="验收人员"):  # a district officer cannot sign
        form(
            MemberEntry("张工", "leader", "", world.reviewer),
            MemberEntry("胡", "staff", "", world.huyi),
        )
    with pytest.raises(ValidationError, match="一个账号"):
        form(
            MemberEntry("张工", "leader", "", world.reviewer),
            MemberEntry("张", "staff", "", world.reviewer),
        )
    form(
        MemberEntry("张工", "leader", "", world.reviewer),
        MemberEntry("李", "expert", "", expert_user),
    )
    assert acceptance.members.count() == 2


def test_the_page_shows_each_members_unit_time_and_manner(client, world, acceptance, expert_user):
    m = _members(acceptance)
    client.force_login(expert_user)
    # signing for someone else through the page is refused
    leader_row = reverse("ledger-acceptance-sign", args=[m["张工"].pk])
    assert client.post(leader_row, {"manner": "online"}).status_code == 403
    assert client.post(leader_row, {"manner": "paper", "statement": "张工签了"}).status_code == 200
    m["张工"].refresh_from_db()
    assert m["张工"].signed_at is None

    services.sign_acceptance(m["张工"], acting_user=world.reviewer)
    _paper(m["王科长"], world.reviewer, statement="王科长已于5月18日在纸质验收意见上签字")
    url = reverse("ledger-acceptance", args=[acceptance.pk])
    html = client.get(url).content.decode()
    table = html[html.index('id="members"') : html.index("</table>", html.index('id="members"'))]
    assert "西安建筑科技大学" in table and "市生态环境局" in table
    assert "2024-05-20 10:00" in table  # Beijing time, not UTC (02:00)
    assert "本人在线签字" in table and "组长代录纸质签字" in table
    assert "王科长已于5月18日在纸质验收意见上签字" in table and "2024-05-18" in table
    assert "组长张工代录" in table
    # the expert sees their own button, and no paper form (only the leader records those)
    assert table.count("本人签字</button>") == 1 and "paper-form" not in table

    response = client.post(reverse("ledger-acceptance-sign", args=[m["李专家"].pk]))
    assert response.status_code == 302
    m["李专家"].refresh_from_db()
    assert m["李专家"].sign_manner == "online" and m["李专家"].signed_by == expert_user

    # someone who may not see the acceptance cannot sign anything on it
    client.force_login(world.lintong)
    assert client.post(leader_row, {"manner": "online"}).status_code == 404


def test_the_api_signs_and_shows_the_signatures(client, world, acceptance, expert_user):
    m = _members(acceptance)
    client.force_login(expert_user)
    url = f"/api/v1/ledger/acceptance-members/{m['李专家'].pk}/sign"
    answer = client.post(url, json.dumps({}), content_type="application/json")
    assert answer.status_code == 200, answer.content
    rows = {r["name"]: r for r in answer.json()["members"]}
    assert rows["李专家"]["sign_manner"] == "online" and rows["李专家"]["signed_by"] == "expert"
    assert rows["李专家"]["account"] == "expert" and rows["王科长"]["signed_at"] is None
    other = f"/api/v1/ledger/acceptance-members/{m['王科长'].pk}/sign"
    body = {"manner": "paper", "statement": "王科长已签字", "paper_date": "2024-05-18"}
    refused = client.post(other, json.dumps(body), content_type="application/json")
    assert refused.status_code == 403
    client.force_login(world.reviewer)
    done = client.post(other, json.dumps(body), content_type="application/json")
    assert done.status_code == 200
    rows = {r["name"]: r for r in done.json()["members"]}
    assert rows["王科长"]["paper_signed_on"] == "2024-05-18"
    conclude = client.post(
        f"/api/v1/ledger/acceptances/{acceptance.pk}/conclude",
        json.dumps({"passed": True, "conclusion": "同意", "visit_date": "2024-05-18"}),
        content_type="application/json",
    )
    assert conclude.status_code == 422 and "张工" in conclude.json()["detail"]


def test_a_member_waiting_to_sign_has_it_on_their_to_do_list(world, acceptance, expert_user):
    from lantian.todo import todos_for

    def mine(user):
        return {t.title: t for t in todos_for(user, dt.date(2024, 5, 20))}

    waiting = mine(expert_user)["验收待本人签字"]
    assert waiting.count == 1
    assert waiting.url == reverse("ledger-acceptance", args=[acceptance.pk])
    services.sign_acceptance(_members(acceptance)["李专家"], acting_user=expert_user)
    assert "验收待本人签字" not in mine(expert_user)
    assert "验收待本人签字" in mine(world.reviewer)


def test_the_history_tells_each_signature_in_words(client, world, acceptance, expert_user):
    m = _members(acceptance)
    services.sign_acceptance(m["李专家"], acting_user=expert_user)
    _paper(m["王科长"], world.reviewer)
    services.record_check(
        acceptance.lines.first(), result="pass", note="复核", acting_user=world.reviewer
    )
    client.force_login(world.reviewer)
    html = client.get(reverse("audit-history", args=["ledger.acceptance", acceptance.pk]))
    text = html.content.decode()
    assert "验收组成员签字" in text and "核查结果变更，签字作废" in text
    assert "李专家（专家）· 本人在线签字" in text
    assert "王科长（部门业务骨干）· 组长代录纸质签字" in text
    assert "acceptance.signed" not in text and "paper_signed_on" not in text
    # a finding names its checklist line (it said 其他)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert "第1项 ：符合 → 符合" in words and "其他" not in words


@pytest.mark.parametrize(
    "body",
    [
        {"manner": "stamp"},
        {"manner": "paper", "statement": "王科长已签字", "paper_date": "0"},
        {"manner": "paper", "statement": "王科长\x00已签字", "paper_date": "2024-05-18"},
        {"manner": "paper", "statement": "王科长已签字", "paper_date": "9999-12-31"},
        {"manner": "paper", "statement": "王科长已签字"},
    ],
)
def test_careless_signatures_through_the_api_answer_4xx(client, world, acceptance, body):
    member = _members(acceptance)["王科长"]
    client.force_login(world.reviewer)
    url = f"/api/v1/ledger/acceptance-members/{member.pk}/sign"
    answer = client.post(url, json.dumps(body), content_type="application/json")
    assert answer.status_code in (400, 422) and answer.json()["detail"], answer.content
    member.refresh_from_db()
    assert member.signed_at is None
    huge = "/api/v1/ledger/acceptance-members/99999999999999999999/sign"
    assert client.post(huge, "{}", content_type="application/json").status_code in (404, 422)


def test_a_new_group_starts_with_the_person_forming_it_as_the_leaders_account(
    client, world, huyi_line
):
    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="已完成",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="申请", acting_user=world.huyi)
    client.force_login(world.reviewer)
    html = client.get(reverse("ledger-acceptance", args=[acceptance.pk])).content.decode()
    start = html.index('name="m0_user"')
    row = html[start : html.index("</select>", start)]
    assert re.search(rf'value="{world.reviewer.pk}"[^>]*selected', row)
    assert "huyi" not in row  # only the review unit's reviewers and the office may be linked
