from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District


class HoursImportForm(forms.Form):
    file = forms.FileField(label=_("小时数据文件（CSV 或 Excel）"))
    replace = forms.BooleanField(label=_("以本次数据替换已有数据（原值留档）"), required=False)
    hour_ending = forms.BooleanField(label=_("文件中的时间为小时末（1:00–24:00）"), required=False)


class DustFallImportForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("城市"), queryset=District.objects.filter(parent=None), empty_label=None
    )
    file = forms.FileField(label=_("降尘数据文件（区县、月份、降尘量）"))
    replace = forms.BooleanField(label=_("以本次数据替换已有数据（原值留档）"), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("排查情况"), widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    cause = forms.CharField(label=_("排查原因"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("采取的措施"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("佐证材料（照片、文件，可选）"), required=False)


class EvaluateForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("评估结论"),
        choices=[("1", _("通过，办结")), ("0", _("退回，继续排查"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("核销理由"), widget=forms.Textarea(attrs={"rows": 2}))
