from django.urls import path

from . import views, views_conoscenza

app_name = "tavoli"

urlpatterns = [
    path("ambiti/<int:ambito_pk>/assemblea/", views.assemblea, name="assemblea"),
    path("ambiti/<int:ambito_pk>/assemblea/regola/", views.regola_modifica, name="regola"),
    path("ambiti/<int:ambito_pk>/assemblea/sedute/nuova/", views.seduta_nuova, name="seduta_nuova"),
    path("ambiti/<int:ambito_pk>/assemblea/deleghe/nuova/", views.delega_nuova, name="delega_nuova"),
    path("ambiti/<int:ambito_pk>/ufficio-di-piano/", views.ufficio, name="ufficio"),
    path("sedute/<int:pk>/", views.seduta, name="seduta"),
    path("sedute/<int:pk>/live/", views.seduta_live, name="seduta_live"),
    path("sedute/<int:pk>/punti/nuovo/", views.punto_nuovo, name="punto_nuovo"),
    path("sedute/<int:pk>/presenze/", views.presenza, name="presenza"),
    path("sedute/<int:pk>/<slug:azione>/", views.seduta_azione, name="seduta_azione"),
    path("punti/<int:pk>/rimuovi/", views.punto_rimuovi, name="punto_rimuovi"),
    path("punti/<int:pk>/votazione/", views.votazione_apri, name="votazione_apri"),
    path("votazioni/<int:pk>/voto/", views.vota, name="vota"),
    path("votazioni/<int:pk>/<slug:azione>/", views.votazione_azione, name="votazione_azione"),
    path("deliberazioni/<int:pk>/", views.deliberazione, name="deliberazione"),
    # knowledge base, calendars, regional areas and catalogue
    path("piani/<int:piano_pk>/conoscenza/", views_conoscenza.conoscenza, name="conoscenza"),
    path("piani/<int:piano_pk>/conoscenza/<str:elenco>.csv", views_conoscenza.conoscenza_csv, name="conoscenza_csv"),
    path("ambiti/<int:ambito_pk>/calendario/", views_conoscenza.calendario, name="calendario"),
    path("calendario/personale/", views_conoscenza.calendario_personale, name="calendario_personale"),
    path("calendario/<str:token>.ics", views_conoscenza.feed_ics, name="feed_ics"),
    path("regioni/<int:regione_pk>/aree/", views_conoscenza.aree, name="aree"),
    path("regioni/<int:regione_pk>/aree/nuova/", views_conoscenza.area_nuova, name="area_nuova"),
    path("regioni/<int:regione_pk>/catalogo-offerta/nuovo/", views_conoscenza.tipo_offerta_nuovo,
         name="tipo_offerta_nuovo"),
    path("aree/<int:pk>/modifica/", views_conoscenza.area_modifica, name="area_modifica"),
    path("aree/<int:pk>/stato/", views_conoscenza.area_stato, name="area_stato"),
    path("aree/<int:pk>/elimina/", views_conoscenza.area_elimina, name="area_elimina"),
]
