"""The key register page of a device: its SM4 keys by fingerprint and state, and a form to
enter a new one (office only; the key is sealed at once and never shown again)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from lantian.lib.forms import refuse
from monitoring import keys
from monitoring.forms import DeviceKeyForm
from monitoring.models import Device, DeviceKey


def _device_for_office(request, pk: int) -> Device:
    if not access.is_office(request.user):
        raise PermissionDenied
    return access.get_for_user(Device.objects.select_related("site__district"), request.user, pk)


def _page(request, device: Device, form: DeviceKeyForm, status: int = 200):
    context = {"device": device, "form": form, "rows": keys.summary(device), "rules": keys.rules()}
    return render(request, "monitoring/device_keys.html", context, status=status)


@login_required
def device_keys(request, pk: int):
    device = _device_for_office(request, pk)
    if request.method != "POST":
        return _page(request, device, DeviceKeyForm())
    form = DeviceKeyForm(request.POST)
    if form.is_valid():
        try:
            row = keys.register_key(
                device,
                form.cleaned_data["key"],
                acting_user=request.user,
                valid_from=form.cleaned_data["valid_from"],
            )
        except ValidationError as err:
            refuse(form, err, {"": "key"})
        else:
            messages.success(request, f"已登记密钥 {row.fingerprint}")
            return redirect("monitoring-device-keys", pk=device.pk)
    return _page(request, device, form, status=400)


@login_required
@require_POST
def revoke_device_key(request, pk: int, key_id: int):
    device = _device_for_office(request, pk)
    try:
        key = device.keys.get(pk=key_id)
    except DeviceKey.DoesNotExist:
        raise PermissionDenied from None
    keys.revoke_key(key, acting_user=request.user, reason=request.POST.get("reason", "")[:200])
    messages.success(request, f"已停用密钥 {key.fingerprint}")
    return redirect("monitoring-device-keys", pk=device.pk)
