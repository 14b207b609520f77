"""Routes of the accordo pages (included by accordi.urls, namespace ``accordi``)."""

from django.urls import path

from . import views_accordo as v

urlpatterns: list = [
    path("piani/<int:piano_pk>/accordo/", v.accordo, name="accordo"),
    path("piani/<int:piano_pk>/accordo/scheda/", v.accordo_scheda, name="accordo_scheda"),
    path("piani/<int:piano_pk>/accordo/dati/", v.accordo_dati, name="accordo_dati"),
    path("piani/<int:piano_pk>/accordo/parti/nuova/", v.accordo_parte_nuova, name="accordo_parte_nuova"),
    path("accordo/parti/<int:pk>/", v.accordo_parte, name="accordo_parte"),
    path("accordo/parti/<int:pk>/elimina/", v.accordo_parte_elimina, name="accordo_parte_elimina"),
    path("piani/<int:piano_pk>/accordo/popolazione/", v.accordo_popolazione, name="accordo_popolazione"),
    path("piani/<int:piano_pk>/accordo/voci/nuova/", v.accordo_voce_nuova, name="accordo_voce_nuova"),
    path("accordo/voci/<int:pk>/", v.accordo_voce, name="accordo_voce"),
    path("accordo/voci/<int:pk>/elimina/", v.accordo_voce_elimina, name="accordo_voce_elimina"),
    path("piani/<int:piano_pk>/accordo/ripartizione/", v.accordo_ripartizione, name="accordo_ripartizione"),
    path("piani/<int:piano_pk>/accordo/ripartizione.csv", v.accordo_ripartizione_csv,
         name="accordo_ripartizione_csv"),
    path("piani/<int:piano_pk>/accordo/atto/", v.accordo_atto, name="accordo_atto"),
]
