"""Each variant the importer must read, on small texts written for the test (not the seeds)."""

import datetime as dt

from plans.extract import parse_text

TASK_LIST = """铜川市贯彻落实省生态环境保护督察反馈意见整改方案

2024年5月8日至6月8日，省第三生态环境保护督察组对我市开展了督察，于7月15日向我市反馈了督察意见。

一、总体要求
认真贯彻落实省委、省政府工作要求，确保反馈问题整改到位。

二、保障措施
各整改责任单位要在本方案印发后 20 个工作日内制定细化整改方案。每月5日前报送上月整改进展。

附件

铜川市贯彻落实省生态环境保护督察反馈意见整改任务清单

一、王益区建筑工地扬尘管控不到位，3 个工地裸土未覆盖，占比约 15%。
整改责任单位：王益区、印台区委、区政府（牵头），市住建局
督导验收单位：市住建局（牵头）、市生态环境局
整改目标：建筑工地扬尘防控措施全面落实，施工工地每日检查不少于10户。
整改时限：2024 年 10 月底
整改措施：
（一）全面排查在建工地，建立问题清单。
（二）2024年8月底前完成全部裸土覆盖；2024年9月底前完成验收。
王益区：
（一）对3个问题工地停工整改。
（二）每周开展一次督导检查。
印台区：
（一）建立工地动态管理台账，2024年9月15日前完成。
耀州区：责令问题企业立即整改，依法查处违法行为。

二、燃煤锅炉淘汰进度滞后。
责任单位: 市发改委(牵头)、市生态环境局,各区县政府
验收单位: 市发改委、市生态环境局按职责分工分别验收
完成时限: 立行立改、长期坚持
整改措施:
(一)持续开展燃煤锅炉排查，发现一台淘汰一台。
(二)年底前完成 35 蒸吨以下燃煤锅炉淘汰。

三、散煤治理不彻底，部分区域散煤复烧。
整改责任单位：各区县党委、政府，市农业农村局等
督导验收单位：市发改委
整改目标：平原地区散煤动态清零。
整改时限：2024年12月底前取得阶段性成效，长期坚持
整改措施：
持续开展散煤排查，严防散煤复烧。
"""

WORK_PLAN = """汉中市蓝天保卫战2024年工作方案

汉政办发〔2024〕12号

为持续改善环境空气质量，制定本方案。以下各项工作均需各县区政府落实，不再列出。

一、工作目标
2024年全市优良天数比率达到88%以上。

二、重点任务
（一）调整产业结构
1.淘汰落后产能。6月底前完成砖瓦行业整治；年底前完成燃煤锅炉淘汰。〔市工信局牵头，市发改委、市生态环境局参与，各县区政府落实〕
2.推进清洁取暖。2024年底，全市清洁取暖率达85%左右。（市发改委牵头，市财政局配合，各县区政府负责落实）
（二）强化扬尘管控
3.加强道路扬尘管控。主城区道路机械化清扫率达到95%，降尘量不高于6吨/月・平方公里。
牵头单位：市城管局；责任单位：市交通局、市住建局
4.加强工地扬尘监管。每季度完成一轮次全覆盖检查，一季度末完成在线监测设备校准。〔市住建局、市城管局按职责分工负责〕
三、保障措施
5.加强组织领导。各县区每月月底前报送工作进展。〔市生态环境局牵头〕
"""


def test_task_list_items_fields_and_units():
    out = parse_text(TASK_LIST)
    assert out["kind"] == "task_list"
    assert [i["no"] for i in out["items"]] == [1, 2, 3]
    one, two, three = out["items"]
    assert one["title"] == "王益区建筑工地扬尘管控不到位，3 个工地裸土未覆盖，占比约 15%"
    assert one["responsible"] == ["王益区", "印台区委", "区政府", "市住建局"]
    assert one["lead"] == ["印台区委", "区政府"]  # the marker after a pair marks the pair
    assert one["acceptance_lead"] == ["市住建局"]
    expanded = {u["name"]: u["roles"] for u in one["units"]}
    assert expanded["王益区党委"] == ["responsible", "lead"]
    assert expanded["印台区政府"] == ["responsible", "lead"]
    assert expanded["市住建局"] == ["responsible", "acceptance", "acceptance_lead"]
    assert [(n["value"], n["unit"]) for n in one["numbers"]] == [(3, "个"), (15, "%")]
    assert two["acceptance"] == ["市发改委", "市生态环境局按职责分工分别验收"]
    assert two["acceptance_note"] == "按职责分工分别验收"
    assert three["responsible"] == ["各区县党委", "政府", "市农业农村局"]
    assert any(u["open_ended"] for u in three["units"])


