"""A made-up snapshot with one row in every list: uploaded templates are tried against it, so
every loop and field a template uses is exercised before the office relies on it."""

from __future__ import annotations

SAMPLE_HEADER = {
    "office": "示例市大气污染防治专项行动领导小组办公室",
    "series_title": "调度通报",
    "year": 2026,
    "number": 1,
    "number_label": "2026年第1期",
    "date": "2026-12-05",
    "title": "关于2026年11月大气污染防治工作调度情况的通报",
    "distribution": "市委办公厅，市政府办公厅",
    "requirements": "各单位要对照问题抓好整改。",
    "draft": False,
}


def _unit(rank: int, name: str, lamp: str) -> dict:
    return {
        "unit_id": rank,
        "unit": name,
        "lines": 10,
        "closed": 4,
        "overdue": 1,
        "reports_due": 10,
        "reports_on_time": 9,
        "on_time_rate": 90.0,
        "completion_rate": 40.0,
        "score": 80.5,
        "rank": rank,
        "lamp": lamp,
        "lamp_label": {"green": "绿灯", "red": "红灯"}[lamp],
        "lamps": {"red": 1, "yellow": 0, "green": 9, "grey": 0},
    }


def _monitoring_row(name: str) -> dict:
    return {
        "district": name,
        "dust_alarms": 3,
        "fume_alarms": 1,
        "alarms": 4,
        "handled_on_time": 3,
        "closed": 2,
        "serious": 1,
        "cased": 1,
        "devices": 10,
        "online": 9,
        "due": 1000.0,
        "received": 950,
        "valid": 900,
        "on_time_rate": 75.0,
        "case_rate": 100.0,
        "online_rate": 90.0,
        "effective_rate": 90.0,
        "dust_on": 600,
        "dust_on_due": 720,
        "fume_on": 50,
        "fume_on_due": 60,
        "dust_on_rate": 83.3,
        "fume_on_rate": 83.3,
    }


def sample_snapshot() -> dict:
    totals = {
        "lines": 20,
        "closed": 8,
        "overdue": 2,
        "open": 12,
        "reports_due": 20,
        "reports_on_time": 18,
        "on_time_rate": 90.0,
        "completion_rate": 40.0,
        "closed_in_period": 3,
    }
    return {
        "version": 1,
        "period": {
            "first": "2026-11-01",
            "last": "2026-11-30",
            "label": "2026年11月",
            "monthly": True,
        },
        "scope": {"key": "city:1", "city": "示例市", "plan_id": None, "label": "示例市"},
        "taken_on": "2026-12-05",
        "ledger": {
            "now": totals,
            "before": {**totals, "closed_in_period": 2, "overdue": 3, "on_time_rate": 85.0},
            "previous_label": "2026年10月",
            "by_status": [{"status": "in_progress", "label": "推进中", "n": 12}],
            "status_on": "2026-12-05",
            "lamp_legend": [{"name": "红灯", "meaning": "逾期或退回整改"}],
            "units": [_unit(1, "甲区政府", "green"), _unit(2, "乙区政府", "red")],
            "weights": {"on_time": 30, "overdue": 30, "completion": 25, "acceptance": 15},
            "top": [_unit(1, "甲区政府", "green")],
            "bottom": [_unit(2, "乙区政府", "red")],
            "overdue_items": {
                "days": 30,
                "count": 1,
                "shown": 1,
                "rows": [
                    {
                        "line_id": 1,
                        "task_no": "三",
                        "task": "示例任务",
                        "plan": "示例方案",
                        "unit": "乙区政府",
                        "deadline": "2026-09-30",
                        "days": 61,
                        "status": "推进中",
                    }
                ],
            },
            "trend": [
                {"month": "2026-11", "label": "11月", "lines": 20, "closed": 8, "overdue": 2}
            ],
        },
        "supervision": {
            "by_kind": [{"kind": "督办", "n": 1}],
            "total": 1,
            "rows": [
                {
                    "kind": "督办",
                    "title": "示例督办",
                    "units": "乙区政府",
                    "issued": "2026-11-10",
                    "due": "2026-11-24",
                    "state": "办理中",
                }
            ],
        },
        "monitoring": {"rows": [_monitoring_row("甲区")], "total": _monitoring_row("合计")},
        "air": {
            "ranked_by": "composite",
            "rows": [
                {
                    "district": "甲区",
                    "rank": 1,
                    "composite": 4.1,
                    "pm25": 40.0,
                    "pm10": 70.0,
                    "days": 30,
                    "good_days": 20,
                    "good_ratio": 66.7,
                    "pm25_last_year": 45.0,
                    "pm25_target": 42.0,
                    "pm10_last_year": 80.0,
                    "pm10_target": None,
                    "good_ratio_last_year": 60.0,
                    "good_ratio_target": None,
                    "pm25_change": -11.1,
                    "pm10_change": -12.5,
                    "good_ratio_change": 6.7,
                    "pm25_over_target": False,
                }
            ],
            "targets": {"pm25": 42.0, "pm10": None, "good_ratio": None},
            "city": {
                "pm25": 40.0,
                "pm10": 70.0,
                "days": 30,
                "good_days": 20,
                "good_ratio": 66.7,
                "composite": 4.1,
            },
            "dust": {
                "target": 7.0,
                "rows": [
                    {
                        "district": "甲区",
                        "value": 5.2,
                        "rank": 1,
                        "over_target": False,
                        "change_month": -0.3,
                        "last_year": 6.0,
                        "change_year": -13.3,
                    }
                ],
            },
        },
        "emergency": {
            "episodes": [
                {
                    "number": "2026-01",
                    "highest": "橙色",
                    "starts": "2026-11-15 00:00",
                    "lifted": "2026-11-18 00:00",
                    "hours": 72,
                }
            ],
            "units": [
                {
                    "unit": "甲区政府",
                    "days": 3,
                    "days_short": 0,
                    "planned": 30,
                    "done": 28,
                    "completion": 93.3,
                    "compliant": 26,
                    "non_compliant": 2,
                }
            ],
            "total": {
                "planned": 30,
                "done": 28,
                "completion": 93.3,
                "compliant": 26,
                "non_compliant": 2,
                "days_short": 0,
            },
            "cases": 1,
        },
        "crosscheck": {
            "rows": [
                {
                    "rule": "佐证材料重复使用",
                    "severity": "高",
                    "unit": "乙区政府",
                    "title": "同一照片用于两份报告",
                    "decided": "2026-11-20",
                    "note": "",
                }
            ]
        },
    }
