"""``lantian demodevices``: the demo's monitoring devices streaming to the local gateway.

What ``make run`` starts beside the gateway so that a fresh demo shows live readings, moving
charts and alarms: a dozen named construction-dust and restaurant-fume monitors in 鄠邑区 and
临潼区 (registered once), real-time uploads every ``--every`` seconds, two dust sites and one
restaurant over their limits. It waits for the gateway, and stops on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import socket
import time

from django.core.management.base import BaseCommand
from django.db import transaction

# (MN, kind, district, site name, exceedance factor)
FLEET = [
    ("DEMOHY0001", "dust", "鄠邑区", "鄠邑区 草堂安置房三期工地", 3.0),
    ("DEMOHY0002", "dust", "鄠邑区", "鄠邑区 沣京工业园厂房工地", 1.0),
    ("DEMOHY0003", "dust", "鄠邑区", "鄠邑区 甘亭街道道路改造工地", 1.0),
    ("DEMOHY0004", "dust", "鄠邑区", "鄠邑区 涝河综合治理工地", 2.2),
    ("DEMOHY0005", "fume", "鄠邑区", "鄠邑区 人民路某火锅店", 4.0),
    ("DEMOHY0006", "fume", "鄠邑区", "鄠邑区 万达广场美食城", 1.0),
    ("DEMOLT0001", "dust", "临潼区", "临潼区 新丰街道商混站", 1.0),
    ("DEMOLT0002", "dust", "临潼区", "临潼区 秦陵北路拓宽工地", 1.0),
    ("DEMOLT0003", "fume", "临潼区", "临潼区 华清路某餐饮单位", 1.0),
    ("DEMOLT0004", "dust", "临潼区", "临潼区 代王街道安置小区工地", 1.0),
]
PASSWORD = "123456"


class Command(BaseCommand):
    help = "演示设备：登记扬尘、油烟在线监测设备，实时向本机 HJ 212 网关上传数据（Ctrl-C 停止）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9212)
        parser.add_argument("--every", type=float, default=10.0, help="每台设备上传间隔（秒）")
        parser.add_argument("--wait", type=float, default=120.0, help="等待网关启动的最长秒数")

    def handle(self, *args, **options):
        from monitoring import simulator

        created = register()
        if created:
            self.stdout.write(f"演示设备：已登记 {created} 台")
        if not wait_for(options["host"], options["port"], options["wait"]):
            self.stderr.write(
                f"演示设备：{options['wait']:.0f} 秒内未连上网关 {options['port']} 端口"
            )
            return
        devices = [
            simulator.SimDevice(mn, PASSWORD, kind, exceed=factor)
            for mn, kind, _district, _name, factor in FLEET
        ]
        every = max(1.0, options["every"])
        opts = simulator.Options(
            host=options["host"],
            port=options["port"],
            rate=len(devices) / every,
            duration=3600 * 24 * 365,
            step=every,  # data time advances as fast as the clock: real-time uploads
        )
        self.stdout.write(f"演示设备：{len(devices)} 台设备每 {every:g} 秒上传一次")
        try:
            asyncio.run(simulator.simulate(devices, opts))
        except KeyboardInterrupt:
            pass


@transaction.atomic
def register() -> int:
    """Sites (with their district government as responsible unit) and devices; idempotent."""
    from accounts.models import District, Unit
    from audit.log import record
    from monitoring.models import Device, Site

    known = set(Device.objects.filter(mn__in=[f[0] for f in FLEET]).values_list("mn", flat=True))
    created = 0
    for mn, kind, district_name, name, _factor in FLEET:
        if mn in known:
            continue
        district = District.objects.filter(parent__name="西安市", name=district_name).first()
        if district is None:
            continue
        site = Site.objects.create(
            name=name,
            kind="construction" if kind == "dust" else "restaurant",
            district=district,
            phase="earthworks" if kind == "dust" else "",
            size_class="large" if kind == "fume" else "",
        )
        site.units.set(Unit.objects.filter(district=district, kind="government"))
        _place(site)
        Device.objects.create(
            mn=mn,
            password=PASSWORD,
            kind=kind,
            site=site,
            profile="fume" if kind == "fume" else "dust-ug",
            interval_seconds=60,
        )
        created += 1
        record("demo", "device.fleet_registered", district, changes={"devices": [0, 1]})
    return created


def _place(site) -> None:
    """A point inside its district for the 一张图 (none when the city's outline is not packaged)."""
    from lantian.lib import boundaries

    found = boundaries.city_map(site.district.parent.name)
    area = found.area(site.district.name, site.district.aliases) if found else None
    if area is not None:
        site.longitude, site.latitude = boundaries.point_in(area, site.name)
        site.save(update_fields=["longitude", "latitude"])


def wait_for(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False
