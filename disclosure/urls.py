from django.urls import path

from disclosure import views

urlpatterns = [
    path("", views.index, name="disclosure-index"),
    path("air/", views.air, name="disclosure-air"),
    path("plans/<int:pk>/", views.plan_detail, name="disclosure-plan"),
    path("items/<int:pk>/", views.task_detail, name="disclosure-task"),
]