def test_task_list_deadlines_and_flags():
    one, two, three = parse_text(TASK_LIST)["items"]
    assert (one["deadline"], one["immediate"], one["ongoing"]) == ("2024-10-31", False, False)
    assert (two["deadline"], two["immediate"], two["ongoing"]) == (None, True, True)
    assert (three["deadline"], three["ongoing"]) == ("2024-12-31", True)
    assert "deadline" in three["uncertain"]  # a stage result, not completion


def test_task_list_district_subsections_and_inline_lines():
    one = parse_text(TASK_LIST)["items"][0]
    keys = [(m["district"], m["no"]) for m in one["measures"]]
    assert keys == [
        (None, 1),
        (None, 2),
        ("王益区", 1),
        ("王益区", 2),
        ("印台区", 1),
        ("耀州区", None),
    ]
    assert one["measures"][-1]["text"] == "责令问题企业立即整改，依法查处违法行为。"
    milestones = [(ms["date"], ms["date_raw"]) for m in one["measures"] for ms in m["milestones"]]
    assert milestones == [
        ("2024-08-31", "2024年8月底前"),
        ("2024-09-30", "2024年9月底前"),
        ("2024-09-15", "2024年9月15日前"),
    ]
    three = parse_text(TASK_LIST)["items"][2]
    assert [(m["no"], m["text"]) for m in three["measures"]] == [
        (None, "持续开展散煤排查，严防散煤复烧。")
    ]


def test_task_list_metadata_and_rules():
    out = parse_text(TASK_LIST, issued="2024-07-30")
    assert out["title"] == "铜川市贯彻落实省生态环境保护督察反馈意见整改方案"
    assert out["city"] == "铜川市"
    assert out["inspection_period"] == ["2024-05-08", "2024-06-08"]
    assert out["feedback_date"] == "2024-07-15"
    assert out["year"] == 2024
    rules = {r["kind"]: r for r in out["rules"]}
    assert rules["detailed_plan_due"]["workdays"] == 20
    assert rules["detailed_plan_due"]["date"] == "2024-08-27"
    assert rules["monthly_report"]["day"] == 5


def test_task_list_targets():
    one = parse_text(TASK_LIST)["items"][0]
    assert [(t["value"], t["unit"], t["cmp"], t.get("per")) for t in one["targets"]] == [
        (10, "户", ">=", "天")
    ]


def test_work_plan_brackets_in_both_forms():
    out = parse_text(WORK_PLAN)
    assert out["kind"] == "work_plan"
    assert out["doc_no"] == "汉政办发〔2024〕12号"
    assert [i["no"] for i in out["items"]] == [1, 2, 3, 4, 5]
    one, two = out["items"][:2]
    assert one["section"] == "调整产业结构"
    assert one["lead"] == ["市工信局"]
    assert one["participants"] == ["市发改委", "市生态环境局"]
    assert one["implementers"] == ["各县区政府"]
    assert two["lead"] == ["市发改委"]
    assert two["participants"] == ["市财政局"]
    assert two["implementers"] == ["各县区政府"]
    assert two["measures"][0]["text"].endswith("全市清洁取暖率达85%左右。")


def test_work_plan_unit_lines_duty_split_and_defaults():
    out = parse_text(WORK_PLAN)
    three, four, five = out["items"][2:]
    assert three["lead"] == ["市城管局"]
    assert three["implementers"][:2] == ["市交通局", "市住建局"]
    # "以下各项工作均需各县区政府落实，不再列出" applies to every later task
    assert "各县区政府" in three["implementers"]
    assert "各县区政府" in five["implementers"]
    assert four["lead"] == ["市住建局", "市城管局"] and four["by_duty"]
    assert five["section"] == "保障措施"


def test_work_plan_dates_and_targets():
    out = parse_text(WORK_PLAN)
    one, two, three, four, _ = out["items"]
    assert [(d["raw"], d["date"]) for d in one["deadlines"]] == [
        ("6月底前", "2024-06-30"),
        ("年底前", "2024-12-31"),
    ]
    assert [(t["value"], t["unit"], t["cmp"], t["by"]) for t in two["targets"]] == [
        (85, "%", "≈", "2024-12-31")
    ]
    assert [(t["value"], t["unit"], t["cmp"]) for t in three["targets"]] == [
        (95, "%", ">="),
        (6, "吨/月・平方公里", "<="),
    ]
    assert ("一季度末", "2024-03-31") in [(d["raw"], d["date"]) for d in four["deadlines"]]
    assert [(t["value"], t["unit"], t.get("per")) for t in four["targets"]] == [(1, "轮次", "季")]


