from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    NEW_AREA = "new_area", _("新区")
    DEV_ZONE = "dev_zone", _("开发区")


class UnitKind(models.TextChoices):
    CITY_BODY = "city_body", _("市委市政府及其部门")
    OFFICE = "office", _("议事协调机构办公室")
    BUREAU = "bureau", _("市级部门")
    PARTY_COMMITTEE = "party", _("区县党委")
    GOVERNMENT = "government", _("区县政府")
    ZONE_PARTY = "zone_party", _("党工委")
    ZONE_ADMIN = "zone_admin", _("管委会")
    JUDICIAL = "judicial", _("司法机关")
    ENTERPRISE = "enterprise", _("企业")
    EXPERT_GROUP = "expert_group", _("专家组")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("整改办/专项办管理员")
    UNIT_OFFICER = "unit_officer", _("单位联络员")
    REVIEWER = "reviewer", _("验收组成员")
    INSPECTOR = "inspector", _("现场检查员")
    LEADER = "leader", _("领导（只读）")


# The bodies of an area, as plans name them after the area ("鄠邑区委", "西咸新区管委会").
BODY_UNIT_KIND = {
    "党委": UnitKind.PARTY_COMMITTEE,
    "政府": UnitKind.GOVERNMENT,
    "党工委": UnitKind.ZONE_PARTY,
    "管委会": UnitKind.ZONE_ADMIN,
}
ZONE_KINDS = {DistrictKind.NEW_AREA, DistrictKind.DEV_ZONE}
