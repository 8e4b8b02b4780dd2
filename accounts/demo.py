"""Demo accounts, one per role, so that a fresh install can be tried at once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Unit
from accounts.registry import load_registry

DEMO_PASSWORD = "lantian-demo"

# username, display name, city, unit, role
DEMO_USERS = [
    (
        "office",
        "整改办 王主任",
        "西安市",
        "市生态环境保护督察整改工作领导小组办公室",
        Role.OFFICE_ADMIN,
    ),
    (
        "airoffice",
        "大气专项办 李科长",
        "西安市",
        "市大气污染防治专项行动领导小组办公室",
        Role.OFFICE_ADMIN,
    ),
    ("huyi", "鄠邑区 联络员", "西安市", "鄠邑区政府", Role.UNIT_OFFICER),
    ("lintong", "临潼区 联络员", "西安市", "临潼区政府", Role.UNIT_OFFICER),
    ("chengguan", "市城管局 联络员", "西安市", "西安市城市管理和综合执法局", Role.UNIT_OFFICER),
    ("zhujian", "市住建局 验收组", "西安市", "西安市住房和城乡建设局", Role.REVIEWER),
    ("inspector", "执法检查员 赵", "西安市", "西安市生态环境局", Role.INSPECTOR),
    ("leader", "分管市领导", "西安市", "西安市政府", Role.LEADER),
]


@transaction.atomic
def load_demo(stdout) -> None:
    load_registry()
    User = get_user_model()
    for username, name, city, unit_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": name, "is_staff": role == Role.OFFICE_ADMIN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        unit = Unit.objects.get(city__name=city, name=unit_name)
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "", DEMO_PASSWORD)
    stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, name, _, unit_name, role in DEMO_USERS:
        stdout.write(f"  {username:<10} {name}（{unit_name}，{Role(role).label}）")
    stdout.write("  admin      系统管理员（管理后台 /admin/）")
