from django.urls import path

from plans import views

urlpatterns = [
    path("import/", views.import_page, name="plan-import"),
    path("import/<int:pk>/", views.draft_detail, name="plan-draft"),
    path("import/<int:pk>/plan/", views.draft_plan, name="plan-draft-plan"),
    path("import/<int:pk>/items/<int:index>/", views.draft_item, name="plan-draft-item"),
    path("import/<int:pk>/commit/", views.draft_commit, name="plan-draft-commit"),
    path("import/<int:pk>/discard/", views.draft_discard, name="plan-draft-discard"),
    path("import/<int:pk>/source/", views.draft_source, name="plan-draft-source"),
]
