from django.urls import path

from . import views

urlpatterns = [
    path("", views.manage, name="twofactor_manage"),
    path("verify/", views.verify, name="twofactor_verify"),
    path("enrol/", views.enrol, name="twofactor_enrol"),
    path("recovery-codes/", views.regenerate_codes, name="twofactor_recovery_codes"),
    path("disable/", views.disable, name="twofactor_disable"),
    path("reset/<int:user_id>/", views.reset_user, name="twofactor_reset"),
]
