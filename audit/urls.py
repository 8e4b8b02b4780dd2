from django.urls import path

from audit import views

urlpatterns = [
    path("", views.event_list, name="audit-list"),
    path("<str:object_type>/<str:object_id>/", views.object_history, name="audit-history"),
]
