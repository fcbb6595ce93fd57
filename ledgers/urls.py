from django.urls import path

from .assessment_views import public_assessment

urlpatterns = [
    path("assessments/<int:pk>/", public_assessment, name="ledgers_public_assessment"),
]
