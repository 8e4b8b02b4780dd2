"""Variants seen in real plans beyond the seeds, on small texts written for the tests."""

import datetime as dt
import io

import pytest

from plans.extract import parse_file, parse_text
from plans.extract.tasks import _deadline


@pytest.mark.parametrize(
    ("raw", "date", "immediate", "ongoing"),
    [
        ("2025年第三季度", "2025-09-30", False, False),
        ("今年底前", "2024-12-31", False, False),
        ("次年6月", "2025-06-30", False, False),
        ("次年6月底前", "2025-06-30", False, False),
        ("2024年度", "2024-12-31", False, False),
        ("2024年", "2024-12-31", False, False),
        ("每季度末", None, False, True),
        ("即日起，长期坚持", None, True, True),
        ("一季度末", "2024-03-31", False, False),
        ("2024 年 8 月底", "2024-08-31", False, False),
    ],
)
def test_deadline_field_forms(raw, date, immediate, ongoing):
    out = _deadline(raw, 2024, dt.date(2024, 3, 1))
    assert (out["deadline"], out["immediate"], out["ongoing"]) == (date, immediate, ongoing)


NOTICE_WITH_ATTACHMENTS = """\
渭南市人民政府办公室关于印发渭南市大气污染防治专项督察反馈问题整改方案的通知

渭政办函〔2024〕15号

各县（市、区）人民政府，市政府各工作部门：
《渭南市大气污染防治专项督察反馈问题整改方案》已经市政府同意，现印发给你们，请认真贯彻执行。

渭南市人民政府办公室
2024年4月2日

渭南市大气污染防治专项督察反馈问题整改方案

一、总体要求
坚持问题导向，逐项整改销号。
二、保障措施
各责任单位于每月5日前报送上月整改进展。

附件：1.渭南市大气污染防治专项督察反馈问题整改任务清单
2.整改工作联系人名单

附件1

渭南市大气污染防治专项督察反馈问题整改任务清单

一、部分企业无组织排放管控不到位。
整改责任单位：临渭区政府、华州区政府
完成时限：2024年度
整改措施：
1.开展无组织排放专项检查。
2.建立问题清单，逐一整改销号。

二、秸秆露天焚烧时有发生。
责任单位：市农业农村局（牵头）、各县（市、区）政府
完成时限：即日起，长期坚持
整改措施：
1.落实网格化监管。

附件2

整改工作联系人名单

一、市生态环境局：张三
二、市农业农村局：李四
"""


def test_notice_cover_plan_body_and_two_attachments():
    out = parse_text(NOTICE_WITH_ATTACHMENTS)
    assert out["title"] == "渭南市大气污染防治专项督察反馈问题整改方案"
    assert out["doc_no"] == "渭政办函〔2024〕15号"
    assert out["issued"] == "2024-04-02"
    assert out["kind"] == "task_list"
    assert [i["no"] for i in out["items"]] == [1, 2]
    one, two = out["items"]
    assert one["deadline"] == "2024-12-31"
    assert one["responsible"] == ["临渭区政府", "华州区政府"]
    assert len(one["measures"]) == 2
    assert two["lead"] == ["市农业农村局"]
    assert (two["immediate"], two["ongoing"], two["deadline"]) == (True, True, None)
    assert len(two["measures"]) == 1  # the contact list of 附件2 is not a measure
    assert any(r["kind"] == "monthly_report" for r in out["rules"])


WORK_PLAN_INLINE_FIELDS = """安康市2024年蓝天保卫战工作方案

二、重点任务
（一）优化能源结构
1.推进清洁取暖。完成农村地区清洁取暖改造1.2万户。（牵头单位：市发改委；责任单位：各县（市、区）政府；完成时限：2024年10月底前）
2.淘汰燃煤锅炉。全面淘汰10蒸吨以下燃煤锅炉。（牵头单位：市市场监管局；配合单位：市生态环境局；完成时限：长期坚持）
"""


def test_work_plan_inline_unit_and_deadline_bracket():
    out = parse_text(WORK_PLAN_INLINE_FIELDS)
    assert out["kind"] == "work_plan"
    one, two = out["items"]
    assert one["section"] == "优化能源结构"
    assert one["lead"] == ["市发改委"]
    assert one["implementers"] == ["各县（市、区）政府"]
    assert one["deadline"] == "2024-10-31"
    assert two["participants"] == ["市生态环境局"]
    assert two["ongoing"] is True


