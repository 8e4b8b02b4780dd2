import datetime as dt

import pytest

from accounts.models import District, Unit
from audit.log import history
from ledger.models import Assignment, GroupMention, Measure, Milestone, Plan, PlanRevision, Task
from ledger.services import import_plan_extraction
from ledger.tests.factories import ITEM_EIGHT, ITEM_SIX, ITEM_SIXTEEN, extraction, import_sample

pytestmark = pytest.mark.django_db


def _line(plan, no, unit_name):
    return Assignment.objects.get(task__plan=plan, task__no=no, unit__name=unit_name)


def test_it_creates_the_plan_tasks_and_each_units_line_of_work(world):
    outcome = import_sample(world.office)
    plan = outcome.plan
    assert outcome.created and plan.revision == 1
    assert plan.city.name == "西安市" and plan.kind == "task_list"
    assert [t.no for t in plan.tasks.all()] == [6, 8, 16]
    six = plan.tasks.get(no=6)
    assert six.display_no == "六" and six.deadline is None and six.immediate and six.ongoing

    # 临潼区、鄠邑区委、区政府: four units, two lines (committee joins its government).
    lines = Assignment.objects.filter(task=six).lines()
    assert sorted(a.unit.name for a in lines) == ["临潼区政府", "鄠邑区政府"]
    committee = _line(plan, 6, "鄠邑区委")
    assert committee.responsible and not committee.works
    assert committee.joint_with == _line(plan, 6, "鄠邑区政府")
    review = _line(plan, 6, "西安市住房和城乡建设局")
    assert review.acceptance and review.acceptance_lead and not review.works


def test_measures_are_scoped_to_the_district_of_each_line(world):
    plan = import_sample(world.office).plan
    huyi = _line(plan, 6, "鄠邑区政府")
    lintong = _line(plan, 6, "临潼区政府")
    assert [m.text[:4] for m in huyi.measures()] == ["安排专人", "每个工地"]
    assert [m.district_name for m in lintong.measures()] == ["临潼区"]
    assert [m.due for m in lintong.milestones()] == [dt.date(2024, 12, 31)]
    assert not huyi.milestones().exists()


def test_milestones_keep_their_quantities_and_targets_their_comparators(world):
    plan = import_sample(world.office).plan
    eight = plan.tasks.get(no=8)
    assert [(m.due, m.quantity) for m in eight.milestones.all()] == [
        (dt.date(2024, 3, 31), 287),
        (dt.date(2024, 12, 31), 758),
    ]
    target = eight.targets.get()
    assert (target.value, target.unit, target.comparator) == (758, "家", ">=")
    assert target.is_met(287) is False and target.is_met(758) is True
    # The bare item deadline "2024年12月底" is the task deadline, not another milestone.
    assert eight.milestones.count() == 2
    assert eight.uncertain == ["deadline"]


def test_unknown_units_are_proposed_and_open_groups_wait_for_the_office(world):
    outcome = import_sample(world.office)
    proposed = Unit.objects.get(name="市扬尘治理联席办")
    assert proposed.proposed and outcome.proposed_units == [proposed]
    sixteen = outcome.plan.tasks.get(no=16)
    assert _line(outcome.plan, 16, "市扬尘治理联席办").works
    mention = GroupMention.objects.get(task=sixteen)
    assert mention.group.name == "108国道沿线区县党委" and mention.roles == ["responsible"]
    assert not mention.settled
    # The group's candidates are not assigned automatically.
    assert not Assignment.objects.filter(task=sixteen, unit__name="灞桥区委").exists()


def test_the_original_file_and_guarantee_rules_are_kept(world):
    plan = import_sample(world.office, source=b"original bytes").plan
    assert plan.source_file.read() == b"original bytes"
    assert plan.source_name == "整改方案.txt" and len(plan.source_sha256) == 64
    assert plan.detailed_plan_workdays == 30 and plan.report_day == 0
    plan.issued = dt.date(2023, 9, 28)
    # 30 working days after 28 Sep 2023 skips the National Day week (29 Sep – 6 Oct) and
    # counts the make-up weekend 7–8 Oct as working days.
    assert plan.detailed_plan_due == dt.date(2023, 11, 15)


def test_import_is_audited(world):
    plan = import_sample(world.office).plan
    event = history(plan).get()
    assert event.action == "plan.imported" and event.actor == world.office
    assert history(plan.tasks.get(no=6)).get().action == "task.created"


