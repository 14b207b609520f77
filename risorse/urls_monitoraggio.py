"""URLs of the monitoraggio pages (included by risorse.urls)."""

from django.urls import path

from . import views_monitoraggio as v

urlpatterns = [
    path("piani/<int:piano_pk>/monitoraggio/", v.monitoraggio, name="monitoraggio"),
    path("indicatori/<int:pk>/misurazioni/", v.misurazioni, name="misurazioni"),
    path("misurazioni/<int:pk>/", v.misurazione, name="misurazione"),
    path("piani/<int:piano_pk>/monitoraggio/<int:anno>/attuazione/", v.attuazione, name="attuazione"),
    path("piani/<int:piano_pk>/monitoraggio/<int:anno>/relazione/", v.relazione, name="relazione"),
    path("piani/<int:piano_pk>/monitoraggio/<int:anno>/relazione/genera/", v.relazione_genera,
         name="relazione_genera"),
]
