from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from monitoring.choices import CommandKind


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


class DateInput(forms.DateInput):
    input_type = "date"


def enforcement_units(city, user=None):
    """Units that may open a case: the city's bureaus and district governments (the office
    picks any; others only their own units)."""
    from accounts import access

    units = Unit.objects.filter(is_active=True, kind__in=["bureau", "government"])
    if city is not None:
        units = units.filter(city=city)
    if user is not None and not access.is_office(user):
        units = units.filter(pk__in=access.unit_ids_of(user))
    return units.order_by("kind", "id")


class CaseForm(forms.Form):
    """Open a case (立案) on one alarm."""

    number = forms.CharField(label=_("案号"), max_length=64)
    opened_on = forms.DateField(label=_("立案日期"), widget=DateInput())
    authority = forms.ModelChoiceField(label=_("立案机关"), queryset=Unit.objects.none())
    party = forms.CharField(label=_("当事人"), max_length=200, required=False)
    party_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    note = forms.CharField(label=_("案由"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, city=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = enforcement_units(city, user)


class BulkCaseForm(forms.Form):
    """Open one case per selected alarm from the alarm ledger."""

    number_template = forms.CharField(
        label=_("案号格式"),
        max_length=60,
        help_text=_("{n} 处依次填入序号，例如 西环罚〔2026〕{n}号"),
    )
    start = forms.IntegerField(
        label=_("起始序号"), min_value=1, required=False, help_text=_("空则接着已用的序号")
    )
    opened_on = forms.DateField(label=_("立案日期"), widget=DateInput())
    authority = forms.ModelChoiceField(label=_("立案机关"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("案由"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, city=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = enforcement_units(city, user)


class DecisionForm(forms.Form):
    penalty = forms.ChoiceField(label=_("处理种类"))
    fine = forms.DecimalField(
        label=_("罚款金额（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    order = forms.CharField(
        label=_("责令事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    decision = forms.CharField(label=_("处理决定"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from monitoring.choices import Penalty

        super().__init__(*args, **kwargs)
        self.fields["penalty"].choices = Penalty.choices


class ClosureForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput())
    closure = forms.CharField(label=_("结案情况"), widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    """An inspection announced in advance (督察进驻公告, 检查通知)."""

    title = forms.CharField(label=_("通知"), max_length=200)
    announced_at = forms.DateTimeField(
        label=_("发布时间（北京时间）"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    district = forms.ModelChoiceField(
        label=_("区县（空为全市）"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, city=None, **kwargs):
        from accounts.models import District

        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(parent=city).order_by("id")


class DeviceKeyForm(forms.Form):
    """A new SM4 key for a device (HJ 212-2025). The key is typed, never shown back once stored."""

    key = forms.CharField(
        label=_("SM4 密钥"),
        max_length=64,
        help_text=_("32 位十六进制数，或 16 个字符（如标准示例的 0000000000000000）"),
        # a failed form keeps what was typed (the key was not stored); a stored key never returns
        widget=forms.PasswordInput(
            render_value=True, attrs={"autocomplete": "off", "spellcheck": "false"}
        ),
    )
    valid_from = forms.DateTimeField(
        label=_("启用时间"),
        required=False,
        help_text=_("北京时间；留空为立即启用。此前的密钥在过渡期内仍可解密"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class CommandForm(forms.Form):
    """A command to a device (反控) from its page; the fields used depend on the command."""

    kind = forms.ChoiceField(label=_("命令"), choices=CommandKind.choices)
    begin = forms.DateTimeField(
        label=_("补采开始（含）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    end = forms.DateTimeField(
        label=_("补采结束（不含）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    cn = forms.ChoiceField(
        label=_("补采数据"),
        choices=[("2051", _("分钟数据")), ("2061", _("小时数据")), ("2031", _("日数据"))],
        required=False,
    )
    seconds = forms.IntegerField(label=_("实时数据间隔（秒，30–3600）"), required=False)
    minutes = forms.IntegerField(label=_("分钟数据间隔（分钟）"), required=False)
    whole_site = forms.BooleanField(label=_("对该点位全部在用设备下发"), required=False)

    def params(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == CommandKind.HISTORY:
            return {"begin": data["begin"], "end": data["end"], "cn": data["cn"] or "2051"}
        return {k: data[k] for k in ("seconds", "minutes") if data[k] is not None}
