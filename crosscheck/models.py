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
    PHOTO_TIME = "photo_time", _("照片拍摄时间不符")
    PHOTO_PLACE = "photo_place", _("照片拍摄位置不符")
    PHOTO_EDITED = "photo_edited", _("照片经编辑软件处理")
    TEXT_COPY = "text_copy", _("进展材料雷同")
    LATE_JUMP = "late_jump", _("临近时限进度突增且无新佐证")
    INSPECTION_TRAVEL = "inspection_travel", _("检查行程不可能")
    INSPECTION_CLONE = "inspection_clone", _("检查记录同一时刻或同一位置")
    INSPECTION_REUSE = "inspection_reuse", _("检查照片或签字重复使用")
    INSPECTION_IDLE = "inspection_idle", _("停产日记录检查")


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


class TaskPlace(models.Model):
    """Where a ledger item's problem is (a site, a yard, a road), when the office knows it:
    evidence photos whose GPS is far from it are questioned."""

    task = models.OneToOneField(
        "ledger.Task", models.CASCADE, related_name="place", verbose_name=_("任务")
    )
    name = models.CharField(_("点位名称"), max_length=200, blank=True)
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))

    class Meta:
        verbose_name = _("问题点位")
        verbose_name_plural = _("问题点位")

    def __str__(self) -> str:
        return self.name or f"{self.latitude:.5f}, {self.longitude:.5f}"


class PhotoPrint(models.Model):
    """What an evidence photo says about itself (EXIF time, GPS, software) and its perceptual
    hashes (the whole picture and 15 cropped windows), taken once per file by the sweep."""

    evidence = models.OneToOneField(
        "evidence.EvidenceFile", models.CASCADE, related_name="photo_print"
    )
    readable = models.BooleanField(default=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    software = models.CharField(_("处理软件"), max_length=200, blank=True)
    camera = models.CharField(_("相机"), max_length=120, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    hashes = models.JSONField(default=list)
    compared = models.BooleanField(default=False, db_index=True)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片特征")
        verbose_name_plural = _("照片特征")

    def __str__(self) -> str:
        return f"{self.evidence_id}"


class PhotoMatch(models.Model):
    """Two photos whose hashes are close, with how much they are one picture (compared once)."""

    a = models.ForeignKey(PhotoPrint, models.CASCADE, related_name="+")
    b = models.ForeignKey(PhotoPrint, models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["a", "b"], name="photo_match_once")]

    def __str__(self) -> str:
        return f"{self.a_id}~{self.b_id} {self.score}"


class SignalStatus(models.TextChoices):
    OPEN = "open", _("提示中")
    CLEARED = "cleared", _("数据已不支持")


class Signal(models.Model):
    """A weak signal: not a finding, shown on the item it concerns (e.g. a dust item closed
    out while its district's PM10 rank worsens month after month), with its chart."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=24)
    line = models.ForeignKey("ledger.Assignment", models.CASCADE, related_name="crosscheck_signals")
    title = models.CharField(_("摘要"), max_length=300)
    detail = models.TextField(_("依据"))
    chart = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    first_found_at = models.DateTimeField(_("首次发现"))
    last_found_at = models.DateTimeField(_("最近发现"))

    class Meta:
        verbose_name = _("弱信号")
        verbose_name_plural = _("弱信号")
        ordering = ["-last_found_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def json_id(self) -> str:
        return f"cc-signal-{self.pk}"
