"""The audit log and history pages open whatever field names an event records, and show
words: field labels, Beijing time, people's names (issue 10, reproductions 1 and 6)."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.log import record
from plans.models import ImportDraft
from plans.tests.test_variants import TASK_LIST

pytestmark = pytest.mark.django_db

DICT_METHODS = ("items", "keys", "values", "get", "update", "pop", "copy")


def test_audit_log_opens_after_the_office_imports_a_plan_through_the_web(client, world):
    client.force_login(world.office)
    client.post(reverse("plan-import"), {"text": TASK_LIST, "issued": "2024-07-30"})
    draft = ImportDraft.objects.get()
    log = client.get(reverse("audit-list"))
    history = client.get(reverse("audit-history", args=["plans.importdraft", draft.pk]))
    for page in (log, history):
        assert page.status_code == 200
        html = page.content.decode()
        assert "任务数" in html and "整改任务清单" in html  # items=3, kind=task_list
        assert "task_list" not in html


@pytest.mark.parametrize("name", DICT_METHODS)
def test_a_field_named_like_a_dict_method_is_shown_as_recorded(client, world, name):
    unit = world.unit("鄠邑区政府")
    record(world.office, "unit.updated", unit, changes={name: ["前值甲", "后值乙"]})
    client.force_login(world.office)
    for url in (reverse("audit-list"), reverse("audit-history", args=["accounts.unit", unit.pk])):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "前值甲" in html and "后值乙" in html


def test_times_are_beijing_time_and_people_are_named_with_their_unit(client, world):
    world.office.first_name = "王立新"
    world.office.save()
    unit = world.unit("鄠邑区政府")
    stamp = dt.datetime(2026, 12, 5, 11, 46, 11, 275000, tzinfo=dt.UTC)
    record(world.office, "unit.updated", unit, changes={"updated_at": [None, stamp]})
    client.force_login(world.office)
    html = client.get(reverse("audit-list")).content.decode()
    assert "2026-12-05 19:46" in html
    assert "2026-12-05T11:46" not in html
    assert "王立新（市生态环境保护督察整改工作领导小组办公室）" in html


def test_counts_of_related_rows_are_named_by_what_they_count(world):
    from lantian.lib.labels import change_rows

    rows = change_rows("roster.roster", {"units": [None, 24], "points": [20, 32]})
    assert [(r.label, r.before, r.after) for r in rows] == [
        ("重点排污单位数", "—", "24"),
        ("监测点位数", "20", "32"),
    ]
    # a task's units are still its units and their roles
    [units] = change_rows("ledger.task", {"units": [None, {"市城管局": ["responsible"]}]})
    assert units.label == "单位及职责" and units.after == "市城管局（整改责任单位）"


def test_sign_ins_are_named(world):
    from lantian.lib.labels import action_label

    assert [action_label(a, "auth.user") for a in ("login", "login.failed")] == [
        "登录",
        "登录失败",
    ]
    assert action_label("login.locked_out") == "登录锁定（多次失败）"


def test_an_acceptances_status_and_checklist_findings_are_words(world):
    from lantian.lib.labels import change_rows

    rows = change_rows(
        "ledger.acceptance", {"status": ["in_progress", "applied"], "第3项": ["pending", "pass"]}
    )
    assert [(r.before, r.after) for r in rows] == [("推进中", "申请验收"), ("待核查", "符合")]
