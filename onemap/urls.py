from django.urls import path

from onemap import views

urlpatterns = [path("", views.city_map, name="onemap")]
