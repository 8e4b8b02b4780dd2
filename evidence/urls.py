from django.urls import path

from evidence import views

urlpatterns = [path("<int:pk>/", views.download, name="evidence-download")]
