"""URLs of the quadro pages (included by risorse.urls)."""

from django.urls import path

from . import views_quadro

urlpatterns = [
    path("piani/<int:piano_pk>/risorse/", views_quadro.quadro, name="quadro"),
    path("piani/<int:piano_pk>/risorse/anno/<int:anno>/", views_quadro.quadro_anno, name="quadro_anno"),
    path("piani/<int:piano_pk>/risorse/importa/", views_quadro.quadro_importa, name="quadro_importa"),
    path("piani/<int:piano_pk>/risorse/esporta.<str:formato>", views_quadro.quadro_esporta, name="quadro_esporta"),
    path("piani/<int:piano_pk>/risorse/modello.csv", views_quadro.quadro_modello, name="quadro_modello"),
]
