"""The whole loop on seed 000 in Chromium: the office imports the plan, 鄠邑区 reports on
item 六 with a photo, the office issues a 督办, 市住建局's review group accepts with a
checklist, the item is closed out (销号) and the public page shows it closed without any
internal notes."""

import json
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.models import Unit
from conftest import EXAMPLES_DIR
from ledger import services
from ledger.models import Assignment, Plan
from ledger.tests.conftest import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = EXAMPLES_DIR / "xian_2023_rectification_plan.txt"
SNAPSHOT = Path(__file__).resolve().parents[2] / "testdata" / "ledger" / "seed000.extraction.json"
SECRETS = [
    "鄠邑内部：平台值守记录",
    "督办：扬尘报警处置",
    "请三日内说明",
    "核查：值守台账齐全",
    "现场照片-鄠邑.png",
    "同意销号（内部）",
    "张建国",
]


def office_imports_seed(page, live_server, world):
    """Through the plans upload page when it exists, else the extractor, else its snapshot."""
    try:
        upload = reverse("plan-import")
    except NoReverseMatch:
        upload = None
    if upload:
        page.goto(live_server.url + upload)
        page.set_input_files("#id_file", str(SEED))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#commit")
        page.click("#commit")
        page.wait_for_load_state()
        return Plan.objects.get(title__startswith="西安市贯彻落实")
    try:
        from plans.extract import parse_file

        extraction = parse_file(SEED.read_bytes(), filename=SEED.name)
    except ImportError:
        extraction = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return services.import_plan_extraction(
        extraction, source_name=SEED.name, source_bytes=SEED.read_bytes(), acting_user=world.office
    ).plan


def close_other_districts(task, reviewer):
    """Item 六 has four districts; the other three are accepted through the same services."""
    for line in Assignment.objects.lines().filter(task=task).exclude(unit__name="鄠邑区政府"):
        services.submit_report(
            line,
            period=line.created_at.date().replace(day=1),
            narrative="已整改",
            percent=100,
            acting_user=None,
            no_evidence_reason="无佐证（测试）",
        )
        acceptance = services.apply_for_acceptance(line, note="申请", acting_user=None)
        services.form_review_group(
            acceptance,
            members=[services.MemberEntry("组长", "leader", "", reviewer)],
            visit_date=None,
            acting_user=reviewer,
        )
        for item in acceptance.lines.all():
            services.record_check(item, result="pass", acting_user=reviewer)
        services.sign_acceptance(acceptance.members.get(), acting_user=reviewer)
        services.conclude_acceptance(
            acceptance,
            passed=True,
            conclusion="同意",
            visit_date=line.created_at.date(),
            acting_user=reviewer,
        )


