from django.urls import path

from ledger import views

urlpatterns = [
    path("", views.task_list, name="ledger-task-list"),
    path("lines/", views.line_list, name="ledger-line-list"),
    path("dashboard/", views.dashboard, name="ledger-dashboard"),
    path("plans/", views.plan_list, name="ledger-plan-list"),
    path("plans/<int:pk>/", views.plan_detail, name="ledger-plan"),
    path("plans/<int:pk>/settings/", views.plan_settings, name="ledger-plan-settings"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="ledger-plan-publish"),
    path("plans/<int:pk>/source/", views.plan_source, name="ledger-plan-source"),
    path(
        "plans/<int:pk>/source/<int:number>/", views.plan_source, name="ledger-plan-revision-source"
    ),
    path("plans/<int:pk>/detailed-plan/", views.detailed_plan_file, name="ledger-detailed-plan"),
    path("tasks/<int:pk>/", views.task_detail, name="ledger-task"),
    path("tasks/<int:pk>/summary/", views.task_summary, name="ledger-task-summary"),
    path("tasks/<int:pk>/target/", views.task_target, name="ledger-task-target"),
    path("groups/<int:pk>/settle/", views.group_settle, name="ledger-group-settle"),
    path("lines/<int:pk>/", views.line_detail, name="ledger-assignment"),
    path("lines/<int:pk>/report/", views.report_new, name="ledger-report-new"),
    path("lines/<int:pk>/apply/", views.line_apply, name="ledger-apply"),
    path("lines/<int:pk>/extend/", views.line_extend, name="ledger-extend"),
    path("lines/<int:pk>/do/<str:action>/", views.line_action, name="ledger-transition"),
    path("reports/<int:pk>/", views.report_detail, name="ledger-report"),
    path("acceptances/<int:pk>/", views.acceptance_detail, name="ledger-acceptance"),
    path("acceptances/<int:pk>/group/", views.acceptance_group, name="ledger-acceptance-group"),
    path(
        "acceptance-members/<int:pk>/sign/",
        views.acceptance_sign,
        name="ledger-acceptance-sign",
    ),
    path(
        "acceptances/<int:pk>/conclude/",
        views.acceptance_conclude,
        name="ledger-acceptance-conclude",
    ),
    path("checks/<int:pk>/", views.checklist_check, name="ledger-check"),
    path("supervision/", views.supervision_list, name="ledger-supervision-list"),
    path("supervision/new/", views.supervision_new, name="ledger-supervision-new"),
    path("supervision/<int:pk>/", views.supervision_detail, name="ledger-supervision"),
    path("supervision/<int:pk>/reply/", views.supervision_reply, name="ledger-supervision-reply"),
    path("supervision/<int:pk>/close/", views.supervision_close, name="ledger-supervision-close"),
    path("proposals/", views.proposal_list, name="ledger-proposals"),
    path("targets/", views.target_rollup, name="ledger-targets"),
    path("proposals/<int:pk>/dismiss/", views.proposal_dismiss, name="ledger-proposal-dismiss"),
    path("units/", views.unit_list, name="ledger-unit-list"),
    path("ranking/", views.ranking, name="ledger-ranking"),
    path("ranking/compute/", views.ranking_compute, name="ledger-ranking-compute"),
    path("excel/export/", views.export_workbook, name="ledger-export"),
    path("excel/import/", views.import_workbook, name="ledger-import"),
]
