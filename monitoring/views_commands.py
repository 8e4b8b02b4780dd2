"""Commands to a device (反控) from its page: queued through ``remote`` (audited), sent by the
gateway over the device's connection; the page lists them with their answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import access
from lantian.lib.forms import refuse
from monitoring import remote
from monitoring.forms import CommandForm
from monitoring.models import Device
from monitoring.views import device_page


@login_required
@require_POST
def device_command(request, pk: int):
    if not access.is_office(request.user):
        raise PermissionDenied
    device = access.get_for_user(Device.objects.select_related("site__district"), request.user, pk)
    form = CommandForm(request.POST)
    if form.is_valid():
        kind, params = form.cleaned_data["kind"], form.params()
        try:
            if form.cleaned_data["whole_site"]:
                made = remote.request_for_site(
                    device.site,
                    kind,
                    acting_user=request.user,
                    params=params,
                    reason="人工下发（全点位）",
                )
            else:
                made = [
                    remote.request_command(
                        device, kind, acting_user=request.user, params=params, reason="人工下发"
                    )
                ]
        except ValidationError as err:
            refuse(form, err)
        else:
            messages.success(
                request, f"已下发 {len(made)} 台设备：{made[0].get_kind_display()}，等待设备应答"
            )
            return redirect("monitoring-device", pk=device.pk)
    return device_page(request, device, form, status=400)
