from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    CONSTRUCTION = "construction", _("建筑工地")
    RESTAURANT = "restaurant", _("餐饮单位")
    EMISSION = "emission", _("重点排污单位")
    ROAD = "road", _("道路")
    STATION = "station", _("监测站点")


class Phase(models.TextChoices):
    """DB61/1078 distinguishes two groups of construction phases."""

    EARTHWORKS = "earthworks", _("拆除、土方及地基处理")
    STRUCTURE = "structure", _("基础、主体结构及装饰")


class SizeClass(models.TextChoices):
    """GB 18483 restaurant size by standard cooking heads."""

    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class DeviceKind(models.TextChoices):
    DUST = "dust", _("扬尘")
    FUME = "fume", _("油烟")
    EMISSION = "emission", _("污染源（CEMS）")


class Profile(models.TextChoices):
    """Names of the tolerance profiles in ``monitoring/hj212/profiles.py``."""

    TOLERANT = "tolerant", _("宽松（默认）")
    STRICT = "strict", _("严格")
    LEGACY_2005 = "legacy-2005", _("2005 版编码")
    DUST_NG = "dust-ng", _("扬尘 ng/m³")
    DUST_UG = "dust-ug", _("扬尘 µg/m³")
    FUME = "fume", _("油烟（厂商编码）")


class AlarmKind(models.TextChoices):
    EXCEEDANCE = "exceedance", _("超标")
    OFFLINE = "offline", _("离线")
    FLATLINE = "flatline", _("数据恒值")
    ZERO_NEGATIVE = "zero_negative", _("零值或负值")
    JUMP = "jump", _("数据突变")
    DUPLICATE = "duplicate", _("数据雷同")
    PURIFIER_OFF = "purifier_off", _("风机开净化器关")
    MAINTENANCE = "maintenance", _("维护或校准标记")
    STEP_DRIFT = "step_drift", _("数据水平突变（漂移）")
    STUCK_CLOCK = "stuck_clock", _("数据时间停滞")
    REPLAY = "replay", _("重放历史数据")
    FIXED_RATIO = "fixed_ratio", _("PM2.5/PM10 比值固定")
    CAPPED = "capped", _("数据贴限值封顶")
    INSPECTION_DROP = "inspection_drop", _("检查通知后数据骤降")
    NEIGHBOUR_LOW = "neighbour_low", _("远低于周边同类（疑似干扰）")
    MISSING = "missing", _("数据缺失")
    KEY_EXPIRING = "key_expiring", _("加密密钥即将到期")
    KEY_FAILED = "key_failed", _("加密报文无法解密")


HEALTH_KINDS = [k for k in AlarmKind if k != AlarmKind.EXCEEDANCE]


class BackfillSource(models.TextChoices):
    DEVICE = "rf", _("设备补传")
    FETCHED = "fetched", _("平台补采")


class CommandKind(models.TextChoices):
    """Requests the platform sends a device (反控), by what they do."""

    SET_TIME = "set_time", _("校准现场机时间")
    GET_TIME = "get_time", _("提取现场机时间")
    HISTORY = "history", _("提取历史数据（补采）")
    SET_RTD_INTERVAL = "rtd_interval", _("设置实时数据上传间隔")
    SET_MIN_INTERVAL = "min_interval", _("设置分钟数据间隔")
    REALTIME = "realtime", _("取实时数据")


class CommandStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送，待应答")
    ACCEPTED = "accepted", _("设备已应答，执行中")
    DONE = "done", _("执行成功")
    FAILED = "failed", _("设备拒绝或执行失败")
    TIMEOUT = "timeout", _("超时无应答")


class AlarmStatus(models.TextChoices):
    RAISED = "raised", _("已报警")
    DISPATCHED = "dispatched", _("已派发")
    INVESTIGATING = "investigating", _("核查中")
    HANDLED = "handled", _("已处置")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = [s for s in AlarmStatus if s != AlarmStatus.CLOSED]


class ActionKind(models.TextChoices):
    RAISE = "raise", _("报警")
    EXTEND = "extend", _("持续超标")
    LEVEL_UP = "level_up", _("升级（超标加重）")
    DISPATCH = "dispatch", _("派发")
    INVESTIGATE = "investigate", _("核查")
    HANDLE = "handle", _("处置")
    REPLY = "reply", _("答复")
    CLOSE = "close", _("办结")
    REOPEN = "reopen", _("退回")
    ESCALATE = "escalate", _("超时升级")
    CASE = "case", _("立案")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("已立案")
    DECIDED = "decided", _("已作出处理决定")
    CLOSED = "closed", _("已结案")


class Penalty(models.TextChoices):
    """The kind of administrative decision (行政处罚/行政命令) a case ends in."""

    FINE = "fine", _("罚款")
    WARNING = "warning", _("警告")
    ORDER = "order", _("责令改正")
    SUSPEND = "suspend", _("责令停工（停业）整治")
    CONFISCATE = "confiscate", _("没收违法所得或设备")
    NONE = "none", _("不予处罚")
