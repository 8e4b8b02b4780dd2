"""In Chromium (issue 10): the office imports seed 000 through the web and opens the audit log
and the plan's history; a unit officer exports the 整改台账 workbook and imports it unchanged,
which registers nothing and reports no error (a closed-out item included)."""

import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger import excel
from ledger.choices import Status
from ledger.models import Assignment
from ledger.tests.test_loop_browser import office_imports_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPR = re.compile(r"\{'[^']*':|<[A-Z]\w*: |Traceback|object at 0x")


def _open(page, url: str) -> str:
    response = page.goto(url)
    assert response.status == 200, url
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert not REPR.search(page.content()), (url, REPR.search(page.content()).group(0))
    return text


def test_office_imports_a_plan_then_reads_the_audit_log_and_the_plans_history(
    page, live_server, login, world
):
    login("office", "pw-office")
    plan = office_imports_seed(page, live_server, world)
    audit = _open(page, live_server.url + "/audit/")
    assert "方案" in audit and "plan.imported" not in audit and "draft_created" not in audit

    _open(page, live_server.url + reverse("ledger-plan", args=[plan.pk]))
    with page.expect_navigation():
        page.click("text=变更记录")
    assert page.url.endswith(reverse("audit-history", args=["ledger.plan", plan.pk]))
    history = _open(page, page.url)
    assert plan.title in history or "导入" in history


def test_a_unit_exports_the_workbook_and_imports_it_unchanged(
    page, live_server, login, world, tmp_path
):
    from conftest import EXAMPLES_DIR
    from ledger import services
    from plans.extract import parse_file

    seed = EXAMPLES_DIR / "xian_2023_rectification_plan.txt"
    services.import_plan_extraction(
        parse_file(seed.read_bytes(), filename=seed.name),
        source_name=seed.name,
        source_bytes=seed.read_bytes(),
        acting_user=world.office,
    )
    huyi = Assignment.objects.lines().filter(unit__name="鄠邑区政府").order_by("task__no")
    assert huyi.count() >= 2
    # one of its items is closed out: the exported row of a closed item must not be refused
    Assignment.objects.filter(pk=huyi[0].pk).update(status=Status.CLOSED)

    login("huyi", "pw-huyi")
    page.goto(live_server.url + reverse("ledger-task-list"))
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    path = tmp_path / "台账.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    states = [
        row[excel.HEADERS.index("完成状态")]
        for row in sheet.iter_rows(min_row=excel.FIRST_ROW, values_only=True)
    ]
    assert "已验收销号" in states and len(states) >= 2

    page.goto(live_server.url + reverse("ledger-import"))
    page.set_input_files("#import-form input[type=file]", str(path))
    page.click("#import-form button[type=submit]")
    summary = page.inner_text("#import-summary")
    assert "0 条进展已登记" in summary and "0 行有错误" in summary, summary
    assert page.locator("#import-result table").count() == 0
