"""Units (单位), the districts they govern, and the roles users hold for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import DistrictKind, Role, UnitKind


class District(models.Model):
    """An area: a city, or a district, county, new area or development zone within one."""

    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=DistrictKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    aliases = models.JSONField(_("别名"), default=list, blank=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="district_unique_in_parent")
        ]
        ordering = ["parent_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def city(self) -> District:
        return self if self.parent_id is None else self.parent


class Unit(models.Model):
    """An organisation that is named in plans and acts in the ledger.

    ``name`` is the form plans use inside their city (``市生态环境局``, ``鄠邑区委``);
    ``full_name`` the official one. Aliases are other spellings that resolve to this unit.
    ``proposed`` marks units an importer met and nobody has confirmed yet.
    """

    city = models.ForeignKey(
        District, models.PROTECT, related_name="city_units", verbose_name=_("所属城市")
    )
    name = models.CharField(_("简称"), max_length=128)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("所辖区域"),
    )
    email = models.EmailField(_("通知邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    proposed = models.BooleanField(_("待确认"), default=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="unit_unique_in_city")]
        ordering = ["city_id", "id"]

    def __str__(self) -> str:
        return self.name

    def access_unit_ids(self) -> set[int]:
        return {self.pk}


class UnitAlias(models.Model):
    """Another name for a unit within its city (市发改委 = 市发展和改革委员会)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="aliases")
    city = models.ForeignKey(District, models.CASCADE, related_name="+")
    alias = models.CharField(_("别名"), max_length=200)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        constraints = [
            models.UniqueConstraint(fields=["city", "alias"], name="alias_unique_in_city")
        ]

    def __str__(self) -> str:
        return self.alias


class UnitGroup(models.Model):
    """A phrase plans use for several units at once ("各区县党委").

    ``open`` groups ("108国道沿线区县党委") have members decided task by task; their listed
    members are the candidates.
    """

    city = models.ForeignKey(District, models.PROTECT, related_name="unit_groups")
    name = models.CharField(_("名称"), max_length=128)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    members = models.ManyToManyField(Unit, related_name="groups", blank=True)
    open = models.BooleanField(_("成员逐项确定"), default=False)

    class Meta:
        verbose_name = _("单位组")
        verbose_name_plural = _("单位组")
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="group_unique_in_city")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role, held for one unit. A user may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Notification(models.Model):
    """An in-app message to one user (reminders, dispatches, warnings). Read once opened."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("类别"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
