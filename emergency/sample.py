"""A generated emergency reduction list, for the demo, the tests and the benchmark.

The rows look like a district's list (industries, grades, measures stricter at each level) but
every enterprise and code is made up; codes carry a valid check character.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from emergency import creditcode

INDUSTRIES = [
    ("混凝土搅拌站", "停止土石方搅拌及物料运输", "停止生产"),
    ("砖瓦窑", "限产 30%，停止物料露天堆放作业", "停止生产"),
    ("铸造", "停用中频炉 1 台，限产 30%", "停止熔化、浇注工序"),
    ("包装印刷", "停止使用溶剂型油墨的印刷工序", "停止生产"),
    ("工业涂装", "停止喷涂、烘干工序", "停止生产"),
    ("家具制造", "停止喷漆、打磨工序", "停止生产"),
    ("汽车维修", "停止喷烤漆作业", "停止喷烤漆作业"),
    ("橡胶制品", "炼胶工序限产 50%", "停止炼胶、硫化工序"),
    ("制药", "停止有机溶剂回收装置以外的投料", "停止合成车间生产"),
    ("食品制造", "燃气锅炉限负荷 70%", "燃气锅炉限负荷 50%"),
    ("玻璃制品", "限产 20%", "限产 40%"),
    ("陶瓷", "停止喷雾干燥塔", "停止生产"),
    ("石材加工", "停止切割、打磨工序", "停止生产"),
    ("建材", "停止粉磨工序，厂区道路每日冲洗 4 次", "停止生产"),
]
# Roughly the mix of a city list: few A/B, most C or not graded (seed 000 item 27: A 4, B 16).
GRADES = ["A"] * 2 + ["B"] * 8 + ["leading"] * 2 + ["C"] * 50 + ["D"] * 18 + ["ungraded"] * 20
WORDS = "秦汉唐长安渭泾灞浐沣镐兴华宏盛泰丰瑞安康达鑫源金石恒远腾飞祥和永新晨光明德"
DISTRICT_CODES = "0102030411121314151617181920212223242526"


def generate(
    count: int,
    districts: Sequence[str],
    *,
    seed: int = 2024,
    units: Sequence[str] = (),
    devices: float = 0.2,
) -> list[dict[str, Any]]:
    """``count`` list rows spread over ``districts`` (cycled), reproducible from ``seed``."""
    rng = random.Random(seed)
    rows = []
    used: set[str] = set()
    for i in range(count):
        district = districts[i % len(districts)]
        industry, orange_measure, red_measure = rng.choice(INDUSTRIES)
        grade = rng.choice(GRADES)
        name = _name(rng, industry, used)
        rows.append(
            {
                "name": name,
                "code": _code(rng, i, used),
                "district": district,
                "industry": industry,
                "grade": grade,
                "units": [u for u in units if u] if units else [],
                "address": f"{district}{''.join(rng.sample(WORDS, 2))}路{rng.randint(1, 999)}号",
                "mns": [f"61010{i:07d}01"] if rng.random() < devices else [],
                **_measures(grade, orange_measure, red_measure, rng),
            }
        )
    return rows


def _name(rng: random.Random, industry: str, used: set[str]) -> str:
    name = f"西安{''.join(rng.sample(WORDS, 2))}{industry}有限公司"
    n = 1
    while name in used:
        n += 1
        name = f"西安{''.join(rng.sample(WORDS, 2))}{industry}有限公司第{n}分公司"
    used.add(name)
    return name


def _code(rng: random.Random, i: int, used: set[str]) -> str:
    while True:
        body = (
            "9161"
            + rng.choice(DISTRICT_CODES[::2])
            + "0"
            + "".join(rng.choice(creditcode.CHARSET[:10] + "MA") for _ in range(11))
        )
        code = creditcode.make(body[:17])
        if code not in used:
            used.add(code)
            return code


def _measures(grade: str, orange: str, red: str, rng: random.Random) -> dict[str, Any]:
    if grade in ("A", "leading"):
        # A-grade and leading enterprises choose their own measures (standards.md §7).
        return {
            f"{lv}_{k}": v
            for lv in ("yellow", "orange", "red")
            for k, v in (
                ("measures", "自主采取减排措施"),
                ("pct", ""),
                ("stop", False),
                ("limit", False),
            )
        }
    base = {"B": 10, "non_leading": 10, "C": 20, "D": 30, "ungraded": 30}[grade]
    stop_at = {"D": "orange", "ungraded": "red"}.get(grade)
    rows: dict[str, Any] = {}
    for step, level in enumerate(("yellow", "orange", "red")):
        stopping = stop_at is not None and step >= ("yellow", "orange", "red").index(stop_at)
        pct = min(100, base + 10 * step + rng.choice((0, 0, 5)))
        rows[f"{level}_measures"] = red if stopping else (orange if step else "限产，加强物料苫盖")
        rows[f"{level}_pct"] = 100 if stopping else pct
        rows[f"{level}_stop"] = stopping
        rows[f"{level}_limit"] = not stopping
    return rows
