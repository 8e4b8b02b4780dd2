"""Importing sites and devices from an Excel workbook, all or nothing.

Sheet ``点位`` (sites) and sheet ``设备`` (devices) with the columns in ``SITE_COLUMNS`` and
``DEVICE_COLUMNS`` (sites may add ``经度`` and ``纬度``). Choice columns accept the Chinese
label or the code. Responsible units are names the city's registry resolves (``、`` between
several). Every row is checked first; one bad row and nothing is stored, and the errors name
their sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import District
from accounts.registry import UnitIndex
from audit.log import record
from lantian.lib import coords, safedocs
from monitoring.choices import DeviceKind, Phase, Profile, SiteKind, SizeClass
from monitoring.models import Device, Site

SITE_COLUMNS = [
    "名称",
    "类型",
    "区县",
    "地址",
    "建设/经营单位",
    "施工阶段",
    "餐饮规模",
    "排放口数",
    "责任单位",
]
# optional: a workbook made before the 一张图 imports without them (its sites stay unplaced)
SITE_OPTIONAL_COLUMNS = ["经度", "纬度"]
DEVICE_COLUMNS = [
    "MN",
    "密码",
    "类型",
    "点位",
    "区县",
    "协议配置",
    "严格校验",
    "厂商型号",
    "安装日期",
    "点位布设记录",
    "上传间隔",
]


class ImportRefused(ValidationError):
    """The workbook has errors; ``errors`` lists them (sheet, row, message)."""


@dataclass
class ImportResult:
    sites: int = 0
    devices: int = 0
    errors: list[str] = field(default_factory=list)


def _choice(value, choices, label: str, errors: list[str], where: str, blank=False) -> str:
    text = str(value or "").strip()
    if not text and blank:
        return ""
    for code, name in choices.choices:
        if text in (code, str(name)):
            return code
    errors.append(f"{where} {label}「{text}」不是可选值")
    return ""


def _rows(book, sheet: str, columns: list[str], errors: list[str], optional=()):
    if sheet not in book.sheetnames:
        errors.append(f"缺少工作表「{sheet}」")
        return
    ws = book[sheet]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    missing = [c for c in columns if c not in header]
    if missing:
        errors.append(f"工作表「{sheet}」缺少列：{'、'.join(missing)}")
        return
    index = {c: header.index(c) for c in [*columns, *optional] if c in header}
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        yield number, {c: (row[i] if i < len(row) else None) for c, i in index.items()}


@transaction.atomic
def import_registry(file, *, acting_user, city_name: str | None = None) -> ImportResult:
    """Create or update the sites and devices in the workbook; raise ``ImportRefused`` if any
    row is invalid (then nothing is stored)."""
    city = District.objects.get(parent=None, name=city_name or settings.LANTIAN_DEFAULT_CITY)
    index = UnitIndex(city)
    try:
        book = safedocs.load_workbook(file)
    except safedocs.UnsafeDocument as exc:
        raise ImportRefused(str(exc)) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused(f"不是有效的 Excel 文件：{exc}") from None
    errors: list[str] = []
    result = ImportResult()
    sites: dict[tuple[str, str], Site] = {}
    for number, row in _rows(book, "点位", SITE_COLUMNS, errors, SITE_OPTIONAL_COLUMNS):
        where = f"点位 第{number}行"
        site = _site_from(row, city, index, errors, where)
        if site is not None:
            sites[(site[0].district.name, site[0].name)] = site[0]
            if not errors:
                site[0].save()
                site[0].units.set(site[1])
                record(acting_user, "site.imported", site[0])
                result.sites += 1
    for number, row in _rows(book, "设备", DEVICE_COLUMNS, errors):
        device = _device_from(row, city, sites, errors, f"设备 第{number}行")
        if device is not None and not errors:
            device.save()
            record(acting_user, "device.imported", device)
            result.devices += 1
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    return result


def _site_from(row, city, index, errors, where):
    name = str(row["名称"] or "").strip()
    if not name:
        errors.append(f"{where} 名称为空")
        return None
    district = index.districts.get(str(row["区县"] or "").strip())
    if district is None:
        errors.append(f"{where} 区县「{row['区县']}」不在{city.name}名录中")
        return None
    site = Site.objects.filter(district=district, name=name).first() or Site(
        district=district, name=name
    )
    site.kind = _choice(row["类型"], SiteKind, "类型", errors, where)
    site.address = str(row["地址"] or "")
    site.operator = str(row["建设/经营单位"] or "")
    site.phase = _choice(row["施工阶段"], Phase, "施工阶段", errors, where, blank=True)
    site.size_class = _choice(row["餐饮规模"], SizeClass, "餐饮规模", errors, where, blank=True)
    try:
        site.outlets = int(row["排放口数"] or 0)
    except (TypeError, ValueError):
        errors.append(f"{where} 排放口数「{row['排放口数']}」不是整数")
    _coordinates(site, row, errors, where)
    if site.kind == SiteKind.CONSTRUCTION and not site.phase:
        errors.append(f"{where} 建筑工地须填写施工阶段")
    if site.kind == SiteKind.RESTAURANT and not site.size_class:
        errors.append(f"{where} 餐饮单位须填写餐饮规模")
    units = []
    for unit_name in str(row["责任单位"] or "").replace("，", "、").split("、"):
        if unit_name.strip():
            resolution = index.resolve(unit_name.strip())
            if not resolution.units:
                errors.append(f"{where} 责任单位「{unit_name.strip()}」不在单位名录中")
            units += resolution.units
    if not units:
        errors.append(f"{where} 须填写至少一个责任单位")
    return site, units


def _coordinates(site, row, errors, where) -> None:
    """经度、纬度 in decimal degrees, both or neither; blank columns leave the site as it was."""
    try:
        place = coords.parse(row.get("经度"), row.get("纬度"))
    except ValueError as exc:
        errors.append(f"{where} {exc}")
        return
    if place is not None:
        site.longitude, site.latitude = place


def _device_from(row, city, sites, errors, where):
    mn = str(row["MN"] or "").strip()
    if not mn or len(mn) > 32 or not mn.isalnum():
        errors.append(f"{where} MN「{mn}」无效")
        return None
    key = (str(row["区县"] or "").strip(), str(row["点位"] or "").strip())
    site = (
        sites.get(key)
        or Site.objects.filter(district__parent=city, district__name=key[0], name=key[1]).first()
    )
    if site is None:
        errors.append(f"{where} 点位「{key[1]}」（{key[0]}）既不在本表也未登记")
        return None
    device = Device.objects.filter(mn=mn).first() or Device(mn=mn)
    device.site = site
    device.password = str(row["密码"] or "").strip()
    if not device.password:
        errors.append(f"{where} 密码为空")
    device.kind = _choice(row["类型"], DeviceKind, "类型", errors, where)
    device.profile = _choice(row["协议配置"] or "tolerant", Profile, "协议配置", errors, where)
    device.strict = str(row["严格校验"] or "").strip() in ("是", "1", "true", "True", "严格")
    device.vendor = str(row["厂商型号"] or "")
    device.placement = str(row["点位布设记录"] or "")
    installed = row["安装日期"]
    if isinstance(installed, dt.datetime):
        installed = installed.date()
    elif installed not in (None, ""):
        try:
            installed = dt.date.fromisoformat(str(installed).strip())
        except ValueError:
            errors.append(f"{where} 安装日期「{installed}」应为 YYYY-MM-DD")
            installed = None
    device.install_date = installed or None
    try:
        device.interval_seconds = int(row["上传间隔"] or 60)
    except (TypeError, ValueError):
        errors.append(f"{where} 上传间隔「{row['上传间隔']}」不是整数")
    return device
