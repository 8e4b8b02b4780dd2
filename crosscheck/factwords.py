"""The figures behind a finding in words: the scalar facts a rule recorded, each with its
label (单位填报 287、平台数据 32 …). Ids and lists are left to the finding's panel, which shows
them as photos, routes, texts and charts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from lantian.lib.labels import Labeller

LABELS = {
    "measure": _("比对指标"),
    "claimed": _("单位填报"),
    "measured": _("平台数据"),
    "similarity": _("文字相似度"),
    "change_pct": _("变化幅度（%）"),
    "owed_pct": _("尚欠进度（%）"),
    "peak": _("峰值"),
    "limit": _("限值"),
    "windows_over": _("超标时段数"),
    "km": _("距离（公里）"),
    "day": _("日期"),
    "deadline": _("期限"),
    "closed_on": _("销号日期"),
    "submitted": _("报送时间"),
    "taken_at": _("拍摄时间"),
    "camera": _("拍摄设备"),
    "software": _("处理软件"),
    "mn": _("设备编号"),
    "enterprise": _("企业"),
    "place_name": _("地点"),
}
# What ``crosscheck.claims.MEASURES`` compares, by name.
MEASURES = {
    "fume_online": _("餐饮单位油烟在线监测（家）"),
    "dust_online": _("施工工地扬尘在线监测（家）"),
    "emission_online": _("重点排污单位自动监控（家）"),
    "high_grades": _("A级、B级和绩效引领性企业（家）"),
    "dust_fall": _("降尘（吨/月・平方公里）"),
}


def fact_rows(facts: dict | None) -> list[tuple[str, str]]:
    """``[(label, value)]`` of the facts a person can read as they are."""
    labeller = Labeller()
    rows = []
    for key, label in LABELS.items():
        value = (facts or {}).get(key)
        if value is None or isinstance(value, dict | list):
            continue
        if key == "measure":
            text = str(MEASURES.get(value, _("其他指标")))
        elif isinstance(value, float):
            text = f"{Decimal(str(value)).normalize():f}"
        else:
            text = labeller.value(value)
        rows.append((str(label), text))
    return rows
