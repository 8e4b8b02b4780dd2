import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from api.errors import ErrorOut  # noqa: F401 - the API's one error shape
from api.fields import Day, Id, Moment, Text, line
from monitoring.choices import CommandKind, Penalty


class DeviceOut(Schema):
    id: int
    mn: str
    kind: str
    site: str
    district: str
    last_seen_at: dt.datetime | None

    @staticmethod
    def resolve_site(obj) -> str:
        return obj.site.name

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.site.district.name


class PointOut(Schema):
    time: dt.datetime
    value: float
    flag: str
    backfilled: bool = Field(False, description="补传数据（设备补传 RF=1 或平台补采）")


class ReadingsOut(Schema):
    code: str
    name: str = Field("", description="因子名称，如“总悬浮颗粒物 TSP”")
    unit: str
    limit: float | None
    points: list[PointOut]


class AlarmOut(Schema):
    id: int
    site: str
    device: str
    kind: str
    code: str
    level: int
    status: str
    first_at: dt.datetime
    last_at: dt.datetime
    due_at: dt.datetime | None
    dispatched_to: str | None

    @staticmethod
    def resolve_site(obj) -> str:
        return obj.site.name

    @staticmethod
    def resolve_device(obj) -> str:
        return obj.device.mn

    @staticmethod
    def resolve_dispatched_to(obj) -> str | None:
        return obj.dispatched_to.name if obj.dispatched_to_id else None


class CaseOut(Schema):
    id: int
    number: str
    alarm_id: int
    opened_on: dt.date
    authority: str
    cause: str
    legal_basis: str
    party: str
    party_code: str
    status: str
    status_label: str
    penalty: str
    fine: float | None
    decision: str
    order: str
    decided_on: dt.date | None
    closed_on: dt.date | None
    closure: str

    @staticmethod
    def resolve_authority(obj) -> str:
        return obj.authority.name

    @staticmethod
    def resolve_cause(obj) -> str:
        return obj.note

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_fine(obj) -> float | None:
        return float(obj.fine) if obj.fine is not None else None


Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class CaseIn(Schema):
    number: line(64)
    opened_on: Day
    authority_id: Id
    cause: Text
    legal_basis: Text = ""
    party: line(200) = ""
    party_code: line(18) = ""


class BulkCaseIn(Schema):
    alarm_ids: list[Id] = Field(max_length=1000)
    number_template: line(64)
    start: Annotated[int, Field(ge=0, le=10**9)] | None = None
    opened_on: Day
    authority_id: Id
    cause: Text
    legal_basis: Text = ""


class DecisionIn(Schema):
    penalty: Penalty
    decision: Text
    decided_on: Day
    fine: Money | None = None
    order: Text = ""


class ClosureIn(Schema):
    closed_on: Day
    closure: Text


class CommandIn(Schema):
    """A command to a device (反控); which fields apply depends on ``kind``."""

    kind: CommandKind = Field(
        description="命令：校时、提取时间、补采历史数据、设置间隔、取实时数据"
    )
    begin: Moment | None = Field(None, description="补采：开始时间（含）")
    end: Moment | None = Field(None, description="补采：结束时间（不含）")
    cn: Literal["2051", "2061", "2031"] = Field("2051", description="补采：分钟、小时或日数据")
    seconds: int | None = Field(None, ge=30, le=3600, description="实时数据上传间隔（秒）")
    minutes: int | None = Field(None, ge=1, le=30, description="分钟数据间隔（分钟）")


class CommandOut(Schema):
    id: int
    device: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    reason: str
    requested_by: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    finished_at: dt.datetime | None
    tries: int
    qn: str
    qn_rtn: int | None
    exe_rtn: int | None
    drift_seconds: float | None
    detail: str

    @staticmethod
    def resolve_device(obj) -> str:
        return obj.device.mn

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())
