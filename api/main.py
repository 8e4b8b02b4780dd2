"""One NinjaAPI at /api/v1/. Every installed app with an ``api`` module exposing ``router``
is mounted under its own prefix, so adding an app's API touches no shared file."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from ninja import NinjaAPI
from ninja.security import django_auth

from api.errors import StrictJSONParser, document_errors, install_handlers
from api.renderers import LocalTimeRenderer


class LantianAPI(NinjaAPI):
    """The OpenAPI document carries each operation's Chinese summary (``api/texts.py``) and the
    error statuses every operation can answer (``api/errors.py``)."""

    def get_openapi_schema(self, *args, **kwargs):
        from api import texts

        schema = super().get_openapi_schema(*args, **kwargs)
        return document_errors(texts.apply(schema, prefix="/api/v1"))


api = LantianAPI(
    title="蓝天 lantian API",
    version="1",
    description="整改台账、在线监测、空气质量与重污染天气应对。权限与页面相同。",
    auth=django_auth,
    urls_namespace="api",
    parser=StrictJSONParser(),
    renderer=LocalTimeRenderer(),
)
install_handlers(api)


def _mount_app_routers() -> None:
    project_dir = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if config.name == "api" or not config.path.startswith(project_dir):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{getattr(module, 'PREFIX', config.label)}/", router)


_mount_app_routers()
