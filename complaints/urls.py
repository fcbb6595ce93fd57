from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.report, name="report"),
    path("status/", views.status, name="status"),
    path("status/supplement/", views.supplement, name="supplement"),
    path("recover/", views.recover, name="recover"),
]
