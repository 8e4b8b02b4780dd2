"""Forms of the 调度通报 pages. A failing form keeps what was typed, each error by its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from reports import periods
from reports.models import ReportSettings

KIND_MONTH, KIND_RANGE = "month", "range"


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("刊别"),
        choices=[
            (KIND_MONTH, _("月度调度通报（整月）")),
            (KIND_RANGE, _("简报（任意期间，如一周）")),
        ],
        initial=KIND_MONTH,
        widget=forms.RadioSelect,
    )
    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    first = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    city = forms.ModelChoiceField(
        label=_("城市"),
        queryset=District.objects.filter(parent=None).order_by("pk"),
        required=False,
        empty_label=_("默认城市"),
    )
    plan = forms.TypedChoiceField(
        label=_("仅限方案"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        from ledger.models import Plan

        self.today = today
        self.fields["plan"].choices = [("", _("全部方案"))] + [
            (p.pk, f"{p.title}（{p.city.name}）")
            for p in Plan.objects.select_related("city").order_by("-pk")
        ]

    def clean(self):
        data = super().clean()
        try:
            if data.get("kind") == KIND_RANGE:
                if not data.get("first"):
                    self.add_error("first", _("请填写开始日期"))
                if not data.get("last"):
                    self.add_error("last", _("请填写结束日期"))
                if data.get("first") and data.get("last"):
                    data["period"] = periods.between(data["first"], data["last"], today=self.today)
            elif not data.get("month"):
                self.add_error("month", _("请选择月份"))
            else:
                data["period"] = periods.parse_month(data["month"])
        except periods.PeriodError as exc:
            field = "month" if data.get("kind") != KIND_RANGE else "last"
            self.add_error(field, str(exc))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = [
            "office",
            "monthly_title",
            "brief_title",
            "top_count",
            "bottom_count",
            "overdue_days",
            "overdue_rows",
            "requirements",
            "distribution",
            "auto_day",
            "auto_publish",
        ]
        widgets = {"requirements": forms.Textarea(attrs={"rows": 4})}

    def clean_auto_day(self):
        day = self.cleaned_data["auto_day"]
        if day > 28:
            raise forms.ValidationError(_("请填 0–28（每个月都有的日子）"))
        return day


class TemplateUploadForm(forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=100)
    file = forms.FileField(label=_("Word 模板（.docx）"))
    activate = forms.BooleanField(label=_("上传后即用于新通报"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError(_("请上传 .docx 格式的 Word 文件"))
        return upload
