"""The two seed plans against their hand annotations (testdata/gold/), group by group."""

import datetime as dt
import json

import pytest

from conftest import EXAMPLES_DIR, GOLD_DIR
from lantian.lib.workdays import add_workdays
from plans.accuracy import meta_report, score
from plans.extract import parse_file

SEEDS = {
    "seed000": EXAMPLES_DIR / "xian_2023_rectification_plan.txt",
    "seed001": EXAMPLES_DIR / "xianyang_2022_blue_sky_plan.txt",
}


@pytest.fixture(scope="module", params=sorted(SEEDS))
def scored(request):
    gold = json.loads((GOLD_DIR / f"{request.param}.gold.json").read_text(encoding="utf-8"))
    out = json.loads(json.dumps(parse_file(SEEDS[request.param]), ensure_ascii=False))
    return request.param, gold, out, score(out, gold)


def test_every_field_group_agrees_with_the_gold(scored):
    name, _, _, rows = scored
    low = [(row[0], round(row[3], 3), row[7][:5]) for row in rows if row[3] < 0.98]
    assert not low, f"{name}: field groups below F1 0.98: {low}"
    assert len(rows) >= 9


def test_metadata_agrees_with_the_gold(scored):
    name, gold, out, _ = scored
    bad = [line for line in meta_report(out, gold) if "BAD" in line]
    assert not bad, bad


def test_seed000_is_a_task_list_with_its_guarantee_rules():
    out = parse_file(SEEDS["seed000"])
    assert out["kind"] == "task_list"
    assert out["city"] == "西安市"
    kinds = {rule["kind"]: rule for rule in out["rules"]}
    assert kinds["detailed_plan_due"]["workdays"] == 30
    assert kinds["monthly_report"]["day"] == "month_end"
    assert kinds["report_due"]["date"] == "2024-02-01"
    assert "acceptance" in kinds
    # the body's 一、指导思想 … 四、保障措施 are not tasks, the attachment title is not a task
    assert [item["no"] for item in out["items"]] == list(range(1, 30))


def test_seed000_detailed_plan_date_counts_working_days_from_the_issue_date():
    out = parse_file(SEEDS["seed000"], issued="2023-09-28")
    rule = next(r for r in out["rules"] if r["kind"] == "detailed_plan_due")
    # 09-29 … 10-06 are the Mid-Autumn/National Day holidays; 10-07 and 10-08 are make-up days
    assert rule["date"] == add_workdays(dt.date(2023, 9, 28), 30).isoformat() == "2023-11-15"


def test_seed001_is_a_work_plan_and_skips_the_news_lead():
    out = parse_file(SEEDS["seed001"])
    assert out["kind"] == "work_plan"
    assert out["city"] == "咸阳市"
    assert any("导语" in w for w in out["warnings"])
    # the lead repeats sentences of items 11–13; they appear once, in the items
    texts = [item["text"] for item in out["items"]]
    assert sum("全市清洁取暖率达90%左右" in t for t in texts) == 1


def test_units_carry_roles_for_the_ledger():
    out = parse_file(SEEDS["seed000"])
    item6 = out["items"][5]
    units = {u["name"]: u["roles"] for u in item6["units"]}
    assert units["鄠邑区政府"] == ["responsible"]
    assert units["临潼区党委"] == ["responsible"]
    assert units["市住建局"] == ["acceptance", "acceptance_lead"]
    item23 = out["items"][22]
    lead = [u["name"] for u in item23["units"] if "lead" in u["roles"]]
    assert lead == ["周至县党委", "周至县政府"]
