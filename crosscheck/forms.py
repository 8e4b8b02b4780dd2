from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"), choices=[("confirm", _("核实属实")), ("dismiss", _("排除"))]
    )
    note = forms.CharField(
        label=_("处理意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refer = forms.BooleanField(label=_("转问责建议（台账）"), required=False)
