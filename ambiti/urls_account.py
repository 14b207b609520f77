"""Sign-in, sign-out and password reset by e-mail (Django's auth views, our templates)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .accesso import Accesso

urlpatterns = [
    # failed attempts limited per username and per address (ambiti/accesso.py)
    path("accedi/", Accesso.as_view(), name="login"),
    path("esci/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reimposta/", auth_views.PasswordResetView.as_view(
        success_url=reverse_lazy("password_reset_done")), name="password_reset"),
    path("password/reimposta/inviata/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password/reimposta/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("password_reset_complete")), name="password_reset_confirm"),
    path("password/reimposta/completata/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password/cambia/", auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("password_change_done")), name="password_change"),
    path("password/cambiata/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
]
