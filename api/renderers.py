"""API answers give times in Beijing time (``2026-12-05T19:46:11+08:00``), the same instant
a UTC stamp would name, as every page does: nothing a person may read is in UTC."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class LocalTimeEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
