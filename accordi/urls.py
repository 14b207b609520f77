from django.urls import path

from . import views, views_documenti, views_versioni

app_name = "accordi"

urlpatterns = [
    path("", views.home, name="home"),
    path("piani/", views.piani_elenco, name="piani"),
    path("piani/nuovo/", views.piano_nuovo, name="piano_nuovo"),
    path("piani/<int:pk>/", views.piano_dettaglio, name="piano"),
    path("piani/<int:pk>/transizioni/<slug:nome>/", views.piano_transizione, name="transizione"),
    path("piani/<int:pk>/documenti/<slug:tipo>/", views_documenti.documento_genera, name="documento_genera"),
    path("documenti/<int:pk>/", views_documenti.documento_dettaglio, name="documento"),
    path("documenti/<int:pk>/stato/", views_documenti.documento_stato, name="documento_stato"),
    path("documenti/<int:pk>/scarica/", views_documenti.documento_scarica, name="documento_scarica"),
    path("documenti/<int:pk>/firme/", views_documenti.richiesta_firma, name="richiesta_firma"),
    path("firme/<int:pk>/carica/", views_documenti.firma_carica, name="firma_carica"),
    path("firme/<int:pk>/browser/", views_documenti.firma_browser, name="firma_browser"),
    path("firme/<int:pk>/p7m/", views_documenti.firma_busta, name="firma_busta"),
    path("verifica/", views_documenti.verifica, name="verifica"),
    path("verifica/<str:codice>/", views_documenti.verifica_codice, name="verifica_codice"),
    path("verifica/<str:codice>/scarica/", views_documenti.verifica_scarica, name="verifica_scarica"),
    path("cicli/", views.cicli_elenco, name="cicli"),
    path("cicli/nuovo/", views.ciclo_modifica, name="ciclo_nuovo"),
    path("cicli/<int:pk>/", views.ciclo_modifica, name="ciclo"),
    path("pubblico/piani/", views.pubblico_piani, name="pubblico_piani"),
    path("pubblico/piani/<int:pk>/", views.pubblico_piano, name="pubblico_piano"),
    path("piani/<int:piano_pk>/versioni/", views_versioni.versioni, name="versioni"),
    path("piani/<int:piano_pk>/versioni/congela/", views_versioni.congela, name="versione_congela"),
    path("piani/<int:piano_pk>/versioni/confronta/", views_versioni.confronta, name="versioni_confronta"),
    path("versioni/<int:pk>/", views_versioni.versione, name="versione"),
]
