"""Stations, their hourly observations, daily and monthly figures, dust fall, response items.

Times are stored in UTC; a day is a Beijing-time day. Daily and monthly figures are derived
(recomputed by ``airquality.services`` after each import), never typed in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Unit
from airquality.aqi import LABELS
from airquality.choices import (
    AnomalyKind,
    AnomalyScope,
    ImportKind,
    ImportStatus,
    ResponseStatus,
    StationKind,
    StepKind,
)

POLLUTANT_FIELDS = ("so2", "no2", "co", "o3", "pm10", "pm25")
DAILY_FIELDS = ("so2", "no2", "co", "pm10", "pm25", "o3_8h", "o3_1h")


class Station(models.Model):
    """An ambient air-quality monitoring station in a district."""

    code = models.CharField(_("站点编码"), max_length=32, unique=True)
    name = models.CharField(_("站点名称"), max_length=64)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="air_stations", verbose_name=_("所在区域")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    in_district_figures = models.BooleanField(
        _("计入区县统计"), default=True, help_text=_("区县日均、月均与排名是否使用本站数据")
    )
    is_active = models.BooleanField(_("运行中"), default=True)

    class Meta:
        verbose_name = _("空气质量监测站点")
        verbose_name_plural = _("空气质量监测站点")
        ordering = ["district_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="station_name_in_district")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DataImport(models.Model):
    """One upload of station hours or dust fall: file, who, and what it changed.

    An import is all or nothing: a refused one keeps its errors and stores no data.
    Values it replaced (with "replace" chosen) are kept in ``replaced``.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("替换"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    flagged = models.PositiveIntegerField(_("标记无效的数值"), default=0)
    first_time = models.DateTimeField(_("起"), null=True, blank=True)
    last_time = models.DateTimeField(_("止"), null=True, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    replaced = models.JSONField(_("被替换的原值"), default=list, blank=True)
    options = models.JSONField(_("选项"), default=dict, blank=True)

    class Meta:
        verbose_name = _("数据导入")
        verbose_name_plural = _("数据导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class HourlyObservation(models.Model):
    """One station-hour; ``time`` is the start of the hour. None means missing or invalid."""

    station = models.ForeignKey(Station, models.PROTECT, related_name="hours")
    time = models.DateTimeField(_("时间（小时起点）"))
    so2 = models.FloatField("SO₂", null=True, blank=True)
    no2 = models.FloatField("NO₂", null=True, blank=True)
    co = models.FloatField("CO", null=True, blank=True)
    o3 = models.FloatField("O₃", null=True, blank=True)
    pm10 = models.FloatField("PM₁₀", null=True, blank=True)
    pm25 = models.FloatField("PM₂.₅", null=True, blank=True)
    data_import = models.ForeignKey(
        DataImport, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("小时监测数据")
        verbose_name_plural = _("小时监测数据")
        ordering = ["station_id", "time"]
        constraints = [
            models.UniqueConstraint(fields=["station", "time"], name="observation_station_hour")
        ]
        indexes = [models.Index(fields=["time"], name="observation_time")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.time:%Y-%m-%d %H:%M}"


class DailyFigures(models.Model):
    """Daily statistics under the validity rules, and the daily AQI computed from them."""

    date = models.DateField(_("日期"))
    so2 = models.FloatField("SO₂", null=True, blank=True)
    no2 = models.FloatField("NO₂", null=True, blank=True)
    co = models.FloatField("CO", null=True, blank=True)
    pm10 = models.FloatField("PM₁₀", null=True, blank=True)
    pm25 = models.FloatField("PM₂.₅", null=True, blank=True)
    o3_8h = models.FloatField(_("O₃ 日最大8小时"), null=True, blank=True)
    o3_1h = models.FloatField(_("O₃ 日最大1小时"), null=True, blank=True)
    hours = models.JSONField(_("有效小时数"), default=dict, blank=True)
    o3_windows = models.PositiveSmallIntegerField(_("O₃ 有效8小时值个数"), default=0)
    aqi = models.PositiveSmallIntegerField("AQI", null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("级别序号"), null=True, blank=True)
    primary = models.CharField(_("首要污染物"), max_length=64, blank=True)
    over_limit = models.CharField(_("超标污染物"), max_length=64, blank=True)
    standard = models.CharField(_("AQI 标准"), max_length=32, blank=True)
    above_scale = models.BooleanField(_("爆表"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        abstract = True


class DailyValue(DailyFigures):
    """One station's day."""

    station = models.ForeignKey(Station, models.PROTECT, related_name="days")

    class Meta:
        verbose_name = _("站点日数据")
        verbose_name_plural = _("站点日数据")
        ordering = ["station_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["station", "date"], name="daily_value_station_date")
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.date}"


class DistrictDaily(DailyFigures):
    """A district's (or the whole city's) day: the mean of its stations' daily statistics."""

    district = models.ForeignKey(District, models.PROTECT, related_name="air_days")
    stations = models.PositiveSmallIntegerField(_("站点数"), default=0)

    class Meta:
        verbose_name = _("区县日数据")
        verbose_name_plural = _("区县日数据")
        ordering = ["district_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["district", "date"], name="district_daily_date")
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.date}"


class DistrictMonthly(models.Model):
    """A district's month: means, CO/O3 percentiles, good days, composite index and ranks."""

    district = models.ForeignKey(District, models.PROTECT, related_name="air_months")
    month = models.DateField(_("月份"))
    so2 = models.FloatField("SO₂", null=True, blank=True)
    no2 = models.FloatField("NO₂", null=True, blank=True)
    pm10 = models.FloatField("PM₁₀", null=True, blank=True)
    pm25 = models.FloatField("PM₂.₅", null=True, blank=True)
    co_p95 = models.FloatField(_("CO 第95百分位"), null=True, blank=True)
    o3_8h_p90 = models.FloatField(_("O₃_8h 第90百分位"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("有效天数"), default=0)
    good_days = models.PositiveSmallIntegerField(_("优良天数"), default=0)
    complete = models.BooleanField(_("天数达到有效性要求"), default=False)
    composite = models.FloatField(_("综合指数"), null=True, blank=True)
    single_indices = models.JSONField(_("单项指数"), default=dict, blank=True)
    rank = models.PositiveSmallIntegerField(_("综合指数排名"), null=True, blank=True)
    pm25_rank = models.PositiveSmallIntegerField(_("PM₂.₅ 排名"), null=True, blank=True)
    ranking_code = models.CharField(_("排名规定"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("区县月数据")
        verbose_name_plural = _("区县月数据")
        ordering = ["month", "rank", "district_id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="district_monthly_month")
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.month:%Y-%m}"

    @property
    def good_rate(self) -> float | None:
        return self.good_days / self.days if self.days else None


class DustFall(models.Model):
    """A district's monthly dust fall (降尘, t/(km²·30 d)), measured by the dust-jar method."""

    district = models.ForeignKey(District, models.PROTECT, related_name="dust_falls")
    month = models.DateField(_("月份"))
    value = models.FloatField(_("降尘量"))
    points = models.PositiveSmallIntegerField(_("监测点数"), null=True, blank=True)
    data_import = models.ForeignKey(
        DataImport, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("降尘")
        verbose_name_plural = _("降尘")
        ordering = ["month", "value"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="dustfall_district_month")
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.month:%Y-%m} {self.value}"


class ResponseItem(models.Model):
    """A detection (abnormal rise or persistently high area) and the owner unit's response.

    排查 → 反馈 → 评估: the owner investigates and feeds back by ``deadline``; the office
    evaluates, closing the item or returning it for another round. ``dedupe_key`` makes
    detection idempotent: the same episode never opens two items.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=AnomalyKind.choices)
    scope = models.CharField(_("范围"), max_length=16, choices=AnomalyScope.choices)
    station = models.ForeignKey(
        Station, models.PROTECT, null=True, blank=True, related_name="responses"
    )
    district = models.ForeignKey(District, models.PROTECT, related_name="air_responses")
    pollutant = models.CharField(_("污染物"), max_length=8)
    period_start = models.DateTimeField(_("异常起"))
    period_end = models.DateTimeField(_("异常止"))
    value = models.FloatField(_("监测值"))
    baseline = models.FloatField(_("基线"), null=True, blank=True)
    neighbours = models.FloatField(_("周边/全市对照"), null=True, blank=True)
    detail = models.JSONField(_("判定依据"), default=dict, blank=True)
    rule_code = models.CharField(_("判定规则"), max_length=64)
    owner = models.ForeignKey(
        Unit, models.PROTECT, related_name="air_responses", verbose_name=_("责任单位")
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ResponseStatus.choices,
        default=ResponseStatus.INVESTIGATING,
    )
    deadline = models.DateTimeField(_("当前环节时限"))
    opened_at = models.DateTimeField(_("开具时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    cause = models.TextField(_("排查原因"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    evaluation = models.TextField(_("评估意见"), blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("异常响应单")
        verbose_name_plural = _("异常响应单")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"], name="response_status_deadline")]

    def __str__(self) -> str:
        where = self.station.name if self.station_id else self.district.name
        return f"{self.get_kind_display()} · {where} · {LABELS.get(self.pollutant, self.pollutant)}"

    @property
    def is_open(self) -> bool:
        return self.status in (ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK)


class ResponseStep(models.Model):
    """One entry in a response item's history: opened, notes, feedback, evaluation."""

    item = models.ForeignKey(ResponseItem, models.CASCADE, related_name="steps")
    kind = models.CharField(_("环节"), max_length=16, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("办理人"), max_length=150)
    text = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("响应记录")
        verbose_name_plural = _("响应记录")
        ordering = ["item_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_kind_display()}"
