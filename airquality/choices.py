from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    NATIONAL = "national", _("国控站")
    PROVINCIAL = "provincial", _("省控站")
    CITY = "city", _("市控站")
    DISTRICT = "district", _("区县站")
    MICRO = "micro", _("微站")


class ImportKind(models.TextChoices):
    HOURLY = "hourly", _("站点小时数据")
    DUSTFALL = "dustfall", _("降尘")


class ImportStatus(models.TextChoices):
    DONE = "done", _("已导入")
    REFUSED = "refused", _("未导入（有错误）")


class AnomalyKind(models.TextChoices):
    RISE = "rise", _("数据异常升高")
    PERSISTENT = "persistent", _("顽固性高值区域")


class AnomalyScope(models.TextChoices):
    STATION = "station", _("站点")
    DISTRICT = "district", _("区县")


class ResponseStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("待排查")
    FEEDBACK = "feedback", _("已反馈，待评估")
    CLOSED = "closed", _("已评估办结")
    DISMISSED = "dismissed", _("已核销（误报）")


class StepKind(models.TextChoices):
    OPENED = "opened", _("开具")
    NOTE = "note", _("排查记录")
    FEEDBACK = "feedback", _("反馈")
    ACCEPTED = "accepted", _("评估通过")
    RETURNED = "returned", _("评估退回")
    DISMISSED = "dismissed", _("核销")
    URGED = "urged", _("催办")
