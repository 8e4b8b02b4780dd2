from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from api.fields import Day, Line, Moment, Number, Text
from emergency.choices import Result


class StepOut(Schema):
    kind: str
    level_before: str
    level_after: str
    effective_at: dt.datetime
    recorded_at: dt.datetime
    reason: str


class EpisodeOut(Schema):
    id: int
    number: str
    city: str
    level: str
    status: str
    starts_at: dt.datetime
    expected_end_at: dt.datetime | None
    lifted_at: dt.datetime | None
    rule_code: str

    @staticmethod
    def resolve_city(obj) -> str:
        return obj.city.name

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.status()


class EpisodeDetail(EpisodeOut):
    steps: list[StepOut]
    basis: dict

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class DailyValue(Schema):
    date: Day
    aqi: Number | None


class HourlyValue(Schema):
    time: Moment
    aqi: Number | None


class ForecastIn(Schema):
    city: Line = ""
    daily: list[DailyValue] = Field([], max_length=366)
    hourly: list[HourlyValue] = Field([], max_length=24 * 366)


class ReductionMeasureOut(Schema):
    level: str
    measures: str
    reduction_pct: float | None
    stop_production: bool
    limit_production: bool


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    district: str
    industry: str
    grade: str
    on_list: bool
    device_mns: list[str]
    measures: list[ReductionMeasureOut]

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name

    @staticmethod
    def resolve_measures(obj):
        return list(obj.measures.all())


class InspectionOut(Schema):
    id: int
    position: int
    enterprise: str
    credit_code: str
    district: str
    status: str
    result: str
    inspected_at: dt.datetime | None

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_credit_code(obj) -> str:
        return obj.enterprise.credit_code

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district.name


class PlanOut(Schema):
    id: int
    day: dt.date
    unit: str
    level: str
    published_at: dt.datetime
    quota: dict
    inspections: list[InspectionOut]

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_inspections(obj):
        return list(obj.visible_inspections)


class InspectionIn(Schema):
    result: Result
    measures_in_place: bool
    facilities_running: bool
    ledger_ok: bool
    findings: Text = ""
    inspected_at: Moment | None = None


class RoundCheckOut(Schema):
    ok: bool
    plans: int
    problems: list[str]


class CommitmentOut(Schema):
    city: str
    day: dt.date
    commitment: str
    committed_at: dt.datetime
    secret: str | None
    beacon: str | None
    beacon_source: str | None
    drawn_at: dt.datetime | None


class StatRow(Schema):
    key: str
    label: str
    listed: int | None
    planned: int
    done: int
    compliant: int
    non_compliant: int
    inspected: int
    completion: float | None
    compliance: float | None
    coverage: float | None


class StatsOut(Schema):
    by_level: list[StatRow]
    by_district: list[StatRow]
    by_unit: list[StatRow]
    formulas: dict[str, str]


class GradesOut(Schema):
    grades: list[str]
    districts: list[dict]
    totals: dict[str, int]
    target: dict | None
    high_grade_count: int
