"""Routes of the adesioni pages (included by accordi.urls, namespace ``accordi``)."""

from django.urls import path

from . import views_adesioni as v

urlpatterns: list = [
    # the body's side
    path("area-ente/", v.area_ente, name="area_ente"),
    path("accordi/<int:accordo_pk>/adesioni/nuova/", v.adesione_nuova, name="adesione_nuova"),
    path("adesioni/<int:pk>/", v.adesione, name="adesione"),
    path("adesioni/<int:pk>/invia/", v.adesione_invia, name="adesione_invia"),
    path("adesioni/<int:pk>/integra/", v.adesione_integra, name="adesione_integra"),
    path("adesioni/<int:pk>/ritira/", v.adesione_ritira, name="adesione_ritira"),
    path("adesioni/<int:pk>/allegati/", v.adesione_allegato, name="adesione_allegato"),
    path("allegati-adesione/<int:pk>/elimina/", v.adesione_allegato_elimina, name="adesione_allegato_elimina"),
    path("allegati-adesione/<int:pk>/", v.adesione_allegato_scarica, name="adesione_allegato_scarica"),
    # the review
    path("piani/<int:piano_pk>/adesioni/", v.adesioni_accordo, name="adesioni_accordo"),
    path("adesioni/<int:pk>/esame/", v.adesione_esame, name="adesione_esame"),
    path("adesioni/<int:pk>/esame/<slug:nome>/", v.adesione_azione, name="adesione_azione"),
]
