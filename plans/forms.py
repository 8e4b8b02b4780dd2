from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District


class UploadForm(forms.Form):
    file = forms.FileField(label=_("方案文件（.txt / .docx / .pdf）"), required=False)
    text = forms.CharField(
        label=_("或粘贴方案全文"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    year = forms.IntegerField(
        label=_("年度（可选）"), required=False, min_value=1990, max_value=2100
    )
    issued = forms.DateField(
        label=_("发文日期（可选）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请上传方案文件或粘贴方案全文"))
        return data


def _joined(values) -> str:
    return "、".join(values or [])


class ItemForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=500)
    responsible = forms.CharField(label=_("责任单位"), required=False)
    lead = forms.CharField(label=_("牵头单位"), required=False)
    participants = forms.CharField(label=_("参与/配合单位"), required=False)
    implementers = forms.CharField(label=_("落实单位"), required=False)
    acceptance = forms.CharField(label=_("督导验收单位"), required=False)
    acceptance_lead = forms.CharField(label=_("验收牵头单位"), required=False)
    target = forms.CharField(
        label=_("整改目标"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    immediate = forms.BooleanField(label=_("立行立改"), required=False)
    ongoing = forms.BooleanField(label=_("长期坚持"), required=False)

    UNIT_FIELDS = (
        "responsible",
        "lead",
        "participants",
        "implementers",
        "acceptance",
        "acceptance_lead",
    )

    def __init__(self, *args, item: dict, **kwargs):
        initial = {
            "title": item.get("title"),
            "target": item.get("target") or "",
            "deadline": item.get("deadline"),
            "immediate": item.get("immediate"),
            "ongoing": item.get("ongoing"),
        }
        for key in self.UNIT_FIELDS:
            initial[key] = _joined(item.get(key))
        super().__init__(*args, initial=initial, **kwargs)
        self.item = item
        self.milestone_keys = []
        for m, measure in enumerate(item.get("measures") or []):
            for n, milestone in enumerate(measure.get("milestones") or []):
                key = f"milestone:{m}:{n}"
                self.fields[key] = forms.DateField(
                    label=milestone.get("raw") or milestone.get("date_raw") or "",
                    required=False,
                    initial=milestone.get("date"),
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
                self.milestone_keys.append(key)

    def changes(self) -> dict:
        data = self.cleaned_data
        out = {}
        for key, value in data.items():
            if key in self.UNIT_FIELDS:
                if value != _joined(self.item.get(key)):
                    out[key] = value
            elif key == "target":
                if (value or None) != (self.item.get("target") or None):
                    out[key] = value or None
            else:
                out[key] = value
        return out

    def milestone_fields(self):
        return [self[key] for key in self.milestone_keys]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=300)
    doc_no = forms.CharField(label=_("文号"), required=False, max_length=100)
    issued = forms.DateField(
        label=_("发文日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    city = forms.ModelChoiceField(
        label=_("城市"), queryset=District.objects.filter(parent=None), required=False
    )