def test_the_same_document_creates_nothing_new(world):
    first = import_sample(world.office)
    counts = (Plan.objects.count(), Task.objects.count(), Assignment.objects.count())
    again = import_sample(world.office)
    assert not again.created and again.plan == first.plan and again.changes == []
    assert (Plan.objects.count(), Task.objects.count(), Assignment.objects.count()) == counts
    assert PlanRevision.objects.count() == 1 and Unit.objects.filter(proposed=True).count() == 1


def test_a_revised_document_becomes_a_new_revision_with_a_readable_diff(world):
    first = import_sample(world.office).plan
    six = dict(ITEM_SIX, units=[u for u in ITEM_SIX["units"] if "临潼" not in u["name"]])
    eight = dict(ITEM_EIGHT, deadline="2025-06-30", deadline_raw="2025年6月底")
    added = dict(ITEM_SIXTEEN, no=17, title="西汉高速扬尘", units=ITEM_SIXTEEN["units"][:1])
    outcome = import_sample(world.office, six, eight, added, source=b"revised text")
    plan = outcome.plan
    assert not outcome.created and plan == first and plan.revision == 2
    assert "任务八 整改时限：2024-12-31 → 2025-06-30" in outcome.changes
    assert "任务六 移除单位：临潼区委、临潼区政府" in outcome.changes
    assert "新增任务十七：西汉高速扬尘" in outcome.changes
    assert "撤销任务十六：道路扬尘问题屡禁不绝" in outcome.changes
    # Nothing is deleted: the dropped task and unit are withdrawn, the old file is kept.
    assert plan.tasks.get(no=16).withdrawn
    assert _line(plan, 6, "临潼区政府").withdrawn
    assert [r.number for r in plan.revisions.all()] == [1, 2]
    assert plan.revisions.get(number=1).source_file.read() == b"seed-000-like plan text"
    assert history(plan).last().action == "plan.revised"


def test_same_bytes_with_corrections_is_a_revision(world):
    import_sample(world.office)
    eight = dict(ITEM_EIGHT, deadline="2024-07-31")
    outcome = import_sample(world.office, ITEM_SIX, eight, ITEM_SIXTEEN)
    assert outcome.plan.revision == 2
    assert outcome.plan.tasks.get(no=8).deadline == dt.date(2024, 7, 31)


def test_city_comes_from_the_argument_the_extraction_or_the_setting(world, settings):
    xianyang = District.objects.get(name="咸阳市", parent=None)
    data = extraction(ITEM_EIGHT, city="咸阳市", title="咸阳方案")
    assert (
        import_plan_extraction(
            data, source_name="a.txt", source_bytes=b"a", acting_user=None
        ).plan.city
        == xianyang
    )
    data = extraction(ITEM_EIGHT, city=None, title="未注明城市的方案")
    settings.LANTIAN_DEFAULT_CITY = "咸阳市"
    plan = import_plan_extraction(data, source_name="b.txt", source_bytes=b"b", acting_user=None)
    assert plan.plan.city == xianyang
    # 市城管局 resolves in 咸阳's registry, not 西安's.
    assert plan.plan.tasks.get().assignments.get().unit.full_name == "咸阳市城市管理执法局"


def test_extractions_without_expanded_units_fall_back_to_the_literal_lists(world):
    item = {
        "no": 1,
        "title": "扬尘",
        "responsible": ["市住建局"],
        "lead": ["市住建局"],
        "acceptance": ["市生态环境局"],
        "measures": [{"text": "加强检查", "district": "不存在区"}],
    }
    plan = import_sample(world.office, item, title="简单方案").plan
    assignment = Assignment.objects.get(task__plan=plan, unit__name="西安市住房和城乡建设局")
    assert assignment.responsible and assignment.lead and assignment.works
    assert Measure.objects.get(task__plan=plan).district is None
    assert not Milestone.objects.filter(task__plan=plan).exists()


def test_numbering_that_restarts_in_each_part_loses_no_task(world):
    """(一)(二) under 二、 and (一) again under 三、: every task is kept, numbered in order."""
    first = {**ITEM_SIX, "no": 1, "title": "加快能源结构调整"}
    second = {**ITEM_EIGHT, "no": 2, "title": "推进清洁取暖"}
    again = {**ITEM_SIXTEEN, "no": 1, "title": "加强组织领导", "section": "保障措施"}
    outcome = import_sample(world.office, first, second, again)
    tasks = list(outcome.plan.tasks.order_by("no").values_list("no", "title"))
    assert tasks == [(1, "加快能源结构调整"), (2, "推进清洁取暖"), (3, "加强组织领导")]
