from django.urls import path

from . import views

urlpatterns = [
    path("", views.notice_list, name="accountability_notices"),
    path("<int:pk>/", views.notice_detail, name="accountability_notice"),
    path(
        "clarifications/",
        views.clarification_list,
        name="tolerance_clarifications",
    ),
    path(
        "clarifications/<int:pk>/",
        views.clarification_detail,
        name="tolerance_clarification",
    ),
]
