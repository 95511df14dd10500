from django.urls import URLPattern

app_name = "missions"
urlpatterns: list[URLPattern] = []
