"""Online monitoring: sites, devices (HJ 212 MN), readings, quarantined bytes, alarms and cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Unit
from monitoring import names
from monitoring.choices import (
    ActionKind,
    AlarmKind,
    AlarmStatus,
    BackfillSource,
    CaseStatus,
    CommandKind,
    CommandStatus,
    DeviceKind,
    Penalty,
    Phase,
    Profile,
    SiteKind,
    SizeClass,
)


class Site(models.Model):
    """A monitored place: a construction site, restaurant, key emission unit, road or station.

    ``units`` are the responsible units (属地政府, 行业主管部门): they receive its alarms.
    """

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="monitored_sites", verbose_name=_("区县")
    )
    units = models.ManyToManyField(Unit, related_name="monitored_sites", verbose_name=_("责任单位"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # Where it stands, in degrees: the 一张图 (onemap) draws its devices there.
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    operator = models.CharField(_("建设/经营单位"), max_length=200, blank=True)
    phase = models.CharField(_("施工阶段"), max_length=16, choices=Phase.choices, blank=True)
    size_class = models.CharField(
        _("餐饮规模"), max_length=8, choices=SizeClass.choices, blank=True
    )
    outlets = models.PositiveIntegerField(_("排放口数"), default=0)
    is_active = models.BooleanField(_("在监"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("监控点位")
        verbose_name_plural = _("监控点位")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="site_unique_in_district")
        ]
        ordering = ["district_id", "name"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    """An online monitor, identified on the wire by its MN and checked by its password."""

    mn = models.CharField(_("设备编号 MN"), max_length=32, unique=True)
    password = models.CharField(_("访问密码 PW"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16, choices=DeviceKind.choices)
    site = models.ForeignKey(Site, models.PROTECT, related_name="devices", verbose_name=_("点位"))
    profile = models.CharField(
        _("协议配置"), max_length=16, choices=Profile.choices, default=Profile.TOLERANT
    )
    strict = models.BooleanField(_("严格校验"), default=False)
    vendor = models.CharField(_("厂商型号"), max_length=100, blank=True)
    install_date = models.DateField(_("安装日期"), null=True, blank=True)
    placement = models.TextField(
        _("点位布设记录"), blank=True, help_text=_("采样口位置、高度、主导风向下风向等")
    )
    interval_seconds = models.PositiveIntegerField(_("上传间隔（秒）"), default=60)
    permit_limits = models.JSONField(
        _("许可排放限值"), default=dict, blank=True, help_text=_("污染源设备：{因子编码: 限值}")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    last_seen_at = models.DateTimeField(_("最后上传"), null=True, blank=True)
    hardware = models.JSONField(
        _("数采仪硬件序号"),
        default=dict,
        blank=True,
        help_text=_("HJ 212-2025 设备上报（1001）：数采仪编号、CPU 序号、MAC 地址"),
    )

    class Meta:
        verbose_name = _("监测设备")
        verbose_name_plural = _("监测设备")
        ordering = ["site_id", "mn"]

    def __str__(self) -> str:
        return self.mn


class DeviceKey(models.Model):
    """An SM4 key of one device (HJ 212-2025), entered by the operator and never shown again.

    The key is kept sealed (``keyvault``: AES-GCM under ``LANTIAN_SM4_VAULT_KEY``, bound to the
    device); pages show only its fingerprint. It is used from ``valid_from``; registering a newer
    key sets ``superseded_at``, after which this key is still tried for the grace window of the
    ``hj212_keys`` rules. ``expires_at`` is ``valid_from`` plus the rotation period.
    """

    device = models.ForeignKey(Device, models.PROTECT, related_name="keys", verbose_name=_("设备"))
    vault_key_id = models.CharField(_("金库密钥编号"), max_length=16)
    sealed = models.BinaryField(_("密文"))
    fingerprint = models.CharField(_("指纹"), max_length=16)
    valid_from = models.DateTimeField(_("启用时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    superseded_at = models.DateTimeField(_("被新密钥替换时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("设备密钥")
        verbose_name_plural = _("设备密钥")
        ordering = ["device_id", "-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.fingerprint}"


class DeviceCommand(models.Model):
    """A request sent to a device over its open connection (反控), and what became of it.

    Queued by a person (page, API) or by the platform (a 1013 time request, clock drift, a gap
    the sweep found). The gateway worker holding the device's connection claims it, sends it
    with a fresh QN and follows the answers by that QN: 9011 (``qn_rtn``) within the timeout,
    else it is sent again, up to the retries; then uploads (a 1011's ``SystemTime``, history
    data) and 9012 (``exe_rtn``). ``params`` are the request's inputs; ``result`` what came
    back (device time, values received …); ``drift_seconds`` the clock error found.
    """

    device = models.ForeignKey(
        Device, models.PROTECT, related_name="commands", verbose_name=_("设备")
    )
    kind = models.CharField(_("命令"), max_length=16, choices=CommandKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CommandStatus.choices, default=CommandStatus.QUEUED
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    qn = models.CharField(_("请求编码 QN"), max_length=20, blank=True, db_index=True)
    tries = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    qn_rtn = models.SmallIntegerField(_("请求应答 QnRtn"), null=True, blank=True)
    exe_rtn = models.SmallIntegerField(_("执行结果 ExeRtn"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    drift_seconds = models.FloatField(_("时钟偏差（秒）"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.CharField(_("发起人"), max_length=100)
    created_at = models.DateTimeField(_("发起时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("应答时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))

    class Meta:
        verbose_name = _("反控命令")
        verbose_name_plural = _("反控命令")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "device"], name="command_queue")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.get_kind_display()} {self.get_status_display()}"


class JudgeState(models.Model):
    """How far a device's rule has been judged: every window before ``until`` has its verdict,
    ``streak`` consecutive windows exceeded. The streaming judge and the sweep both lock this
    row to close windows, so a window is judged once whoever gets there first."""

    device = models.ForeignKey(Device, models.CASCADE, related_name="+")
    code = models.CharField(max_length=16)
    until = models.DateTimeField(null=True)
    streak = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("判定进度")
        verbose_name_plural = _("判定进度")
        constraints = [
            models.UniqueConstraint(fields=["device", "code"], name="judge_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} {self.until}"


class Reading(models.Model):
    """One value of one pollutant from one upload: the narrow table of years of minute data.

    The primary key (device, code, data_time, cn) is both the dedupe key (a re-sent upload
    never becomes two rows) and the index for time-range queries per device and pollutant.
    ``value`` is the upload's main value (Rtd for real-time data, Avg for aggregates).
    """

    pk = models.CompositePrimaryKey("device_id", "code", "data_time", "cn")
    # No database FK constraint: checking it on every row would halve bulk insert speed, and
    # devices are never deleted (PROTECT on sites; retire with is_active).
    # No index of its own either: the primary key starts with the device.
    device = models.ForeignKey(
        Device, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    code = models.CharField(_("因子"), max_length=16)
    data_time = models.DateTimeField(_("数据时间"))
    cn = models.PositiveSmallIntegerField(_("命令"))
    value = models.FloatField(_("值"))
    flag = models.CharField(_("标记"), max_length=2, blank=True)
    vmin = models.FloatField(null=True)
    vmax = models.FloatField(null=True)
    cou = models.FloatField(null=True)
    zs = models.FloatField(null=True)

    class Meta:
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} {self.data_time:%Y-%m-%d %H:%M} {self.value}"


class Backfill(models.Model):
    """An upload that arrived after its time: sent by the device as 补传 (HJ 212-2025 ``RF=1``)
    or fetched by the platform (提取历史数据, ``source`` = fetched). Its values are ordinary
    readings; this row marks them so pages show them as 补传 and the rates can apply the
    counting rule for late data (``monitoring_rates`` ``backfill_days``)."""

    pk = models.CompositePrimaryKey("device_id", "cn", "data_time")
    device = models.ForeignKey(
        Device, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    cn = models.PositiveSmallIntegerField(_("命令"))
    data_time = models.DateTimeField(_("数据时间"))
    received_at = models.DateTimeField(_("接收时间"))
    source = models.CharField(_("来源"), max_length=8, choices=BackfillSource.choices)

    class Meta:
        verbose_name = _("补传数据")
        verbose_name_plural = _("补传数据")

    def __str__(self) -> str:
        return f"{self.device_id} {self.cn} {self.data_time:%Y-%m-%d %H:%M}"


class RollupFields(models.Model):
    """Aggregates of one device, pollutant and CN over an hour or a day, kept as data lands.

    ``valid`` counts values flagged N (or unflagged); ``total``, ``vmin`` and ``vmax`` are over
    valid values (mean = total / valid); ``exceed`` is the minutes of valid data over the
    device's limit for that pollutant (a value lasts its CN's period: 1 min for minute data,
    60 for hourly data, the device's interval for real-time data).
    """

    device = models.ForeignKey(
        Device, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    code = models.CharField(_("因子"), max_length=16)
    cn = models.PositiveSmallIntegerField(_("命令"))
    n = models.PositiveIntegerField(_("数据个数"))
    valid = models.PositiveIntegerField(_("有效数据个数"))
    total = models.FloatField(_("有效数据之和"))
    vmin = models.FloatField(_("最小值"), null=True)
    vmax = models.FloatField(_("最大值"), null=True)
    exceed = models.FloatField(_("超标分钟数"), default=0)

    class Meta:
        abstract = True

    @property
    def mean(self) -> float | None:
        return self.total / self.valid if self.valid else None


class HourlyRollup(RollupFields):
    pk = models.CompositePrimaryKey("device_id", "code", "cn", "start")
    start = models.DateTimeField(_("小时"))

    class Meta:
        verbose_name = _("小时统计")
        verbose_name_plural = _("小时统计")

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} {self.start:%Y-%m-%d %H}"


class DailyRollup(RollupFields):
    pk = models.CompositePrimaryKey("device_id", "code", "cn", "day")
    day = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")

    def __str__(self) -> str:
        return f"{self.device_id} {self.code} {self.day}"


class HourlyState(models.Model):
    """What one device did in one hour, for 开机率 and the roster's online state, kept with the
    rollups so no rate reads raw rows.

    ``flags`` counts the device's main-pollutant values (all CNs) by data flag: the raw
    ingredients of received, valid (N) and instrument-running values under any flag rule;
    ``mask`` says which flags occurred (``hours.flag_mask``), so hours can be counted by rule in
    SQL. ``states`` counts fume status samples (one DataTime carrying a fan or purifier state),
    ``fan_on`` those with the fan running, ``both_on`` with fan and purifier running, each sample
    judged by the ``monitoring_rates`` thresholds in force on its Beijing date.
    """

    pk = models.CompositePrimaryKey("device_id", "start")
    device = models.ForeignKey(
        Device, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    start = models.DateTimeField(_("小时"))
    samples = models.PositiveIntegerField(_("主因子数据个数"), default=0)
    flags = models.JSONField(_("按标记计数"), default=dict)
    mask = models.PositiveIntegerField(_("出现的标记"), default=0)
    states = models.PositiveIntegerField(_("运行状态数据条数"), default=0)
    fan_on = models.PositiveIntegerField(_("风机运行条数"), default=0)
    both_on = models.PositiveIntegerField(_("风机与净化器同时运行条数"), default=0)

    class Meta:
        verbose_name = _("小时运行状态")
        verbose_name_plural = _("小时运行状态")

    def __str__(self) -> str:
        return f"{self.device_id} {self.start:%Y-%m-%d %H}"


class DailyState(models.Model):
    """One device's hours of one Beijing day grouped by the flags that occurred in them
    (``HourlyState.mask``): the hours an instrument ran, or sent valid data, under any flag
    rule are a sum over these rows; fume sample counts add up across the groups."""

    pk = models.CompositePrimaryKey("device_id", "day", "mask")
    device = models.ForeignKey(
        Device, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    day = models.DateField(_("日期"))
    mask = models.PositiveIntegerField(_("出现的标记"))
    hours = models.PositiveSmallIntegerField(_("小时数"))
    samples = models.PositiveIntegerField(_("主因子数据个数"), default=0)
    states = models.PositiveIntegerField(_("运行状态数据条数"), default=0)
    fan_on = models.PositiveIntegerField(_("风机运行条数"), default=0)
    both_on = models.PositiveIntegerField(_("风机与净化器同时运行条数"), default=0)

    class Meta:
        verbose_name = _("日运行状态")
        verbose_name_plural = _("日运行状态")

    def __str__(self) -> str:
        return f"{self.device_id} {self.day} {self.mask}"


class ArchivedMonth(models.Model):
    """A month of raw data moved out of the database into a Parquet file (with its checksum),
    after the month's rollups were verified against it."""

    table = models.CharField(max_length=64)
    month = models.DateField(_("月份"))
    path = models.CharField(_("归档文件"), max_length=500)
    rows = models.BigIntegerField(_("行数"))
    sha256 = models.CharField(max_length=64)
    archived_at = models.DateTimeField(_("归档时间"))

    class Meta:
        verbose_name = _("已归档月份")
        verbose_name_plural = _("已归档月份")
        constraints = [
            models.UniqueConstraint(fields=["table", "month"], name="archived_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.month:%Y-%m}"


class Quarantine(models.Model):
    """Bytes the gateway received but did not store as readings, and why. Nothing is dropped."""

    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    peer = models.CharField(_("来源"), max_length=64, blank=True)
    mn = models.CharField(max_length=32, blank=True, db_index=True)
    reason = models.CharField(_("原因"), max_length=32)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    raw = models.BinaryField(_("原始报文"))

    class Meta:
        verbose_name = _("隔离报文")
        verbose_name_plural = _("隔离报文")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.reason} {self.mn}"


class Alarm(models.Model):
    """An exceedance or a device-health finding on one device (and pollutant), with its ledger.

    One alarm stays open per (device, kind, code): repeated exceedances extend it (``last_at``,
    ``count``, ``peak``) instead of opening new ones. ``due_at`` is the response deadline of the
    current level; passing it escalates.
    """

    device = models.ForeignKey(Device, models.PROTECT, related_name="alarms")
    site = models.ForeignKey(Site, models.PROTECT, related_name="alarms")
    kind = models.CharField(_("类别"), max_length=16, choices=AlarmKind.choices)
    code = models.CharField(_("因子"), max_length=16, blank=True)
    level = models.PositiveSmallIntegerField(_("级别"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.RAISED
    )
    first_at = models.DateTimeField(_("首次"))
    last_at = models.DateTimeField(_("最近"))
    count = models.PositiveIntegerField(_("次数"), default=1)
    peak = models.FloatField(_("峰值"), null=True, blank=True)
    limit = models.FloatField(_("限值"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    dispatched_to = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("承办单位"),
    )
    due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("超时升级次数"), default=0)
    measures = models.TextField(_("处置措施"), blank=True)
    reply = models.TextField(_("答复"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-first_at"]
        indexes = [
            models.Index(fields=["device", "kind", "code", "status"], name="alarm_open_lookup"),
            models.Index(fields=["status", "due_at"], name="alarm_due"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.get_kind_display()} {names.pollutant(self.code)} {self.level}级"

    @property
    def is_open(self) -> bool:
        return self.status != AlarmStatus.CLOSED


class AlarmAction(models.Model):
    """One step in an alarm's timeline (raised, extended, dispatched, handled, escalated …)."""

    alarm = models.ForeignKey(Alarm, models.CASCADE, related_name="actions")
    kind = models.CharField(_("动作"), max_length=16, choices=ActionKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=100)
    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")
    status_after = models.CharField(max_length=16, choices=AlarmStatus.choices)
    level_after = models.PositiveSmallIntegerField()
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("报警处置记录")
        verbose_name_plural = _("报警处置记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.get_kind_display()}"


class Case(models.Model):
    """An enforcement case (立案) opened on an alarm; the numerator of 立案率.

    Opened from the alarm's page, or for many alarms at once from the alarm ledger; decided
    (处理决定: penalty or order) and closed (结案) through ``monitoring.services``, each step
    audited. ``alarm.cases`` links back, so the alarm and the case show each other.
    """

    alarm = models.ForeignKey(Alarm, models.PROTECT, related_name="cases", verbose_name=_("报警"))
    number = models.CharField(_("案号"), max_length=64)
    opened_on = models.DateField(_("立案日期"))
    authority = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("立案机关")
    )
    note = models.TextField(_("案由"), blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    party = models.CharField(_("当事人"), max_length=200, blank=True)
    party_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    penalty = models.CharField(_("处理种类"), max_length=16, choices=Penalty.choices, blank=True)
    fine = models.DecimalField(
        _("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision = models.TextField(_("处理决定"), blank=True)
    order = models.TextField(_("责令事项"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closure = models.TextField(_("结案情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("立案")
        verbose_name_plural = _("立案")
        constraints = [models.UniqueConstraint(fields=["number"], name="case_number_unique")]
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.number


class AnnouncedInspection(models.Model):
    """An inspection announced in advance (督察进驻公告, 检查通知): monitors whose values fall
    right after it, while their neighbours' do not, are suspected (``inspection_drop``)."""

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区县"),
        help_text=_("空表示全市"),
    )
    announced_at = models.DateTimeField(_("通知发布时间"))
    title = models.CharField(_("通知"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查通知")
        verbose_name_plural = _("检查通知")
        ordering = ["-announced_at"]

    def __str__(self) -> str:
        return self.title
