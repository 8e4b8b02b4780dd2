from django.urls import path

from roster import views

urlpatterns = [
    path("", views.key_units, name="roster-keyunits"),
    path("rollout/", views.rollout_list, name="roster-rollouts"),
    path("rollout/<int:pk>/", views.rollout_detail, name="roster-rollout"),
]
