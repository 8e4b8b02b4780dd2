"""Layout rules found on held-out corpus documents, each checked on a made-up document of the
same family (different wording), so that a rule is one any document of that shape needs."""

from __future__ import annotations

from plans.extract import parse_text


def _one(text: str, **kwargs) -> dict:
    out = parse_text(text, **kwargs)
    assert out["kind"] == "task_list"
    assert len(out["items"]) == 1
    return out["items"][0]


def test_a_task_column_named_by_two_words_is_the_task_column():
    # 工作任务和内容 / 重点任务及要求: a column name joined by 和/及 means what its first word
    # means; a table without a 序号 column numbers its rows in order
    text = "\n".join(
        [
            "某县2021年秋冬季大气治理职责分工",
            "重点任务及要求 | 责任单位 | 配合单位 | 完成时间",
            "开展城区道路机械化清扫,提高洒水频次. | 县城管局 | 县住建局 | 长期坚持",
            "完成燃煤锅炉淘汰工作. | 县发改局 |  | 10月底前完成",
        ]
    )
    out = parse_text(text, year=2021)
    items = out["items"]
    assert [it["no"] for it in items] == [1, 2]
    assert items[0]["responsible"] == ["县城管局"] and items[0]["ongoing"]
    assert items[1]["deadline"] == "2021-10-31"
    # a copy that made every 。 a half-width stop: the title loses it like a 。
    assert items[1]["title"] == "完成燃煤锅炉淘汰工作"
    assert items[0]["title"] == "开展城区道路机械化清扫,提高洒水频次"


def test_a_problem_heading_over_a_list_of_problems_is_one_item():
    text = "\n".join(
        [
            "扬尘问题整改销号公示",
            "现将问题整改完成情况公示如下:",
            "一、整改问题",
            "(一)滨河路东段,渣土堆放未苫盖。",
            "(二)新华街北口,施工围挡破损,道路泥泞。",
            "二、整改实施主体",
            "某某街道办事处",
            "三、重点措施",
            "(一)渣土全部清运,裸土覆盖防尘网。",
            "(二)修复围挡,每日冲洗路面。",
            "四、完成时限",
            "20246月底前",  # a copy that lost 年
            "五、整改完成情况",
            "已整改到位。如对整改情况有异议,请于公示期内向街道城管科反映。",
            "监督电话:0999-1234567",
        ]
    )
    item = _one(text, year=2024)
    assert item["problem"].startswith("(一)滨河路东段") and "(二)新华街北口" in item["problem"]
    assert item["title"] == "滨河路东段,渣土堆放未苫盖"
    assert item["deadline"] == "2024-06-30"
    # the closing written on after the claim is not part of the claim
    assert item["progress"] == "已整改到位。"
    assert [m["no"] for m in item["measures"]] == [1, 2]
    assert [c["value"] for c in item["contacts"]] == ["0999-1234567"]


def test_a_report_answers_each_numbered_problem_with_what_was_done():
    text = "\n".join(
        [
            "某市关于环境保护专项审计发现问题整改情况的报告",
            "一、总体情况",
            "我市高度重视,制定整改方案,按短期攻坚和长期坚持分步推进。",
            "二、具体整改情况",
            "(一)部分县区扬尘在线监测设备未联网。",
            "该问题已完成整改。全部设备已接入市级平台,持续开展数据质控。",
            "(二)重型柴油车遥感监测数据未有效运用。",
            "此项问题正在整改。已建立遥感数据移交执法机制。",
        ]
    )
    out = parse_text(text, year=2023)
    assert out["kind"] == "task_list"
    first, second = out["items"]
    assert first["problem"] == "部分县区扬尘在线监测设备未联网。"
    assert first["progress"].startswith("该问题已完成整改。")
    assert second["progress"].startswith("此项问题正在整改。")
    # what was done is a claim: "持续开展" in it sets no 长期坚持 flag and makes no measure
    assert not first["ongoing"] and first["measures"] == []


def test_a_notice_that_only_quotes_its_problem_is_one_item():
    text = (
        "根据有关要求,现将区环保督察反馈问题第3项关于“城西货场散煤露天堆放,未建设防风抑尘设施"
        "问题”整改任务落实情况予以公示。公示期间如有意见,请将书面材料发送至邮箱"
        "chengxi_env@example.gov.cn。\n"
        "网站标识码:0000000000"
    )
    item = _one(text, year=2025)
    assert item["problem"] == "城西货场散煤露天堆放,未建设防风抑尘设施问题"
    assert item["title"] == item["problem"]
    # the e-mail address alone, not the Chinese words before it
    assert [c["value"] for c in item["contacts"]] == ["chengxi_env@example.gov.cn"]


def test_a_quoted_case_number_is_not_a_problem():
    text = "关于信访件“X3100020250101001”整改情况的公示\n现予公示。\n1. 某某局:已办结。"
    try:
        out = parse_text(text, year=2025)
    except Exception:  # noqa: BLE001 - no task found is an acceptable answer
        return
    assert all(it.get("problem") != "X3100020250101001" for it in out["items"])


def test_a_table_whose_cells_and_rows_ran_together_is_rebuilt():
    # a repost: column names, then every cell separated by spaces, empty cells gone, a unit
    # name and a time cell wrapped in two pieces
    text = (
        "发布: 某网友 2020-05-01\n"
        "附件 某县蓝天行动责任分工 工作任务和内容 责任单位 配合单位 完成时间 "
        "负责餐饮油烟专项整治,督促餐饮单位安装油烟净化设施.\n\n"
        "县市场监管 局 持续开展 负责建成区渣土车密闭运输管理,查处抛洒滴漏行为. 县城管局 "
        "9月底前建立 长效机制 负责秸秆禁烧巡查工作. 县农业 农村局 长期坚持"
    )
    out = parse_text(text, year=2020)
    items = out["items"]
    assert [it["responsible"] for it in items] == [["县市场监管局"], ["县城管局"], ["县农业农村局"]]
    assert items[0]["title"] == "负责餐饮油烟专项整治,督促餐饮单位安装油烟净化设施"
    assert items[1]["deadline"] == "2020-09-30"
    assert items[0]["ongoing"] and items[2]["ongoing"]
