from django.urls import path

from regulations import views

urlpatterns = [
    path("calendar/", views.calendar, name="regulations-calendar"),
]
