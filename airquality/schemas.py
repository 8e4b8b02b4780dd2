import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from api.errors import ErrorOut  # noqa: F401 - the API's one error shape
from api.fields import Day, Number, Text


class StationOut(Schema):
    id: int
    code: str
    name: str
    district: str
    kind: str
    latitude: float | None
    longitude: float | None
    is_active: bool

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name


class DayOut(Schema):
    date: dt.date
    aqi: int | None
    level: int | None
    primary: str
    over_limit: str
    standard: str
    above_scale: bool
    so2: float | None
    no2: float | None
    co: float | None
    pm10: float | None
    pm25: float | None
    o3_8h: float | None
    o3_1h: float | None


class HourOut(Schema):
    time: dt.datetime
    so2: float | None
    no2: float | None
    co: float | None
    o3: float | None
    pm10: float | None
    pm25: float | None


class MonthOut(Schema):
    district: str
    district_id: int
    month: dt.date
    composite: float | None
    rank: int | None
    pm25_rank: int | None
    so2: float | None
    no2: float | None
    pm10: float | None
    pm25: float | None
    co_p95: float | None
    o3_8h_p90: float | None
    days: int
    good_days: int
    complete: bool

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name


class DustFallOut(Schema):
    district: str
    district_id: int
    value: float
    points: int | None
    rank: int
    over_target: bool
    change: float | None


class DustFallRanking(Schema):
    month: dt.date
    target: float | None
    rows: list[DustFallOut]


class ResponseOut(Schema):
    id: int
    kind: str
    scope: str
    station: str | None
    district: str
    pollutant: str
    period_start: dt.datetime
    period_end: dt.datetime
    value: float
    baseline: float | None
    neighbours: float | None
    owner: str
    status: str
    deadline: dt.datetime
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    cause: str
    measures: str
    evaluation: str

    @staticmethod
    def resolve_station(obj) -> str | None:
        return obj.station.code if obj.station_id else None

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.name


class FeedbackIn(Schema):
    cause: Text
    measures: Text


class EvaluateIn(Schema):
    accepted: bool
    opinion: Text = ""


Pollutant = Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9_.]+$")]
Standard = Annotated[str, StringConstraints(max_length=32, pattern=r"^[A-Za-z0-9 .—-]+$")]


class AqiIn(Schema):
    date: Day
    mode: Literal["daily", "hourly"] = "daily"
    standard: Standard = "auto"
    values: dict[Pollutant, Number | None] = Field(max_length=32)


class SubIndexOut(Schema):
    name: str
    measurement: str
    concentration: str
    iaqi: int
    above_scale: bool
    note: str


class AqiOut(Schema):
    aqi: int
    level: str
    category: str
    color: str
    primary: list[str]
    over_limit: list[str]
    above_scale: bool
    standard: str
    missing: list[str] = []
    published: bool = True
    note: str = ""
    sub_indices: list[SubIndexOut]
