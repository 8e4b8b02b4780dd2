"""The field labels plans and notices use, by family: the one table the reader consults.

A task list or a 公示 names its fields with labels (``整改责任单位：``, ``【存在问题】``,
``二、整改实施主体``, ``整改任务概述 | …``). Each label below belongs to one field of an item:

* ``problem`` — what is wrong (反馈问题 / 存在问题 / 整改任务(概述) …);
* ``responsible`` / ``lead`` / ``participants`` / ``acceptance`` / ``acceptance_lead`` — units;
* ``target``, ``deadline``, ``measures`` (整改措施 / 整改要求 / 整改建议 …);
* ``progress`` — what the unit says it has done (整改完成情况 / 成效): a claim to hold against data;
* ``contact`` — people and their telephone numbers (责任人 / 联系人 / 联系电话): personal data,
  kept with the task but never shown on public pages;
* ``place:<key>`` — where the problem is (点位名称 / 所属区域 / 位置 / 施工单位 …).

``SINGLE_LINE`` fields hold a short value (a unit list, a date, a place); the others may run
over several lines (a problem, a list of measures).
"""

from __future__ import annotations

import re

_FAMILIES: dict[str, str] = {
    "problem": (
        "问题描述 存在问题 反馈问题 具体问题 督察反馈问题 整改任务概述 整改任务 整改问题 交办问题 "
        "交办问题基本情况 举报事项 举报内容 信访事项 信访问题 问题内容 主要问题 问题表现"
    ),
    "responsible": (
        "整改责任单位 责任单位 落实单位 主办单位 责任部门 主责单位 主责部门 整改主体 "
        "整改实施主体 实施主体 责任主体 主管单位 主体责任单位 监管责任单位 整改单位 "
        "属地责任单位 行业主管部门"
    ),
    "lead": "牵头单位 牵头部门 牵头责任单位",
    "participants": "配合单位 参与单位 协办单位 配合部门",
    "leaders": "责任领导",
    "acceptance": "督导验收单位 验收单位 督导单位 督办单位 配合验收单位 验收部门",
    "acceptance_lead": "牵头验收单位",
    "target": "整改目标 工作目标 目标任务",
    "deadline": (
        "整改时限 完成时限 整改期限 完成时间 时限要求 完成期限 整改时间 办理时限 办结时限 "
        "整改期时限"
    ),
    "measures": (
        "整改措施 工作措施 具体措施 主要措施 重点措施 整改要求 整改建议 整改措施及成效 处理意见"
    ),
    "progress": (
        "整改完成情况 整改情况 完成情况 整改进展情况 整改进展 进展情况 整改成效 整改结果 "
        "办理情况 处理情况 整改、处理及问责情况 处理及整改情况"
    ),
    "contact": "责任人 联系人 联系电话 监督电话 举报电话 电子邮箱 联系方式 联系邮箱",
    "place:site": "点位名称 问题点位 项目名称 工地名称 企业名称",
    "place:area": "所属区域 问题所在区域 所在区域 行政区域 所属区县 所在区县",
    "place:location": "位置 具体位置 地址 详细地址",
    "place:builder": "建设单位",
    "place:contractor": "施工单位",
    "place:category": "污染类型 问题类型",
}

FIELD_OF_LABEL: dict[str, str] = {
    label: field for field, labels in _FAMILIES.items() for label in labels.split()
}
SINGLE_LINE = {
    "responsible",
    "lead",
    "participants",
    "leaders",
    "acceptance",
    "acceptance_lead",
    "deadline",
    "contact",
}
MULTI_LINE = {"problem", "target", "measures", "progress"}

# longest first, so that 整改责任单位 wins over 责任单位
_ALTERNATION = "|".join(
    re.escape(label).replace("、", "[、,，]")
    for label in sorted(FIELD_OF_LABEL, key=len, reverse=True)
)
LABEL = re.compile(rf"^(?:{_ALTERNATION})\s*[：:]")
BARE_LABEL = re.compile(rf"^(?:{_ALTERNATION})$")
OCR_LABEL = re.compile(rf"^((?:{_ALTERNATION}))\s*[;；,，.、:：]*\s*[:：;；]")  # 整改时限;:
INLINE_LABEL = re.compile(rf"(?<=[。；;！!？?\s])(?:{_ALTERNATION})\s*[：:]")


def field_of(label: str) -> str | None:
    """The field a label names (spaces, colons and the comma inside 整改、处理… ignored)."""
    key = re.sub(r"\s|[：:]", "", label).replace(",", "、").replace("，", "、")
    return FIELD_OF_LABEL.get(key)


def is_place(field: str | None) -> bool:
    return bool(field) and field.startswith("place:")


def near_label(text: str) -> str | None:
    """A label read with one character wrong (``整改癌题`` for 整改问题), for OCR text: labels
    of four characters or more, the same length, at most one character different."""
    if len(text) < 4:
        return None
    for label in FIELD_OF_LABEL:
        if len(label) == len(text) and sum(a != b for a, b in zip(label, text, strict=True)) <= 1:
            return label
    return None
