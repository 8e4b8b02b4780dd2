from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit


class StepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[(s, s) for s in ("dispatch", "investigate", "handle", "reply", "close", "reopen")]
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("处置措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reply = forms.CharField(
        label=_("答复"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), required=False)
    evidence = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args, city=None, **kwargs):
        super().__init__(*args, **kwargs)
        if city is not None:
            self.fields["unit"].queryset = Unit.objects.filter(city=city, is_active=True)
