from django.urls import path

from reports import views

urlpatterns = [
    path("", views.issue_list, name="reports-issues"),
    path("generate/", views.issue_generate, name="reports-generate"),
    path("settings/", views.settings_edit, name="reports-settings"),
    path("templates/", views.template_list, name="reports-templates"),
    path("templates/default.docx", views.template_default, name="reports-template-default"),
    path("templates/<int:pk>/", views.template_file, name="reports-template-file"),
    path("<int:pk>/", views.issue_detail, name="reports-issue"),
    path("<int:pk>/publish/", views.issue_publish, name="reports-publish"),
    path("<int:pk>/verify/<int:rev>/", views.revision_verify, name="reports-verify"),
    path("<int:pk>/file/<int:rev>.<str:ext>", views.revision_file, name="reports-file"),
    path("<int:pk>/chart/<int:rev>/<str:key>.png", views.revision_chart, name="reports-chart"),
]
