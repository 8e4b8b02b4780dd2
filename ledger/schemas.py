import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from api.errors import ErrorOut  # noqa: F401 - the API's one error shape
from api.fields import Day, Id, Line, Percent, Quantity, Text
from ledger.choices import (
    AccountabilityGround,
    CheckResult,
    MemberRole,
    SignManner,
    SupervisionKind,
)


class TaskOut(Schema):
    id: int
    plan_id: int
    no: int
    display_no: str
    title: str
    problem: str
    target: str
    deadline: dt.date | None
    deadline_raw: str
    immediate: bool
    ongoing: bool
    withdrawn: bool


class MeasureOut(Schema):
    id: int
    no: int | None
    district: str
    text: str

    @staticmethod
    def resolve_district(obj) -> str:
        return obj.district_name


class MilestoneOut(Schema):
    id: int
    due: dt.date | None
    promise: str
    quantity: Decimal | None
    quantity_unit: str


class TargetOut(Schema):
    id: int
    indicator: str
    comparator: str
    value: Decimal | None
    unit: str
    by: dt.date | None


class TaskDetailOut(TaskOut):
    measures: list[MeasureOut]
    milestones: list[MilestoneOut]
    targets: list[TargetOut]

    @staticmethod
    def resolve_measures(obj):
        return obj.measures.filter(withdrawn=False)

    @staticmethod
    def resolve_milestones(obj):
        return obj.milestones.filter(withdrawn=False)

    @staticmethod
    def resolve_targets(obj):
        return obj.targets.filter(withdrawn=False)


class AssignmentOut(Schema):
    id: int
    task_id: int
    task_no: str
    task_title: str
    unit_id: int
    unit: str
    roles: list[str]
    status: str
    status_label: str
    deadline: dt.date | None
    extended_to: dt.date | None
    closed_on: dt.date | None

    @staticmethod
    def resolve_task_no(obj) -> str:
        return obj.task.display_no

    @staticmethod
    def resolve_task_title(obj) -> str:
        return obj.task.title

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ActualOut(Schema):
    target_id: int
    value: Decimal


class MilestoneLineOut(Schema):
    milestone_id: int
    done: bool
    done_on: dt.date | None


class ReportOut(Schema):
    id: int
    assignment_id: int
    period: dt.date
    version: int
    is_current: bool
    narrative: str
    percent: int
    problems: str
    next_steps: str
    correction_reason: str
    no_evidence_reason: str
    source: str
    submitted_at: dt.datetime
    actuals: list[ActualOut]
    milestone_lines: list[MilestoneLineOut]

    @staticmethod
    def resolve_actuals(obj):
        return obj.actuals.all()

    @staticmethod
    def resolve_milestone_lines(obj):
        return obj.milestone_lines.all()


class ActualIn(Schema):
    target_id: Id
    value: Quantity


class MilestoneIn(Schema):
    milestone_id: Id
    done: bool
    done_on: Day | None = None


class ReportIn(Schema):
    period: Day
    narrative: Text
    percent: Percent
    problems: Text = ""
    next_steps: Text = ""
    correction_reason: Text = ""
    no_evidence_reason: Text = ""
    actuals: list[ActualIn] = Field([], max_length=500)
    milestones: list[MilestoneIn] = Field([], max_length=500)


class ApplyIn(Schema):
    note: Text


class MemberOut(Schema):
    id: int
    name: str
    role: str
    organisation: str
    account: str | None
    signed_at: dt.datetime | None
    sign_manner: str
    signed_by: str | None
    paper_statement: str
    paper_signed_on: dt.date | None

    @staticmethod
    def resolve_account(obj) -> str | None:
        return obj.user.username if obj.user_id else None

    @staticmethod
    def resolve_signed_by(obj) -> str | None:
        return obj.signed_by.username if obj.signed_by_id else None


class CheckOut(Schema):
    id: int
    position: int
    source: str
    text: str
    result: str
    note: str


class AcceptanceOut(Schema):
    id: int
    assignment_id: int
    round: int
    review_unit: str
    state: str
    application: str
    visit_date: dt.date | None
    conclusion: str
    passed: bool | None
    members: list[MemberOut]
    checklist: list[CheckOut]

    @staticmethod
    def resolve_review_unit(obj) -> str:
        return obj.review_unit.name

    @staticmethod
    def resolve_members(obj):
        return obj.members.select_related("user", "signed_by")

    @staticmethod
    def resolve_checklist(obj):
        return obj.lines.all()


class MemberIn(Schema):
    name: Line
    role: MemberRole
    organisation: Line = ""
    account: Line = ""  # the username the member signs in with; empty: signs on paper


class GroupIn(Schema):
    members: list[MemberIn] = Field(max_length=100)
    visit_date: Day | None = None


class CheckIn(Schema):
    result: CheckResult
    note: Text = ""


class ConclusionIn(Schema):
    passed: bool
    conclusion: Text
    visit_date: Day


class SignIn(Schema):
    manner: SignManner = SignManner.ONLINE
    statement: Text = ""  # paper: names the member and how they signed
    paper_date: Day | None = None


class SupervisionOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    ground: str
    due: dt.date | None
    state: str
    issued_at: dt.datetime
    units: list[str]
    task_ids: list[int]

    @staticmethod
    def resolve_units(obj):
        return [u.name for u in obj.units.all()]

    @staticmethod
    def resolve_task_ids(obj):
        return [t.pk for t in obj.tasks.all()]


class SupervisionIn(Schema):
    kind: SupervisionKind
    title: Line
    text: Text = ""
    unit_ids: list[Id] = Field(max_length=1000)
    task_ids: list[Id] = Field([], max_length=1000)
    due: Day | None = None
    ground: AccountabilityGround | None = None


class ReplyIn(Schema):
    unit_id: Id
    text: Text


class TargetProgressOut(Schema):
    """A quantitative target beside its actual value and where that value comes from."""

    target_id: int
    task_no: int
    indicator: str
    comparator: str
    value: float | None
    unit: str
    by: dt.date | None
    actual: float | None
    source: str | None = Field(description="data：平台数据计算；reported：单位自报")
    source_label: str
    text: str
    met: bool | None
    progress: float | None = Field(description="完成程度 0–1")
