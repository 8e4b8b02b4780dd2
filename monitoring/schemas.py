import datetime as dt

from ninja import Schema


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


class ReadingsOut(Schema):
    code: str
    unit: str
    limit: float | None
    points: list[tuple[dt.datetime, float, str]]


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
