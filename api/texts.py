# ruff: noqa: E501  (one operation per line reads best; Chinese counts double in E501)
"""The API's operations as their users read them: a Chinese summary and description for each.

The docstrings of the endpoint functions stay written for developers; the OpenAPI document
(``/api/v1/docs``) shows these. Keys are the method and the path under ``/api/v1``. A new
endpoint without an entry is caught by ``api/tests/test_openapi_texts.py``.
"""

from __future__ import annotations

# "METHOD /path": (summary, description)
TEXTS: dict[str, tuple[str, str]] = {
    "GET /units/": ("单位名录", "当前用户可查看的单位（可按名称筛选）。"),
    # 整改台账
    "GET /ledger/tasks": (
        "整改任务列表",
        "当前用户可查看的整改任务；单位用户只看到本单位参与的任务。",
    ),
    "GET /ledger/targets/progress": (
        "量化目标完成情况",
        "全市各方案的量化目标及实际值：能由平台数据计算的（在线监控安装联网、降尘、PM2.5、优良天数比例等）"
        "标为平台数据，其余为各单位自报的最新值。",
    ),
    "GET /ledger/tasks/{task_id}": (
        "整改任务详情",
        "一项整改任务：问题、目标、时限、措施与各责任单位事项。",
    ),
    "GET /ledger/lines": (
        "责任单位事项列表",
        "每个责任单位在每项任务中的整改事项（任务 × 责任单位），筛选条件与台账页面相同。",
    ),
    "GET /ledger/lines/{line_id}": ("责任单位事项详情", "一个责任单位事项的状态、时限与最近进展。"),
    "GET /ledger/lines/{line_id}/reports": (
        "进展报送记录",
        "该事项各月的进展报送（含更正的各个版本）。",
    ),
    "POST /ledger/lines/{line_id}/reports": (
        "报送月度进展",
        "报送某月整改进展；同月再次报送须填写更正原因，作为新版本保存，原版本保留。"
        "佐证材料请在页面上传。",
    ),
    "GET /ledger/reports/{report_id}": (
        "进展报送详情",
        "一次进展报送：进展情况、完成进度、节点与量化指标。",
    ),
    "POST /ledger/lines/{line_id}/apply": (
        "申请验收",
        "责任单位（或整改办代为）提出验收销号申请。",
    ),
    "GET /ledger/acceptances/{acceptance_id}": (
        "验收详情",
        "一轮一事一验：验收组、核查清单与结论。",
    ),
    "POST /ledger/acceptances/{acceptance_id}/group": (
        "组建验收组",
        "验收单位确定现场验收组成员（须有组长，组长须关联本人账号），生成核查清单。"
        "成员可关联平台账号（account 为用户名），无账号的成员由组长代录纸质签字。",
    ),
    "POST /ledger/acceptance-members/{member_id}/sign": (
        "验收组成员签字",
        "成员本人登录后在线签字（manner=online）；或由组长代录纸质签字（manner=paper），"
        "须写明签字人姓名的代录说明及纸质签字日期。核查结果改动后已有签字作废。",
    ),
    "POST /ledger/checks/{check_id}": ("记录核查结果", "逐项记录核查清单的核查结果与说明。"),
    "POST /ledger/acceptances/{acceptance_id}/conclude": (
        "作出验收结论",
        "验收组全体成员（或方案规定的最少人数，含组长）签字后方可下结论。"
        "验收通过即销号；不通过则退回整改。通过须逐项核查完毕。",
    ),
    "GET /ledger/supervisions": (
        "督查督办列表",
        "当前用户可查看的催办、督办、通报、约谈与问责记录。",
    ),
    "POST /ledger/supervisions": (
        "下发督查督办",
        "整改办下发催办、督办、通报、约谈或问责，并通知被督办单位。",
    ),
    "GET /ledger/supervisions/{supervision_id}": (
        "督查督办详情",
        "一条督查督办记录及各单位的回复。",
    ),
    "POST /ledger/supervisions/{supervision_id}/replies": ("回复督办", "被督办单位报送办理情况。"),
    "GET /ledger/dashboard": (
        "驾驶舱数据",
        "当前用户范围内驾驶舱各图表的数据（状态分布、逾期、临期、单位完成情况）。",
    ),
    # 一张图
    "GET /map/": (
        "一张图数据",
        "全市一张图：各区县最近一日的空气质量指数与整改红黄绿灯，在线监测设备（在线、离线、报警）、"
        "未办结报警与近 30 天及待检查的四不两直抽查点位（经纬度），以及未标注位置的点位。"
        "整改办、领导与现场检查员可用；各图层只含当前用户可查看的记录。时间为北京时间。",
    ),
    # 空气质量
    "GET /air/stations": ("空气质量监测站点", "当前用户可查看的监测站点。"),
    "GET /air/stations/{station_id}/hours": (
        "站点小时数据",
        "站点在两个日期（北京时间）之间的小时数据，时间为整点起始时刻（UTC）；默认最近 2 天。",
    ),
    "GET /air/stations/{station_id}/days": (
        "站点日数据",
        "站点的日均值与空气质量指数，默认最近 30 天。",
    ),
    "GET /air/districts/{district_id}/days": (
        "区县日数据",
        "区县（或全市）的日均值与空气质量指数（AQI 日历的数据）。",
    ),
    "GET /air/rankings": (
        "区县月度排名",
        "当月区县环境空气质量综合指数排名（month 参数格式 YYYY-MM）。",
    ),
    "GET /air/dustfall": ("区县降尘排名", "当月各区县降尘量，由低到高，并与考核目标比较。"),
    "GET /air/responses": (
        "异常响应单列表",
        "当前用户可查看的空气质量异常响应单，最新在前（至多 500 条）。",
    ),
    "GET /air/responses/{item_id}": ("异常响应单详情", "一张异常响应单及其排查、反馈、评估过程。"),
    "POST /air/responses/{item_id}/feedback": ("反馈排查结果", "责任单位反馈异常原因与整治措施。"),
    "POST /air/responses/{item_id}/evaluate": (
        "评估反馈",
        "整改办评估反馈：办结，或退回再次排查。",
    ),
    "POST /air/aqi": (
        "计算空气质量指数",
        "按 HJ 633 计算一组浓度（µg/m³，CO 为 mg/m³）的空气质量指数，按 date 选用标准版本。",
    ),
    # 重污染天气应对
    "GET /emergency/episodes": ("预警过程列表", "重污染天气预警过程，最新在前。"),
    "GET /emergency/episodes/{pk}": (
        "预警过程详情",
        "一次预警过程的发布、升级、降级、解除各步骤及预报依据。",
    ),
    "POST /emergency/warning/propose": (
        "预警级别研判",
        "按现行预警分级标准，对预报（日均和/或小时 AQI）给出建议预警级别。",
    ),
    "GET /emergency/enterprises": (
        "应急减排清单",
        "当前用户可查看的应急减排清单企业及各级别减排措施。",
    ),
    "GET /emergency/plans": ("抽查计划", "当日已公布的抽查计划及其中当前用户可查看的企业。"),
    "POST /emergency/inspections/{pk}": (
        "记录现场检查",
        "记录一次现场检查结果（照片在页面或通过佐证材料上传）。",
    ),
    "GET /emergency/rounds/{pk}/check": (
        "复核抽取结果",
        "按记录的输入重新抽取某日的计划，并与已公布的结果比对。",
    ),
    "GET /emergency/public/commitments": (
        "抽查承诺公示",
        "公开：每日抽查的承诺值；抽取后公布揭示的密钥与公共随机数。",
    ),
    "GET /emergency/stats": ("检查统计", "按预警级别、区县和检查单位统计的检查覆盖率与合规率。"),
    "GET /emergency/grades": ("绩效分级统计", "各区县各绩效等级企业数，以及距全市目标的进度。"),
    # 在线监测
    "GET /monitoring/devices": ("在线监测设备", "当前用户可查看的在线监测设备。"),
    "GET /monitoring/devices/{pk}/readings": (
        "设备监测数据",
        "某一监测因子最近若干小时（至多 31 天）的数据及现行限值。",
    ),
    "GET /monitoring/devices/{pk}/commands": (
        "反控命令记录",
        "向设备下发的命令（校时、提取时间、补采历史数据、设置间隔、取实时数据），最新在前，"
        "含设备的请求应答（9011）、执行结果（9012）、发送次数与时钟偏差。",
    ),
    "POST /monitoring/devices/{pk}/commands": (
        "向设备下发命令",
        "经设备的在线连接下发反控命令，按请求编码跟踪应答，超时重发，全程留痕（仅整改办、专项办）。"
        "补采须给出起止时间；设置间隔须给出秒数或分钟数。",
    ),
    "POST /monitoring/sites/{pk}/commands": (
        "向点位全部设备下发命令",
        "对点位每台在用设备下发同一命令，全部成功或全部不下发（仅整改办、专项办）。",
    ),
    "GET /monitoring/alarms": (
        "报警列表",
        "当前用户可查看的报警；status 为 open（未办结，默认）、all 或某一状态。",
    ),
    "GET /monitoring/cases": ("立案列表", "当前用户可查看的执法立案，最新在前。"),
    "GET /monitoring/cases/{case_id}": (
        "立案详情",
        "一件执法立案及其关联报警、处理决定与结案情况。",
    ),
    "POST /monitoring/alarms/{alarm_id}/cases": (
        "报警立案",
        "对一条报警立案；记入审计日志并显示在报警处理过程中。",
    ),
    "POST /monitoring/cases/bulk": (
        "批量立案",
        "每条报警立一案，按含 {n} 的编号模板编号；全部成功或全部不立。",
    ),
    "POST /monitoring/cases/{case_id}/decision": (
        "作出处理决定",
        "记录立案的处理决定（处罚种类与金额等）。",
    ),
    "POST /monitoring/cases/{case_id}/closure": ("结案", "记录立案的结案情况。"),
    # 数据核验
    "GET /crosscheck/findings": (
        "数据疑点列表",
        "按状态（默认 open 待核实，all 全部）和核验规则列出数据疑点。",
    ),
}


def apply(schema: dict, prefix: str) -> dict:
    """Put the Chinese texts into an OpenAPI document (in place) and return it."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            key = f"{method.upper()} {path.removeprefix(prefix)}"
            if key in TEXTS:
                operation["summary"], operation["description"] = TEXTS[key]
    return schema