def test_goal_section_is_not_a_task():
    out = parse_text(WORK_PLAN)
    assert not any("优良天数" in i["text"] for i in out["items"])


def test_page_breaks_are_joined_and_headings_are_not():
    text = TASK_LIST.replace("建立问题清单。", "建立\n\n问题清单。")
    one = parse_text(text)["items"][0]
    assert one["measures"][0]["text"] == "全面排查在建工地，建立问题清单。"


def test_traditional_characters_are_read():
    hant = TASK_LIST.replace("整改责任单位", "整改責任單位").replace("督导验收单位", "督導驗收單位")
    hant = hant.replace("整改时限", "整改時限").replace("区政府", "區政府")
    out = parse_text(hant)
    assert out["items"][0]["responsible"] == ["王益区", "印台区委", "区政府", "市住建局"]
    assert out["items"][0]["deadline"] == "2024-10-31"


def test_bookmark_debris_full_width_digits_and_news_lead():
    text = (
        "某某网讯：近日，铜川市印发整改方案，要求各单位抓好落实，全市将持续改善空气质量。原文如下：\n"
        + TASK_LIST.replace("铜川市贯彻落实", "[bookmark: _GoBack]铜川市贯彻落实").replace(
            "2024 年 10 月底", "２０２４年１０月底"
        )
    )
    out = parse_text(text)
    assert out["title"] == "铜川市贯彻落实省生态环境保护督察反馈意见整改方案"
    assert out["items"][0]["deadline"] == "2024-10-31"
    assert any("导语" in w for w in out["warnings"])


def test_year_and_issue_date_can_be_given():
    text = WORK_PLAN.replace("汉中市蓝天保卫战2024年工作方案", "汉中市蓝天保卫战工作方案")
    out = parse_text(text, year=2025, issued=dt.date(2025, 3, 1))
    assert out["year"] == 2025 and out["issued"] == "2025-03-01"
    assert out["items"][0]["deadlines"][0]["date"] == "2025-06-30"


SECTIONED_LIST = """渭南市扬尘治理问题整改清单

一、扬尘治理
1.临渭区建筑工地围挡破损。
整改责任单位：临渭区政府
整改时限：2024年5月底
整改措施：
（一）修复围挡。
（二）加强巡查。
2.华州区渣土车未密闭。
责任单位：华州区政府
完成时限：立行立改
二、工业污染
3.部分企业治污设施不正常运行。
责任单位：各县（市、区）政府，市生态环境局（牵头）
完成时限：2024年8月底
"""

NESTED_PLAN = """榆林市蓝天保卫战2024年行动方案

一、重点任务
（一）推进产业结构调整。开展以下工作：
1.淘汰落后产能；
2.整治传统产业集群。
〔市工信局牵头，市发改委配合，各县（市、区）政府落实〕
（二）强化扬尘管控。明年6月底前完成道路硬化。（市住建局牵头，各县（市、区）政府负责落实）
二、保障措施
（三）加强督导。〔市生态环境局牵头〕
"""


def test_task_list_sections_above_the_items():
    out = parse_text(SECTIONED_LIST)
    assert out["kind"] == "task_list"
    assert [(i["no"], i["section"]) for i in out["items"]] == [
        (1, "扬尘治理"),
        (2, "扬尘治理"),
        (3, "工业污染"),
    ]
    one, two, three = out["items"]
    assert [m["text"] for m in one["measures"]] == ["修复围挡。", "加强巡查。"]
    assert two["immediate"] and not two["measures"]
    assert three["responsible"] == ["各县（市、区）政府", "市生态环境局"]
    assert three["lead"] == ["市生态环境局"]


def test_work_plan_sub_points_stay_inside_their_task():
    out = parse_text(NESTED_PLAN)
    assert out["kind"] == "work_plan"
    assert [(i["no"], i["section"]) for i in out["items"]] == [
        (1, "重点任务"),
        (2, "重点任务"),
        (3, "保障措施"),
    ]
    one, two, _ = out["items"]
    assert "整治传统产业集群" in one["text"]
    assert one["lead"] == ["市工信局"] and one["participants"] == ["市发改委"]
    assert one["implementers"] == ["各县（市、区）政府"]
    assert two["implementers"] == ["各县（市、区）政府"]
    assert two["deadlines"][0]["date"] == "2025-06-30"
