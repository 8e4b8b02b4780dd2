"""Monthly progress narratives as units write them: the programme's standard wording, which
every unit repeats, around what this unit did this month (places, counts, dates)."""

from __future__ import annotations

import random

STANDARD = [
    "我单位高度重视，成立了由主要负责同志任组长的工作专班"
    "，压实责任、细化措施，按照时间节点有序推进整改工作。",
    "严格落实“六个百分之百”扬尘管控要求，加大巡查检查力度，确保整改取得实效。",
    "坚持问题导向，建立问题清单、任务清单、责任清单，实行销号管理。",
    "下一步，将持续巩固整改成效，建立长效机制，防止问题反弹回潮。",
    "认真贯彻落实中央生态环境保护督察反馈意见整改要求，坚决扛起生态环境保护政治责任。",
    "通过召开专题会议、现场督导等方式，层层传导压力，推动各项整改措施落地见效。",
    "加强与相关部门的协调联动，形成工作合力，确保整改任务按期完成。",
]
PLACES = (
    "西三环辅道 纺织城片区 大明宫街道 曲江池东路 沣东新城 草滩八路 韦曲街道 泾河工业园 鱼化寨 "
    "浐河东岸 北客站片区 航天大道 秦汉大道 户县城区 骊山街道"
).split()
PARTIES = [
    "施工单位",
    "建设单位",
    "物业公司",
    "餐饮经营户",
    "运输企业",
    "街道办",
    "社区",
    "监理单位",
]
ACTIONS = [
    tuple(pair.split("/"))
    for pair in (
        "完成裸土覆盖/平方米 新增雾炮机/台 清运建筑垃圾/吨 安装油烟净化设施/套 硬化道路/米 "
        "更换防尘网/平方米 封闭料堆/处 安装在线监测设备/台 清扫保洁道路/公里 整改散乱污企业/家"
    ).split()
]
ISSUES = (
    "裸土未覆盖 车辆带泥上路 油烟直排 物料露天堆放 围挡破损 未落实湿法作业 "
    "监测设备离线 渣土车未密闭"
).split()


SYLLABLES = "华融泰恒安瑞鑫盛祥昌宏达金源丰汇通隆兴锦城秦汉唐雁曲灞沣泾渭浐终南翠华"
SUFFIXES = (
    "建筑工程有限公司 混凝土有限公司 市政工程有限公司 物流有限公司 餐饮管理有限公司 置业有限公司 "
    "建材有限公司"
).split()
PROJECTS = ["花园", "小区", "广场", "产业园", "安置房", "学校", "医院"]


def entity(rng: random.Random) -> str:
    """A company or a project named in the report: every real report names its own."""
    name = "".join(rng.sample(SYLLABLES, 2))
    if rng.random() < 0.5:
        return name + rng.choice(SUFFIXES)
    return f"{name}{rng.choice(PROJECTS)}{rng.choice(['一', '二', '三'])}期项目"


def local_places(area: str) -> list[str]:
    """The streets and villages of one unit's own area: a unit reports on its own ground, not
    on a handful of places every unit in the city names."""
    own = random.Random(area)
    kinds = ["路", "街道", "村", "社区", "片区"]
    return ["".join(own.sample(SYLLABLES, 2)) + own.choice(kinds) for _ in range(6)]


def specific(rng: random.Random, month: int, area: str) -> str:
    """What this unit did this month, in its own words."""
    sentences = []
    places = local_places(area)
    for _ in range(rng.randint(3, 5)):
        day = rng.randint(1, 28)
        place = f"{rng.choice(places)}{entity(rng)}"
        kind = rng.random()
        if kind < 0.35:
            action, unit = rng.choice(ACTIONS)
            sentences.append(
                f"{month}月{day}日，{area}组织{rng.choice(PARTIES)}在{place}{action}"
                f"{rng.randint(2, 9000)}{unit}"
            )
        elif kind < 0.7:
            sentences.append(
                f"{month}月{day}日起对{place}开展{rng.choice(['联合', '夜间', '专项', '随机'])}检查"
                f"{rng.randint(2, 30)}次，发现{rng.choice(ISSUES)}问题{rng.randint(1, 25)}处，"
                f"已责令{rng.choice(PARTIES)}限期整改"
            )
        else:
            sentences.append(
                f"针对{place}{rng.choice(ISSUES)}问题，{rng.choice(['约谈', '通报', '处罚'])}"
                f"{rng.choice(PARTIES)}{rng.randint(1, 12)}家，"
                f"{rng.choice(['罚款', '督促投入资金'])}{rng.randint(1, 80)}万元"
            )
    return "；".join(sentences) + "。"


def narrative(rng: random.Random, month: int, area: str, *, standard_share: float = 0.5) -> str:
    """A report: a few standard sentences around this month's own account."""
    count = max(0, round(rng.gauss(len(STANDARD) * standard_share, 1)))
    chosen = rng.sample(STANDARD, min(count, len(STANDARD)))
    parts = chosen[:1] + [specific(rng, month, area)] + chosen[1:]
    return "".join(parts)


def mostly_standard(rng: random.Random, month: int, area: str) -> str:
    """A report of standard wording with one line of its own (common, and honest)."""
    day, place, times = rng.randint(1, 28), rng.choice(PLACES), rng.randint(2, 9)
    own = f"{month}月{day}日，{area}对{place}开展检查{times}次。"
    return "".join(rng.sample(STANDARD, rng.randint(4, 6))) + own


def renumber(rng: random.Random, text: str, month: int) -> str:
    """A lazy copy: the dates and figures changed, a word or two swapped."""
    import re

    out = re.sub(r"(\d+)月", f"{month}月", text)
    out = re.sub(r"(?<![月\d])(\d+)(?=[^月\d]|$)", lambda m: str(rng.randint(1, 99)), out)
    swaps = [("开展", "组织开展"), ("已责令", "已督促"), ("检查", "巡查"), ("组织", "督促")]
    for old, new in rng.sample(swaps, rng.randint(0, 2)):
        out = out.replace(old, new, 1)
    if rng.random() < 0.3:
        out += rng.choice(STANDARD)
    return out
