from django.urls import path

from monitoring import views, views_cases, views_commands, views_keys

urlpatterns = [
    path("", views.device_list, name="monitoring-devices"),
    path("devices/<int:pk>/", views.device_detail, name="monitoring-device"),
    path(
        "devices/<int:pk>/commands/",
        views_commands.device_command,
        name="monitoring-device-commands",
    ),
    path("devices/<int:pk>/keys/", views_keys.device_keys, name="monitoring-device-keys"),
    path(
        "devices/<int:pk>/keys/<int:key_id>/revoke/",
        views_keys.revoke_device_key,
        name="monitoring-device-key-revoke",
    ),
    path("sites/", views.site_list, name="monitoring-sites"),
    path("alarms/", views.alarm_list, name="monitoring-alarms"),
    path("alarms/ledger.xlsx", views.alarm_ledger, name="monitoring-ledger"),
    path("alarms/<int:pk>/", views.alarm_detail, name="monitoring-alarm"),
    path("alarms/<int:pk>/step/", views.alarm_step, name="monitoring-alarm-step"),
    path("alarms/<int:pk>/case/", views_cases.case_new, name="monitoring-case-new"),
    path("cases/", views_cases.case_list, name="monitoring-cases"),
    path("cases/bulk/", views_cases.case_bulk, name="monitoring-cases-bulk"),
    path("cases/<int:pk>/", views_cases.case_detail, name="monitoring-case"),
    path("notices/", views_cases.notices, name="monitoring-notices"),
    path("rates/", views.rates, name="monitoring-rates"),
    path("quarantine/", views.quarantine_list, name="monitoring-quarantine"),
    path("import/", views.import_registry_view, name="monitoring-import"),
]
