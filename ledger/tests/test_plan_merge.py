"""Re-importing a revised plan merges three ways: the previous document, the office's edits
since, and the new document. Nothing the office entered disappears unlisted (issue 10 item 3)."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from conftest import EXAMPLES_DIR
from ledger import planmerge, services
from ledger.models import Assignment, ProgressReport, Task
from plans.extract import parse_file

pytestmark = pytest.mark.django_db

SEED = (EXAMPLES_DIR / "xian_2023_rectification_plan.txt").read_text(encoding="utf-8")


def _parse(text: str, **kwargs) -> dict:
    return parse_file(text.encode("utf-8"), filename="西安市整改方案.txt", **kwargs)


def _block(text: str, start: str, end: str | None) -> tuple[int, int]:
    """Where one numbered item (``七、`` up to ``八、``) sits in the text."""
    begin = re.search(rf"^{start}、", text, re.M).start()
    stop = re.search(rf"^{end}、", text, re.M).start() if end else len(text)
    return begin, stop


def revised_copy(text: str) -> str:
    """The seed with task 7's deadline moved, the last task removed (no issue date in either)."""
    begin, stop = _block(text, "七", "八")
    seven = text[begin:stop].replace("整改时限：2024年6月底", "整改时限：2024年9月底")
    text = text[:begin] + seven + text[stop:]
    begin, _stop = _block(text, "二十九", None)
    return text[:begin]


def _import(extraction, user, name="西安市整改方案.txt", **kwargs):
    return services.import_plan_extraction(
        extraction,
        source_name=name,
        source_bytes=repr(extraction).encode(),
        acting_user=user,
        **kwargs,
    )


@pytest.fixture
def seed_plan(world):
    return _import(_parse(SEED, issued=dt.date(2023, 9, 28)), world.office).plan


def _hand_edits(plan, office):
    nine = plan.tasks.get(no=9)
    services.update_task(
        nine,
        deadline=dt.date(2024, 4, 30),
        deadline_raw="2024年4月底",
        acting_user=office,
        reason="市政府批复延期",
    )
    eight = plan.tasks.get(no=8)
    services.add_target(
        eight, indicator="油烟在线监测设施联网率", value=Decimal(95), unit="%", acting_user=office
    )


def test_a_revised_seed_keeps_the_hand_edits_and_lists_exactly_what_changed(world, seed_plan):
    plan = seed_plan
    _hand_edits(plan, world.office)
    revised = _parse(revised_copy(SEED))
    assert revised["issued"] is None and len(revised["items"]) == 28

    preview = services.preview_plan_import(revised)
    outcome = _import(revised, world.office, name="西安市整改方案（修订）.txt")

    expected = [
        "保留人工修改：方案 印发日期 2023-09-28（新文件未写此项）",
        "任务七 整改时限：2024-06-30 → 2024-09-30",
        "保留人工新增：任务八 量化目标 油烟在线监测设施联网率不低于95%（新文件未改动此项）",
        "保留人工修改：任务九 整改时限 2024-04-30（新文件未改动此项）",
        "撤销任务二十九：职能部门督导检查流于形式",
    ]
    assert preview.changes == expected
    assert outcome.changes == expected
    plan.refresh_from_db()
    assert plan.revision == 2 and plan.issued == dt.date(2023, 9, 28)
    assert plan.tasks.get(no=7).deadline == dt.date(2024, 9, 30)
    assert plan.tasks.get(no=9).deadline == dt.date(2024, 4, 30)
    assert plan.tasks.get(no=9).deadline_raw == "2024年4月底"
    eight = plan.tasks.get(no=8)
    assert [t.indicator for t in eight.targets.filter(withdrawn=False)] == [
        "油烟在线监测设施联网率"
    ]
    assert plan.tasks.get(no=29).withdrawn
    # The merge is kept: importing the revised copy again changes nothing.
    again = _import(revised, world.office, name="西安市整改方案（修订）.txt")
    assert again.changes == [] and again.plan.revision == 2


