"""Regulatory numbers as versioned data: every limit, table and rule with its source and dates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    AQI_BREAKPOINTS = "aqi_breakpoints", _("AQI 分指数分级浓度限值")
    AQI_LEVELS = "aqi_levels", _("AQI 级别、类别与颜色")
    AMBIENT_LIMITS = "ambient_limits", _("环境空气质量浓度限值")
    DATA_VALIDITY = "data_validity", _("数据有效性规定")
    RANKING = "ranking", _("城市排名综合指数")
    CONSTRUCTION_DUST = "construction_dust", _("施工扬尘排放限值")
    RESTAURANT_FUME = "restaurant_fume", _("饮食业油烟排放限值")
    WARNING_RULES = "warning_rules", _("重污染天气预警分级")
    ALARM_LADDER = "alarm_ladder", _("在线监测超标报警分级")
    LOCAL_TARGETS = "local_targets", _("地方考核目标")
    SPOT_CHECK_QUOTAS = "spot_check_quotas", _("应急响应企业抽查频次")
    GRADE_TARGETS = "grade_targets", _("环保绩效分级目标")
    ANOMALY_RULES = "anomaly_rules", _("空气质量数据异常识别")
    DEVICE_HEALTH = "device_health", _("在线监测设备异常判定")
    LAMP_RULES = "lamp_rules", _("整改事项红黄绿灯判定")
    MONITORING_RATES = "monitoring_rates", _("在线监测统计口径")
    WORKDAY_CALENDAR = "workday_calendar", _("法定节假日与调休安排")
    CROSSCHECK_RULES = "crosscheck_rules", _("数据核验判定参数")
    MONITORING_RETENTION = "monitoring_retention", _("在线监测数据保存期限")
    HJ212_KEYS = "hj212_keys", _("HJ 212 数据加密密钥管理")


class Regulation(models.Model):
    """One version of a regulation's numbers, in force from ``effective_from``.

    A version ends at ``effective_to`` (exclusive) or when a later version of the same family
    and scope starts. Local overrides (``priority`` above 0) win over national versions in force
    on the same day. ``verified`` is False when the numbers were not read in the primary text.
    """

    family = models.CharField(_("类别"), max_length=32, choices=Family.choices)
    code = models.CharField(_("标准号"), max_length=64)
    title = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("施行日期"))
    effective_to = models.DateField(_("废止日期"), null=True, blank=True)
    scope = models.CharField(_("适用范围"), max_length=64, default="全国")
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=0, help_text=_("地方规定高于国家基线时设为大于 0")
    )
    source = models.TextField(_("来源"))
    verified = models.BooleanField(_("已核对原文"), default=False)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("法规标准版本")
        verbose_name_plural = _("法规标准版本")
        constraints = [models.UniqueConstraint(fields=["family", "code"], name="regulation_code")]
        ordering = ["family", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.code}（{self.effective_from} 起）"


class RegulatoryValue(models.Model):
    """One number, table or rule of a regulation version.

    ``value`` is JSON: a number (a limit), a list (breakpoints) or an object (a rule).
    ``variant`` distinguishes e.g. the construction phase or the restaurant size class.
    """

    regulation = models.ForeignKey(Regulation, models.CASCADE, related_name="values")
    key = models.CharField(_("指标"), max_length=64)
    variant = models.CharField(_("分类"), max_length=64, blank=True, default="")
    value = models.JSONField(_("数值"))
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    verified = models.BooleanField(_("已核对原文"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("法规数值")
        verbose_name_plural = _("法规数值")
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "key", "variant"], name="regulatory_value_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.regulation.code} {self.key} {self.variant}".strip()

    @property
    def is_verified(self) -> bool:
        return self.regulation.verified if self.verified is None else self.verified