def test_the_whole_loop_on_seed_000(page, browser, live_server, login, world, tmp_path):
    photo = tmp_path / "现场照片-鄠邑.png"
    photo.write_bytes(PNG)

    # 1. The office imports seed 000.
    login("office", "pw-office")
    plan = office_imports_seed(page, live_server, world)
    assert plan.tasks.count() == 29
    six = plan.tasks.get(no=6)
    huyi_line = Assignment.objects.lines().get(task=six, unit__name="鄠邑区政府")

    # 2. 鄠邑区 reports on item 六 with a photo.
    page.context.clear_cookies()
    login("huyi", "pw-huyi")
    page.goto(f"{live_server.url}{reverse('ledger-line-list')}")
    page.click(f"#line-{huyi_line.pk} a[href$='/lines/{huyi_line.pk}/']")
    page.click("#report-link")
    page.fill("#id_narrative", SECRETS[0])
    page.fill("#id_percent", "80")
    page.set_input_files("#id_files", str(photo))
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#evidence")
    assert "现场照片-鄠邑.png" in page.inner_text("#evidence")
    # 临潼区's part of the same item is not visible to 鄠邑区.
    lintong = Assignment.objects.lines().get(task=six, unit__name="临潼区政府")
    response = page.goto(f"{live_server.url}{reverse('ledger-assignment', args=[lintong.pk])}")
    assert response.status == 404

    # 3. The office issues a 督办 on 鄠邑区's part.
    page.context.clear_cookies()
    login("office", "pw-office")
    page.goto(f"{live_server.url}{reverse('ledger-assignment', args=[huyi_line.pk])}")
    page.click("text=下发督办")
    page.fill("#id_title", SECRETS[1])
    page.fill("#id_text", SECRETS[2])
    page.click("#supervision-form button[type=submit]")
    page.wait_for_selector("text=办理时限")
    assert SECRETS[1] in page.inner_text("h1")

    # 4. 鄠邑区 sees the 督办 and applies for acceptance.
    page.context.clear_cookies()
    login("huyi", "pw-huyi")
    page.goto(f"{live_server.url}/notifications/")
    assert SECRETS[1] in page.inner_text("main")
    page.goto(f"{live_server.url}{reverse('ledger-assignment', args=[huyi_line.pk])}")
    page.click("#apply summary")
    page.fill("#apply textarea[name=note]", "五项措施均已落实，申请验收销号。")
    page.click("#apply button[type=submit]")
    page.wait_for_selector("#acceptance-state")

    # 5. 市住建局's review group accepts with a checklist.
    page.context.clear_cookies()
    login("reviewer", "pw-reviewer")
    acceptance = huyi_line.acceptances.get()
    page.goto(f"{live_server.url}{reverse('ledger-acceptance', args=[acceptance.pk])}")
    page.fill("input[name=m0_name]", SECRETS[6])
    page.fill("input[name=m0_org]", "市住建局")
    page.select_option("select[name=m0_user]", str(world.reviewer.pk))
    page.fill("input[name=m1_name]", "刘敏")
    page.click("#group-form button[type=submit]")
    page.wait_for_selector("#checklist")
    rows = acceptance.lines.order_by("position")
    assert [r.source for r in rows][:5] == ["measure"] * 5
    for item in rows:
        row = f"#check-{item.pk}"
        page.select_option(f"{row} select[name=result]", "pass")
        page.fill(f"{row} input[name=note]", SECRETS[3])
        page.click(f"{row} button[type=submit]")
        page.wait_for_selector(f"{row} .badge.ok")
    # the leader signs for themself and records 刘敏's signature from the paper form
    page.click("#members .sign-form button")
    page.wait_for_selector("text=本人在线签字")
    page.click("#members summary:has-text('代录纸质签字')")
    page.fill("#members .paper-form textarea[name=statement]", "刘敏已在纸质验收意见上签字")
    page.click("#members .paper-form button[type=submit]")
    page.wait_for_selector("text=组长代录纸质签字")
    page.check("#conclusion-form input[name=passed][value='1']")
    page.fill("#conclusion-form textarea[name=conclusion]", SECRETS[5])
    page.click("#conclusion-form button[type=submit]")
    page.wait_for_selector("#acceptance-state.ok")

    # 6. The part is closed out, with date and signatories.
    huyi_line.refresh_from_db()
    assert huyi_line.status == "closed" and huyi_line.closed_on is not None
    page.goto(f"{live_server.url}{reverse('ledger-assignment', args=[huyi_line.pk])}")
    assert "已验收销号" in page.inner_text("#status")

    # 7. The office publishes the plan; once all four districts are accepted, the public
    #    page shows item 六 closed, without the internal notes.
    close_other_districts(six, world.reviewer)
    page.context.clear_cookies()
    login("office", "pw-office")
    page.goto(f"{live_server.url}{reverse('ledger-plan', args=[plan.pk])}")
    page.check("#publish-form input[name=published]")
    page.fill("#publish-form textarea[name=summary]", "整改方案及进展按月公开。")
    page.click("#publish-form button[type=submit]")
    page.wait_for_load_state()

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}{reverse('disclosure-plan', args=[plan.pk])}")
    row = public.inner_text("#item-6")
    assert "已验收销号" in row and str(huyi_line.closed_on.year) in row
    public.click("#item-6 a")
    assert "已验收销号" in public.inner_text("#item-status")
    body = public.content()
    for secret in SECRETS:
        assert secret not in body
    assert Unit.objects.get(name="鄠邑区政府").name in body
    public.context.close()
