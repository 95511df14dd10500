from django.urls import path

from palava.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_mission, name="switch_mission"),
    path("healthz", views.healthz, name="healthz"),
]
