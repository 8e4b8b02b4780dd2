from django.urls import path

from api.main import api

urlpatterns = [path("v1/", api.urls)]
