"""Forms of the ledger pages. They validate input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from lantian.lib import tz
from ledger.choices import (
    AccountabilityGround,
    CheckResult,
    EvidenceRule,
    MemberRole,
    SupervisionKind,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input (checked by ``evidence`` when stored)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class DateInput(forms.DateInput):
    """An HTML date picker; its value must be ISO whatever the locale's date format."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own name
        super().__init__(attrs, format=format)


class ReportForm(forms.Form):
    period = forms.CharField(
        label=_("报送月份"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    narrative = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 5}))
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=_("下步计划"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    correction_reason = forms.CharField(
        label=_("更正原因（更正已报送月份时填写）"), required=False, max_length=300
    )
    files = MultipleFileField(label=_("佐证材料（图片、PDF、Word、Excel）"))
    no_evidence_reason = forms.CharField(
        label=_("未附佐证的说明（没有佐证材料时写明原因）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, milestones=(), targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones, self.targets = list(milestones), list(targets)
        if not self.is_bound:
            self.initial.setdefault("period", f"{tz.local_today():%Y-%m}")
        for m in self.milestones:
            self.fields[f"ms_{m.pk}"] = forms.BooleanField(label=str(m), required=False)
            self.fields[f"ms_{m.pk}_on"] = forms.DateField(
                label=_("完成日期"), required=False, widget=DateInput()
            )
        for t in self.targets:
            self.fields[f"tg_{t.pk}"] = forms.DecimalField(
                label=str(t), required=False, max_digits=16, decimal_places=4
            )

    def clean_period(self):
        import datetime as dt

        value = self.cleaned_data["period"]
        try:
            year, month = (int(p) for p in value.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from None

    def milestone_rows(self):
        return [(m, self[f"ms_{m.pk}"], self[f"ms_{m.pk}_on"]) for m in self.milestones]

    def target_rows(self):
        return [(t, self[f"tg_{t.pk}"]) for t in self.targets]


class ApplyForm(forms.Form):
    note = forms.CharField(
        label=_("申请说明（整改完成情况）"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    to = forms.DateField(label=_("延期至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


MEMBER_ROWS = 6


class GroupForm(forms.Form):
    visit_date = forms.DateField(label=_("现场验收日期"), required=False, widget=DateInput())

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(u.pk): u for u in accounts}
        choices = [("", _("无账号（纸质签字，由组长代录）"))] + [
            (pk, _account_label(u)) for pk, u in self.accounts.items()
        ]
        for i in range(MEMBER_ROWS):
            self.fields[f"m{i}_name"] = forms.CharField(label=_("姓名"), required=False)
            self.fields[f"m{i}_role"] = forms.ChoiceField(
                label=_("组内角色"),
                choices=MemberRole.choices,
                initial=MemberRole.LEADER if i == 0 else MemberRole.EXPERT,
                required=False,
            )
            self.fields[f"m{i}_org"] = forms.CharField(label=_("单位"), required=False)
            self.fields[f"m{i}_user"] = forms.ChoiceField(
                label=_("签字账号"), choices=choices, required=False
            )

    def member_rows(self):
        return [
            (self[f"m{i}_name"], self[f"m{i}_role"], self[f"m{i}_org"], self[f"m{i}_user"])
            for i in range(MEMBER_ROWS)
        ]

    def members(self) -> list[tuple[str, str, str, object]]:
        out = []
        for i in range(MEMBER_ROWS):
            name = (self.cleaned_data.get(f"m{i}_name") or "").strip()
            if name:
                role = self.cleaned_data.get(f"m{i}_role") or MemberRole.EXPERT
                org = (self.cleaned_data.get(f"m{i}_org") or "").strip()
                user = self.accounts.get(self.cleaned_data.get(f"m{i}_user") or "")
                out.append((name, role, org, user))
        if not out:
            raise forms.ValidationError(_("请填写验收组成员"))
        return out


def _account_label(user) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full}（{user.username}）" if full else user.username


class CheckForm(forms.Form):
    result = forms.ChoiceField(label=_("结果"), choices=CheckResult.choices)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.TextInput())
    files = MultipleFileField(label=_("佐证"))


class ConclusionForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("验收结论"),
        choices=[("1", _("通过，予以销号")), ("0", _("不通过，退回整改"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    visit_date = forms.DateField(label=_("现场验收日期"), widget=DateInput())
    conclusion = forms.CharField(
        label=_("结论（不通过时写明理由）"), widget=forms.Textarea(attrs={"rows": 3})
    )


class PaperSignatureForm(forms.Form):
    """The group leader records a member's signature on the paper acceptance form."""

    statement = forms.CharField(
        label=_("代录说明（写明签字人姓名及签字情况）"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    paper_date = forms.DateField(label=_("纸质签字日期"), widget=DateInput())


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=SupervisionKind.choices)
    title = forms.CharField(label=_("标题"), max_length=300)
    text = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    units = forms.ModelMultipleChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    tasks = forms.CharField(label=_("任务序号（逗号分隔，可空）"), required=False)
    due = forms.DateField(
        label=_("办理时限（督办必填，空则按默认工作日）"), required=False, widget=DateInput()
    )
    ground = forms.ChoiceField(
        label=_("问责情形"), choices=[("", "—"), *AccountabilityGround.choices], required=False
    )

    def __init__(self, *args, city=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        if city is not None:
            units = units.filter(city=city)
        self.fields["units"].queryset = units.order_by("kind", "id")


class ReplyForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("回复单位"), queryset=Unit.objects.none())
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("佐证材料"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk


class PlanSettingsForm(forms.Form):
    issued = forms.DateField(label=_("印发日期"), required=False, widget=DateInput())
    doc_no = forms.CharField(label=_("文号"), required=False, max_length=100)
    report_day = forms.IntegerField(
        label=_("月报截止日（0 = 月底）"), required=False, min_value=0, max_value=28
    )
    evidence_rule = forms.ChoiceField(label=_("报送佐证要求"), choices=EvidenceRule.choices)
    acceptance_quorum = forms.IntegerField(
        label=_("验收结论最少签字人数（空 = 验收组全体成员）"),
        required=False,
        min_value=1,
        max_value=50,
    )


class PublishForm(forms.Form):
    published = forms.BooleanField(label=_("在公开页面发布"), required=False)
    summary = forms.CharField(
        label=_("公开说明（经整改办审定）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DetailedPlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none())
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(label=_("细化整改方案文件"), required=True)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class TaskSummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("公开进展说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettleGroupForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("参与单位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in candidates])


class TargetForm(forms.Form):
    indicator = forms.CharField(label=_("指标"), max_length=300)
    comparator = forms.ChoiceField(
        label=_("比较"), choices=[(">=", "≥"), ("<=", "≤"), ("=", "="), ("≈", "≈")]
    )
    value = forms.DecimalField(label=_("目标值"), max_digits=16, decimal_places=4)
    unit = forms.CharField(label=_("单位"), required=False, max_length=20)
    by = forms.DateField(label=_("完成时限"), required=False, widget=DateInput())


class WorkbookForm(forms.Form):
    workbook = forms.FileField(label=_("填报后的台账工作簿（.xlsx）"))
