from django.urls import path

from crosscheck import views

urlpatterns = [
    path("", views.finding_list, name="crosscheck-findings"),
    path("<int:pk>/", views.finding_detail, name="crosscheck-finding"),
    path("<int:pk>/decide/", views.finding_decide, name="crosscheck-decide"),
]
