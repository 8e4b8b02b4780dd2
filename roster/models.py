"""What must be monitored, against what is: the key emission units roster (重点排污单位名录)
with each unit's required monitoring points, and the restaurant fume rollout (油烟在线监测
安装推进) with its ledger of catering units and dated milestones.

Progress is never typed in: ``roster.progress`` computes it from the device registry and
the data devices send (``monitoring.hours``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District


class Roster(models.Model):
    """One year's roster of key emission units of a city, as imported from its workbook."""

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    source_name = models.CharField(_("原始文件名"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("导入时间"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("重点排污单位名录")
        verbose_name_plural = _("重点排污单位名录")
        constraints = [models.UniqueConstraint(fields=["city", "year"], name="roster_city_year")]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class KeyUnit(models.Model):
    roster = models.ForeignKey(Roster, models.CASCADE, related_name="units")
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    district = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("区县"))
    industry = models.CharField(_("行业类别"), max_length=100, blank=True)
    category = models.CharField(_("名录类别"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("重点排污单位")
        verbose_name_plural = _("重点排污单位")
        ordering = ["roster_id", "position"]

    def __str__(self) -> str:
        return self.name


class RequiredPoint(models.Model):
    """A monitoring point the roster requires (an outlet), and the device expected on it."""

    unit = models.ForeignKey(KeyUnit, models.CASCADE, related_name="points")
    name = models.CharField(_("监测点位"), max_length=200)
    pollutants = models.CharField(_("监测因子"), max_length=200, blank=True)
    mn = models.CharField(_("设备编号 MN"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("应设监测点位")
        verbose_name_plural = _("应设监测点位")
        ordering = ["unit_id", "id"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.name}"


class Rollout(models.Model):
    """A campaign to install fume monitors at catering units (seed 000 八: every unit over
    1,000 m², 758 units and 2,278 outlets, with dated milestones)."""

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    title = models.CharField(_("名称"), max_length=200)
    min_area = models.PositiveIntegerField(_("经营面积下限（平方米）"), default=1000)
    units_target = models.PositiveIntegerField(_("应装单位数"))
    outlets_target = models.PositiveIntegerField(_("应装排烟口数"))
    basis = models.TextField(_("依据"), blank=True)
    task = models.ForeignKey(
        "ledger.Task",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("台账任务"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("油烟在线监测安装推进")
        verbose_name_plural = _("油烟在线监测安装推进")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class RolloutMilestone(models.Model):
    rollout = models.ForeignKey(Rollout, models.CASCADE, related_name="milestones")
    due = models.DateField(_("完成时限"))
    label = models.CharField(_("节点"), max_length=200)
    units = models.PositiveIntegerField(_("应完成单位数"))
    outlets = models.PositiveIntegerField(_("应完成排烟口数"), default=0)
    first_batch_only = models.BooleanField(
        _("仅限试点（重点区域）单位"), default=False, help_text=_("如 287 家试点单位")
    )

    class Meta:
        verbose_name = _("安装节点")
        verbose_name_plural = _("安装节点")
        ordering = ["rollout_id", "due"]

    def __str__(self) -> str:
        return f"{self.due} {self.label}"


class RolloutUnit(models.Model):
    """A catering unit in the rollout's ledger (台账), linked to its monitored site."""

    rollout = models.ForeignKey(Rollout, models.CASCADE, related_name="units")
    name = models.CharField(_("单位名称"), max_length=200)
    district = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("区县"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    area = models.PositiveIntegerField(_("经营面积（平方米）"), null=True, blank=True)
    outlets = models.PositiveIntegerField(_("排烟口数"), default=1)
    first_batch = models.BooleanField(_("试点（重点区域）"), default=False)
    site = models.ForeignKey(
        "monitoring.Site",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("监控点位"),
    )

    class Meta:
        verbose_name = _("安装台账单位")
        verbose_name_plural = _("安装台账单位")
        constraints = [
            models.UniqueConstraint(
                fields=["rollout", "district", "name"], name="rollout_unit_unique"
            )
        ]
        ordering = ["rollout_id", "district_id", "name"]

    def __str__(self) -> str:
        return self.name
