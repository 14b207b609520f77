from django.urls import path

from . import views

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
]
