"""URLs of the Comuni's social spending (included by risorse.urls)."""

from django.urls import path

from . import views_spesa

urlpatterns = [
    path("ambiti/<int:ambito_pk>/spesa-sociale/", views_spesa.spesa, name="spesa"),
    path("ambiti/<int:ambito_pk>/spesa-sociale/importa/", views_spesa.spesa_importa, name="spesa_importa"),
    path("ambiti/<int:ambito_pk>/spesa-sociale/esporta.<str:formato>", views_spesa.spesa_esporta,
         name="spesa_esporta"),
]
