"""Small hand-written extractions in the format of ``CONTRACT-plans.md`` §1, and helpers that
import them. They imitate seed 000's shapes (district blocks, joint bodies, milestones with
quantities, open groups) without depending on the plans extractor."""

from __future__ import annotations

import copy

from ledger.services import import_plan_extraction


def unit(name, *roles, raw=None, note=""):
    return {"name": name, "raw": raw or name, "roles": list(roles), "note": note}


ITEM_SIX = {
    "no": 6,
    "section": None,
    "title": "鄠邑区住建部门未对市级提醒的工地扬尘在线多次超标问题进行查处",
    "problem": "鄠邑区住建部门未对工地扬尘在线多次超标问题进行查处；临潼区对商混企业监管不严。",
    "text": "",
    "target": "进一步强化职能部门大气污染防治责任，完善长效监管机制。",
    "deadline_raw": "立行立改、长期坚持",
    "deadline": None,
    "immediate": True,
    "ongoing": True,
    "measures": [
        {
            "no": 1,
            "district": "鄠邑区",
            "text": "安排专人负责扬尘监测设备数据后台管理维护。",
            "milestones": [],
        },
        {
            "no": 2,
            "district": "鄠邑区",
            "text": "每个工地至少安排两名保洁人员进行巡查。",
            "milestones": [],
        },
        {
            "no": 1,
            "district": "临潼区",
            "text": "督促水泥制品厂完善项目备案手续，2024年底前完成整改。",
            "milestones": [{"date": "2024-12-31", "raw": "2024年底前完成整改", "what": "完成整改"}],
        },
    ],
    "deadlines": [],
    "targets": [],
    "units": [
        unit("临潼区党委", "responsible", raw="临潼区、鄠邑区委、区政府"),
        unit("临潼区政府", "responsible", raw="临潼区、鄠邑区委、区政府"),
        unit("鄠邑区党委", "responsible", raw="临潼区、鄠邑区委、区政府"),
        unit("鄠邑区政府", "responsible", raw="临潼区、鄠邑区委、区政府"),
        unit("市住建局", "acceptance", "acceptance_lead", raw="市住建局（牵头）"),
        unit("市生态环境局", "acceptance"),
    ],
    "uncertain": [],
}

ITEM_EIGHT = {
    "no": 8,
    "title": "西安市营业面积一千平方米以上餐饮单位 607 家，仅 17 家安装了油烟在线监控设施",
    "problem": "西安市营业面积一千平方米以上餐饮单位 607 家，仅 17 家安装了油烟在线监控设施。",
    "target": "对全市 1000 平方米以上餐饮单位安装油烟在线监测设施。",
    "deadline_raw": "2024年12月底",
    "deadline": "2024-12-31",
    "immediate": False,
    "ongoing": False,
    "measures": [
        {"no": 1, "district": None, "text": "对758家餐饮企业建立台账。", "milestones": []},
        {
            "no": 2,
            "district": None,
            "text": "完成在线监测设施安装。",
            "milestones": [
                {
                    "date": "2024-03-31",
                    "raw": "2024年3月底前完成重点区域内287家试点餐饮单位安装",
                    "what": "完成重点区域内287家试点餐饮单位安装",
                },
                {
                    "date": "2024-12-31",
                    "raw": "2024年12月底前完成全部758家安装",
                    "what": "完成全部758家安装",
                },
            ],
        },
    ],
    "deadlines": [
        {"date": "2024-12-31", "raw": "2024年12月底", "what": "", "clause": "2024年12月底"}
    ],
    "targets": [
        {
            "what": "油烟在线监测设施安装",
            "value": 758,
            "unit": "家",
            "cmp": ">=",
            "by": "2024-12-31",
            "raw": "全部758家",
        }
    ],
    "units": [unit("市城管局", "responsible", "acceptance")],
    "uncertain": ["deadline"],
}

ITEM_SIXTEEN = {
    "no": 16,
    "title": "道路扬尘问题屡禁不绝",
    "problem": "道路扬尘问题屡禁不绝。",
    "target": "108 国道过境车和渣土车道路扬尘污染得到有效控制。",
    "deadline_raw": "立行立改、长期坚持",
    "deadline": None,
    "immediate": True,
    "ongoing": True,
    "measures": [{"no": 1, "district": None, "text": "推进渣土车高效冲洗。", "milestones": []}],
    "units": [
        unit("市城管局", "responsible", "lead", raw="市城管局（牵头）"),
        unit("108国道沿线区县党委", "responsible"),
        unit("市扬尘治理联席办", "responsible"),
        unit("市城管局", "acceptance", "acceptance_lead"),
    ],
}


def extraction(*items, **overrides):
    data = {
        "title": "西安市贯彻落实省大气污染防治专项督察报告整改方案",
        "doc_no": None,
        "issued": None,
        "year": 2023,
        "kind": "task_list",
        "issuer": "西安市",
        "city": "西安市",
        "inspection_period": ["2023-04-06", "2023-06-05"],
        "feedback_date": "2023-09-11",
        "rules": [
            {
                "kind": "detailed_plan_due",
                "raw": "在本方案正式印发后 30 个工作日内制定印发细化整改方案",
                "workdays": 30,
                "date": None,
            },
            {"kind": "monthly_report", "raw": "每月月底前", "day": "month_end"},
            {"kind": "report_due", "raw": "2024 年 2 月 1 日前书面报送", "date": "2024-02-01"},
            {"kind": "acceptance", "raw": "一事一验"},
        ],
        "items": [copy.deepcopy(i) for i in (items or (ITEM_SIX, ITEM_EIGHT, ITEM_SIXTEEN))],
        "warnings": [],
    }
    data.update(overrides)
    return data


def import_sample(user=None, *items, source=b"seed-000-like plan text", **overrides):
    return import_plan_extraction(
        extraction(*items, **overrides),
        source_name="整改方案.txt",
        source_bytes=source,
        acting_user=user,
    )
