from django.urls import path

from airquality import views

app_name = "airquality"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rankings/", views.rankings, name="rankings"),
    path("stations/", views.station_list, name="stations"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("districts/<int:pk>/", views.district_detail, name="district-detail"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("responses/", views.response_list, name="responses"),
    path("responses/<int:pk>/", views.response_detail, name="response-detail"),
]