WORK_PLAN_TIME_IN_BRACKET = """某某市2024年大气污染防治攻坚行动方案

二、重点任务
（一）强化扬尘污染管控
1.严格落实施工工地“六个百分之百”。工地全部安装在线监测设备。（责任单位：市住房和城乡建设局、各县区人民政府，持续推进）
2.提高道路机械化清扫率。主次干道机械化清扫率达到90%以上。（责任单位：市城市管理局，2024年12月底前完成）
3.开展涉VOCs企业综合治理。对120家重点企业开展“一企一策”治理。（市生态环境局牵头，各县区政府负责落实，年底前完成）
"""


def test_a_time_written_inside_the_unit_bracket_is_a_deadline_not_a_unit():
    out = parse_text(WORK_PLAN_TIME_IN_BRACKET)
    one, two, three = out["items"]
    assert one["implementers"] == ["市住房和城乡建设局", "各县区人民政府"]
    assert (one["ongoing"], one["deadline"]) == (True, None)
    assert two["implementers"] == ["市城市管理局"]
    assert two["deadline"] == "2024-12-31"
    assert three["lead"] == ["市生态环境局"] and three["implementers"] == ["各县区政府"]
    assert three["deadline"] == "2024-12-31"
    assert not out["warnings"]


WORDED_NUMBERS = """某某县贯彻落实第二轮中央生态环境保护督察报告整改方案

根据《第二轮中央生态环境保护督察报告》反馈意见，结合我县实际，制定本方案。

附件：整改任务清单

问题1：县城建成区扬尘污染问题突出，部分建筑工地未落实“六个百分之百”要求，道路积尘负荷偏高。
责任领导：县委常委、常务副县长 张某
牵头单位：县住建局
责任单位：县城管局、县交通局、各镇人民政府
整改目标：建筑工地扬尘防治措施全面落实，城区道路机械化清扫率达到90%。
整改时限：2024年12月底前
整改措施：
1.开展建筑工地扬尘专项整治，2024年6月底前完成全县在建工地排查。
2.加大道路清扫保洁力度，9月底前新增洒水车4台。

问题2：燃煤散烧问题反弹，城中村冬季散煤使用量较大。
责任领导：副县长 李某
牵头单位：县发改局
责任单位：县市场监管局、各镇人民政府
整改目标：完成清洁取暖改造3000户。
整改时限：立行立改，长期坚持
整改措施：
1.2024年10月底前完成3000户清洁取暖改造。
2.常态化开展散煤市场执法检查。
"""


def test_problems_numbered_with_a_word_and_a_measure_opening_with_a_year():
    """问题1：… items after an 附件 line; "1.2024年10月底前…" is measure 1, not 1.2024."""
    out = parse_text(WORDED_NUMBERS)
    assert out["kind"] == "task_list"
    one, two = out["items"]
    assert one["problem"].startswith("县城建成区扬尘污染问题突出")
    assert one["lead"] == ["县住建局"] and "县交通局" in one["responsible"]
    assert one["deadline"] == "2024-12-31"
    assert [m["milestones"][0]["date"] for m in one["measures"]] == ["2024-06-30", "2024-09-30"]
    assert (two["immediate"], two["ongoing"]) == (True, True)
    assert [len(m["milestones"]) for m in two["measures"]] == [1, 0]
    assert two["measures"][0]["milestones"][0]["date"] == "2024-10-31"


TASKS_WITHOUT_PROBLEM = """宝鸡市扬尘污染专项整治任务清单

（一）建筑工地扬尘治理
整改目标：施工工地“六个百分之百”全面落实。
责任单位：市住建局
整改时限：2024年6月底
（二）道路扬尘治理
整改目标：主干道机械化清扫率达到95%。
责任单位：市城管局
整改时限：2024年9月底前
"""


def test_task_list_whose_items_are_titles_without_a_problem_paragraph():
    out = parse_text(TASKS_WITHOUT_PROBLEM)
    assert out["kind"] == "task_list"
    assert [(i["no"], i["title"], i["deadline"]) for i in out["items"]] == [
        (1, "建筑工地扬尘治理", "2024-06-30"),
        (2, "道路扬尘治理", "2024-09-30"),
    ]
    assert out["items"][1]["responsible"] == ["市城管局"]


