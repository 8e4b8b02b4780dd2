from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("方案导入")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.access import is_office
        from lantian import navigation
        from plans import policies  # noqa: F401 - registers who may see plan imports

        navigation.register(_("方案导入"), "plan-import", order=30, visible=is_office)

        from lantian import todo
        from plans.todo import todos

        todo.register("plans", todos)
