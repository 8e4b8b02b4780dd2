"""In Chromium: upload seed 000 as .docx, correct one deadline in the preview, commit, and find the
29 tasks with their units and dates in the ledger."""

import docx
import pytest
from django.urls import reverse

from conftest import EXAMPLES_DIR, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed000_docx(tmp_path):
    document = docx.Document()
    text = (EXAMPLES_DIR / "xian_2023_rectification_plan.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    path = tmp_path / "西安市整改方案.docx"
    document.save(path)
    return path


def test_upload_correct_commit_and_see_the_tasks_in_the_ledger(
    page, live_server, login, registry, seed000_docx
):
    from accounts.choices import Role

    make_user("office", ("市生态环境保护督察整改工作领导小组办公室", Role.OFFICE_ADMIN))
    login("office", "pw-office")
    page.goto(f"{live_server.url}/plans/import/")
    page.set_input_files("#id_file", str(seed000_docx))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#preview")
    assert page.inner_text("#count-items") == "29"
    assert page.locator("#preview tbody tr").count() == 29
    row = page.locator("#item-6")  # task 7: 整改时限 2024年6月底
    assert "2024-06-30" in row.inner_text()
    assert "市生态环境局" in row.inner_text()

    row.locator("a.edit").click()
    page.wait_for_selector("#item-6 form")
    page.fill("#item-6 input[name=deadline]", "2024-07-31")
    page.click("#item-6 button[name=save]")
    page.wait_for_selector("#item-6 a.edit")
    assert "2024-07-31" in page.inner_text("#item-6")
    assert "已修改" in page.inner_text("#item-6")

    page.click("#commit")
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("ledger-task-list"))
    rows = page.locator("#task-table tbody tr")
    assert rows.count() == 29
    assert "共 29 项任务" in page.inner_text("body")
    seven = rows.filter(has_text="重点排污单位仅 79 家")
    assert "2024-07-31" in seven.inner_text()  # the corrected deadline, not the parsed 2024-06-30
    assert "市生态环境局" in seven.inner_text()
    first = rows.filter(has_text="思想认识有偏差")
    assert "立行立改" in first.inner_text() or "长期坚持" in first.inner_text()
    assert "鄠邑区" in rows.filter(has_text="鄠邑区住建部门").inner_text()
