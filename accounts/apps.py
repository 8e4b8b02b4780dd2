from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("单位与用户")

    def ready(self):
        from accounts import signins
        from accounts.access import is_staff_user
        from lantian import navigation

        signins.connect()

        navigation.register(_("单位名录"), "unit-list", order=90, visible=is_staff_user)
