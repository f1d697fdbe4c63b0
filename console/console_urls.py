from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("login", views.ConsoleLoginView.as_view(), name="login"),
    path("logout", views.logout_view, name="logout"),
    path("region", views.switch_region, name="switch_region"),
    path("", views.home, name="home"),
]