def test_the_document_changing_a_field_the_office_edited_is_a_conflict(world, seed_plan):
    plan = seed_plan
    seven = plan.tasks.get(no=7)
    services.update_task(
        seven, deadline=dt.date(2024, 7, 31), deadline_raw="2024年7月底", acting_user=world.office
    )
    revised = _parse(revised_copy(SEED))
    merge = services.preview_plan_import(revised).merge
    [conflict] = merge.conflicts
    assert conflict.key == "7.deadline"
    assert conflict.line() == "冲突：任务七 整改时限：人工修改为 2024-07-31，新文件为 2024-09-30"
    # without a choice the document is taken, which overrides: the command asks first
    assert conflict in merge.risky({})
    assert conflict not in merge.risky({"7.deadline": planmerge.OFFICE})

    outcome = _import(revised, world.office, resolutions={"7.deadline": "office"})
    assert (
        "冲突：任务七 整改时限：人工修改为 2024-07-31，新文件为 2024-09-30（保留人工修改）"
        in outcome.changes
    )
    assert plan.tasks.get(no=7).deadline == dt.date(2024, 7, 31)


def test_the_conflict_settled_for_the_document_takes_its_value(world, seed_plan):
    seven = seed_plan.tasks.get(no=7)
    services.update_task(seven, deadline=dt.date(2024, 7, 31), acting_user=world.office)
    _import(_parse(revised_copy(SEED)), world.office, resolutions={"7.deadline": "document"})
    assert seed_plan.tasks.get(no=7).deadline == dt.date(2024, 9, 30)


def test_a_withdrawn_task_with_reports_is_kept_with_its_history(world, seed_plan):
    from django.utils import timezone

    line = Assignment.objects.filter(task__plan=seed_plan, task__no=29).lines().first()
    ProgressReport.objects.create(
        assignment=line, period=dt.date(2024, 1, 1), narrative="已抽查", submitted_at=timezone.now()
    )
    outcome = _import(_parse(revised_copy(SEED)), world.office)
    reports = "已有 1 份进展报告，任务标为已撤销，报告与记录保留"
    assert f"撤销任务二十九：职能部门督导检查流于形式（{reports}）" in outcome.changes
    task = Task.objects.get(plan=seed_plan, no=29)
    assert task.withdrawn and ProgressReport.objects.filter(assignment__task=task).count() == 1


def test_a_task_added_by_hand_stays_when_the_document_lacks_it(world, seed_plan):
    services.create_task(
        seed_plan, title="临时增加：渣土车夜查", acting_user=world.office, units={}
    )
    outcome = _import(_parse(revised_copy(SEED)), world.office)
    assert "保留人工新增的任务三十：临时增加：渣土车夜查（新文件没有此项）" in outcome.changes
    assert not seed_plan.tasks.get(no=30).withdrawn


