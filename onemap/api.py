"""``GET /api/v1/map/``: what the 一张图 draws, for the caller (the page embeds the same)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from onemap.data import map_data, may_see_map

router = Router(tags=["一张图"])
PREFIX = "map"


class Named(Schema):
    id: int
    name: str


class Boundary(Schema):
    map: str
    script: str
    aspect: float
    source: str


class MapDistrictOut(Schema):
    id: int
    name: str
    map_name: str
    aqi: int | None
    aqi_category: str
    aqi_colour: str
    primary: str
    aqi_url: str
    lamp: str
    lamp_name: str
    lamp_colour: str
    lamp_tally: str
    lamp_url: str


class MapDeviceOut(Schema):
    id: int
    name: str
    district: str
    state: str
    state_name: str
    last_seen: str
    lon: float
    lat: float
    url: str


class MapAlarmOut(Schema):
    id: int
    name: str
    level: str
    status_name: str
    since: str
    lon: float
    lat: float
    url: str


class MapInspectionOut(Schema):
    id: int
    name: str
    district: str
    state: str
    state_name: str
    day: str
    lon: float
    lat: float
    url: str


class MapUnplacedOut(Schema):
    kind: str
    name: str
    district: str
    url: str


class Swatch(Schema):
    name: str
    colour: str
    key: str = ""
    max: int | None = None


class Legend(Schema):
    states: list[Swatch]
    inspections: list[Swatch]
    alarm_colour: str
    aqi: list[Swatch]
    lamps: list[Swatch]


class MapOut(Schema):
    city: Named | None
    boundary: Boundary | None
    aqi_day: str | None
    sees_lamps: bool
    districts: list[MapDistrictOut]
    devices: list[MapDeviceOut]
    alarms: list[MapAlarmOut]
    inspections: list[MapInspectionOut]
    unplaced: list[MapUnplacedOut]
    legend: Legend


@router.get("/", response=MapOut)
def city_map(request: HttpRequest):
    """The page's data: districts with AQI and lamp, device, alarm and inspection points."""
    if not may_see_map(request.user):
        raise PermissionDenied
    return map_data(request.user)
