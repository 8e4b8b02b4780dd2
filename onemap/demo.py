"""Demo: the demo city's monitoring sites placed inside their districts, so that the 一张图 has
points to draw. Runs after the apps that create them; idempotent."""

from __future__ import annotations

from accounts.models import District
from onemap.places import place_missing

CITY = "西安市"


def load_demo(stdout) -> None:
    city = District.objects.filter(parent=None, name=CITY).first()
    if city is None:
        return
    sites = place_missing(city)
    if sites:
        stdout.write(f"一张图：为 {sites} 个监控点位标注了演示位置")
