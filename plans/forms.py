from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from plans import corrections


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


FLAGS = ("immediate", "ongoing")


def _joined(values) -> str:
    return "、".join(values or [])


class ItemForm(forms.Form):
    """One task of a draft, corrected by the office. Dates are typed as plans write them and
    read by the import's own readers (``plans.corrections``); what cannot be read is an error
    beside its field, with what was typed kept."""

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
    deadline = forms.CharField(
        label=_("完成时限"),
        required=False,
        max_length=200,
        help_text=_("如 2024年6月底、2024-06-30、6月底前、长期坚持、立行立改"),
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

    def __init__(self, *args, item: dict, year: int | None = None, issued=None, **kwargs):
        self.deadline_text = item.get("deadline_raw") or item.get("deadline") or ""
        initial = {
            "title": item.get("title"),
            "target": item.get("target") or "",
            "deadline": self.deadline_text,
            "immediate": item.get("immediate"),
            "ongoing": item.get("ongoing"),
        }
        for key in self.UNIT_FIELDS:
            initial[key] = _joined(item.get(key))
        super().__init__(*args, initial=initial, **kwargs)
        self.item, self.year, self.issued = item, year, issued
        self.milestone_keys = []
        for m, measure in enumerate(item.get("measures") or []):
            for n, milestone in enumerate(measure.get("milestones") or []):
                key = f"milestone:{m}:{n}"
                self.fields[key] = forms.CharField(
                    label=milestone.get("raw") or milestone.get("date_raw") or "",
                    required=False,
                    max_length=100,
                    initial=milestone.get("date") or "",
                )
                self.milestone_keys.append(key)

    def clean(self):
        data = super().clean()
        self._deadline = None
        text = (data.get("deadline") or "").strip()
        immediate, ongoing = bool(data.get("immediate")), bool(data.get("ongoing"))
        if text != self.deadline_text.strip():
            if text or not (immediate or ongoing):
                try:
                    self._deadline = corrections.read_deadline(
                        text, year=self.year, issued=self.issued
                    )
                except corrections.Unreadable as exc:
                    self.add_error("deadline", str(exc))
            else:
                self._deadline = {"deadline": None, "deadline_raw": ""}
        had = self.item.get("deadline") or self.item.get("immediate") or self.item.get("ongoing")
        due = self._deadline["deadline"] if self._deadline else self.item.get("deadline")
        flags = immediate or ongoing or any((self._deadline or {}).get(k) for k in FLAGS)
        if had and not (due or flags) and "deadline" not in self.errors:
            # an item without a date or 立行立改/长期坚持 can never be overdue
            self.add_error("deadline", _("请填写完成时限，或勾选立行立改/长期坚持"))
        for key in self.milestone_keys:
            value = (data.get(key) or "").strip()
            if value == (self.fields[key].initial or ""):
                data[key] = self.fields[key].initial or None
                continue
            try:
                data[key] = corrections.read_date(value, year=self.year, issued=self.issued)
            except corrections.Unreadable as exc:
                self.add_error(key, str(exc))
        return data

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
            elif key == "deadline":
                continue
            else:
                out[key] = value
        if self._deadline is not None:
            out["deadline"] = self._deadline["deadline"]
            out["deadline_raw"] = self._deadline["deadline_raw"]
            out["immediate"] = bool(data.get("immediate")) or self._deadline.get("immediate", False)
            out["ongoing"] = bool(data.get("ongoing")) or self._deadline.get("ongoing", False)
        return out

    def milestone_fields(self):
        return [self[key] for key in self.milestone_keys]


class PlanForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=300)
    doc_no = forms.CharField(label=_("文号"), required=False, max_length=100)
    issued = forms.CharField(
        label=_("发文日期"),
        required=False,
        max_length=40,
        help_text=_("如 2023年10月9日 或 2023-10-09"),
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    city = forms.ModelChoiceField(
        label=_("城市"), queryset=District.objects.filter(parent=None), required=False
    )

    def clean_issued(self):
        text = (self.cleaned_data.get("issued") or "").strip()
        if not text:
            return None
        try:
            return corrections.read_date(text, year=None)
        except corrections.Unreadable as exc:
            raise forms.ValidationError(str(exc)) from None
