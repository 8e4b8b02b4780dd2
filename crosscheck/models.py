"""Findings: where what a unit claims disagrees with the data lantian holds.

A sweep (``crosscheck.sweep``) runs the rules of ``crosscheck.rules`` and keeps one row per
finding key, so re-running never duplicates. The office confirms a finding (and may refer it
for accountability: 表面整改、虚假整改) or dismisses it with a reason; a finding the data no
longer support is marked cleared by the next sweep.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Unit


class Rule(models.TextChoices):
    CLAIM = "claim", _("报送数与平台数据不符")
    EVIDENCE_REUSE = "evidence_reuse", _("佐证材料重复使用")
    ALARM_REBOUND = "alarm_rebound", _("报警办结后仍超标")
    INSPECTION_VS_DATA = "inspection_vs_data", _("检查合规但在线数据未见减排")
    CLOSED_VS_ALARMS = "closed_vs_alarms", _("销号后同类超标报警仍频发")


class Severity(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")


class Status(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("已核实")
    DISMISSED = "dismissed", _("已排除")
    CLEARED = "cleared", _("数据已不支持")


class Finding(models.Model):
    rule = models.CharField(_("规则"), max_length=24, choices=Rule.choices)
    key = models.CharField(max_length=200, unique=True)
    severity = models.CharField(_("程度"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    title = models.CharField(_("摘要"), max_length=300)
    detail = models.TextField(_("依据"))
    facts = models.JSONField(_("数据"), default=dict, blank=True)
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("单位")
    )
    district = models.ForeignKey(
        District, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("区域")
    )
    subject_url = models.CharField(_("核验对象"), max_length=300, blank=True)
    line = models.ForeignKey(
        "ledger.Assignment", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_found_at = models.DateTimeField(_("首次发现"))
    last_found_at = models.DateTimeField(_("最近发现"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("处理意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("核验发现")
        verbose_name_plural = _("核验发现")
        ordering = ["-last_found_at", "-id"]

    def __str__(self) -> str:
        return self.title