def _table_docx(header, rows) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("铜川市环境问题整改台账")
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_one_row_per_task_with_multi_line_cells_in_another_column_order():
    data = _table_docx(
        ["序号", "整改措施", "存在问题", "责任部门", "配合部门", "完成期限", "备注"],
        [
            [
                "1",
                "（一）开展砖瓦窑专项排查，\n建立台账。\n（二）2024年5月底前完成\n深度治理。",
                "砖瓦窑企业\n治理设施不完善。",
                "市工信局\n市生态环境局",
                "各区县政府",
                "2024年6月底",
                "",
            ],
            [
                "2",
                "加强渣土车\n密闭运输监管。",
                "渣土车撒漏。",
                "市城管局",
                "市公安局",
                "持续推进",
                "",
            ],
        ],
    )
    out = parse_file(data, filename="tongchuan.docx")
    assert out["kind"] == "task_list"
    one, two = out["items"]
    assert one["title"] == "砖瓦窑企业治理设施不完善"
    assert one["responsible"] == ["市工信局", "市生态环境局"]
    assert one["participants"] == ["各区县政府"]
    assert [m["text"] for m in one["measures"]] == [
        "开展砖瓦窑专项排查，建立台账。",
        "2024年5月底前完成深度治理。",
    ]
    assert one["measures"][1]["milestones"][0]["date"] == "2024-05-31"
    assert one["deadline"] == "2024-06-30"
    assert two["ongoing"] is True and two["deadline"] is None
    assert [m["text"] for m in two["measures"]] == ["加强渣土车密闭运输监管。"]


# The head of a real notice (互助县, 互政办函〔2023〕223号, http://110.166.81.53/info/1013/59872.htm):
# the issuer and 关于… on two lines,
# the plan title broken after a 、.
HUZHU_HEAD = """互政办函〔2023〕223号


互助土族自治县人民政府办公室

关于转发互助县深入打好柴油货车污染治理、臭氧污染防治和重污染天气消除攻坚战行动实施方案的通知


各乡镇人民政府、高寨街道办事处,县政府有关部门,绿色产业园管委会,有关科级事业单位:

县生态环境局拟定的《互助县深入打好柴油货车污染治理、臭氧污染防治和重污染天气消除攻坚战行动实施方案》已经县人民政府研究同意,现转发给你们,请结合实际,认真抓好贯彻落实。



互助土族自治县人民政府办公室

2023年11月16日




互助县深入打好柴油货车污染治理、

臭氧污染防治和重污染天气消除攻坚战行动实施方案
"""


def test_titles_set_on_two_lines():
    from plans.extract import meta
    from plans.extract.text import prepare

    lines = prepare(HUZHU_HEAD.splitlines())
    title, _, _ = meta.title_of(lines)
    assert title == "互助县深入打好柴油货车污染治理、臭氧污染防治和重污染天气消除攻坚战行动实施方案"
    assert meta.notice_of(lines).startswith("互助土族自治县人民政府办公室关于转发")
    assert meta.doc_no_of(lines) == "互政办函〔2023〕223号"
    assert meta.issued_of(lines) == (dt.date(2023, 11, 16), "互助土族自治县人民政府办公室")


WORK_PLAN_SUPERVISOR = """XX市2025年蓝天保卫战实施方案

二、主要任务
（一）加强秸秆禁烧管控。开展秸秆禁烧巡查，确保不发生大面积焚烧。（各区县政府负责，市农业农村局督导）
（二）强化移动源污染防治。开展柴油货车路检路查。
牵头单位：市交通运输局；督导单位：市生态环境局
"""


def test_a_supervising_unit_in_a_work_plan_is_the_acceptance_unit():
    one, two = parse_text(WORK_PLAN_SUPERVISOR)["items"]
    assert one["implementers"] == ["各区县政府"] and one["acceptance"] == ["市农业农村局"]
    assert "市农业农村局" not in one["responsible"]
    assert two["lead"] == ["市交通运输局"] and two["acceptance"] == ["市生态环境局"]


def test_measures_numbered_inside_one_cell_become_separate_measures():
    data = _table_docx(
        ["序号", "反馈问题", "责任领导", "牵头单位", "责任单位", "完成时限", "整改措施"],
        [
            [
                "1",
                "城区扬尘污染问题突出。",
                "副市长 王某",
                "市住建局",
                "市城管局、各区政府",
                "2024年12月底前",
                "1.开展工地扬尘专项检查；2.2024年6月底前完成在线监测设备安装；3.新增2.5万平方米绿化。",
            ]
        ],
    )
    (item,) = parse_file(data, filename="清单.docx", year=2024)["items"]
    texts = [m["text"] for m in item["measures"]]
    assert len(texts) == 3 and texts[1].startswith("2024年6月底前完成在线监测设备安装")
    assert "2.5万平方米" in texts[2]
    assert item["measures"][1]["milestones"][0]["date"] == "2024-06-30"
    assert item["lead"] == ["市住建局"]
