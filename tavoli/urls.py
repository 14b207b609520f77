from django.urls import path

from . import views, views_conoscenza, views_tavoli

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
    # tavoli tematici, focus-groups, their sessions, contributions and minutes
    path("piani/<int:piano_pk>/tavoli/", views_tavoli.tavoli_piano, name="tavoli_piano"),
    path("piani/<int:piano_pk>/tavoli/nuovo/", views_tavoli.tavolo_nuovo, name="tavolo_nuovo"),
    path("tavoli/<int:pk>/", views_tavoli.tavolo, name="tavolo"),
    path("tavoli/<int:pk>/modifica/", views_tavoli.tavolo_modifica, name="tavolo_modifica"),
    path("tavoli/<int:pk>/membri/invita/", views_tavoli.membro_invita, name="membro_invita"),
    path("tavoli/<int:pk>/membri/chiedi/", views_tavoli.adesione_chiedi, name="adesione_chiedi"),
    path("membri/<int:pk>/<slug:azione>/", views_tavoli.membro_azione, name="membro_azione"),
    path("tavoli/<int:pk>/focus-group/nuovo/", views_tavoli.focus_group_nuovo, name="focus_group_nuovo"),
    path("focus-group/<int:pk>/", views_tavoli.focus_group, name="focus_group"),
    path("tavoli/<int:pk>/sedute/nuova/", views_tavoli.seduta_tavolo_nuova, name="seduta_tavolo_nuova"),
    path("sedute-tavolo/<int:pk>/", views_tavoli.seduta_tavolo, name="seduta_tavolo"),
    path("sedute-tavolo/<int:pk>/presenze/", views_tavoli.presenze_tavolo, name="presenze_tavolo"),
    path("sedute-tavolo/<int:pk>/verbale/", views_tavoli.verbale_tavolo, name="verbale_tavolo"),
    path("sedute-tavolo/<int:pk>/contributi/<slug:tipo>/", views_tavoli.contributo_nuovo, name="contributo_nuovo"),
    path("sedute-tavolo/<int:pk>/<slug:azione>/", views_tavoli.seduta_tavolo_azione, name="seduta_tavolo_azione"),
    path("contributi/<slug:tipo>/<int:pk>/modifica/", views_tavoli.contributo_modifica, name="contributo_modifica"),
]
