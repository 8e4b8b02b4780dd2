"""The 一张图 page: the map draws what ``onemap.data.map_data`` gives, embedded in the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from onemap.data import map_data, may_see_map


@login_required
def city_map(request):
    if not may_see_map(request.user):
        raise PermissionDenied
    data = map_data(request.user)
    devices = [row for row in data["unplaced"] if row["kind"] == "设备"]
    checks = len(data["unplaced"]) - len(devices)
    return render(
        request,
        "onemap/map.html",
        {"data": data, "unplaced_devices": devices, "unplaced_checks": checks},
    )
