from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from emergency.choices import CaseStatus, Grade, Level, Result
from emergency.warnings import ForecastError, parse_forecast

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("1", _("是")), ("0", _("否"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one field. ``camera``: on a phone the field opens the rear camera
    (``capture``) so the inspector photographs on site rather than picking old pictures."""

    def __init__(self, *args, camera: bool = False, **kwargs):
        attrs = {"accept": "image/*", **({"capture": "environment"} if camera else {})}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ForecastForm(forms.Form):
    """A forecast AQI series, pasted or uploaded (CSV or Excel: a time column and an AQI column)."""

    text = forms.CharField(
        label=_("粘贴预报（每行“时间,AQI”；日期为逐日，带小时为逐时）"),
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "2024-01-12,230\n2024-01-13,310"}),
        required=False,
    )
    file = forms.FileField(label=_("或上传 CSV / Excel"), required=False)

    def clean(self):
        data = super().clean()
        text = data.get("text", "")
        upload = data.get("file")
        if upload:
            text = _file_text(upload)
        if not text.strip():
            raise ValidationError(_("请粘贴预报或上传文件。"))
        try:
            data["daily"], data["hourly"] = parse_forecast(text)
        except ForecastError as exc:
            raise ValidationError(str(exc)) from exc
        if not data["daily"] and not data["hourly"]:
            raise ValidationError(_("没有读到预报数据。"))
        return data


def _file_text(upload) -> str:
    head = upload.read(4)
    upload.seek(0)
    if head.startswith(b"PK"):
        from lantian.lib import safedocs

        try:
            book = safedocs.load_workbook(upload)
        except safedocs.UnsafeDocument as exc:
            raise ValidationError(str(exc)) from exc
        except Exception as exc:
            raise ValidationError(_("无法读取 Excel 文件。")) from exc
        out = io.StringIO()
        writer = csv.writer(out)
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells = [c for c in row if c is not None][:2]
            if len(cells) == 2 and hasattr(cells[0], "isoformat"):
                cells[0] = cells[0].isoformat(sep=" ") if hasattr(cells[0], "hour") else cells[0]
            writer.writerow(cells)
        book.close()
        return out.getvalue().replace(" 00:00:00", "")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        upload.seek(0)
        return upload.read().decode("gb18030", errors="replace")


class IssueForm(forms.Form):
    city = forms.ModelChoiceField(District.objects.filter(parent=None), label=_("城市"))
    level = forms.ChoiceField(choices=Level.choices, label=_("预警级别"))
    starts_at = forms.DateTimeField(label=_("启动时间"), widget=DATETIME)
    expected_end_at = forms.DateTimeField(label=_("预计结束时间"), widget=DATETIME, required=False)
    basis_note = forms.CharField(
        label=_("依据说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    basis = forms.JSONField(widget=forms.HiddenInput, required=False)
    rule_code = forms.CharField(widget=forms.HiddenInput, required=False)


class LevelForm(forms.Form):
    level = forms.ChoiceField(choices=Level.choices, label=_("新级别"))
    effective_at = forms.DateTimeField(label=_("生效时间"), widget=DATETIME)
    expected_end_at = forms.DateTimeField(label=_("预计结束时间"), widget=DATETIME, required=False)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class LiftForm(forms.Form):
    effective_at = forms.DateTimeField(label=_("解除时间"), widget=DATETIME)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class CommitForm(forms.Form):
    day = forms.DateField(label=_("检查日期"), widget=DATE)


class DrawForm(forms.Form):
    beacon = forms.CharField(
        label=_("公开随机值"), max_length=200, help_text=_("如随机信标当期输出、当日开奖号码")
    )
    beacon_source = forms.CharField(
        label=_("来源（可供任何人核对）"), max_length=200, help_text=_("如“drand 第 4521337 轮”")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("应急减排清单（Excel .xlsx）"))
    city = forms.ModelChoiceField(District.objects.filter(parent=None), label=_("城市"))
    replace = forms.BooleanField(
        label=_("本文件为完整清单（文件中没有的企业移出清单）"), required=False, initial=True
    )


class GradeForm(forms.Form):
    grade = forms.ChoiceField(choices=Grade.choices, label=_("新等级"))
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE)
    reason = forms.CharField(label=_("依据（文件号或评审结论）"), max_length=300)


class InspectionForm(forms.Form):
    measures_in_place = forms.TypedChoiceField(
        label=_("应急减排措施落实"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    facilities_running = forms.TypedChoiceField(
        label=_("治污设施正常运转"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    ledger_ok = forms.TypedChoiceField(
        label=_("应急台账真实规范"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(label=_("结论"), choices=Result.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label=_("检查发现"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    inspected_at = forms.DateTimeField(
        label=_("检查时间（默认为提交时间）"), widget=DATETIME, required=False
    )
    photos = MultipleFileField(label=_("现场照片（拍照）"), camera=True)


class PhotoForm(forms.Form):
    photos = MultipleFileField(label=_("补充照片"))


class CaseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CaseStatus.HANDLING, CaseStatus.HANDLING.label),
            (CaseStatus.CLOSED, CaseStatus.CLOSED.label),
        ],
        label=_("状态"),
    )
    handling = forms.CharField(
        label=_("查处情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