def test_a_unit_the_office_added_stays_and_one_the_document_adds_is_listed(world, seed_plan):
    three = seed_plan.tasks.get(no=3)
    Assignment.objects.create(task=three, unit=world.unit("西安市交通运输局"), responsible=True)
    text = revised_copy(SEED)
    outcome = _import(_parse(text), world.office)
    assert (
        "保留人工新增：任务三 单位 西安市交通运输局 整改责任单位（新文件未改动此项）"
        in outcome.changes
    )
    assert not Assignment.objects.get(task=three, unit__name="西安市交通运输局").withdrawn


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("plan", "import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_change_list_and_asks_before_withdrawing(world, tmp_path):
    seed, revised = tmp_path / "seed.txt", tmp_path / "revised.txt"
    seed.write_text(SEED, encoding="utf-8")
    revised.write_text(revised_copy(SEED), encoding="utf-8")
    out, _err = _command(seed, "--issued", "2023-09-28")
    assert out.startswith("新方案：西安市贯彻落实省大气污染防治专项督察报告整改方案（29 项任务）")
    plan = Task.objects.get(no=9).plan
    _hand_edits(plan, world.office)

    out, _err = _command(revised, "--dry-run")
    assert "  · 任务七 整改时限：2024-06-30 → 2024-09-30" in out.splitlines()
    assert "  · 撤销任务二十九：职能部门督导检查流于形式" in out.splitlines()
    assert out.splitlines()[-1] == "（仅预览，未导入）"
    plan.refresh_from_db()
    assert plan.revision == 1 and not plan.tasks.get(no=29).withdrawn

    # not on a terminal and no --yes: refused in one line, nothing imported
    with pytest.raises(SystemExit) as exit_:
        _command(revised)
    assert exit_.value.code == 1
    plan.refresh_from_db()
    assert plan.revision == 1

    out, _err = _command(revised, "--yes")
    assert "已更新：西安市贯彻落实省大气污染防治专项督察报告整改方案（28 项任务）" in out
    plan.refresh_from_db()
    assert plan.revision == 2 and plan.issued == dt.date(2023, 9, 28)
    assert plan.tasks.get(no=9).deadline == dt.date(2024, 4, 30)


def test_the_refusal_says_why_in_one_line(world, tmp_path, capsys):
    seed, revised = tmp_path / "seed.txt", tmp_path / "revised.txt"
    seed.write_text(SEED, encoding="utf-8")
    revised.write_text(revised_copy(SEED), encoding="utf-8")
    _command(seed)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("plan", "import", str(revised), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == (
        "lantian plan import: 有 1 处撤销内容或覆盖人工修改，未导入；"
        "核对后加 --yes 重新运行（--dry-run 只列出变化）"
    )


def test_the_web_preview_lists_the_changes_and_the_office_settles_each_conflict(
    client, world, seed_plan
):
    from plans.models import ImportDraft

    services.update_task(
        seed_plan.tasks.get(no=7),
        deadline=dt.date(2024, 7, 31),
        deadline_raw="2024年7月底",
        acting_user=world.office,
    )
    client.force_login(world.office)
    response = client.post("/plans/import/", {"text": revised_copy(SEED)})
    draft = ImportDraft.objects.latest("pk")
    assert response.status_code == 302
    page = client.get(f"/plans/import/{draft.pk}/").content.decode()
    assert "冲突：任务七 整改时限：人工修改为 2024-07-31，新文件为 2024-09-30" in page
    assert "撤销任务二十九：职能部门督导检查流于形式" in page
    assert 'name="resolve-7.deadline" value="office" required' in page

    # committing without a choice is refused and imports nothing
    client.post(f"/plans/import/{draft.pk}/commit/")
    seed_plan.refresh_from_db()
    assert seed_plan.revision == 1
    draft.refresh_from_db()
    assert draft.status == "draft"

    client.post(f"/plans/import/{draft.pk}/commit/", {"resolve-7.deadline": "office"})
    seed_plan.refresh_from_db()
    assert seed_plan.revision == 2 and seed_plan.issued == dt.date(2023, 9, 28)
    assert seed_plan.tasks.get(no=7).deadline == dt.date(2024, 7, 31)
    assert seed_plan.tasks.get(no=29).withdrawn


@pytest.mark.django_db
def test_importing_into_an_empty_directory_says_so_in_one_line():
    """A fresh database has no city in its directory: the command ends in one line that says
    what to do, with exit status 2, never a traceback (it raised ValueError('unknown city'))."""
    from accounts.models import District

    # the directory holds no city by the plan's name (as after `migrate` alone)
    District.objects.filter(parent=None).update(name="别的市")
    err = io.StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command(
            "plan",
            "import",
            str(EXAMPLES_DIR / "xian_2023_rectification_plan.txt"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert ended.value.code == 2
    message = err.getvalue().strip()
    assert message.startswith("lantian plan import: 城市不在单位名录中：西安市")
    assert "\n" not in message and "unknown" not in message
