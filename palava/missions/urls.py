from django.urls import path

from palava.missions import views

app_name = "missions"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/", views.members, name="members"),
]
