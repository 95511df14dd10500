from django.urls import path

from palava.places import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("<str:pcode>/", views.place_detail, name="detail"),
    path("<str:pcode>/map.geojson", views.place_map_data, name="map_data"),
    path("<str:pcode>/access/", views.access_record, name="access_record"),
]
