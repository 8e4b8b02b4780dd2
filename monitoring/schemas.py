import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from api.errors import ErrorOut  # noqa: F401 - the API's one error shape
from api.fields import Day, Id, Text, line
from monitoring.choices import Penalty


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
