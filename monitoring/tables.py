"""The monitoring list pages as sortable, paginated tables (django-tables2).

Sorting and paging happen in SQL; cells render words (kinds, statuses, units by name) and
Beijing time, never codes.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lantian.lib import tz
from monitoring import names
from monitoring.choices import AlarmStatus
from monitoring.filters import is_online
from monitoring.health import thresholds
from monitoring.models import Alarm, Device, Site

PER_PAGE = 50


def _local(moment, pattern="%m-%d %H:%M") -> str:
    return tz.to_local(moment).strftime(pattern) if moment else "—"


class DeviceTable(tables.Table):
    mn = tables.Column(verbose_name=_("设备编号"), linkify=("monitoring-device", [tables.A("pk")]))
    kind = tables.Column(verbose_name=_("类型"))
    site = tables.Column(verbose_name=_("点位"), accessor="site__name", order_by="site__name")
    district = tables.Column(
        verbose_name=_("区县"), accessor="site__district__name", order_by="site__district_id"
    )
    online = tables.Column(verbose_name=_("状态"), empty_values=(), orderable=False)
    last_seen_at = tables.Column(verbose_name=_("最后上传"))
    open_alarms = tables.Column(verbose_name=_("未办结报警"))

    class Meta:
        model = Device
        fields = ()
        sequence = ("mn", "kind", "site", "district", "online", "last_seen_at", "open_alarms")
        empty_text = _("暂无设备")
        order_by = ("district", "site", "mn")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = tz.now()
        self.intervals = thresholds(tz.local_today())["offline_intervals"]

    def render_online(self, record):
        if is_online(record, self.now, self.intervals):
            return format_html('<span class="badge ok">{}</span>', _("在线"))
        return format_html('<span class="badge bad">{}</span>', _("离线"))

    def render_last_seen_at(self, value):
        return _local(value, "%Y-%m-%d %H:%M:%S")

    def render_open_alarms(self, value):
        return format_html('<span class="badge warn">{}</span>', value) if value else "0"


class SiteTable(tables.Table):
    name = tables.Column(verbose_name=_("名称"))
    kind = tables.Column(verbose_name=_("类型"))
    district = tables.Column(
        verbose_name=_("区县"), accessor="district__name", order_by="district_id"
    )
    phase = tables.Column(verbose_name=_("阶段/规模"), empty_values=(), orderable=False)
    outlets = tables.Column(verbose_name=_("排放口"))
    units = tables.Column(verbose_name=_("责任单位"), empty_values=(), orderable=False)
    device_count = tables.Column(verbose_name=_("设备数"))

    class Meta:
        model = Site
        fields = ()
        sequence = ("name", "kind", "district", "phase", "outlets", "units", "device_count")
        empty_text = _("暂无点位")
        order_by = ("district", "name")

    def render_phase(self, record):
        return record.get_phase_display() or record.get_size_class_display() or "—"

    def render_outlets(self, value):
        return value or "—"

    def render_units(self, record):
        return "、".join(unit.name for unit in record.units.all()) or "—"


class AlarmTable(tables.Table):
    pick = tables.Column(accessor="pk", verbose_name=_("选择"), orderable=False)
    number = tables.Column(verbose_name=_("编号"), accessor="pk", order_by="pk")
    site = tables.Column(verbose_name=_("点位"), accessor="site__name", order_by="site__name")
    district = tables.Column(
        verbose_name=_("区县"), accessor="site__district__name", order_by="site__district_id"
    )
    kind = tables.Column(verbose_name=_("类别"))
    level = tables.Column(verbose_name=_("级别"))
    status = tables.Column(verbose_name=_("状态"))
    dispatched_to = tables.Column(
        verbose_name=_("承办单位"), accessor="dispatched_to__name", default="—"
    )
    first_at = tables.Column(verbose_name=_("首次"))
    last_at = tables.Column(verbose_name=_("最近"))
    due_at = tables.Column(verbose_name=_("响应时限"))

    class Meta:
        model = Alarm
        fields = ()
        sequence = (
            "pick", "number", "site", "district", "kind", "level", "status",
            "dispatched_to", "first_at", "last_at", "due_at",
        )  # fmt: skip
        empty_text = _("暂无报警")
        order_by = ("-first_at",)
        attrs = {"class": "table", "id": "alarms"}

    def __init__(self, *args, may_open_case=False, **kwargs):
        if not may_open_case:
            kwargs["exclude"] = ("pick",)
        super().__init__(*args, **kwargs)
        self.now = tz.now()

    def render_pick(self, record):
        label = _("选择报警")
        if record.case_count:
            return format_html(
                '<input type="checkbox" name="alarm" value="{}" aria-label="{} #{}" disabled '
                'title="{}">',
                record.pk, label, record.pk, _("已立案"),
            )  # fmt: skip
        return format_html(
            '<input type="checkbox" name="alarm" value="{}" aria-label="{} #{}">',
            record.pk, label, record.pk,
        )  # fmt: skip

    def render_number(self, record):
        link = format_html(
            '<a href="{}">#{}</a>', reverse("monitoring-alarm", args=[record.pk]), record.pk
        )
        if record.case_count:
            return format_html('{} <span class="badge">{}</span>', link, _("已立案"))
        return link

    def render_kind(self, record):
        pollutant = names.pollutant(record.code) if record.code else ""
        return f"{record.get_kind_display()} {pollutant}".strip()

    def render_level(self, value):
        colour = "bad" if value >= 3 else ("warn" if value == 2 else "")
        return format_html('<span class="badge {}">{}{}</span>', colour, value, _("级"))

    def render_status(self, record):
        return record.get_status_display()

    def render_first_at(self, value):
        return _local(value)

    def render_last_at(self, value):
        return _local(value)

    def render_due_at(self, record, value):
        late = value < self.now and record.status != AlarmStatus.CLOSED
        if late:
            return format_html('<span class="badge bad">{}</span> {}', _("已超时"), _local(value))
        return _local(value)
