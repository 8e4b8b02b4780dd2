from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger import workflow


class PlanKind(models.TextChoices):
    TASK_LIST = "task_list", _("整改任务清单")
    WORK_PLAN = "work_plan", _("工作方案")


class UnitRole(models.TextChoices):
    """What a plan asks of a unit on one task (a unit may hold several)."""

    RESPONSIBLE = "responsible", _("整改责任单位")
    LEAD = "lead", _("牵头单位")
    PARTICIPANT = "participant", _("参与单位")
    IMPLEMENTER = "implementer", _("落实单位")
    ACCEPTANCE = "acceptance", _("督导验收单位")
    ACCEPTANCE_LEAD = "acceptance_lead", _("验收牵头单位")


class Status(models.TextChoices):
    """Status of a line of work; the allowed moves are ``ledger.workflow.TRANSITIONS``."""

    NOT_STARTED = workflow.NOT_STARTED, _("未启动")
    IN_PROGRESS = workflow.IN_PROGRESS, _("推进中")
    SUSTAINED = workflow.SUSTAINED, _("长期坚持")
    APPLIED = workflow.APPLIED, _("申请验收")
    RETURNED = workflow.RETURNED, _("退回整改")
    CLOSED = workflow.CLOSED, _("已验收销号")


ACTION_LABELS = {
    "start": _("启动整改"),
    "report": _("报送进展"),
    "sustain": _("转入长期坚持"),
    "apply": _("申请验收"),
    "withdraw": _("撤回验收申请"),
    "pass": _("验收通过并销号"),
    "fail": _("验收不通过，退回整改"),
    "resume": _("继续整改"),
    "reopen": _("重新打开"),
}


class Comparator(models.TextChoices):
    APPROX = "≈", _("左右")
    GTE = ">=", _("不低于")
    LTE = "<=", _("不高于")
    EQ = "=", _("等于")
    GT = ">", _("高于")
    LT = "<", _("低于")


class EvidenceRule(models.TextChoices):
    """What a monthly report must carry, set per plan by the office."""

    FILE_OR_REASON = "file_or_reason", _("至少一份佐证材料，或说明无佐证的原因")
    FILE = "file", _("每次报送须附佐证材料")
    OPTIONAL = "optional", _("不作要求")


class ReportSource(models.TextChoices):
    WEB = "web", _("网页填报")
    EXCEL = "excel", _("Excel 导入")
    API = "api", _("接口")


class SupervisionKind(models.TextChoices):
    URGE = "urge", _("催办")
    ORDER = "order", _("督办")
    NOTICE = "notice", _("通报")
    INTERVIEW = "interview", _("约谈")
    ACCOUNTABILITY = "accountability", _("问责")


class AccountabilityGround(models.TextChoices):
    SUPERFICIAL = "superficial", _("表面整改")
    FAKE = "fake", _("虚假整改")
    PERFUNCTORY = "perfunctory", _("敷衍整改")
    NEGLIGENCE = "negligence", _("失职失责")
    OTHER = "other", _("其他")


class SupervisionState(models.TextChoices):
    OPEN = "open", _("办理中")
    ANSWERED = "answered", _("已回复")
    CLOSED = "closed", _("已办结")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("待处理")
    ADOPTED = "adopted", _("已采纳")
    DISMISSED = "dismissed", _("已忽略")


class AcceptanceState(models.TextChoices):
    APPLIED = "applied", _("已申请")
    GROUP_FORMED = "group_formed", _("已组建验收组")
    CHECKING = "checking", _("现场核查中")
    PASSED = "passed", _("验收通过")
    FAILED = "failed", _("验收不通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class CheckSource(models.TextChoices):
    MEASURE = "measure", _("整改措施")
    MILESTONE = "milestone", _("节点任务")
    TARGET = "target", _("量化目标")
    GOAL = "goal", _("整改目标")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("组长")
    EXPERT = "expert", _("专家")
    TECHNICIAN = "technician", _("技术人员")
    STAFF = "staff", _("部门业务骨干")
    RECORDER = "recorder", _("记录员")


class SignManner(models.TextChoices):
    """How a review group member's signature reached the platform."""

    ONLINE = "online", _("本人在线签字")
    PAPER = "paper", _("组长代录纸质签字")


# What each kind of guarantee rule a plan sets (``Plan.rules``, read by ``plans.extract.meta``)
# is called on its page.
RULE_KINDS = {
    "detailed_plan_due": _("细化方案期限"),
    "relative_due": _("期限"),
    "monthly_report": _("月报"),
    "quarterly_report": _("季报"),
    "half_year_report": _("半年报"),
    "annual_report": _("年报"),
    "weekly_report": _("周报"),
    "ten_day_report": _("旬报"),
    "recurring_report": _("定期报送"),
    "report_due": _("报送期限"),
    "final_report": _("总体情况报告"),
    "acceptance": _("验收销号"),
}
