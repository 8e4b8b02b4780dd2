"""Choices of the heavy-pollution response: warning levels, performance grades, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Warning levels, mildest first (黄色 III级 < 橙色 II级 < 红色 I级)."""

    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


LEVEL_RANK = {Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}
LEVEL_COLOURS = {Level.YELLOW: "#f2c200", Level.ORANGE: "#ff7e00", Level.RED: "#e0201b"}


def rank(level: str | None) -> int:
    return LEVEL_RANK.get(level, 0) if level else 0


class Grade(models.TextChoices):
    """Environmental performance grades of the heavy-pollution emergency reduction scheme.

    39 key industries use A–D; some use only 引领性 / 非引领性 (research/standards.md §7).
    """

    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级")
    D = "D", _("D级")
    LEADING = "leading", _("引领性")
    NON_LEADING = "non_leading", _("非引领性")
    UNGRADED = "ungraded", _("未评级")


# "A级、B级和绩效引领性企业" (seed 000 item 27) count towards the city target.
HIGH_GRADES = (Grade.A, Grade.B, Grade.LEADING)


class Drive(models.TextChoices):
    """冲A、增B、减C、清D (seed 001 item 6): which upgrade drive an enterprise belongs to."""

    CHONG_A = "chong_a", _("冲A")
    ZENG_B = "zeng_b", _("增B·减C")
    QING_D = "qing_d", _("清D")
    RATE = "rate", _("申请评级")


# The drive each current grade belongs to; A and 引领性 are already at the top.
DRIVE_OF_GRADE = {
    Grade.B: Drive.CHONG_A,
    Grade.NON_LEADING: Drive.CHONG_A,
    Grade.C: Drive.ZENG_B,
    Grade.D: Drive.QING_D,
    Grade.UNGRADED: Drive.RATE,
}


class StepKind(models.TextChoices):
    ISSUE = "issue", _("发布")
    UPGRADE = "upgrade", _("升级")
    DOWNGRADE = "downgrade", _("降级")
    LIFT = "lift", _("解除")


class RoundStatus(models.TextChoices):
    COMMITTED = "committed", _("已公布承诺值，待抽取")
    DRAWN = "drawn", _("已抽取")


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("待检查")
    DONE = "done", _("已检查")


class Result(models.TextChoices):
    COMPLIANT = "compliant", _("落实到位")
    NON_COMPLIANT = "non_compliant", _("未落实")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("已立案")
    HANDLING = "handling", _("查处中")
    CLOSED = "closed", _("已结案")


class ChangeSource(models.TextChoices):
    IMPORT = "import", _("清单导入")
    MANUAL = "manual", _("人工调整")
