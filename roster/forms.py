from django import forms
from django.utils.translation import gettext_lazy as _

from roster.models import Rollout


class RosterImportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称（可空）"), max_length=200, required=False)
    workbook = forms.FileField(
        label=_("名录（Excel）"),
        help_text=_(
            "每个应设监测点位一行：单位名称、统一社会信用代码、区县、行业类别、名录类别、监测点位、监测因子、设备编号（MN）"
        ),
    )


class RolloutForm(forms.ModelForm):
    milestones = forms.CharField(
        label=_("安装节点"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "每行一个：日期 单位数 排烟口数 [试点] 说明，"
            "例如 2024-03-31 287 744 试点 重点区域内试点单位"
        ),
    )

    class Meta:
        model = Rollout
        fields = ["title", "min_area", "units_target", "outlets_target", "basis"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 2})}


class LedgerImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("餐饮单位台账（Excel）"),
        help_text=_("每个单位一行：单位名称、区县、地址、经营面积（平方米）、排烟口数、试点"),
    )
