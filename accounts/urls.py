from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", views.unit_list, name="unit-list"),
    path("todo/badges/", views.todo_badges, name="todo-badges"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
