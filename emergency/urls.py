from django.urls import path

from emergency import views

urlpatterns = [
    path("", views.home, name="emergency-home"),
    path("episodes/", views.episode_list, name="emergency-episodes"),
    path("episodes/<int:pk>/", views.episode_detail, name="emergency-episode"),
    path("episodes/<int:pk>/level/", views.episode_change, name="emergency-episode-change"),
    path("episodes/<int:pk>/lift/", views.episode_lift, name="emergency-episode-lift"),
    path("episodes/<int:pk>/commit/", views.round_commit, name="emergency-round-commit"),
    path("warning/", views.propose, name="emergency-propose"),
    path("warning/issue/", views.issue, name="emergency-issue"),
    path("enterprises/", views.enterprise_list, name="emergency-enterprises"),
    path("enterprises/export.xlsx", views.enterprise_export, name="emergency-export"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="emergency-enterprise"),
    path("enterprises/<int:pk>/grade/", views.grade_change, name="emergency-grade-change"),
    path("import/", views.import_upload, name="emergency-import"),
    path("import/<int:pk>/", views.import_run, name="emergency-import-run"),
    path("draws/<int:pk>/", views.round_detail, name="emergency-round"),
    path("draws/<int:pk>/draw/", views.round_draw, name="emergency-round-draw"),
    path("plans/", views.plan_list, name="emergency-plans"),
    path("plans/<int:pk>/", views.plan_detail, name="emergency-plan"),
    path("inspections/", views.my_inspections, name="emergency-my-inspections"),
    path("inspections/<int:pk>/", views.inspection_detail, name="emergency-inspection"),
    path(
        "inspections/<int:pk>/photos/", views.inspection_photos, name="emergency-inspection-photos"
    ),
    path("cases/", views.case_list, name="emergency-cases"),
    path("cases/<int:pk>/", views.case_detail, name="emergency-case"),
    path("stats/", views.statistics, name="emergency-stats"),
    path("grades/", views.grades, name="emergency-grades"),
    path("public/draws/", views.public_draws, name="emergency-public-draws"),
]
